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

/**
 * Text made only of ASCII, no-break spaces, curly quotes, dashes and ellipses: only a few of
 * the Unicode word-boundary rules (UAX #29) can apply to it, and a loop over its characters
 * applies them much faster than the segmenter does.
 */
// eslint-disable-next-line no-control-regex -- any ASCII, control characters included
const PLAIN_TEXT = /^[\x00-\x7f\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026]*$/;
// Character classes of plain text for word counting.
const OTHER = 0;
const LETTER = 1;
const DIGIT = 2;
const JOINER = 3; // underscore: joins anything to anything
const MID_LETTER = 4; // joins letter to letter
const MID_NUM = 5; // joins digit to digit
const MID_BOTH = 6; // joins letter to letter or digit to digit

const classOf = (c: number): number => {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return LETTER;
  if (c >= 48 && c <= 57) return DIGIT;
  if (c === 95) return JOINER;
  if (c === 58) return MID_LETTER;
  if (c === 44 || c === 59) return MID_NUM;
  if (c === 46 || c === 39 || c === 0x2018 || c === 0x2019) return MID_BOTH;
  return OTHER;
};

/**
 * Counts the words of one paragraph as Unicode word segmentation sees them. Plain text is
 * counted by the UAX #29 rules that can apply to it: letters, digits and underscores run
 * together; `:` `.` and apostrophes join letter to letter (U.S.A, can't); `,` `.` `;` and
 * apostrophes join digit to digit (3,500.5). Other text goes to the segmenter.
 */
export const countParagraphWords = (p: string): number => {
  let n = 0;
  if (!PLAIN_TEXT.test(p)) {
    for (const s of wordSegmenter.segment(p)) if (s.isWordLike) n++;
    return n;
  }
  const len = p.length;
  let i = 0;
  while (i < len) {
    let cls = classOf(p.charCodeAt(i));
    if (cls !== LETTER && cls !== DIGIT && cls !== JOINER) {
      i++;
      continue;
    }
    const start = i;
    for (;;) {
      let last = cls;
      while (++i < len) {
        cls = classOf(p.charCodeAt(i));
        if (cls !== LETTER && cls !== DIGIT && cls !== JOINER) break;
        last = cls;
      }
      if (i + 1 >= len) break;
      const next = classOf(p.charCodeAt(i + 1));
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

/** Counts words as Unicode word segmentation sees them (numbers count, punctuation does not). */
export const countWords = (paragraphs: readonly string[]): number => {
  let n = 0;
  for (const p of paragraphs) n += countParagraphWords(p);
  return n;
};
