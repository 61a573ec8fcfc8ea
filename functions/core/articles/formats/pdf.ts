/**
 * PDF documents: a report, a press release or a newspaper page saved as PDF. The text comes
 * from the document's text layer through pdf.js (the unpdf build, which needs no canvas);
 * nothing is rendered and no fonts are loaded. Lines are rebuilt from the positions of the
 * text pieces and joined into paragraphs where the layout shows one ends (a wider gap, a
 * column or page that starts higher, a short last line, a change of type size). Title,
 * author, date and language come from the document information and its XMP metadata;
 * without a title there, a larger first line on the first page is the title.
 *
 * pdf.js runs in a worker process (`pdf-worker.ts`, through {@link BoundedWorker}) with a heap,
 * a stack, a memory growth and a time limit: a crafted document that would take the ingest
 * function's memory or CPU ends its worker and is refused, and the next file gets a new one.
 * Before pdf.js reads a document, its packed streams are measured (`pdf-streams.ts`).
 *
 * A scan has no text layer: it is refused with what to send instead, since newswatch does
 * not read images. Work is bounded by the page count, the decoded size, memory and time.
 */
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { countWords } from '../body.ts';
import { newsDay } from '../dates.ts';
import { MAX_ARTICLE_TEXT_BYTES } from '../parse-article.ts';
import { BoundedWorker, type WorkerLimits } from './bounded-worker.ts';
import { cleanLine, cleanText, documentTitle, languageTag, MIN_ARTICLE_WORDS } from './document-text.ts';
import type { ArticleDraft, ArticleFormatReader, FormatReading } from './format.ts';
import { MAX_PDF_DECODED_BYTES } from './pdf-streams.ts';
import type { Line, PdfMetadata, PdfTextJob, PdfTextReply } from './pdf-text.ts';

/**
 * Most pages a PDF may have. A long report runs to a hundred pages; a PDF over this is a book
 * or an archive, which is not one article, and reading it would take seconds of CPU.
 */
export const MAX_PDF_PAGES = 200;
/** Longest a PDF's text layer may take to read, checked after each page. */
export const PDF_TIME_LIMIT_MS = 10_000;

/**
 * The PDF worker's ceilings. The longest document within the page and text limits (200 pages,
 * 350 KiB of text) takes pdf.js about 20 MiB of heap and grows a new worker by 64–80 MiB; a
 * document that needs three times the heap or two and a half times the memory, or a second
 * more than the time limit (one page that never ends), is crafted or broken.
 */
export const PDF_WORKER_LIMITS: WorkerLimits = {
  maxOldSpaceMb: 64,
  maxSemiSpaceMb: 8,
  stackSizeKb: 984,
  maxMemoryGrowthMb: 192,
  deadlineMs: PDF_TIME_LIMIT_MS + 1_000,
};

/** The bounds one PDF is read within; tests pass smaller ones. */
export interface PdfLimits {
  maxPages: number;
  timeLimitMs: number;
  maxDecodedBytes: number;
  worker: WorkerLimits;
}

/** The bounds every PDF is read within. */
export const PDF_LIMITS: PdfLimits = {
  maxPages: MAX_PDF_PAGES,
  timeLimitMs: PDF_TIME_LIMIT_MS,
  maxDecodedBytes: MAX_PDF_DECODED_BYTES,
  worker: PDF_WORKER_LIMITS,
};

/**
 * The worker's file: the TypeScript source beside this one, or `pdf-worker.mjs` beside the
 * bundle this module was bundled into (`infra/separate-modules.ts` writes it there).
 */
export const PDF_WORKER_ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './pdf-worker.ts' : './pdf-worker.mjs',
  import.meta.url,
);

/** The worker kept for PDFs read within the usual bounds. */
let shared: BoundedWorker<PdfTextJob, PdfTextReply> | undefined;

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

const refuse = (kind: ArticleError['kind'], message: string) => articleError(kind, message);

/**
 * Reads a PDF's text layer into an article draft, or says why it holds no article. pdf.js
 * runs in the PDF worker; a worker ended by one of its limits is a `TooLarge` refusal.
 */
export const readPdf = async (
  bytes: Uint8Array,
  limits: PdfLimits = PDF_LIMITS,
): Promise<Result<ArticleDraft, ArticleError>> => {
  const usual = limits === PDF_LIMITS;
  const worker = usual
    ? (shared ??= new BoundedWorker(PDF_WORKER_ENTRY, limits.worker))
    : new BoundedWorker<PdfTextJob, PdfTextReply>(PDF_WORKER_ENTRY, limits.worker, 1);
  const job: PdfTextJob = {
    bytes,
    maxPages: limits.maxPages,
    maxCharacters: MAX_ARTICLE_TEXT_BYTES,
    timeLimitMs: limits.timeLimitMs,
    maxDecodedBytes: limits.maxDecodedBytes,
  };
  const outcome = await worker.run(job);
  if (!outcome.ok)
    switch (outcome.reason) {
      case 'memory':
        return refuse(
          'TooLarge',
          `the PDF needs more memory to read than one article may (${outcome.message}; a crafted file?); send its text`,
        );
      case 'deadline':
        return refuse(
          'TooLarge',
          `the PDF's text took over ${limits.worker.deadlineMs / 1000} s to read (its reader was stopped); send its text`,
        );
      case 'crashed':
        return refuse(
          'InvalidArticle',
          `the PDF cannot be read (its reader stopped: ${outcome.message}); it may be damaged: send it again`,
        );
    }
  const reply = outcome.value;
  if (reply.kind === 'refused') return { ok: false, error: reply.error };
  const lines = reply.lines.map((l) => ({ ...l, text: cleanText(l.text) }));
  return draftOf(lines, reply.pages, reply.metadata);
};

/** Ends the kept PDF worker (a runtime shutting down; an idle worker does not hold a process open). */
export const closePdfWorker = async (): Promise<void> => {
  const worker = shared;
  shared = undefined;
  await worker?.close();
};

const draftOf = (lines: Line[], pages: number, meta: PdfMetadata): Result<ArticleDraft, ArticleError> => {
  if (lines.length === 0)
    return refuse(
      'NoBody',
      `the PDF has no text layer (a scan?); send its text or an OCRed PDF (${pages} page${pages === 1 ? '' : 's'}, no text)`,
    );
  const { paragraphs, bodySize } = paragraphsOf(lines, pages);

  // The opening lines of the first page set larger than the body: the headline.
  const first = paragraphs[0] ?? [];
  const headline =
    first[0]?.page === 1 && first.every((l) => l.size >= bodySize * 1.3) ? joinLines(first) : undefined;
  const title = documentTitle(meta.title) ?? documentTitle(meta.xmpTitle) ?? documentTitle(headline);
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
  const author = cleanLine(meta.author) ?? cleanLine(meta.xmpCreator);
  if (author !== undefined) draft.author = author;
  const date = pdfDay(meta.creationDate) ?? pdfDay(meta.xmpCreated);
  if (date !== undefined) draft.date = date;
  const language = languageTag(meta.language);
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
