/**
 * The part of reading a PDF that runs pdf.js: the document opened, its streams measured first
 * (`pdf-streams.ts`), each page's text pieces rebuilt into lines, its metadata taken out. It
 * runs in the PDF worker process (`pdf-worker.ts`), apart from the ingest process, and answers with
 * plain values a message can carry; the layout rules that make paragraphs of the lines run
 * in `pdf.ts`. Everything pdf.js could refuse is a typed error here.
 */
import { getDocumentProxy } from 'unpdf';
import type { ArticleError } from '../article.ts';
import { reasonOf } from './document-text.ts';
import { decodedStreamBytes } from './pdf-streams.ts';

/** What the worker is asked to read, with the bounds to read it within. */
export interface PdfTextJob {
  bytes: Uint8Array;
  maxPages: number;
  /** Most characters of text, all pages together. */
  maxCharacters: number;
  /** Longest the pages may take to read, checked after each page, ms. */
  timeLimitMs: number;
  /** Most bytes the document's streams may decode to. */
  maxDecodedBytes: number;
}

/** One line of a page: its text, where it starts and ends, its height and its type size. */
export interface Line {
  text: string;
  x: number;
  right: number;
  y: number;
  size: number;
  page: number;
}

/** The document information and XMP fields an article takes. */
export interface PdfMetadata {
  title?: string;
  author?: string;
  creationDate?: string;
  language?: string;
  xmpTitle?: string;
  xmpCreator?: string;
  xmpCreated?: string;
}

/** The worker's answer: the lines of every page and the metadata, or why there are none. */
export type PdfTextReply =
  | { kind: 'text'; pages: number; lines: Line[]; metadata: PdfMetadata }
  | { kind: 'refused'; error: ArticleError };

/** A piece of text pdf.js found, with where it sits (PDF units, origin at the bottom left). */
interface TextPiece {
  str: string;
  transform: number[];
  width: number;
  hasEOL: boolean;
}

const isPiece = (item: unknown): item is TextPiece =>
  typeof item === 'object' && item !== null && 'str' in item && 'transform' in item;

/** The lines of one page, from its text pieces in content order. */
export const linesOf = (items: readonly unknown[], page: number): Line[] => {
  const lines: Line[] = [];
  let line: Line | undefined;
  const end = () => {
    if (line && line.text.trim() !== '') lines.push({ ...line, text: line.text.replace(/\s+/g, ' ').trim() });
    line = undefined;
  };
  for (const item of items) {
    if (!isPiece(item)) continue;
    const [a = 0, b = 0, c = 0, d = 0, x = 0, y = 0] = item.transform;
    const size = Math.hypot(c, d) || Math.hypot(a, b);
    // A piece on another baseline (by half a line or more) starts a new line.
    if (line && Math.abs(y - line.y) > Math.max(line.size, size) * 0.5) end();
    if (item.str !== '') {
      if (!line) line = { text: '', x, right: x, y, size, page };
      line.text += item.str;
      line.right = Math.max(line.right, x + item.width);
      if (item.str.trim() !== '') line.size = Math.max(line.size, size);
    }
    if (item.hasEOL) end();
  }
  end();
  return lines;
};

const refused = (kind: ArticleError['kind'], message: string): PdfTextReply => ({
  kind: 'refused',
  error: { kind, message },
});

/** Why pdf.js could not open or read a document, in words a sender can act on. */
export const readingError = (e: unknown): PdfTextReply => {
  const name = (e as Error)?.name;
  if (name === 'PasswordException')
    return refused(
      'UnsupportedFormat',
      'the PDF is password-protected; send it without a password, or its text',
    );
  if (e instanceof RangeError && /call stack/i.test(e.message))
    return refused('TooLarge', 'the PDF nests its objects too deep to read (a crafted file?); send its text');
  return refused(
    'InvalidArticle',
    `the PDF cannot be read (${reasonOf(e)}); it may be damaged or cut short: send it again`,
  );
};

const stringOf = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;

/** Reads a PDF's text layer into lines, within the job's bounds. */
export const extractPdfText = async (job: PdfTextJob): Promise<PdfTextReply> => {
  const started = performance.now();
  const decoded = await decodedStreamBytes(job.bytes, job.maxDecodedBytes);
  if (decoded > job.maxDecodedBytes)
    return refused(
      'TooLarge',
      `the PDF's packed streams unpack to over ${job.maxDecodedBytes / 1024 / 1024} MiB, more than a document of its size holds (a zip bomb?); send its text`,
    );
  let doc: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // pdf.js takes over the buffer it is given; this one is the worker's own copy.
    doc = await getDocumentProxy(job.bytes, {
      verbosity: 0,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: false,
    });
  } catch (e) {
    return readingError(e);
  }
  try {
    if (doc.numPages > job.maxPages)
      return refused(
        'TooLarge',
        `the PDF has ${doc.numPages} pages, over the ${job.maxPages} one article may have; send the article's pages or its text`,
      );
    const meta = (await doc.getMetadata().catch(() => ({}))) as {
      info?: Record<string, unknown>;
      metadata?: { get(name: string): unknown } | null;
    };
    const info = meta.info ?? {};
    const xmp = (name: string) => stringOf(meta.metadata?.get(name));
    const metadata: PdfMetadata = {};
    const fields: Array<[keyof PdfMetadata, string | undefined]> = [
      ['title', stringOf(info.Title)],
      ['author', stringOf(info.Author)],
      ['creationDate', stringOf(info.CreationDate)],
      ['language', stringOf(info.Language)],
      ['xmpTitle', xmp('dc:title')],
      ['xmpCreator', xmp('dc:creator')],
      ['xmpCreated', xmp('xmp:createdate')],
    ];
    for (const [field, value] of fields) if (value !== undefined) metadata[field] = value;
    const lines: Line[] = [];
    let characters = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      if (performance.now() - started > job.timeLimitMs)
        return refused(
          'TooLarge',
          `the PDF's text took over ${job.timeLimitMs / 1000} s to read (stopped at page ${n} of ${doc.numPages}); send its text`,
        );
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      page.cleanup();
      for (const l of linesOf(content.items, n)) {
        characters += l.text.length;
        lines.push(l);
      }
      if (characters > job.maxCharacters)
        return refused(
          'TooLarge',
          `the PDF holds over ${job.maxCharacters} characters of text, more than one stored article may; split it`,
        );
    }
    return { kind: 'text', pages: doc.numPages, lines, metadata };
  } catch (e) {
    return readingError(e);
  } finally {
    await doc.loadingTask.destroy().catch(() => undefined);
  }
};
