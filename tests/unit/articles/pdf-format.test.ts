import { describe, expect, it } from 'vitest';
import type { Article } from '../../../functions/core/articles/article.ts';
import {
  MAX_PDF_PAGES,
  PDF_LIMITS,
  type PdfLimits,
  pdfFormat,
  readPdf,
} from '../../../functions/core/articles/formats/pdf.ts';
import { MAX_PDF_DECODED_BYTES } from '../../../functions/core/articles/formats/pdf-streams.ts';
import { readArticleFile } from '../../../functions/core/articles/read-file.ts';
import { FLATE, HEX_FLATE, LZW, makePdf } from '../../fixtures/formats/make-pdf.ts';
import { sampleBytes } from '../../fixtures/formats/samples.ts';

const receivedAt = '2026-12-01T08:00:00.000Z';
const read = (bytes: Uint8Array, key = 'incoming/report.pdf') => readArticleFile({ key, bytes, receivedAt });
const article = async (bytes: Uint8Array): Promise<Article> => {
  const r = await read(bytes);
  if (r.kind !== 'article') throw new Error(`expected an article, got ${JSON.stringify(r)}`);
  return r.article;
};

/** A paragraph of about 45 words; `n` makes each one different. */
const para = (n: number) =>
  `Paragraph ${n}: the harbour authority said the new ferry line would start in March with two sailings a week, and that the terminal in Poti would be rebuilt by the summer so that lorries no longer wait on the coast road for hours.`;

