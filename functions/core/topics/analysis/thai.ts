import { defineAnalyser } from './analyser.ts';
import { defaultAnalyser, defaultRules } from './default.ts';

/**
 * Thai: words cut by ICU's dictionary (ประเทศไทยได้รับวัคซีน → ประเทศไทย|ได้|รับ|วัคซีน), as
 * every analyser cuts Thai runs; vowel signs and tone marks are part of the word and are
 * kept. No stemming: the default rules, under Thai's name.
 */
export const thai = defineAnalyser({ ...defaultRules, id: 'th', name: 'Thai' }, defaultAnalyser);
