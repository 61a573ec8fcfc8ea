/**
 * Folding shared by every analyser: case, then the marks each script treats as optional.
 * Which marks are optional depends on the script of the letter they sit on: accents on Latin
 * and Greek letters, stress marks on Cyrillic ones, short vowels (harakat) in Arabic and
 * points in Hebrew. Vowel signs of Devanagari, Thai and the other Brahmic scripts are
 * letters and stay.
 */

const MARK_RUN = /(\P{M})(\p{M}+)/gu;
const LATIN_GREEK_OR_COMMON = /[\p{sc=Latin}\p{sc=Greek}\p{sc=Common}]/u;
const CYRILLIC = /\p{sc=Cyrillic}/u;
/** Harakat, superscript alef and Quranic annotation marks; Hebrew points and cantillation. */
const OPTIONAL_POINTS = /[\u064B-\u065F\u0670\u06D6-\u06ED\u0591-\u05C7]/gu;
/** Cyrillic stress marks (acute, grave), written in dictionaries and texts for learners. */
const CYRILLIC_STRESS = /[\u0300\u0301]/gu;

const SPECIAL_FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ł: 'l',
  ı: 'i',
  þ: 'th',
  // Arabic: hamza carriers on alef and wasla are one alef; alef maksura is yeh; teh marbuta is heh.
  أ: 'ا',
  إ: 'ا',
  آ: 'ا',
  ٱ: 'ا',
  ى: 'ي',
  ة: 'ه',
  // Tatweel only stretches a word.
  ـ: '',
};
const SPECIALS = /[ßæœøđłıþأإآٱىةـ]/gu;
const PLAIN = /^\p{ASCII}*$/u;

const foldMarks = (_run: string, base: string, marks: string): string => {
  if (LATIN_GREEK_OR_COMMON.test(base)) return base;
  if (CYRILLIC.test(base)) {
    // ё is written е as often as not; й, ї and ў are letters of their own.
    const kept = marks.replace(CYRILLIC_STRESS, '');
    return base + (base === 'е' ? kept.replace('\u0308', '') : kept);
  }
  return base + marks.replace(OPTIONAL_POINTS, '');
};

/**
 * Folds case and the optional marks of each script: "Café" → "cafe", "Straße" → "strasse",
 * "Ёлка" → "елка" (й stays), "لُقَاح" → "لقاح", Thai and Devanagari vowel signs kept. The
 * result is in NFC. A language that lower-cases its own way (Turkish) does so first.
 */
export const fold = (text: string): string => {
  const lowered = text.toLowerCase();
  if (PLAIN.test(lowered)) return lowered;
  return lowered
    .normalize('NFD')
    .replace(MARK_RUN, foldMarks)
    .replace(OPTIONAL_POINTS, '')
    .replace(SPECIALS, (c) => SPECIAL_FOLDS[c] ?? c)
    .normalize('NFC');
};
