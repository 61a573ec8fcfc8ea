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

/** An ASCII letter or digit: the only ASCII characters a word is made of (\p{L}, \p{N}; no ASCII mark). */
const isAsciiWordChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);

/**
 * Calls `onWord` with each word of `text` and its start offset, in order. Runs of ASCII
 * letters and digits that end at ASCII punctuation or space are cut by hand (most words of
 * most news); a word that goes on with an apostrophe or a character beyond ASCII is left to
 * the pattern, from its start, so every word is cut as {@link WORD} cuts it.
 */
export const eachWord = (text: string, onWord: (raw: string, start: number) => void): void => {
  // Most texts have no unspaced script: one scan decides, and words are not tested one by one.
  const mixed = UNSPACED.test(text);
  // A pattern of its own per call: a caller may split another text while handling a word.
  const word = new RegExp(WORD);
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (!isAsciiWordChar(c)) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n && isAsciiWordChar(text.charCodeAt(j))) j++;
      const after = j < n ? text.charCodeAt(j) : 0;
      // An apostrophe may join another part ("don't"); a character beyond ASCII may be a letter or mark.
      if (after < 0x80 && after !== 39) {
        onWord(text.slice(i, j), i);
        i = j;
        continue;
      }
    }
    word.lastIndex = i;
    const m = word.exec(text);
    if (m === null) return;
    const raw = m[0];
    if (mixed && UNSPACED.test(raw)) {
      for (const s of segmenter.segment(raw)) if (s.isWordLike) onWord(s.segment, m.index + s.index);
    } else {
      onWord(raw, m.index);
    }
    i = m.index + raw.length;
  }
};

/** The words of a text as written, in order. */
export const wordsOf = (text: string): string[] => {
  const out: string[] = [];
  eachWord(text, (raw) => out.push(raw));
  // Of the exact length: query leaves keep their words as long as their topic lives.
  return out.slice();
};
