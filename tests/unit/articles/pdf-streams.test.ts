import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodedStreamBytes,
  MAX_PDF_DECODED_BYTES,
} from '../../../functions/core/articles/formats/pdf-streams.ts';
import { FLATE, HEX_FLATE, LZW, makePdf } from '../../fixtures/formats/make-pdf.ts';
import { sampleBytes } from '../../fixtures/formats/samples.ts';

const MiB = 1024 * 1024;
const latin1 = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/** A content stream of `n` bytes: a line of text, then spaces. */
const content = (n: number) => {
  const bytes = Buffer.alloc(n, 0x20);
  bytes.write('BT /F1 11 Tf 72 700 Td (Ferry line to start in March) Tj ET\n', 'latin1');
  return new Uint8Array(bytes);
};

/** One stream object written as given: its dictionary entries and its raw data. */
const pdfWithStream = (dictionary: string, data: Uint8Array, after = '') =>
  new Uint8Array(
    Buffer.concat([
      latin1(`%PDF-1.4\n4 0 obj\n<< ${dictionary} >>\nstream\n`),
      data,
      latin1(`\nendstream\nendobj\n${after}`),
    ]),
  );

describe('Function: decodedStreamBytes', () => {
  it('should count nothing for a PDF whose streams are not packed', async () => {
    // Act + Assess
    expect(await decodedStreamBytes(sampleBytes('article.pdf'))).toBe(0);
  });

  it.each([
    ['FlateDecode', FLATE, 0],
    ['LZWDecode', LZW, 0],
    // The hex digits decode to the packed bytes, which are counted too.
    ['ASCIIHexDecode, then FlateDecode', HEX_FLATE, 'packed'],
  ] as const)('should count what a %s content stream unpacks to', async (_name, filter, extra) => {
    // Prepare
    const data = content(50_000);

    // Act
    const counted = await decodedStreamBytes(makePdf({ contentFilter: filter, pages: [{ content: data }] }));

    // Assess
    expect(counted).toBe(data.length + (extra === 'packed' ? FLATE.encode(data).length : 0));
  });

  it('should stop counting just past the limit, for a stream that unpacks to more', async () => {
    // Prepare: 40 MiB of spaces packs into about 40 KB.
    const bytes = makePdf({ contentFilter: FLATE, pages: [{ content: content(40 * MiB) }] });

    // Act
    const counted = await decodedStreamBytes(bytes);

    // Assess
    expect(bytes.length).toBeLessThan(64 * 1024);
    expect(counted).toBeGreaterThan(MAX_PDF_DECODED_BYTES);
    expect(counted).toBeLessThanOrEqual(MAX_PDF_DECODED_BYTES + 1);
  }, 10_000);

  it('should add up the streams of a document and stop at the total limit', async () => {
    // Prepare: five pages of 1 MiB each, against a 3 MiB limit.
    const bytes = makePdf({
      contentFilter: FLATE,
      pages: Array.from({ length: 5 }, () => ({ content: content(MiB) })),
    });

    // Act + Assess
    expect(await decodedStreamBytes(bytes, 10 * MiB)).toBe(5 * MiB);
    expect(await decodedStreamBytes(bytes, 3 * MiB)).toBeGreaterThan(3 * MiB);
  });

  it('should count a packed stream damaged at its end as far as it unpacks', async () => {
    // Prepare: the last bytes of the packed data replaced by noise.
    const packed = deflateSync(content(8 * MiB));
    packed.fill(0xa5, packed.length - 40);

    // Act
    const counted = await decodedStreamBytes(
      pdfWithStream(`/Length ${packed.length} /Filter /FlateDecode`, packed),
    );

    // Assess
    expect(counted).toBeGreaterThan(7 * MiB);
  });

  it('should count a stream whole when its length is elsewhere and its data holds `endstream`', async () => {
    // Prepare: stored (level 0) deflate keeps the bytes as they are, `endstream` among them.
    const data = new Uint8Array(Buffer.concat([latin1('q Q\nendstream\nendobj\n'), content(100_000)]));
    const packed = deflateSync(data, { level: 0 });

    // Act
    const counted = await decodedStreamBytes(
      pdfWithStream('/Length 5 0 R /Filter /Fl', packed, `5 0 obj\n${packed.length}\nendobj\n`),
    );

    // Assess
    expect(counted).toBe(data.length);
  });

  it('should count run-length and ASCII85 streams by what they decode to', async () => {
    // Prepare: 200 bytes of `a` as run-length (two runs of 100), four zero bytes as `z` twice.
    const runs = new Uint8Array([257 - 100, 0x61, 257 - 100, 0x61, 128]);

    // Act + Assess
    expect(await decodedStreamBytes(pdfWithStream('/Filter /RunLengthDecode', runs))).toBe(200);
    expect(await decodedStreamBytes(pdfWithStream('/Filter /A85', latin1('zz~>')))).toBe(8);
  });

  it('should pass over filters pdf.js does not decode to read text (images)', async () => {
    // Act + Assess
    expect(await decodedStreamBytes(pdfWithStream('/Subtype /Image /Filter /DCTDecode', content(1000)))).toBe(
      0,
    );
  });

  it('should count each of the thousands of small streams a file may hold', async () => {
    // Prepare: a 256 KiB file of tiny packed streams.
    const packed = deflateSync(latin1('q Q')).toString('latin1');
    let text = '%PDF-1.4\n';
    for (let i = 1; text.length < 256 * 1024; i++)
      text += `${i} 0 obj\n<< /Filter /FlateDecode >>\nstream\n${packed}\nendstream\nendobj\n`;

    // Act
    const counted = await decodedStreamBytes(latin1(text));

    // Assess: three bytes a stream.
    expect(counted).toBe(3 * (text.match(/endstream/g)?.length ?? 0));
  });
});
