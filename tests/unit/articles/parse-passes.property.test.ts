import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countParagraphWords, readParagraphs } from '../../../functions/core/articles/body.ts';
import {
  decodeArticleBytes,
  isNormalisedUtf8,
  normaliseNewlinesAndForm,
} from '../../../functions/core/articles/decode.ts';
import { articleIdFor, foldedArticleId } from '../../../functions/core/articles/fingerprint.ts';
import type { ArticleDraft } from '../../../functions/core/articles/formats/format.ts';
import { parseTextArticle } from '../../../functions/core/articles/formats/text.ts';
import { articleFromDraft } from '../../../functions/core/articles/parse-article.ts';
import * as reference from './reference/body.ts';
import { decodeArticleBytes as referenceDecode } from './reference/decode.ts';
import { parseTextArticle as referenceParseText } from './reference/text.ts';
import { articleFromDraft as referenceArticleFromDraft } from './reference/parse-article.ts';
import { utf8ByUnits } from './reference/utf8.ts';

/*
 * The parser reads each paragraph once for what used to take a pass each (split, fold, word
 * count, stored size, canonical text), reads a text file's header without cutting the file into
 * lines, and normalises only text whose bytes call for it. The code as it was is kept in
 * `reference/`: on messy text the new forms must give exactly what it gives.
 */

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
// ASCII and typographic characters only, whose canonical text is written as bytes.
const PLAIN_PIECES = PIECES.filter((p) =>
  [...p].every((ch) => ch.charCodeAt(0) < 0x80 || '‘’‚‛′“”„‟″‐‑‒–—―…'.includes(ch)),
);
const plain = fc.array(fc.constantFrom(...PLAIN_PIECES), { maxLength: 60 }).map((ps) => ps.join(''));
const anyText = fc.oneof(
  messy,
  plain,
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

  // Header lines and by-lines in every shape, among the messy pieces.
  const HEADERS = [
    'date 2026-11-28',
    'Date: November 28, 2026',
    'date 28/11/2026 By Ayya Lmahamad',
    'date 2024-05-01 By the Desk',
    '  DATE\t2026-11-28 Officials met',
    'date 2026-02-30',
    'Date: soon',
    'Date palms grow',
    'By Ayya Lmahamad',
    'by Reuters Staff',
    'BY a b c d e f g h i',
  ];
  const textFile = fc
    .array(fc.oneof(fc.constantFrom(...HEADERS), fc.constantFrom(...PIECES)), { maxLength: 30 })
    .map((ps) => ps.join(''));

  it('should read a text file as the reader that cut it into lines did', OPTIONS, () => {
    fc.assert(
      fc.property(fc.oneof(textFile, anyText), (text) => {
        const normal = normaliseNewlinesAndForm(text);
        expect(parseTextArticle(normal)).toEqual(referenceParseText(normal));
      }),
      { numRuns: 1000 },
    );
  });

  it('should decode the bytes of any file as normalising every text did', OPTIONS, () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.oneof(textFile, anyText), fc.boolean(), (text, bom) => {
        const utf8 = encoder.encode(text);
        const bytes = bom ? new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]) : utf8;
        expect(decodeArticleBytes(bytes, { maxBytes: 1 << 20 })).toEqual(
          referenceDecode(bytes, { maxBytes: 1 << 20 }),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it(
    'should leave alone any text made of what NFC never changes, whatever stands side by side',
    OPTIONS,
    () => {
      const unchanged = [
        ...Array.from({ length: 0x300 }, (_, c) => String.fromCharCode(c)),
        ...Array.from({ length: 0x203f - 0x2002 + 1 }, (_, c) => String.fromCharCode(0x2002 + c)),
      ];
      const changed = unchanged.flatMap((a) => unchanged.filter((b) => (a + b).normalize('NFC') !== a + b));
      expect(changed).toEqual([]);
      expect(isNormalisedUtf8(new TextEncoder().encode('a’b “c” – d…'))).toBe(true);
      for (const text of ['a\r\nb', 'a\u200bb', '\ufeffa', 'e\u0301', '\u2000', '\u00c5\u0000', '😀'])
        expect(isNormalisedUtf8(new TextEncoder().encode(text))).toBe(false);
    },
  );
});
