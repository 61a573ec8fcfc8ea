/**
 * Where the words of a text are. One splitter for every analyser, so a query word and the
 * article text it should find are cut the same way whatever the language: letters and digits
 * run together (with the marks inside them and inner apostrophes, "don't", "l'aide"); any
 * other character separates. Scripts written without spaces between words (Chinese,
 * Japanese, Thai, Lao, Khmer, Burmese) are cut by the dictionaries of `Intl.Segmenter`.
 */

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’][\p{L}\p{M}\p{N}]+)*/gu;
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;

/**
 * ICU cuts these scripts with the same dictionaries whatever the locale (checked for zh, ja,
 * th, en): one segmenter serves every language.
 */
const segmenter = new Intl.Segmenter('und', { granularity: 'word' });

/** Calls `onWord` with each word of `text` and its start offset, in order. */
export const eachWord = (text: string, onWord: (raw: string, start: number) => void): void => {
  // Most texts have no unspaced script: one scan decides, and words are not tested one by one.
  const mixed = UNSPACED.test(text);
  // A pattern of its own per call: a caller may split another text while handling a word.
  const word = new RegExp(WORD);
  for (let m = word.exec(text); m !== null; m = word.exec(text)) {
    const raw = m[0];
    if (mixed && UNSPACED.test(raw)) {
      for (const s of segmenter.segment(raw)) if (s.isWordLike) onWord(s.segment, m.index + s.index);
    } else {
      onWord(raw, m.index);
    }
  }
};

/** The words of a text as written, in order. */
export const wordsOf = (text: string): string[] => {
  const out: string[] = [];
  eachWord(text, (raw) => out.push(raw));
  return out;
};
