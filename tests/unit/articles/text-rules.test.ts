import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countParagraphWords,
  countWords,
  deriveTitle,
  foldSpace,
  leadSentence,
} from '../../../functions/core/articles/body.ts';
import { cutGraphemes } from '../../../functions/core/graphemes.ts';
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

  it('agrees with the segmenter on text in Latin letters, with the characters that end the fast path', () => {
    // Latin-1 and Latin Extended letters, the middle dot, and characters the fast path hands
    // to the segmenter: a soft hyphen, a combining accent, a multiplication sign, Greek, Han.
    const latin = [...TRICKY, ...'éÉñÑçßøØŁłőŐǀªºµ¿¡·×÷', '\u00ad', '\u0301', 'α', '中'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...latin), { maxLength: 60 }), (chars) => {
        const text = chars.join('');
        expect(countParagraphWords(text)).toBe(bySegmenter(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the segmenter on any text of the first 0x2100 code points', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: 0, max: 0x2100 }).map((c) => String.fromCharCode(c)),
          { maxLength: 40 },
        ),
        (chars) => {
          const text = chars.join('');
          expect(countParagraphWords(text)).toBe(bySegmenter(text));
        },
      ),
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

describe('Function: cutGraphemes', () => {
  it('should cut between whole characters: no lone surrogate, no split emoji sequence or accent', () => {
    // Prepare: a family emoji (one cluster of 11 units), a flag, and e + a combining accent.
    const family = '👨‍👩‍👧‍👦';
    const texts = [`${'a'.repeat(8)}${family}tail`, `${'a'.repeat(9)}🇺🇦🇺🇦`, `${'a'.repeat(9)}e\u0301e\u0301`];

    // Act
    const cut = texts.map((t) => cutGraphemes(t, 12));

    // Assess
    for (const c of cut) {
      expect(c.length).toBeLessThanOrEqual(12);
      expect(c.isWellFormed()).toBe(true);
      expect(c.endsWith('…')).toBe(true);
    }
    expect(cut[0]).toBe(`${'a'.repeat(8)}…`);
    expect(cut[1]).toBe(`${'a'.repeat(9)}…`);
    expect(cut[2]).toBe(`${'a'.repeat(9)}e\u0301…`);
  });

  it('should keep text that fits, and never exceed the limit whatever the text', () => {
    expect(cutGraphemes('short', 10)).toBe('short');
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: 2, max: 120 }),
        (t, max) => {
          const c = cutGraphemes(t, max);
          if (t.length <= max) expect(c).toBe(t);
          else {
            expect(c.length).toBeLessThanOrEqual(max);
            expect(t.startsWith(c.slice(0, -1))).toBe(true);
          }
          expect(c.isWellFormed()).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Function: leadSentence on crafted text', () => {
  it('should read a paragraph made only of abbreviations as one sentence, in one pass', () => {
    // Prepare: every period is a candidate end and each is an abbreviation (64 KB of them).
    const flood = 'Mr. '.repeat(16_384).trim();

    // Act
    const sentence = leadSentence(flood);
    const title = deriveTitle([flood]);

    // Assess
    expect(sentence).toBe(flood);
    expect(title.length).toBeLessThanOrEqual(120);
    expect(title.endsWith('…')).toBe(true);
  });

  it('should still end the lead sentence at the first period after a word that is not an abbreviation', () => {
    expect(leadSentence('Mr. Smith met Dr. Jones in the U.S. Capitol. Then he left.')).toBe(
      'Mr. Smith met Dr. Jones in the U.S. Capitol.',
    );
    expect(leadSentence('“Quoted.” He said J. R. Smith left. More.')).toBe('“Quoted.”');
  });
});
