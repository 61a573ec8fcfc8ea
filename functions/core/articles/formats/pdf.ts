/**
 * PDF documents: a report, a press release or a newspaper page saved as PDF. The text comes
 * from the document's text layer through pdf.js (the unpdf build, which needs no worker and
 * no canvas); nothing is rendered and no fonts are loaded. Lines are rebuilt from the
 * positions of the text pieces and joined into paragraphs where the layout shows one ends (a
 * wider gap, a column or page that starts higher, a short last line, a change of type size).
 * Title, author, date and language come from the document information and its XMP metadata;
 * without a title there, a larger first line on the first page is the title.
 *
 * A scan has no text layer: it is refused with what to send instead, since newswatch does
 * not read images. Work is bounded by the page count and a time limit.
 */
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { countWords } from '../body.ts';
import { newsDay } from '../dates.ts';
import { MAX_ARTICLE_TEXT_BYTES } from '../parse-article.ts';
import {
  cleanLine,
  cleanText,
  documentTitle,
  languageTag,
  MIN_ARTICLE_WORDS,
  reasonOf,
} from './document-text.ts';
import type { ArticleDraft, ArticleFormatReader, FormatReading } from './format.ts';

/**
 * Most pages a PDF may have. A long report runs to a hundred pages; a PDF over this is a book
 * or an archive, which is not one article, and reading it would take seconds of CPU.
 */
export const MAX_PDF_PAGES = 200;
/** Longest a PDF's text layer may take to read, checked after each page. */
export const PDF_TIME_LIMIT_MS = 10_000;

/** A piece of text pdf.js found, with where it sits (PDF units, origin at the bottom left). */
interface TextPiece {
  str: string;
  transform: number[];
  width: number;
  hasEOL: boolean;
}

/** One line of a page: its text, where it starts and ends, its height and its type size. */
interface Line {
  text: string;
  x: number;
  right: number;
  y: number;
  size: number;
  page: number;
}

const isPiece = (item: unknown): item is TextPiece =>
  typeof item === 'object' && item !== null && 'str' in item && 'transform' in item;

/** The lines of one page, from its text pieces in content order. */
const linesOf = (items: readonly unknown[], page: number): Line[] => {
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

/** A page number, alone on its line: "3", "- 3 -", "Page 3 of 12", "3/12". */
const PAGE_NUMBER = /^(?:-\s*)?(?:page\s+)?\d{1,4}(?:\s*(?:of|\/)\s*\d{1,4})?(?:\s*-)?$/i;

/** The value a share `q` of the values are at or below (0 for none). */
const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((p, r) => p - r);
  return sorted.length === 0 ? 0 : (sorted[Math.floor((sorted.length - 1) * q)] as number);
};
const median = (values: number[]) => quantile(values, 0.5);

const ENDS_SENTENCE = /[.!?:"”’»)]$/;

/**
 * Paragraphs from the lines of every page. Page numbers and the running heads and feet (a
 * page's first or last line, repeated on most pages) are dropped.
 */
const paragraphsOf = (lines: Line[], pages: number): { paragraphs: Line[][]; bodySize: number } => {
  // Running heads and feet: the first or last line of a page, the same on most pages.
  const edge = new Set<Line>();
  for (const [i, l] of lines.entries())
    if (lines[i - 1]?.page !== l.page || lines[i + 1]?.page !== l.page) edge.add(l);
  const repeats = new Map<string, Set<number>>();
  for (const l of edge) repeats.set(l.text, (repeats.get(l.text) ?? new Set()).add(l.page));
  const running = (l: Line) => pages >= 3 && edge.has(l) && (repeats.get(l.text)?.size ?? 0) > pages / 2;
  const kept = lines.filter((l) => !PAGE_NUMBER.test(l.text) && !running(l));
  // The body's type size: the size most characters are set in (a median weighted by length).
  const bySize = [...kept].sort((p, q) => p.size - q.size);
  const characters = bySize.reduce((n, l) => n + l.text.length, 0);
  let seen = 0;
  const bodySize = bySize.find((l) => (seen += l.text.length) * 2 >= characters)?.size ?? 0;
  const gaps: number[] = [];
  for (let i = 1; i < kept.length; i++) {
    const [p, l] = [kept[i - 1] as Line, kept[i] as Line];
    const gap = p.y - l.y;
    if (p.page === l.page && gap > 0 && gap < 3 * l.size) gaps.push(gap);
  }
  // The line spacing: a low quantile, since paragraph gaps may be as many as line gaps.
  const leading = quantile(gaps, 0.25) || bodySize * 1.2;
  const right = median(kept.map((l) => l.right));
  const left = median(kept.map((l) => l.x));

  const paragraphs: Line[][] = [];
  let current: Line[] = [];
  for (const [i, l] of kept.entries()) {
    const p = kept[i - 1];
    const breaks =
      p === undefined ||
      (p.page !== l.page ? ENDS_SENTENCE.test(p.text) : p.y - l.y > leading * 1.4 || p.y <= l.y) ||
      Math.abs(p.size - l.size) > 0.15 * Math.max(p.size, l.size) ||
      (ENDS_SENTENCE.test(p.text) && p.right < right - 0.2 * (right - left)) ||
      // An indented first line, set in from the line before by half an em to a few.
      (p.page === l.page && l.x > p.x + 0.5 * l.size && l.x < p.x + 6 * l.size);
    if (breaks && current.length > 0) {
      paragraphs.push(current);
      current = [];
    }
    current.push(l);
  }
  if (current.length > 0) paragraphs.push(current);
  return { paragraphs, bodySize };
};

/** The lines of a paragraph as one text; "inter-" and "national" on two lines stay "inter-national". */
const joinLines = (lines: Line[]): string => {
  const parts: string[] = [];
  for (const [i, l] of lines.entries()) {
    const before = lines[i - 1]?.text;
    if (before !== undefined && !/\p{L}-$/u.test(before)) parts.push(' ');
    parts.push(l.text);
  }
  return parts.join('');
};

/** `D:20261128093000+01'00'`, the date form of PDF metadata, as its calendar day. */
const pdfDay = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const m = /^(?:D:)?(\d{4})(\d{2})(\d{2})/.exec(value.trim());
  return m ? newsDay(`${m[1]}-${m[2]}-${m[3]}`) : newsDay(value);
};

