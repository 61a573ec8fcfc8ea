import { stemmer } from '@orama/stemmers/arabic';
import { snowballAnalyser } from './snowball.ts';

/** Short vowels (harakat), superscript alef and tatweel: written or not, the word is the same. */
const OPTIONAL = /[\u064B-\u065F\u0670\u0640]/g;
/** Alef with hamza or madda, and alef wasla. */
const ALEF_FORMS = /[أإآٱ]/g;

/**
 * Arabic: harakat and tatweel removed and alef forms made one (أ إ آ → ا) before the Snowball
 * stemmer, which takes off the article and many endings ("اللقاحات", "لقاح" → "لقاح";
 * "المساعدة", "مساعدة" → "مساعد"). Teh marbuta and alef maksura are folded (ة → ه, ى → ي)
 * after stemming, as the stemmer reads them as endings.
 */
export const arabic = snowballAnalyser({
  id: 'ar',
  name: 'Arabic',
  stemmer,
  script: /^\p{sc=Arabic}+$/u,
  handles: /\p{sc=Arabic}/u,
  lower: (raw) => raw.normalize('NFC').replace(OPTIONAL, '').replace(ALEF_FORMS, 'ا').toLowerCase(),
});
