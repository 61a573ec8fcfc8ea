import { stemmer as porter } from 'stemmer';
import { type AnalyserRules, defineAnalyser, dropPossessive } from './analyser.ts';

const ENGLISH_WORD = /^[a-z]+$/;

/**
 * Porter's English stemmer on a folded word of plain Latin letters ("donations", "donated" →
 * "donat"; "masks" → "mask"); words of two letters, numbers and mixed tokens are kept whole.
 */
export const porterStem = (folded: string): string =>
  ENGLISH_WORD.test(folded) && folded.length > 2 ? porter(folded) : folded;

/**
 * The default rules, which are English's: case and marks folded, possessive 's dropped,
 * Porter stems for words of plain Latin letters, other words kept whole. Every other
 * analyser falls back on them for the words it has no rules for.
 */
export const defaultRules: AnalyserRules = {
  id: 'default',
  name: 'any language',
  lower: (raw) => dropPossessive(raw.toLowerCase()),
  stem: (_lowered, folded) => porterStem(folded),
};

/**
 * Text whose language is not known. Chinese, Japanese and Thai runs are cut into words as
 * in every analyser, so their words can still be matched.
 */
export const defaultAnalyser = defineAnalyser(defaultRules);
