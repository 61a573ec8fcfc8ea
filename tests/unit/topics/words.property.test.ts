import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eachWord } from '../../../functions/core/topics/analysis/words.ts';

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’][\p{L}\p{M}\p{N}]+)*/gu;
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;
const segmenter = new Intl.Segmenter('und', { granularity: 'word' });

/** The words the pattern alone finds, unspaced runs segmented: what every word must be cut as. */
const byPattern = (text: string): Array<[string, number]> => {
  const out: Array<[string, number]> = [];
  for (const m of text.matchAll(WORD)) {
    if (UNSPACED.test(m[0])) {
      for (const s of segmenter.segment(m[0])) if (s.isWordLike) out.push([s.segment, m.index + s.index]);
    } else out.push([m[0], m.index]);
  }
  return out;
};

const cut = (text: string): Array<[string, number]> => {
  const out: Array<[string, number]> = [];
  eachWord(text, (raw, start) => out.push([raw, start]));
  return out;
};

// ASCII letters, digits, spaces and punctuation beside apostrophes, accented and combining
// letters, Cyrillic, Arabic, Chinese, Thai, an emoji and a dash.
const piece = fc.constantFrom(
  'a',
  'Z',
  '7',
  'don',
  ' ',
  '.',
  ',',
  '-',
  "'",
  '’',
  't',
  'é',
  'e\u0301',
  '\u0301',
  'д',
  'لقاح',
  '中国',
  'ไทย',
  '😀',
  '—',
  '\n',
);

describe('Function: eachWord', () => {
  it('should cut every text into the words and offsets the word pattern gives', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        // Prepare
        const text = pieces.join('');

        // Act
        const words = cut(text);

        // Assess
        expect(words).toEqual(byPattern(text));
      }),
      { numRuns: 1000 },
    );
  });

  it("should keep an apostrophe's word whole and an accent with its word", () => {
    // Act
    const words = cut("don't café, l’aide 19-COVID naïve");

    // Assess
    expect(words.map(([w]) => w)).toEqual(["don't", 'café', 'l’aide', '19', 'COVID', 'naïve']);
  });
});
