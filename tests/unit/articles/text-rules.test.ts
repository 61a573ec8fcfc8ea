import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countParagraphWords, countWords, foldSpace } from '../../../functions/core/articles/body.ts';
import { canonicalText } from '../../../functions/core/articles/fingerprint.ts';

const segmenter = new Intl.Segmenter('und', { granularity: 'word' });
const bySegmenter = (text: string) => [...segmenter.segment(text)].filter((s) => s.isWordLike).length;

// The characters where the fast path and the segmenter could part ways.
const TRICKY = [...'aZ09_ .,;:\'"-!?()$%\n\t', '\u00a0', '–', '—', '‘', '’', '“', '”', '…'];

describe('countWords', () => {
  it('counts words as Unicode word segmentation does', () => {
    expect(countParagraphWords("U.S.A. can't pay 3,500.5 dollars; e.g. a:b or a_1 — fine…")).toBe(
      bySegmenter("U.S.A. can't pay 3,500.5 dollars; e.g. a:b or a_1 — fine…"),
    );
    expect(countParagraphWords('a1.b 1.a1 a.5 1:2 _ __ a-b')).toBe(11);
    expect(countWords(['Café au lait', '東京都に住む'])).toBe(3 + bySegmenter('東京都に住む'));
  });

  it('agrees with the segmenter on any text made of the characters the fast path reads', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TRICKY), { maxLength: 60 }), (chars) => {
        const text = chars.join('');
        expect(countParagraphWords(text)).toBe(bySegmenter(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the segmenter on any ASCII text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 80 }), (text) => {
        expect(countParagraphWords(text)).toBe(bySegmenter(text));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('white space folding', () => {
  const spaceText = fc
    .array(fc.constantFrom(...'ab .', ' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\u3000', '\ufeff'), {
      maxLength: 40,
    })
    .map((cs) => cs.join(''));

  it('foldSpace folds every run of white space into one space and trims', () => {
    expect(foldSpace(' a \t\u00a0 b\n\nc ')).toBe('a b c');
    fc.assert(
      fc.property(spaceText, (text) => {
        expect(foldSpace(text)).toBe(text.replace(/\s+/g, ' ').trim());
      }),
      { numRuns: 3000 },
    );
  });

  it('canonicalText folds runs of spaces, tabs and no-break spaces into one space', () => {
    fc.assert(
      fc.property(spaceText, (text) => {
        expect(canonicalText([text])).toBe(text.toLowerCase().replace(/[ \t\u00a0]+/g, ' '));
      }),
      { numRuns: 3000 },
    );
  });
});
