import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseNewlinesAndForm } from '../../../functions/core/articles/decode.ts';
import { canonicalText } from '../../../functions/core/articles/fingerprint.ts';
import { articleTextBytes } from '../../../functions/core/articles/parse-article.ts';
import { utf8ByUnits } from './reference/utf8.ts';

/*
 * The text rules each take one pass over the text. These are the same rules written one
 * step at a time, a pass each, as they read in their definitions: the one-pass forms must
 * give exactly what they give.
 */
const canonicalByStep = (paragraphs: readonly string[]) =>
  paragraphs
    .join('\n')
    .toLowerCase()
    .replace(/[‘’‚‛′]/g, "'")
    .replace(/[“”„‟″]/g, '"')
    .replace(/[‐‑‒–—―]/g, '-')
    .replace(/…/g, '...')
    .replace(/[ \t\u00a0]{2,}|[\t\u00a0]/g, ' ');

const normaliseByStep = (text: string) =>
  text
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex -- the control characters are the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\ufeff]/g, '')
    .normalize('NFC');

// Text rich in what the rules change: quotes, dashes, ellipses, runs of spaces, tabs, no-break
// spaces, CR and LF, control characters, BOMs, combining accents, surrogates, astral letters.
const RICH = [
  ...'aZé0 .,\n\r\t',
  '\u00a0',
  ...'‘’‚‛′“”„‟″‐‑‒–—―…',
  '\u0000',
  '\u0007',
  '\u000b',
  '\u001f',
  '\u007f',
  '\u200b',
  '\ufeff',
  '\u0301',
  'e\u0301',
  '\ud83d',
  '\ude00',
  '😀',
  'ÅΣß',
];
const richText = fc.array(fc.constantFrom(...RICH), { maxLength: 80 }).map((cs) => cs.join(''));
const anyText = fc.string({ unit: 'binary', maxLength: 80 });

describe('Text rules in one pass', () => {
  it('should give the canonical text the rules give step by step', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(richText, anyText), { maxLength: 4 }), (paragraphs) => {
        expect(canonicalText(paragraphs)).toBe(canonicalByStep(paragraphs));
      }),
      { numRuns: 2000 },
    );
  });

  it('should normalise newlines, controls and form as the rules do step by step', () => {
    fc.assert(
      fc.property(fc.oneof(richText, anyText), (text) => {
        expect(normaliseNewlinesAndForm(text)).toBe(normaliseByStep(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('should count the UTF-8 bytes of well-formed text and of text with lone surrogates', () => {
    fc.assert(
      fc.property(fc.oneof(richText, anyText), fc.oneof(richText, anyText), (title, body) => {
        expect(articleTextBytes({ title, paragraphs: [body, body] })).toBe(
          utf8ByUnits(title) + 2 * utf8ByUnits(body),
        );
      }),
      { numRuns: 2000 },
    );
    expect(articleTextBytes({ title: 'é😀', paragraphs: [] })).toBe(6);
  });
});