type PdfMetadata = { info?: Record<string, unknown>; metadata?: { get(name: string): unknown } | null };

const refuse = (kind: ArticleError['kind'], message: string) => articleError(kind, message);

/** Why pdf.js could not open a document, in words a sender can act on. */
const openingError = (e: unknown) => {
  const name = (e as Error)?.name;
  if (name === 'PasswordException')
    return refuse(
      'UnsupportedFormat',
      'the PDF is password-protected; send it without a password, or its text',
    );
  return refuse(
    'InvalidArticle',
    `the PDF cannot be read (${reasonOf(e)}); it may be damaged or cut short: send it again`,
  );
};

/** Reads a PDF's text layer into an article draft, or says why it holds no article. */
export const readPdf = async (bytes: Uint8Array): Promise<Result<ArticleDraft, ArticleError>> => {
  const started = performance.now();
  const { getDocumentProxy } = await import('unpdf');
  let doc: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // A copy: pdf.js takes over the buffer it is given.
    doc = await getDocumentProxy(bytes.slice(), {
      verbosity: 0,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: false,
    });
  } catch (e) {
    return openingError(e);
  }
  try {
    if (doc.numPages > MAX_PDF_PAGES)
      return refuse(
        'TooLarge',
        `the PDF has ${doc.numPages} pages, over the ${MAX_PDF_PAGES} one article may have; send the article's pages or its text`,
      );
    const meta = (await doc.getMetadata().catch(() => ({}))) as PdfMetadata;
    const lines: Line[] = [];
    let characters = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      if (performance.now() - started > PDF_TIME_LIMIT_MS)
        return refuse(
          'TooLarge',
          `the PDF's text took over ${PDF_TIME_LIMIT_MS / 1000} s to read (stopped at page ${n} of ${doc.numPages}); send its text`,
        );
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      page.cleanup();
      for (const l of linesOf(content.items, n)) {
        characters += l.text.length;
        lines.push({ ...l, text: cleanText(l.text) });
      }
      if (characters > MAX_ARTICLE_TEXT_BYTES)
        return refuse(
          'TooLarge',
          `the PDF holds over ${MAX_ARTICLE_TEXT_BYTES} characters of text, more than one stored article may; split it`,
        );
    }
    return draftOf(lines, doc.numPages, meta);
  } catch (e) {
    return openingError(e);
  } finally {
    await doc.loadingTask.destroy().catch(() => undefined);
  }
};

const draftOf = (lines: Line[], pages: number, meta: PdfMetadata): Result<ArticleDraft, ArticleError> => {
  if (lines.length === 0)
    return refuse(
      'NoBody',
      `the PDF has no text layer (a scan?); send its text or an OCRed PDF (${pages} page${pages === 1 ? '' : 's'}, no text)`,
    );
  const { paragraphs, bodySize } = paragraphsOf(lines, pages);
  const info = meta.info ?? {};
  const xmp = (name: string) => {
    const v = meta.metadata?.get(name);
    return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
  };

  // The opening lines of the first page set larger than the body: the headline.
  const first = paragraphs[0] ?? [];
  const headline =
    first[0]?.page === 1 && first.every((l) => l.size >= bodySize * 1.3) ? joinLines(first) : undefined;
  const title =
    documentTitle(typeof info.Title === 'string' ? info.Title : undefined) ??
    documentTitle(xmp('dc:title')) ??
    documentTitle(headline);
  const body = paragraphs.map(joinLines);
  if (headline !== undefined && title !== undefined && cleanLine(headline) === title) body.shift();
  const words = countWords(body);
  if (words < MIN_ARTICLE_WORDS)
    return refuse(
      'NoBody',
      `the PDF's text layer holds ${words} word${words === 1 ? '' : 's'}, fewer than the ${MIN_ARTICLE_WORDS} of an article (a scan with a caption?); send its text or an OCRed PDF`,
    );

  const draft: ArticleDraft = { body };
  if (title !== undefined) draft.title = title;
  const author =
    cleanLine(typeof info.Author === 'string' ? info.Author : undefined) ?? cleanLine(xmp('dc:creator'));
  if (author !== undefined) draft.author = author;
  const date = pdfDay(info.CreationDate) ?? pdfDay(xmp('xmp:createdate'));
  if (date !== undefined) draft.date = date;
  const language = languageTag(typeof info.Language === 'string' ? info.Language : undefined);
  if (language !== undefined) draft.language = language;
  return ok(draft);
};

/** `%PDF-`, the first bytes of every PDF. */
const PDF_SIGNATURE = [0x25, 0x50, 0x44, 0x46, 0x2d];

/** The PDF format: files that start with the PDF signature. */
export const pdfFormat: ArticleFormatReader = {
  name: 'pdf',
  input: 'binary',
  recognises: ({ bytes }) => PDF_SIGNATURE.every((b, i) => bytes[i] === b),
  read: async ({ bytes }): Promise<FormatReading> => {
    const draft = await readPdf(bytes);
    return draft.ok ? { kind: 'article', draft: draft.value } : { kind: 'error', error: draft.error };
  },
};
