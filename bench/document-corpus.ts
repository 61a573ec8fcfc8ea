/**
 * Documents for the per-format rows of the parse benchmark: the samples of
 * `tests/fixtures/formats/` as they are, and grown to the size of a long feature (a page
 * with forty paragraphs, a twenty-page report, a long Word document, a newsletter of thirty
 * stories), plus a page at the element bound, the worst a page may be and still be read.
 */
import { MAX_HTML_ELEMENTS } from '../functions/core/articles/formats/html.ts';
import { makeDocx } from '../tests/fixtures/formats/make-docx.ts';
import { makePdf } from '../tests/fixtures/formats/make-pdf.ts';
import { ARTICLE_PDF, PRESS_RELEASE_DOCX, sampleBytes } from '../tests/fixtures/formats/samples.ts';

/** One document to read over and over. */
export interface BenchDocument {
  format: string;
  name: string;
  key: string;
  bytes: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

const paragraph = (n: number) =>
  `Paragraph ${n}. The regional hospital in Kutaisi received a second delivery of ventilators and protective equipment, and doctors from Tbilisi trained the intensive care staff to use the new machines over three days, the health ministry said on Friday.`;

/** The sample page with its article grown to `count` paragraphs, the page around it unchanged. */
const longPage = (count: number): Uint8Array => {
  const page = dec.decode(sampleBytes('news-page.html'));
  const marker = '<div class="story-body">';
  const extra = Array.from({ length: count }, (_, i) => `<p>${paragraph(i)}</p>`).join('\n');
  return enc.encode(page.replace(marker, `${marker}\n${extra}`));
};

/** A page of `elements` list items around one article: the most a page may hold. */
const pageAtBound = (elements: number): Uint8Array => {
  const article = Array.from({ length: 6 }, (_, i) => `<p>${paragraph(i)}</p>`).join('');
  const links = '<li><a href="/x">Related story</a></li>'.repeat(Math.floor((elements - 40) / 2));
  return enc.encode(
    `<!doctype html><html lang="en"><head><title>Bound</title></head><body><nav><ul>${links}</ul></nav><article>${article}</article></body></html>`,
  );
};

/** The sample newsletter with its stories repeated `times` times in both parts. */
const longNewsletter = (times: number): Uint8Array => {
  const mail = dec.decode(sampleBytes('newsletter.eml'));
  const text = mail.slice(mail.indexOf('JAPAN SENDS'), mail.indexOf('=E2=80=94 The Caucasus'));
  const html = mail.slice(mail.indexOf('<h2>Japan'), mail.indexOf('<p>=E2=80=94'));
  return enc.encode(mail.replace(text, text.repeat(times)).replace(html, html.repeat(times)));
};

/** The benchmark's documents, smallest first within each format. */
export const benchDocuments = (): BenchDocument[] => [
  { format: 'html', name: 'news page (sample)', key: 'p.html', bytes: sampleBytes('news-page.html') },
  { format: 'html', name: 'news page, 40 paragraphs', key: 'p40.html', bytes: longPage(40) },
  {
    format: 'html',
    name: `page at the bound (${MAX_HTML_ELEMENTS} elements)`,
    key: 'bound.html',
    bytes: pageAtBound(MAX_HTML_ELEMENTS),
  },
  { format: 'eml', name: 'newsletter (sample)', key: 'n.eml', bytes: sampleBytes('newsletter.eml') },
  { format: 'eml', name: 'newsletter, 30 stories', key: 'n30.eml', bytes: longNewsletter(10) },
  { format: 'pdf', name: 'report, 2 pages (sample)', key: 'r.pdf', bytes: sampleBytes('article.pdf') },
  {
    format: 'pdf',
    name: 'report, 20 pages',
    key: 'r20.pdf',
    bytes: makePdf({
      info: ARTICLE_PDF.info,
      pages: Array.from({ length: 20 }, (_, p) => ({
        paragraphs: Array.from({ length: 12 }, (_, i) => paragraph(p * 12 + i)),
        footer: String(p + 1),
      })),
    }),
  },
  {
    format: 'docx',
    name: 'press release (sample)',
    key: 'd.docx',
    bytes: sampleBytes('press-release.docx'),
  },
  {
    format: 'docx',
    name: 'document, 200 paragraphs',
    key: 'd200.docx',
    bytes: makeDocx({
      ...PRESS_RELEASE_DOCX,
      paragraphs: [
        ...PRESS_RELEASE_DOCX.paragraphs,
        ...Array.from({ length: 200 }, (_, i) => ({ text: paragraph(i) })),
      ],
    }),
  },
];
