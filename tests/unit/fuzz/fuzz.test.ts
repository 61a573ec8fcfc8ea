import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeS3EventKey,
  encodeS3EventKey,
  parseS3Notification,
} from '../../../functions/adapters/aws/s3-notification.ts';
import { parseArticle } from '../../../functions/core/articles/parse-article.ts';
import { parseQuery, QuerySyntaxError } from '../../../functions/core/topics/query.ts';

const ERROR_KINDS = [
  'EmptyFile',
  'TooLarge',
  'BinaryFile',
  'NotUtf8',
  'UnsupportedFormat',
  'MalformedJson',
  'InvalidArticle',
  'NoBody',
];
const limits = { maxBytes: 262_144 };
const receivedAt = '2026-11-23T10:00:00.000Z';

/** Runs a property with a bounded number of cases and a time limit per run. */
const check = (
  property: fc.IPropertyWithHooks<unknown[]> | fc.IAsyncPropertyWithHooks<unknown[]>,
  numRuns = 400,
) => fc.assert(property as fc.IProperty<unknown[]>, { numRuns, interruptAfterTimeLimit: 20_000 });

describe('Fuzz: parseArticle', () => {
  const outcome = (bytes: Uint8Array) => {
    const r = parseArticle({ key: 'incoming/fuzz.txt', bytes, receivedAt }, limits);
    if (r.ok) {
      expect(r.value.id).toMatch(/^[0-9a-f]{32}$/);
      expect(r.value.paragraphs.length).toBeGreaterThan(0);
      expect(r.value.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    } else {
      expect(ERROR_KINDS).toContain(r.error.kind);
      expect(r.error.message.length).toBeGreaterThan(10);
    }
  };

  it('should turn any bytes into an article or a typed error, never a crash', () => {
    check(fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => outcome(bytes)));
  });

  it('should turn any text (and text with a header, or JSON-ish text) into an article or a typed error', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 2000 }),
      fc.string({ maxLength: 400 }).map((s) => ` date 2020-07-26 By Someone\n\n${s}`),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record({ title: fc.string(), body: fc.oneof(fc.string(), fc.array(fc.string())), date: fc.string() })
        .map((v) => JSON.stringify(v)),
    );
    check(fc.property(text, (s) => outcome(new TextEncoder().encode(s))));
  });
});

describe('Fuzz: parseQuery', () => {
  const attempt = (q: string) => {
    try {
      parseQuery(q);
    } catch (e) {
      expect(e).toBeInstanceOf(QuerySyntaxError);
      const err = e as QuerySyntaxError;
      expect(err.line).toBeGreaterThanOrEqual(1);
      expect(err.column).toBeGreaterThanOrEqual(1);
      expect(err.describe()).toContain('^');
    }
  };

  it('should parse any string or reject it with a placed syntax error', () => {
    check(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), attempt));
  });

  it('should do the same for mutations of valid queries', () => {
    const tokens = fc.constantFrom(
      'aid',
      '"medical masks"',
      'vaccin*',
      'AND',
      'OR',
      'NOT',
      '(',
      ')',
      'NEAR/3',
      'ONEAR/2',
      'title:',
      'country:KR',
      'countries>=2',
      '@donors',
      '&&',
      '||',
      '"',
      '*',
      ':',
      '/',
    );
    check(fc.property(fc.array(tokens, { maxLength: 30 }), (parts) => attempt(parts.join(' '))));
  });
});

describe('Fuzz: S3 event keys', () => {
  it('should decode every encoded key back to itself', () => {
    check(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), (key) => {
        expect(decodeS3EventKey(encodeS3EventKey(key))).toBe(key);
      }),
    );
  });

  it('should answer any notification body with a parse result or a typed error', () => {
    check(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 500 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        ),
        (body) => {
          try {
            parseS3Notification(body);
          } catch (e) {
            expect(e).toBeInstanceOf(Error);
            expect((e as Error).message.length).toBeGreaterThan(5);
          }
        },
      ),
    );
  });
});
