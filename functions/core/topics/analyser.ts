import { stemmer } from 'stemmer';

/**
 * Version of the text analysis and matching rules. Stored with every match, so articles
 * matched under older rules can be found and matched again after a change.
 */
export const ANALYSER_VERSION = 'a2';

/** One word of a text, with where it is. */
export interface Token {
  /** The text as written. */
  raw: string;
  /** Lower-cased, accents removed, possessive 's dropped: what phrases and wildcards compare. */
  folded: string;
  /** Porter stem of the folded form: what bare words compare. */
  stem: string;
  /** Index among the field's tokens (for phrases and NEAR). */
  index: number;
  /** Character offsets in the field text: [start, end). */
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’][\p{L}\p{M}\p{N}]+)*/gu;
const MARKS = /\p{M}+/gu;
const SPECIAL_FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ł: 'l',
  ı: 'i',
  þ: 'th',
};
const SPECIALS = /[ßæœøđłıþ]/g;

/** Folds case and accents: "Café" → "cafe", "Straße" → "strasse". */
export const fold = (text: string): string =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(MARKS, '')
    .replace(SPECIALS, (c) => SPECIAL_FOLDS[c] ?? c);

const stemCache = new Map<string, string>();
const MAX_STEM_CACHE = 200_000;

/**
 * The stem a bare word is matched by: Porter's English stemmer on the folded form
 * ("donations", "donated" → "donat"; "masks" → "mask"). Numbers and mixed tokens are kept whole.
 */
export const stemOf = (folded: string): string => {
  let s = stemCache.get(folded);
  if (s === undefined) {
    s = /^[a-z]+$/.test(folded) && folded.length > 2 ? stemmer(folded) : folded;
    if (stemCache.size >= MAX_STEM_CACHE) stemCache.clear();
    stemCache.set(folded, s);
  }
  return s;
};

const wordCache = new Map<string, [folded: string, stem: string]>();

/** Folded form and stem of a word as written, remembered: news reuses its words. */
export const analyseWord = (raw: string): [folded: string, stem: string] => {
  let entry = wordCache.get(raw);
  if (!entry) {
    let folded = fold(raw).replace(/’/g, "'");
    if (folded.endsWith("'s")) folded = folded.slice(0, -2);
    entry = [folded, stemOf(folded)];
    if (wordCache.size >= MAX_STEM_CACHE) wordCache.clear();
    wordCache.set(raw, entry);
  }
  return entry;
};

/** Splits text into word tokens. Hyphens and other punctuation separate words ("COVID-19" → covid, 19). */
export const tokenize = (text: string): Token[] => {
  const tokens: Token[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const raw = m[0];
    const [folded, stem] = analyseWord(raw);
    tokens.push({ raw, folded, stem, index: tokens.length, start: m.index, end: m.index + raw.length });
  }
  return tokens;
};
