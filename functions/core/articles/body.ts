import { cutGraphemes } from '../graphemes.ts';

/**
 * Body text rules shared by every format: paragraphs, boilerplate footers,
 * the lead-sentence title and the word count.
 */

/** Longest derived title, in characters (the ellipsis included). */
export const MAX_DERIVED_TITLE = 120;

// Runs of two or more, or one white-space character other than a plain space: single spaces,
// most of them, stay untouched, so most paragraphs are not copied.
const SPACE_TO_FOLD = /\s{2,}|[^\S ]/g;

/** Folds runs of white space (spaces, tabs, no-break spaces, line breaks) into one space. */
export const foldSpace = (text: string): string => text.replace(SPACE_TO_FOLD, ' ').trim();

/**
 * Splits text into paragraphs at blank lines. Lines inside a paragraph are joined,
 * since many sources hard-wrap their text.
 */
export const splitParagraphs = (text: string): string[] =>
  text
    .split(/\n[ \t\u00a0]*\n/)
    .map(foldSpace)
    .filter((p) => p !== '');

/** A signature delimiter line: everything after it is a footer. */
const isSignatureDelimiter = (p: string): boolean => /^(--|—|–|___+|\*\*\*+)$/.test(p);

/** Footer lines sources append to every story. Checked only at the end of the body. */
const FOOTER_PATTERNS: readonly RegExp[] = [
  /^follow us on (twitter|x|facebook|instagram|linkedin|telegram|threads|bluesky|mastodon)\b/i,
  /^(©|\(c\)|copyright\b)/i,
  /\ball rights reserved\.?$/i,
  /^(subscribe|sign up) (to|for) our\b/i,
  /^read (more|also):?\s/i,
  /^share (this|on)\b.{0,40}$/i,
];

/** Paragraphs longer than this are story text, never a footer. */
const MAX_FOOTER_LENGTH = 200;
/** A signature delimiter further than this from the end is part of the story. */
const MAX_FOOTER_PARAGRAPHS = 3;

/**
 * Removes trailing boilerplate: a signature delimiter (`--`) near the end and everything
 * after it, then any trailing footer lines such as "Follow us on Twitter @…".
 */
export const stripBoilerplate = (paragraphs: readonly string[]): string[] => {
  let end = paragraphs.length;
  for (let i = end - 1; i >= 0 && i >= end - 1 - MAX_FOOTER_PARAGRAPHS; i--) {
    if (isSignatureDelimiter(paragraphs[i] as string)) {
      const tail = paragraphs.slice(i + 1);
      if (tail.every((p) => p.length <= MAX_FOOTER_LENGTH)) end = i;
      break;
    }
  }
  while (end > 0) {
    const last = paragraphs[end - 1] as string;
    const isFooter =
      isSignatureDelimiter(last) ||
      (last.length <= MAX_FOOTER_LENGTH && FOOTER_PATTERNS.some((re) => re.test(last)));
    if (!isFooter) break;
    end--;
  }
  return paragraphs.slice(0, end);
};

/** Words that end with a period without ending a sentence. */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'gen',
  'col',
  'lt',
  'sgt',
  'capt',
  'gov',
  'sen',
  'rep',
  'rev',
  'hon',
  'pres',
  'inc',
  'ltd',
  'co',
  'corp',
  'no',
  'vs',
  'etc',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'u.s',
  'u.k',
  'u.n',
  'e.g',
  'i.e',
  'a.m',
  'p.m',
]);

/**
 * The first sentence of a paragraph. A sentence ends at `.`, `!` or `?` (with any closing
 * quotes) followed by white space and a capital, a digit or an opening quote, unless the
 * word before the period is a known abbreviation or a single initial.
 */
