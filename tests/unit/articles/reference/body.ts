/**
 * The body rules as they were written before the one-pass paragraph reader: a split, a fold
 * and a word count, each a pass of its own. Kept to check the reader against.
 */
import { foldSpace } from '../../../../functions/core/articles/body.ts';

/** Splits text into paragraphs at blank lines, each folded, the empty ones dropped. */
export const splitParagraphs = (text: string): string[] =>
  text
    .split(/\n[ \t\u00a0]*\n/)
    .map(foldSpace)
    .filter((p) => p !== '');

const wordSegmenter = new Intl.Segmenter('und', { granularity: 'word' });

const OTHER = 0;
const LETTER = 1;
const DIGIT = 2;
const JOINER = 3;
const MID_LETTER = 4;
const MID_NUM = 5;
const MID_BOTH = 6;
const NOT_PLAIN = 7;

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
  t[0xb7] = MID_LETTER;
  for (const c of [0xa0, 0x2013, 0x2014, 0x201c, 0x201d, 0x2026]) t[c] = OTHER;
  t[0x2018] = MID_BOTH;
  t[0x2019] = MID_BOTH;
  return t;
})();

const classAt = (p: string, i: number): number => {
  const c = p.charCodeAt(i);
  return c < PLAIN_END ? (CLASSES[c] as number) : NOT_PLAIN;
};

const inWord = (cls: number) => cls === LETTER || cls === DIGIT || cls === JOINER;

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
      if (i + 1 >= len) break;
      const next = classAt(p, i + 1);
      const joins =
        (last === LETTER && next === LETTER && (cls === MID_LETTER || cls === MID_BOTH)) ||
        (last === DIGIT && next === DIGIT && (cls === MID_NUM || cls === MID_BOTH));
      if (!joins) break;
      i++;
      cls = next;
    }
    if (i - start !== 1 || p.charCodeAt(start) !== 95) n++;
  }
  return n;
};

/** The words of one paragraph: the plain-text loop, else the segmenter. */
export const countParagraphWords = (p: string): number => {
  const plain = countPlainWords(p);
  if (plain >= 0) return plain;
  let n = 0;
  for (const s of wordSegmenter.segment(p)) if (s.isWordLike) n++;
  return n;
};

/** The words of all paragraphs. */
export const countWords = (paragraphs: readonly string[]): number => {
  let n = 0;
  for (const p of paragraphs) n += countParagraphWords(p);
  return n;
};
