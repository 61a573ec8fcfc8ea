import { defineAnalyser } from './analyser.ts';
import { defaultAnalyser, defaultRules } from './default.ts';

/** English: the default rules (Porter stems: "donations", "donated" → "donat"), under its own name. */
export const english = defineAnalyser({ ...defaultRules, id: 'en', name: 'English' }, defaultAnalyser);
