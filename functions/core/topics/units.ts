import type { Token } from './analysis/analyser.ts';
import type { UnitKind } from './query.ts';

/**
 * Which unit (sentence, paragraph or the lead) each token of the title and the body belongs
 * to: the unit's number, or -1 when the token is in none (body text after the lead).
 */
export interface UnitMap {
  title: Int32Array;
  body: Int32Array;
  count: number;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * Words after which a full stop does not end a sentence. ICU's sentence rules break after
 * "Mr." and "U.S." when a capital follows; news is full of both.
 */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'st',
  'prof',
  'gen',
  'sen',
  'rep',
  'gov',
  'lt',
  'col',
  'capt',
  'sgt',
  'maj',
  'adm',
  'jr',
  'sr',
  'inc',
  'corp',
  'co',
  'ltd',
  'vs',
  'no',
  'mt',
  'ft',
  'rev',
  'hon',
  'pres',
  'dept',
  'jan',
  'feb',
  'aug',
  'sept',
  'oct',
  'nov',
  'dec',
  'approx',
  'sra',
  'sr',
  'dra',
  'lic',
  'ing',
]);

/** The last word before a sentence-final full stop, if the segment ends in one. */
const LAST_WORD_BEFORE_STOP = /([\p{L}]+)\.["'”’)\]]*\s*$/u;

/** Does this sentence segment end in an abbreviation or an initial rather than a sentence? */
const endsInAbbreviation = (segment: string): boolean => {
  if (/\n\s*$/.test(segment)) return false;
  // Only the end of the segment can hold the word: matching the whole of a long segment would
  // try every run of letters in it (quadratic in a 200,000-letter word). A word cut by the
  // slice is longer than any abbreviation, so the answer is the same.
  const m = LAST_WORD_BEFORE_STOP.exec(segment.slice(-48));
  if (!m) return false;
  const word = m[1] as string;
  // One capital letter: an initial ("J. Smith") or the end of "U.S." or "U.N.".
  return (word.length === 1 && /\p{Lu}/u.test(word)) || ABBREVIATIONS.has(word.toLowerCase());
};

/**
 * Start offsets of the sentences of a text (the first is 0). Sentences never cross a
 * paragraph break. Linear in the text.
 */
export const sentenceStarts = (text: string): number[] => {
  const starts: number[] = [];
  let pendingMerge = false;
  for (const { segment, index } of segmenter.segment(text)) {
    // White space alone (the blank line between paragraphs) starts nothing.
    if (segment.trim() === '') continue;
    if (!pendingMerge) starts.push(index);
    pendingMerge = endsInAbbreviation(segment);
  }
  if (starts.length === 0) starts.push(0);
  return starts;
};

/** Start offsets of the paragraphs of a body whose paragraphs are joined by a blank line. */
export const paragraphStarts = (text: string, separator: string): number[] => {
  const starts = [0];
  for (let at = text.indexOf(separator); at !== -1; at = text.indexOf(separator, at + separator.length)) {
    starts.push(at + separator.length);
  }
  return starts;
};

/** Assigns each token the number of the last start at or before it, plus `offset`. */
const assign = (tokens: readonly Token[], starts: readonly number[], offset: number): Int32Array => {
  const out = new Int32Array(tokens.length);
  let u = 0;
  for (const t of tokens) {
    while (u + 1 < starts.length && (starts[u + 1] as number) <= t.start) u++;
    out[t.index] = u + offset;
  }
  return out;
};

/**
 * The unit map of an article for one kind of unit. The title is always unit 0 of its own;
 * for `sentence` and `paragraph` the body's units follow; for `lead` the first paragraph
 * joins the title as unit 0 and the rest of the body is in no unit.
 */
export const unitMapOf = (
  kind: UnitKind,
  title: { tokens: readonly Token[] },
  body: { text: string; tokens: readonly Token[] },
  separator: string,
): UnitMap => {
  const titleUnits = new Int32Array(title.tokens.length);
  if (kind === 'lead') {
    const second = body.text.indexOf(separator);
    const bodyUnits = new Int32Array(body.tokens.length).fill(-1);
    for (const t of body.tokens) {
      if (second !== -1 && t.start >= second) break;
      bodyUnits[t.index] = 0;
    }
    return { title: titleUnits, body: bodyUnits, count: 1 };
  }
  const starts = kind === 'sentence' ? sentenceStarts(body.text) : paragraphStarts(body.text, separator);
  return { title: titleUnits, body: assign(body.tokens, starts, 1), count: starts.length + 1 };
};
