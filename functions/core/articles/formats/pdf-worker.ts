/**
 * The PDF worker's entry: loads pdf.js, says it is ready, then reads each document it is sent
 * (`pdf-text.ts`) and posts the answer. Started by `pdf.ts` with resource limits; from the
 * TypeScript source under Node, and as `pdf-worker.mjs` beside the ingest function's bundle.
 */
import { parentPort } from 'node:worker_threads';
import { WORKER_READY } from './bounded-worker.ts';
import { extractPdfText, type PdfTextJob, readingError } from './pdf-text.ts';

if (parentPort) {
  const port = parentPort;
  port.on('message', (job: PdfTextJob) => {
    void extractPdfText(job)
      .catch(readingError)
      .then((reply) => port.postMessage(reply));
  });
  port.postMessage(WORKER_READY);
}