export const leadSentence = (paragraph: string): string => {
  const re = /[.!?]['"’”)\]]*\s+(?=[\p{Lu}\p{N}"'“‘(])/gu;
  for (let m = re.exec(paragraph); m !== null; m = re.exec(paragraph)) {
    if (paragraph[m.index] === '.') {
      // The word before the period: read back to the previous white space. Each candidate
      // end reads only its own word, so the whole search stays linear in the paragraph.
      let start = m.index;
      while (start > 0 && !/\s/.test(paragraph[start - 1] as string)) start--;
      const word = paragraph
        .slice(start, m.index)
        .toLowerCase()
        .replace(/^["'“‘(]+/, '');
      if (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word)) continue;
    }
    return paragraph.slice(0, m.index + m[0].trimEnd().length);
  }
  return paragraph;
};

/**
 * A headline from the lead sentence: at most {@link MAX_DERIVED_TITLE} characters, cut at a
 * word boundary with an ellipsis when longer, without a final period.
 */
export const deriveTitle = (paragraphs: readonly string[]): string => {
  const sentence = leadSentence(paragraphs[0] ?? '').replace(/\.$/, '');
  if (sentence.length <= MAX_DERIVED_TITLE) return sentence;
  const room = sentence.slice(0, MAX_DERIVED_TITLE - 1);
  const cut = room.lastIndexOf(' ');
  // No space late enough: cut between graphemes, never inside one.
  if (cut <= MAX_DERIVED_TITLE / 2) return cutGraphemes(sentence, MAX_DERIVED_TITLE);
  return `${room.slice(0, cut).replace(/[\s,;:\-–—]+$/, '')}…`;
};

const wordSegmenter = new Intl.Segmenter('und', { granularity: 'word' });

// Word-break classes (UAX #29) of the characters the fast path reads.
const OTHER = 0;
const LETTER = 1;
const DIGIT = 2;
const JOINER = 3; // underscore: joins anything to anything
const MID_LETTER = 4; // joins letter to letter
const MID_NUM = 5; // joins digit to digit
const MID_BOTH = 6; // joins letter to letter or digit to digit
const NOT_PLAIN = 7; // any other character: the paragraph goes to the segmenter

/**
 * The class of each code unit below {@link PLAIN_END}: ASCII, no-break spaces, curly quotes,
 * dashes and ellipses, and the Latin letters of Latin-1 and Latin Extended-A and -B (which are
 * ALetter, as ASCII letters are). Only a few of the word-boundary rules can apply to text made
 * of them, and a loop over its characters applies them much faster than the segmenter does.
 * Anything else (soft hyphens and other format characters, combining marks, other scripts)
 * is NOT_PLAIN.
 */
const PLAIN_END = 0x2027;
const CLASSES = (() => {
  const t = new Uint8Array(PLAIN_END).fill(NOT_PLAIN);
  for (let c = 0; c < 0x80; c++) t[c] = OTHER;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = LETTER;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = LETTER;
  for (let c = 0x30; c <= 0x39; c++) t[c] = DIGIT;
  t[0x5f] = JOINER;
  t[0x3a] = MID_LETTER;
  t[0x2c] = MID_NUM;
  t[0x3b] = MID_NUM;
  t[0x2e] = MID_BOTH;
  t[0x27] = MID_BOTH;
  for (const c of [0xaa, 0xb5, 0xba]) t[c] = LETTER;
  for (let c = 0xc0; c <= 0x24f; c++) if (c !== 0xd7 && c !== 0xf7) t[c] = LETTER;
  t[0xb7] = MID_LETTER; // middle dot (Catalan "l·l")
  for (const c of [0xa0, 0x2013, 0x2014, 0x201c, 0x201d, 0x2026]) t[c] = OTHER;
  t[0x2018] = MID_BOTH;
  t[0x2019] = MID_BOTH;
  return t;
})();

const classAt = (p: string, i: number): number => {
  const c = p.charCodeAt(i);
  return c < PLAIN_END ? (CLASSES[c] as number) : NOT_PLAIN;
};

/** Letters, digits and underscores run together into a word. */
const inWord = (cls: number) => cls === LETTER || cls === DIGIT || cls === JOINER;

/**
 * The words of a paragraph made only of the characters {@link CLASSES} knows, by the rules
 * that can apply to them: letters, digits and underscores run together; `:` `·` `.` and
 * apostrophes join letter to letter (U.S.A, can't); `,` `.` `;` and apostrophes join digit to
 * digit (3,500.5). -1 as soon as it meets any other character. One pass over the paragraph.
 */
const countPlainWords = (p: string): number => {
  let n = 0;
  const len = p.length;
  let i = 0;
  while (i < len) {
    let cls = classAt(p, i);
    if (cls === NOT_PLAIN) return -1;
    if (!inWord(cls)) {
      i++;
      continue;
    }
    const start = i;
    for (;;) {
      let last = cls;
      while (++i < len) {
        cls = classAt(p, i);
        if (!inWord(cls)) break;
        last = cls;
      }
      // The character that ended the word is looked at again by the outer loop.
      if (i + 1 >= len) break;
      const next = classAt(p, i + 1);
      const joins =
        (last === LETTER && next === LETTER && (cls === MID_LETTER || cls === MID_BOTH)) ||
        (last === DIGIT && next === DIGIT && (cls === MID_NUM || cls === MID_BOTH));
      if (!joins) break;
      i++;
      cls = next;
    }
    // ICU counts a lone underscore as punctuation, two or more as a word.
    if (i - start !== 1 || p.charCodeAt(start) !== 95) n++;
  }
  return n;
};

/**
 * Counts the words of one paragraph as Unicode word segmentation sees them: plain text (see
 * {@link CLASSES}) in one pass of our own, other text by the segmenter.
 */
export const countParagraphWords = (p: string): number => {
  const plain = countPlainWords(p);
  if (plain >= 0) return plain;
  let n = 0;
  for (const s of wordSegmenter.segment(p)) if (s.isWordLike) n++;
  return n;
};

/** Counts words as Unicode word segmentation sees them (numbers count, punctuation does not). */
export const countWords = (paragraphs: readonly string[]): number => {
  let n = 0;
  for (const p of paragraphs) n += countParagraphWords(p);
  return n;
};
