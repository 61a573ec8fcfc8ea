import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countParagraphWords, readParagraphs } from '../../../functions/core/articles/body.ts';
import { articleIdFor, foldedArticleId } from '../../../functions/core/articles/fingerprint.ts';
import type { ArticleDraft } from '../../../functions/core/articles/formats/format.ts';
import { articleFromDraft } from '../../../functions/core/articles/parse-article.ts';
import * as reference from './reference/body.ts';
import { articleFromDraft as referenceArticleFromDraft } from './reference/parse-article.ts';

/*
 * The parser reads each paragraph once for what used to take a pass each (split, fold, word
 * count, stored size, canonical text). The passes as they were are kept in `reference/`: on
 * messy text the one-pass forms must give exactly what they give.
 */

/** UTF-8 length, unit by unit: a lone surrogate is three bytes, a high one before anything four. */
const utf8ByUnits = (s: string) => {
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

// Pieces of messy text: words in several scripts, what joins words (U.S.A, can't, 3,500.5),
// every kind of white space and line break, blank lines with spaces in them, zero-width and
// format characters, typographic quotes and dashes, combining marks, emoji, Greek capitals
// (final sigma), lone surrogates, signature lines and footers.
const PIECES = [
  'Report',
  'ΟΔΟΣ',
  'Σ',
  'İstanbul',
  'Café',
  'naïve',
  'l·l',
  'U.S.A.',
  "can't",
  'can’t',
  '3,500.5',
  '1:2',
  'a_1',
  '_',
  '__',
  '東京都に住む',
  'ไทย',
  'e\u0301',
  '\u0301',
  '😀',
  '👩‍👩‍👧',
  '\u00ad',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\ud83d',
  '\ude00',
  ...'.,;:!?\'"()-_$%',
  ...'‘’‚‛′“”„‟″‐‑‒–—―…',
  ' ',
  '  ',
  '\t',
  '\u00a0',
  '\u1680',
  '\u2003',
  '\u202f',
  '\u3000',
  '\n',
  '\r\n',
  '\r',
  '\n\n',
  '\n \u00a0\t\n',
  '\n\n\n',
  '\u2028',
  '\u2029',
  '\u000b',
  '--',
  '\n\n--\n\n',
  '\n\nFollow us on Twitter @Bench',
  '\n\n© 2026 Bench. All rights reserved.',
  'x'.repeat(300),
];
const messy = fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((ps) => ps.join(''));
const anyText = fc.oneof(
  messy,
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme' }),
);
const body = fc.oneof(anyText, fc.array(anyText, { maxLength: 4 }));

const OPTIONS = { timeout: 30_000 };

describe('Paragraphs read in one pass', () => {
  it('should split, fold, count words and UTF-8 bytes as the passes did one by one', OPTIONS, () => {
    fc.assert(
      fc.property(body, (text) => {
        const read = readParagraphs(text);
        const paragraphs =
          typeof text === 'string'
            ? reference.splitParagraphs(text)
            : text.flatMap(reference.splitParagraphs);
        expect(read.paragraphs).toEqual(paragraphs);
        expect(read.words).toEqual(paragraphs.map(reference.countParagraphWords));
        expect(read.bytes).toEqual(paragraphs.map(utf8ByUnits));
      }),
      { numRuns: 600 },
    );
  });

  it('should count the words of any text as the plain-text loop and the segmenter did', OPTIONS, () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(countParagraphWords(text)).toBe(reference.countParagraphWords(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('should give folded paragraphs the id the whole canonical text gives', OPTIONS, () => {
    fc.assert(
      fc.property(body, fc.nat({ max: 3 }), (text, drop) => {
        const read = readParagraphs(text);
        // Fewer paragraphs than marks, as when footers are stripped.
        const kept = read.paragraphs.slice(0, Math.max(0, read.paragraphs.length - drop));
        expect(foldedArticleId(kept, read)).toBe(articleIdFor(kept));
      }),
      { numRuns: 600 },
    );
  });

  it('should make of any draft the article the pass-by-pass rules make', OPTIONS, () => {
    const draft: fc.Arbitrary<ArticleDraft> = fc.record(
      {
        body,
        title: anyText,
        date: fc.constant('2026-11-28'),
        author: anyText,
        url: fc.constant('https://example.com/a'),
        source: anyText,
        language: fc.constantFrom('en', 'es-MX', 'und', 'x'),
        categories: fc.array(anyText, { maxLength: 3 }),
        summaryOnly: fc.boolean(),
      },
      { requiredKeys: ['body'] },
    );
    const origin = {
      key: 'incoming/a.txt',
      format: 'text',
      bytes: new TextEncoder().encode('bytes of the file'),
      receivedAt: '2026-01-01T00:00:00Z',
    };
    fc.assert(
      fc.property(draft, fc.constantFrom(undefined, 200, 2000), (d, maxTextBytes) => {
        const options = maxTextBytes === undefined ? {} : { maxTextBytes };
        expect(articleFromDraft(d, origin, options)).toEqual(referenceArticleFromDraft(d, origin, options));
      }),
      { numRuns: 600 },
    );
  });
});
