import { Buffer } from 'node:buffer';
import { cutGraphemes } from '../graphemes.ts';
import { PLAIN_FORMS } from './fingerprint.ts';

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

// Word-break classes (UAX #29) of the characters the fast path reads: the low three bits of
// each entry of CHARACTERS.
const OTHER = 0;
const LETTER = 1;
const DIGIT = 2;
const JOINER = 3; // underscore: joins anything to anything
const MID_LETTER = 4; // joins letter to letter
const MID_NUM = 5; // joins digit to digit
const MID_BOTH = 6; // joins letter to letter or digit to digit
const NOT_PLAIN = 7; // any other character: the paragraph goes to the segmenter
const CLASS = 7;

// What else an entry says about its character.
/** White space other than a plain space: the text is to be folded ({@link foldSpace}). */
const FOLD = 8;
/** A typographic quote, dash or ellipsis, which canonical text writes plainly. */
const TYPOGRAPHIC = 16;
/** Half of a surrogate pair: the UTF-8 size is counted unit by unit. */
const SURROGATE = 32;
/** Neither ASCII nor typographic: canonical text may hold more than ASCII. */
const WIDE = 64;
/** A NOT_PLAIN character: the words are counted by the segmenter. */
const SEGMENT = 128;
/** The UTF-8 size of the character, in two bits above these. */
const UTF8_UNIT = 256;
const UTF8 = 3 * UTF8_UNIT;
/** A letter, digit or underscore: a character of a word. */
const WORD = 1024;
/**
 * The byte canonical text writes for an ASCII or typographic character, in the bits from here
 * on (the first of three for an ellipsis).
 */
const CANONICAL_UNIT = 65536;

/** Letters, digits and underscores run together into a word. */
const inWord = (cls: number) => cls === LETTER || cls === DIGIT || cls === JOINER;

/** The first code unit past the table; every character from here on is NOT_PLAIN. */
const TABLE_END = 0x2060;

/**
 * The entry of each code unit below {@link TABLE_END}. The word classes cover ASCII, no-break
 * spaces, curly quotes, dashes and ellipses, and the Latin letters of Latin-1 and Latin
 * Extended-A and -B (which are ALetter, as ASCII letters are): only a few of the word-boundary
 * rules can apply to text made of them, and a loop over its characters applies them much faster
 * than the segmenter does. Anything else (soft hyphens and other format characters, combining
 * marks, other scripts) is NOT_PLAIN.
 */
const CHARACTERS = (() => {
  const cls = new Uint8Array(TABLE_END).fill(NOT_PLAIN);
  for (let c = 0; c < 0x80; c++) cls[c] = OTHER;
  for (let c = 0x61; c <= 0x7a; c++) cls[c] = LETTER;
  for (let c = 0x41; c <= 0x5a; c++) cls[c] = LETTER;
  for (let c = 0x30; c <= 0x39; c++) cls[c] = DIGIT;
  cls[0x5f] = JOINER;
  cls[0x3a] = MID_LETTER;
  cls[0x2c] = MID_NUM;
  cls[0x3b] = MID_NUM;
  cls[0x2e] = MID_BOTH;
  cls[0x27] = MID_BOTH;
  for (const c of [0xaa, 0xb5, 0xba]) cls[c] = LETTER;
  for (let c = 0xc0; c <= 0x24f; c++) if (c !== 0xd7 && c !== 0xf7) cls[c] = LETTER;
  cls[0xb7] = MID_LETTER; // middle dot (Catalan "l·l")
  for (const c of [0xa0, 0x2013, 0x2014, 0x201c, 0x201d, 0x2026]) cls[c] = OTHER;
  cls[0x2018] = MID_BOTH;
  cls[0x2019] = MID_BOTH;
  const entries = new Uint32Array(TABLE_END);
  for (let c = 0; c < TABLE_END; c++) {
    const ch = String.fromCharCode(c);
    let e = (cls[c] as number) + UTF8_UNIT * (c < 0x80 ? 1 : c < 0x800 ? 2 : 3);
    if (cls[c] === NOT_PLAIN) e |= SEGMENT;
    if (/[^\S ]/.test(ch)) e |= FOLD;
    if (inWord(cls[c] as number)) e |= WORD;
    const plain = PLAIN_FORMS[ch];
    if (plain !== undefined) e |= TYPOGRAPHIC;
    else if (c >= 0x80) e |= WIDE;
    const canonical = plain ?? (c < 0x80 ? ch.toLowerCase() : '');
    entries[c] = e + CANONICAL_UNIT * (canonical === '' ? 0 : canonical.charCodeAt(0));
  }
  return entries;
})();

/** The entry of any code unit. */
const entryOf = (c: number): number => {
  if (c < TABLE_END) return CHARACTERS[c] as number;
  if (c >= 0xd800 && c <= 0xdfff) return NOT_PLAIN | SEGMENT | WIDE | SURROGATE;
  const e = NOT_PLAIN | SEGMENT | WIDE | (3 * UTF8_UNIT);
  return c === 0x3000 || c === 0xfeff ? e | FOLD : e;
};

