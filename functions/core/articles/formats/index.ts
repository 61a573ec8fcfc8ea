/**
 * The article formats, in the order they are tried: the first that recognises a file reads
 * it. Binary formats are tried on the raw bytes before any decoding; text formats on the
 * decoded text, the most specific first and plain text last. The XML formats (feeds,
 * NewsML-G2, NITF) go before the markup refusal, which takes the XML and HTML no one claims.
 * A new format is a file in this folder and one line here.
 */
import { feedFormat } from './feed.ts';
import type { ArticleFormatReader } from './format.ts';
import { jsonFormat } from './json.ts';
import { jsonLinesFormat } from './jsonl.ts';
import { unclaimedMarkup } from './markup.ts';
import { newsmlFormat } from './newsml.ts';
import { nitfFormat } from './nitf.ts';
import { textFormat } from './text.ts';

export const ARTICLE_FORMATS: readonly ArticleFormatReader[] = [
  jsonLinesFormat,
  jsonFormat,
  feedFormat,
  newsmlFormat,
  nitfFormat,
  unclaimedMarkup,
  textFormat,
];
