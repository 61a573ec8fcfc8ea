import { fold } from './fold.ts';
import { eachWord } from './words.ts';

/**
 * Version of the text analysis and matching rules. Stored with every match, so articles
 * matched under older rules can be found and matched again after a change.
 */
export const ANALYSER_VERSION = 'a3';

/** One word of a text, with where it is. */
export interface Token {
  /** The text as written. */
  raw: string;
  /** Case and optional marks folded, possessive 's dropped: what phrases and wildcards compare. */
  folded: string;
  /** The stem the language's stemmer gives: what bare words compare. */
  stem: string;
  /** Index among the field's tokens (for phrases and NEAR). */
  index: number;
  /** Character offsets in the field text: [start, end). */
  start: number;
  end: number;
}

/** A word's folded form and stem. */
export type WordForms = readonly [folded: string, stem: string];

/** How the text of one language is cut into words, folded and stemmed. */
export interface Analyser {
  /** The language's primary subtag (`es`), or `default` for text of no known language. */
  readonly id: string;
  /** The language's name in English, for tables and messages. */
  readonly name: string;
  /** Folded form and stem of one word as {@link eachWord} cuts it, remembered: news reuses its words. */
  analyseWord(raw: string): WordForms;
  /**
   * Whether the analyser has rules of its own for this word. When it has none, the word's
   * forms are those the default analyser gives (the same array), so a query word needs
   * analysing only by the analysers that treat it differently.
   */
  handles(raw: string): boolean;
  /** True when the analyser gives every word the default analyser's forms (English, Thai). */
  readonly sameAsDefault: boolean;
  /** Splits text into word tokens. Hyphens and other punctuation separate words ("COVID-19" → covid, 19). */
  tokenize(text: string): Token[];
}

/** What makes one language's analyser. */
export interface AnalyserRules {
  id: string;
  name: string;
  /**
   * The word lower-cased the language's way, with what the language writes onto a word taken
   * off (French and Italian elided articles, Turkish suffixes after an apostrophe); accents kept,
   * as the stemmer wants them. The result is then folded (see {@link fold}).
   */
  lower: (raw: string) => string;
  /** The stem of the lower-cased word, before folding. */
  stem: (lowered: string, folded: string) => string;
  /**
   * The words the rules are for (those with a letter of the language's script); any other
   * word is analysed by the fallback analyser (see {@link defineAnalyser}).
   */
  handles?: RegExp;
}

const MAX_CACHED_WORDS = 200_000;

/** Drops an English possessive: "Azerbaijan’s" → "azerbaijan's" → "azerbaijan". */
export const dropPossessive = (word: string): string => {
  const w = word.replace(/’/g, "'");
  return w.endsWith("'s") ? w.slice(0, -2) : w;
};

/**
 * An analyser from its rules: tokens from {@link eachWord}, each word's forms remembered.
 * With a `fallback`, only the words `rules.handles` matches are analysed by these rules and
 * the others get the fallback's forms; without `handles` the analyser is then the fallback
 * under another name (`sameAsDefault`).
 */
export const defineAnalyser = (rules: AnalyserRules, fallback?: Analyser): Analyser => {
  const cache = new Map<string, WordForms>();
  const own = rules.handles;
  const handles = !fallback ? () => true : own ? (raw: string) => own.test(raw) : () => false;
  const analyseWord = (raw: string): WordForms => {
    let forms = cache.get(raw);
    if (!forms) {
      if (fallback && !handles(raw)) {
        forms = fallback.analyseWord(raw);
      } else {
        const lowered = rules.lower(raw);
        const folded = fold(lowered);
        const stem = rules.stem(lowered, folded);
        forms = [folded, stem === folded ? folded : fold(stem)];
      }
      if (cache.size >= MAX_CACHED_WORDS) cache.clear();
      cache.set(raw, forms);
    }
    return forms;
  };
  const tokenize = (text: string): Token[] => {
    const tokens: Token[] = [];
    eachWord(text, (raw, start) => {
      const [folded, stem] = analyseWord(raw);
      tokens.push({ raw, folded, stem, index: tokens.length, start, end: start + raw.length });
    });
    return tokens;
  };
  return {
    id: rules.id,
    name: rules.name,
    analyseWord,
    handles,
    sameAsDefault: !!fallback && !own,
    tokenize,
  };
};
