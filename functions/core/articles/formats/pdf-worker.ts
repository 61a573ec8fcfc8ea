/**
 * The PDF worker's entry: loads pdf.js, then reads each document it is sent (`pdf-text.ts`)
 * and answers. Started by `pdf.ts` as a worker process with its limits; from the TypeScript
 * source under Node, and as `pdf-worker.mjs` beside the ingest function's bundle.
 */
import { serveJobs } from './bounded-worker.ts';
import { extractPdfText, type PdfTextJob, readingError } from './pdf-text.ts';

serveJobs((job: PdfTextJob) => extractPdfText(job).catch(readingError));