describe('Format: PDF documents', () => {
  it('should read the text layer of a report into paragraphs, with its document information', async () => {
    // Act
    const a = await article(sampleBytes('article.pdf'));

    // Assess
    expect(a).toMatchObject({
      format: 'pdf',
      title: 'Hospitals in western Georgia receive Japanese equipment',
      titleSource: 'file',
      author: 'Ministry of Health press office',
      date: '2026-11-28',
      dateSource: 'file',
    });
    expect(a.paragraphs).toHaveLength(5);
    // The headline is the title, not the first paragraph; page numbers are gone.
    expect(a.paragraphs[0]).toMatch(/^Tbilisi, 28 November 2026\. The Ministry of Health has received 120/);
    expect(a.paragraphs).not.toContain('1');
    // Lines joined, a word hyphenated at the end of a line kept whole with its hyphen.
    expect(a.paragraphs[2]).toContain(
      'visit of the Japanese foreign minister to Tbilisi in October. A second delivery',
    );
    expect(a.paragraphs[2]).toMatch(/two Japanese university-affiliated hospitals\.$/);
    // The paragraph on the second page starts a paragraph of its own.
    expect(a.paragraphs[3]).toMatch(/^The minister thanked the people and Government of Japan/);
  });

  it('should take the larger first line as the title when the document information has none', async () => {
    // Prepare
    const bytes = makePdf({
      info: { title: 'Microsoft Word - ferry-final-v2.docx' },
      pages: [{ title: 'Ferry line to start in March', paragraphs: [para(1), para(2)] }],
    });

    // Act
    const a = await article(bytes);

    // Assess
    expect(a).toMatchObject({
      title: 'Ferry line to start in March',
      titleSource: 'file',
      dateSource: 'received',
    });
    expect(a.paragraphs).toEqual([para(1), para(2)]);
  });

  it('should end a paragraph at an indented first line when the layout leaves no gap', async () => {
    // Prepare: full lines that do not end a sentence, so only the indent tells.
    const lines = (n: number) => [
      `Paragraph ${n} starts here and runs on to the end of this line without a full stop at its`,
      `end, and on the next line too, where the harbour authority said the new ferry line would`,
      `start in March with two sailings a week and more in the summer if there were passengers`,
    ];
    const bytes = makePdf({ pages: [{ layout: 'indented', paragraphs: [lines(1), lines(2), lines(3)] }] });

    // Act
    const a = await article(bytes);

    // Assess
    expect(a.paragraphs).toEqual([1, 2, 3].map((n) => lines(n).join(' ')));
  });

  it('should drop the running head repeated on every page', async () => {
    // Prepare
    const pages = [1, 2, 3, 4].map((n) => ({
      paragraphs: [['HARBOUR REPORT 2026'], para(n)],
      footer: `Page ${n} of 4`,
    }));

    // Act
    const a = await article(makePdf({ pages }));

    // Assess
    expect(a.paragraphs).toEqual([para(1), para(2), para(3), para(4)]);
  });

  it('should refuse a scan without a text layer, saying what to send', async () => {
    // Act
    const r = await read(sampleBytes('scan.pdf'));

    // Assess
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'NoBody' } });
    expect(r.kind === 'error' && r.error.message).toMatch(
      /^the PDF has no text layer \(a scan\?\); send its text or an OCRed PDF/,
    );
  });

  it('should refuse a password-protected PDF with a typed error', async () => {
    // Act
    const r = await read(makePdf({ encrypted: true, pages: [{ paragraphs: [para(1)] }] }));

    // Assess
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'UnsupportedFormat' } });
    expect(r.kind === 'error' && r.error.message).toMatch(/password-protected/);
  });

  it.each([
    ['a PDF signature and nothing else', new TextEncoder().encode('%PDF-1.7\nnot a document\n')],
    ['a PDF cut short', sampleBytes('article.pdf').subarray(0, 1500)],
    ['a PDF with its bytes scrambled', sampleBytes('article.pdf').map((b, i) => (i > 400 ? b ^ 0x5a : b))],
  ])('should refuse %s with a typed error, never a throw', async (_what, bytes) => {
    // Act
    const r = await read(bytes);

    // Assess
    expect(r.kind).toBe('error');
    expect(r.kind === 'error' && r.error.kind).toMatch(/^(InvalidArticle|NoBody)$/);
  });

  it('should refuse a PDF with more pages than one article has, before reading them', async () => {
    // Prepare
    const pages = Array.from({ length: MAX_PDF_PAGES + 1 }, (_, n) => ({ paragraphs: [`Page ${n}.`] }));

    // Act
    const r = await read(makePdf({ pages }));

    // Assess
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'TooLarge' } });
    expect(r.kind === 'error' && r.error.message).toContain(
      `${MAX_PDF_PAGES + 1} pages, over the ${MAX_PDF_PAGES}`,
    );
  });

  it.each([
    ['FlateDecode', FLATE],
    ['LZWDecode', LZW],
    ['ASCIIHexDecode and FlateDecode', HEX_FLATE],
  ])('should read a PDF whose content is packed with %s', async (_name, contentFilter) => {
    // Act
    const a = await article(makePdf({ contentFilter, pages: [{ paragraphs: [para(1), para(2)] }] }));

    // Assess
    expect(a.paragraphs).toEqual([para(1), para(2)]);
  });

  it('should refuse a PDF whose streams unpack to over the limit (a zip bomb), before pdf.js reads it', async () => {
    // Prepare: 40 MiB of content operators and spaces, packed into about 40 KB.
    const content = `BT /F1 11 Tf 72 700 Td (${para(1)}) Tj ET\n${' '.repeat(40 * 1024 * 1024)}`;
    const bytes = makePdf({ contentFilter: FLATE, pages: [{ content }] });

    // Act
    const r = await read(bytes);

    // Assess
    expect(bytes.length).toBeLessThan(64 * 1024);
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'TooLarge' } });
    expect(r.kind === 'error' && r.error.message).toContain(
      `unpack to over ${MAX_PDF_DECODED_BYTES / 1024 / 1024} MiB`,
    );
  }, 10_000);

  /** The usual bounds with some of the worker's replaced. */
  const limits = (worker: Partial<PdfLimits['worker']>): PdfLimits => ({
    ...PDF_LIMITS,
    worker: { ...PDF_LIMITS.worker, ...worker },
  });
  const report = makePdf({
    pages: Array.from({ length: 20 }, (_, p) => ({
      paragraphs: [para(3 * p), para(3 * p + 1), para(3 * p + 2)],
    })),
  });

  it('should refuse a PDF whose reading passes the heap limit, and read the next one', async () => {
    // Prepare: one string of 3 MiB, which pdf.js builds on its heap, packed into a few KB; a
    // 16 MiB heap (the usual is four times that) is enough for pdf.js but not for it.
    const content = `BT /F1 11 Tf 72 700 Td (${'a'.repeat(3 * 1024 * 1024)}) Tj ET`;
    const bytes = makePdf({ contentFilter: FLATE, pages: [{ content }] });

    // Act
    const refused = await readPdf(bytes, limits({ maxOldSpaceMb: 16 }));
    const next = await read(report);

    // Assess
    expect(bytes.length).toBeLessThan(16 * 1024);
    expect(refused).toMatchObject({ ok: false, error: { kind: 'TooLarge' } });
    expect(!refused.ok && refused.error.message).toMatch(
      /^the PDF needs more memory to read than one article may \(the heap limit of 16 MiB/,
    );
    expect(next).toMatchObject({ kind: 'article', article: { format: 'pdf' } });
  }, 15_000);

  it('should stop reading a PDF at the deadline, and read the next one', async () => {
    // Act
    const refused = await readPdf(report, limits({ deadlineMs: 1 }));
    const next = await read(report);

    // Assess
    expect(refused).toMatchObject({ ok: false, error: { kind: 'TooLarge' } });
    expect(!refused.ok && refused.error.message).toBe(
      "the PDF's text took over 0.001 s to read (its reader was stopped); send its text",
    );
    expect(next).toMatchObject({ kind: 'article', article: { format: 'pdf' } });
  }, 10_000);

  it('should recognise a PDF by its signature, not by its name', () => {
    // Prepare
    const head = (key: string, text: string) => ({ key, text, bytes: new TextEncoder().encode(text) });

    // Act + Assess
    expect(pdfFormat.recognises(head('incoming/a.bin', '%PDF-1.4\n'))).toBe(true);
    expect(pdfFormat.recognises(head('incoming/a.pdf', 'date 2026-01-01 Text.'))).toBe(false);
  });
});
