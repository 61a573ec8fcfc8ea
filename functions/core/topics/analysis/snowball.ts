import { type Analyser, defineAnalyser, dropPossessive } from './analyser.ts';
import { defaultAnalyser, porterStem } from './default.ts';

/** A Snowball stemmer: lower-cased word in, stem out. */
export type Stemmer = (word: string) => string;

/**
 * The analyser of a language with a Snowball stemmer. Words written wholly in the language's
 * script are stemmed by it; words with no letter of its script (English terms and names in
 * Russian or Arabic news) are analysed by the default rules, Porter stems included.
 */
export const snowballAnalyser = (options: {
  id: string;
  name: string;
  stemmer: Stemmer;
  /** Letters of the language's words, e.g. /^\p{sc=Latin}+$/u. */
  script: RegExp;
  /** Words with a letter of the language's script: the others get the default forms. */
  handles: RegExp;
  /** Lower-casing and what the language attaches to a word (elisions, suffixes after ’). */
  lower?: (raw: string) => string;
}): Analyser =>
  defineAnalyser(
    {
      id: options.id,
      name: options.name,
      handles: options.handles,
      lower: options.lower ?? ((raw) => dropPossessive(raw.normalize('NFC').toLowerCase())),
      stem: (lowered, folded) => {
        if (options.script.test(lowered)) return lowered.length > 2 ? options.stemmer(lowered) : lowered;
        // Only words of plain Latin letters have a Porter stem: the rest stays whole.
        return porterStem(folded);
      },
    },
    defaultAnalyser,
  );

/** Letters of Latin script (and the marks on them). */
export const LATIN_WORD = /^[\p{sc=Latin}\p{M}]+$/u;
/** A word with a Latin letter. */
export const HAS_LATIN = /\p{sc=Latin}/u;
