/**
 * The article formats, in the order they are tried: the first that recognises a file reads
 * it. Binary formats are tried on the raw bytes before any decoding (PDF, Word; mail, whose
 * reader decodes the charsets its parts declare); text formats on the decoded text, the most
 * specific first and plain text last. The XML formats (feeds, NewsML-G2, NITF) and web pages
 * come before the markup refusal, which takes the XML no one claims, so an XHTML page is read
 * as a page. A new format is a file in this folder and one line here.
 */
import { docxFormat } from './docx.ts';
import { emlFormat } from './eml.ts';
import { feedFormat } from './feed.ts';
import type { ArticleFormatReader } from './format.ts';
import { htmlFormat } from './html.ts';
import { jsonFormat } from './json.ts';
import { jsonLinesFormat } from './jsonl.ts';
import { unclaimedMarkup } from './markup.ts';
import { newsmlFormat } from './newsml.ts';
import { nitfFormat } from './nitf.ts';
import { pdfFormat } from './pdf.ts';
import { textFormat } from './text.ts';

export const ARTICLE_FORMATS: readonly ArticleFormatReader[] = [
  pdfFormat,
  docxFormat,
  emlFormat,
  jsonLinesFormat,
  jsonFormat,
  feedFormat,
  newsmlFormat,
  nitfFormat,
  htmlFormat,
  unclaimedMarkup,
  textFormat,
];