/** Characters that can join the words on either side of them. */
const isMid = (cls: number) => cls === MID_LETTER || cls === MID_NUM || cls === MID_BOTH;

/** Whether `mid` joins a word ending in `last` to one starting with `next`. */
const joins = (last: number, mid: number, next: number) =>
  (last === LETTER && next === LETTER && (mid === MID_LETTER || mid === MID_BOTH)) ||
  (last === DIGIT && next === DIGIT && (mid === MID_NUM || mid === MID_BOTH));

/** ICU counts a lone underscore as punctuation, two or more as a word. */
const isWord = (text: string, start: number, end: number) =>
  end - start !== 1 || text.charCodeAt(start) !== 95;

/** What one pass over a piece of text found. */
interface Scan {
  /** Words by the fast path's rules; meaningless when `seen` has SEGMENT. */
  words: number;
  /** UTF-8 bytes, surrogates left out. */
  bytes: number;
  /** The entries of its characters, or-ed together (their flags; the classes mean nothing). */
  seen: number;
}

/** Bytes being written, and how many of them are written. */
interface ByteWriter {
  bytes: Uint8Array;
  length: number;
}

/** Makes room in `out` for `more` bytes after those written. */
const makeRoom = (out: ByteWriter, more: number): Uint8Array => {
  if (out.length + more > out.bytes.length) {
    const bigger = new Uint8Array(Math.max(2 * out.bytes.length, out.length + more));
    bigger.set(out.bytes.subarray(0, out.length));
    out.bytes = bigger;
  }
  return out.bytes;
};

/**
 * Reads `text` from `from` to `to` once: its words by the rules that can apply to the
 * characters {@link CHARACTERS} knows (letters, digits and underscores run together; `:` `·`
 * `.` and apostrophes join letter to letter, as in U.S.A and can't; `,` `.` `;` and apostrophes
 * join digit to digit, as in 3,500.5), its UTF-8 size, and what else its characters call for:
 * folding (white space other than single spaces between words), plain forms, the segmenter.
 * Writes its canonical text to `out`, as bytes, when that is ASCII (when `seen` has no WIDE).
 */
const scan = (text: string, from: number, to: number, out: ByteWriter): Scan => {
  let words = 0;
  let bytes = 0;
  let seen = 0;
  let canonical = makeRoom(out, to - from);
  let o = out.length;
  // The class of the last character of the word being read (OTHER between words), the
  // joining character met after it if any, and where they start.
  let last = OTHER;
  let mid = OTHER;
  let start = from;
  let midAt = from;
  let spaceAt = from - 2;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const e = c < TABLE_END ? (CHARACTERS[c] as number) : entryOf(c);
    bytes += (e & UTF8) >> 8;
    seen |= e;
    canonical[o++] = e >>> 16;
    const cls = e & CLASS;
    if (e & WORD) {
      if (mid !== OTHER) {
        if (!joins(last, mid, cls)) {
          if (isWord(text, start, midAt)) words++;
          start = i;
        }
        mid = OTHER;
      } else if (last === OTHER) start = i;
      last = cls;
      continue;
    }
    if (c === 32) {
      if (spaceAt === i - 1) seen |= FOLD;
      spaceAt = i;
    } else if (c === 0x2026) {
      out.length = o;
      canonical = makeRoom(out, 2 + to - i);
      canonical[o++] = 46;
      canonical[o++] = 46;
    }
    if (last === OTHER) continue;
    if (mid === OTHER && isMid(cls)) {
      mid = cls;
      midAt = i;
    } else {
      if (isWord(text, start, mid === OTHER ? i : midAt)) words++;
      last = OTHER;
      mid = OTHER;
    }
  }
  out.length = o;
  if (last !== OTHER && isWord(text, start, mid === OTHER ? to : midAt)) words++;
  if (to > from && (isSpace(text.charCodeAt(from)) || isSpace(text.charCodeAt(to - 1)))) seen |= FOLD;
  return { words, bytes, seen };
};

/** Whether a code unit is white space (what `trim` removes). */
const isSpace = (c: number) => c === 32 || (entryOf(c) & FOLD) !== 0;

/**
 * UTF-8 bytes of a string: native for well-formed text; a lone surrogate counts as the three
 * bytes of its replacement, and a high surrogate before anything as a pair.
 */
export const utf8Length = (s: string): number => {
  if (s.isWellFormed()) return Buffer.byteLength(s, 'utf8');
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
};

/** Words of a paragraph by the segmenter. */
const segmentedWords = (p: string): number => {
  let n = 0;
  for (const s of wordSegmenter.segment(p)) if (s.isWordLike) n++;
  return n;
};

/**
 * Counts the words of one paragraph as Unicode word segmentation sees them: plain text (see
 * {@link CHARACTERS}) in one pass of our own, other text by the segmenter.
 */
