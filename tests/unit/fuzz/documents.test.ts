import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readArticleFile } from '../../../functions/core/articles/read-file.ts';
import { sampleBytes } from '../../fixtures/formats/samples.ts';

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
const receivedAt = '2026-12-01T10:00:00.000Z';

/** Reads a file the way ingest does; any bytes must end as an article or a typed error. */
const outcome = async (key: string, bytes: Uint8Array) => {
  const r = await readArticleFile({ key, bytes, receivedAt });
  if (r.kind === 'article') {
    expect(r.article.paragraphs.length).toBeGreaterThan(0);
    expect(r.article.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  } else if (r.kind === 'error') {
    expect(ERROR_KINDS).toContain(r.error.kind);
    expect(r.error.message.length).toBeGreaterThan(10);
  }
};

const check = (property: fc.IAsyncPropertyWithHooks<unknown[]>, numRuns = 60) =>
  fc.assert(property as fc.IAsyncProperty<unknown[]>, { numRuns, interruptAfterTimeLimit: 20_000 });

describe('Fuzz: document formats', () => {
  it('should end any bytes that start as a PDF, a ZIP, a mail or a page as an article or a typed error', async () => {
    // Prepare
    const start = fc.constantFrom(
      ['x.pdf', '%PDF-1.4\n'],
      ['x.docx', 'PK\u0003\u0004'],
      ['x.eml', 'From: a@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n\r\n'],
      ['x.html', '<!doctype html><html><body>'],
    );

    // Act + Assess
    await check(
      fc.asyncProperty(start, fc.uint8Array({ maxLength: 4096 }), async ([key, head], rest) => {
        const bytes = new Uint8Array([...new TextEncoder().encode(head), ...rest]);
        await outcome(`incoming/${key}`, bytes);
      }),
    );
  });

  it('should end any damage to the sample documents as an article or a typed error', async () => {
    // Prepare
    const samples = ['news-page.html', 'newsletter.eml', 'article.pdf', 'press-release.docx'].map(
      (name) => [name, sampleBytes(name)] as const,
    );
    const damage = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    });

    // Act + Assess
    await check(
      fc.asyncProperty(
        fc.constantFrom(...samples),
        damage,
        fc.nat(),
        async ([name, original], flips, cut) => {
          const bytes = original.slice(0, Math.max(1, original.length - (cut % 64)));
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          await outcome(`incoming/${name}`, bytes);
        },
      ),
    );
  });
});
