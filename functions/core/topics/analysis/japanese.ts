import { defineAnalyser } from './analyser.ts';
import { defaultAnalyser, defaultRules } from './default.ts';

/**
 * Japanese: words cut by ICU's dictionary (日本政府はワクチンを寄付した → 日本|政府|は|ワクチン|を|寄付|した);
 * full-width Latin letters and half-width katakana folded to their usual forms (ｗｈｏ → who,
 * ﾜｸﾁﾝ → ワクチン); voiced marks stay (が is not か). No stemming.
 */
export const japanese = defineAnalyser(
  {
    ...defaultRules,
    id: 'ja',
    name: 'Japanese',
    lower: (raw) => defaultRules.lower(raw.normalize('NFKC')),
    // Only words with a character outside ASCII can have a compatibility form.
    handles: /[^\p{ASCII}]/u,
  },
  defaultAnalyser,
);