export const countParagraphWords = (p: string): number => {
  const found = scan(p, 0, p.length, { bytes: new Uint8Array(p.length), length: 0 });
  return found.seen & SEGMENT ? segmentedWords(p) : found.words;
};

/** Counts words as Unicode word segmentation sees them (numbers count, punctuation does not). */
export const countWords = (paragraphs: readonly string[]): number => {
  let n = 0;
  for (const p of paragraphs) n += countParagraphWords(p);
  return n;
};

/** The paragraphs of a body, with what the one pass over each of them found. */
export interface BodyParagraphs {
  /** White space folded ({@link foldSpace}), none empty. */
  paragraphs: string[];
  /** The words of each paragraph, as {@link countParagraphWords} counts them. */
  words: number[];
  /** The UTF-8 bytes of each paragraph (a lone surrogate as three, a high one before anything as four). */
  bytes: number[];
  /** Whether each paragraph holds a typographic quote, dash or ellipsis. */
  typographic: boolean[];
  /** Whether each paragraph is ASCII but for its typographic quotes, dashes and ellipses. */
  ascii: boolean[];
  /**
   * The canonical text of the paragraphs (`fingerprint.ts`), one line each, as bytes; only
   * the lines of ASCII paragraphs are right, and only up to the first paragraph that is not.
   */
  canonical: Uint8Array;
  /** Where the line of each paragraph ends in {@link canonical}. */
  canonicalEnds: number[];
}

/** A body being read, and its canonical text as written so far. */
interface BodyReading {
  body: BodyParagraphs;
  out: ByteWriter;
}

/** Adds the paragraph `text` holds from `from` to `to`, folded, unless it is empty once folded. */
const addParagraph = ({ body, out }: BodyReading, text: string, from: number, to: number): void => {
  if (from === to) return;
  const line = out.length + (body.paragraphs.length > 0 ? 1 : 0);
  out.length = line;
  let found = scan(text, from, to, out);
  let p: string;
  if (found.seen & FOLD) {
    p = foldSpace(text.slice(from, to));
    out.length = line;
    if (p === '') {
      out.length = line - (body.paragraphs.length > 0 ? 1 : 0);
      return;
    }
    found = scan(p, 0, p.length, out);
  } else p = from === 0 && to === text.length ? text : text.slice(from, to);
  if (line > 0) out.bytes[line - 1] = 10;
  body.paragraphs.push(p);
  body.words.push(found.seen & SEGMENT ? segmentedWords(p) : found.words);
  body.bytes.push(found.seen & SURROGATE ? utf8Length(p) : found.bytes);
  body.typographic.push((found.seen & TYPOGRAPHIC) !== 0);
  body.ascii.push((found.seen & WIDE) === 0);
  body.canonicalEnds.push(out.length);
};

/** Whether a code unit may stand between the two line breaks of a blank line. */
const isBlank = (c: number) => c === 32 || c === 9 || c === 0xa0;

/**
 * Adds the paragraphs of `text`, which end at blank lines (a line break, then spaces, tabs or
 * no-break spaces, then a line break).
 */
const addParagraphs = (reading: BodyReading, text: string): void => {
  let start = 0;
  let at = text.indexOf('\n');
  while (at !== -1) {
    let next = at + 1;
    while (next < text.length && isBlank(text.charCodeAt(next))) next++;
    if (next < text.length && text.charCodeAt(next) === 10) {
      addParagraph(reading, text, start, at);
      start = next + 1;
      at = text.indexOf('\n', start);
    } else at = text.indexOf('\n', next);
  }
  addParagraph(reading, text, start, text.length);
};

/**
 * Splits a body into paragraphs at blank lines, each text of a list on its own, folding the
 * white space of each (lines inside a paragraph are joined, since many sources hard-wrap their
 * text) and dropping the empty ones; in the same pass over each paragraph, counts its words and
 * its UTF-8 bytes, notes the characters its canonical text writes plainly, and writes that
 * canonical text when it is ASCII.
 */
export const readParagraphs = (body: string | readonly string[]): BodyParagraphs => {
  const texts = typeof body === 'string' ? [body] : body;
  let size = 16;
  for (const text of texts) size += text.length + 1;
  const out: ByteWriter = { bytes: new Uint8Array(size), length: 0 };
  const reading: BodyReading = {
    body: {
      paragraphs: [],
      words: [],
      bytes: [],
      typographic: [],
      ascii: [],
      canonical: out.bytes,
      canonicalEnds: [],
    },
    out,
  };
  for (const text of texts) addParagraphs(reading, text);
  reading.body.canonical = out.bytes;
  return reading.body;
};

/**
 * Splits text into paragraphs at blank lines. Lines inside a paragraph are joined,
 * since many sources hard-wrap their text.
 */
export const splitParagraphs = (text: string): string[] => readParagraphs(text).paragraphs;
