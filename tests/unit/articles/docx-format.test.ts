import { describe, expect, it } from 'vitest';
import type { Article } from '../../../functions/core/articles/article.ts';
import {
  countXmlElements,
  MAX_DOCX_ELEMENTS,
  MAX_DOCX_UNPACKED_BYTES,
} from '../../../functions/core/articles/formats/docx.ts';
import { readArticleFile } from '../../../functions/core/articles/read-file.ts';
import { unpackEntry, zipEntries } from '../../../functions/core/articles/formats/zip-entries.ts';
import { makeDocx, makeZip } from '../../fixtures/formats/make-docx.ts';
import { PRESS_RELEASE_DOCX, sampleBytes } from '../../fixtures/formats/samples.ts';

const receivedAt = '2026-12-01T08:00:00.000Z';
const read = (bytes: Uint8Array, key = 'incoming/release.docx') =>
  readArticleFile({ key, bytes, receivedAt });
const article = async (bytes: Uint8Array, key?: string): Promise<Article> => {
  const r = await read(bytes, key);
  if (r.kind !== 'article') throw new Error(`expected an article, got ${JSON.stringify(r)}`);
  return r.article;
};

/** One part of a package, unpacked. */
const partOf = (zip: Uint8Array, name: string): Uint8Array => {
  const entry = zipEntries(zip).find((e) => e.name === name);
  if (!entry) throw new Error(`no ${name}`);
  return unpackEntry(zip, entry);
};

describe('Format: Word documents', () => {
  it('should read a press release with its core properties, the title paragraph left out of the body', async () => {
    // Act
    const a = await article(sampleBytes('press-release.docx'));

    // Assess
    expect(a).toMatchObject({
      format: 'docx',
      title: 'Azerbaijan sends a field hospital to western Georgia',
      titleSource: 'file',
      author: 'Leyla Mammadova',
      date: '2026-07-14',
      dateSource: 'file',
      language: 'en',
      languageSource: 'declared',
      categories: ['health', 'aid', 'floods'],
    });
    expect(a.paragraphs).toEqual(
      PRESS_RELEASE_DOCX.paragraphs.filter((p) => p.style !== 'Title').map((p) => p.text),
    );
  });

  it('should take the first heading as the title when the document has no core properties', async () => {
    // Prepare
    const { core: _none, ...spec } = PRESS_RELEASE_DOCX;

    // Act: under a name that does not say what it is.
    const a = await article(makeDocx(spec), 'incoming/upload-1187');

    // Assess
    expect(a).toMatchObject({
      format: 'docx',
      title: 'Azerbaijan sends a field hospital to western Georgia',
      dateSource: 'received',
    });
    expect(a.author).toBeUndefined();
    expect(a.paragraphs[0]).toMatch(/^Baku, 14 July 2026\./);
  });

  it('should refuse a zip bomb by its declared size, without unpacking it', async () => {
    // Prepare: 40 MiB of zeros packs into about 40 KB.
    const bytes = makeDocx({
      ...PRESS_RELEASE_DOCX,
      extra: [{ name: 'word/media/filler.bin', data: new Uint8Array(40 * 1024 * 1024) }],
    });
    const started = performance.now();

    // Act
    const r = await read(bytes);

    // Assess
    expect(bytes.length).toBeLessThan(256 * 1024);
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'TooLarge' } });
    expect(r.kind === 'error' && r.error.message).toContain(`over the ${MAX_DOCX_UNPACKED_BYTES} allowed`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('should refuse a document of more XML elements than the longest article has, before mammoth reads it', async () => {
    // Prepare: the press release with a part of empty paragraphs, one element each, packed small.
    const bytes = makeDocx({
      ...PRESS_RELEASE_DOCX,
      extra: [
        {
          name: 'word/footnotes.xml',
          data: `<w:footnotes>${'<w:p/>'.repeat(MAX_DOCX_ELEMENTS)}</w:footnotes>`,
        },
      ],
    });

    // Act
    const r = await read(bytes);

    // Assess
    expect(bytes.length).toBeLessThan(16 * 1024);
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'TooLarge' } });
    expect(r.kind === 'error' && r.error.message).toContain(`over ${MAX_DOCX_ELEMENTS} XML elements`);
  });

  it('should count start tags only, up to just past the limit', () => {
    // Prepare
    const xml = new TextEncoder().encode(
      '<?xml version="1.0"?><!-- note --><w:p><w:r><w:t>a &lt; b</w:t></w:r></w:p><w:br/>',
    );

    // Act + Assess
    expect(countXmlElements(xml, 100)).toBe(4);
    expect(countXmlElements(new TextEncoder().encode('<a/>'.repeat(1000)), 10)).toBe(11);
  });

  it('should refuse an entry that unpacks to more than it declares, stopping at the declared size', async () => {
    // Prepare: 20 MiB of zeros declared as 1,000 bytes.
    const bytes = makeDocx({
      ...PRESS_RELEASE_DOCX,
      extra: [{ name: 'word/media/lie.bin', data: new Uint8Array(20 * 1024 * 1024), declaredSize: 1000 }],
    });

    // Act
    const r = await read(bytes);

    // Assess
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'InvalidArticle' } });
    expect(r.kind === 'error' && r.error.message).toBe(
      'the Word document cannot be read: its entry "word/media/lie.bin" unpacks to more than the 1000 bytes it declares',
    );
  });

  it('should leave a ZIP that is no Office document to the archive refusal', async () => {
    // Prepare
    const zip = makeZip([{ name: 'photos/a.txt', data: 'not a document' }]);

    // Act
    const r = await read(zip, 'incoming/photos.zip');

    // Assess
    expect(r).toMatchObject({
      kind: 'error',
      error: {
        kind: 'BinaryFile',
        message: 'the file is a ZIP archive (or an Office document), not a text or JSON article',
      },
    });
  });

  it('should refuse an Office package without a Word document in it as an archive', async () => {
    // Prepare: a spreadsheet's package, as far as its first entry goes.
    const xlsx = makeZip([
      { name: '[Content_Types].xml', data: '<Types/>' },
      { name: 'xl/workbook.xml', data: '<workbook/>' },
    ]);

    // Act
    const r = await read(xlsx, 'incoming/figures.xlsx');

    // Assess
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'BinaryFile' } });
    expect(r.kind === 'error' && r.error.message).toContain('no word/document.xml');
  });

  it.each([
    ['cut short', sampleBytes('press-release.docx').subarray(0, 1200)],
    [
      'with a damaged entry',
      sampleBytes('press-release.docx').map((b, i) => (i > 200 && i < 400 ? b ^ 0xff : b)),
    ],
  ])('should refuse a Word document %s with a typed error, never a throw', async (_what, bytes) => {
    // Act
    const r = await read(bytes);

    // Assess
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'InvalidArticle' } });
    expect(r.kind === 'error' && r.error.message).toMatch(/^the Word document cannot be read: /);
  });

  it('should not expand entities a document declares for itself', async () => {
    // Prepare: a billion laughs in the document part.
    const entities = Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`,
    ).join('');
    const document = `<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "haha">${entities}]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>`;
    const bytes = makeDocx({ paragraphs: [], extra: [] });
    const bomb = makeZip([
      ...['[Content_Types].xml', '_rels/.rels'].map((name) => ({ name, data: partOf(bytes, name) })),
      { name: 'word/document.xml', data: document },
    ]);
    const started = performance.now();

    // Act
    const r = await read(bomb);

    // Assess: a billion "haha" would be 4 GB; the entity is not expanded, so no text is found.
    expect(r).toMatchObject({ kind: 'error' });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
