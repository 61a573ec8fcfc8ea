import {
  type Article,
  type ArticleError,
  type ArticleFormat,
  articleError,
  ok,
  type Result,
} from './article.ts';
import { countWords, deriveTitle, foldSpace, splitParagraphs, stripBoilerplate } from './body.ts';
import { decodeArticleBytes } from './decode.ts';
import { cutGraphemes } from '../graphemes.ts';
import { articleIdFor, sha256Hex } from './fingerprint.ts';
import { type JsonFields, parseJsonArticle } from './parse-json.ts';
import { parseTextArticle, type TextFields } from './parse-text.ts';

/** One file to parse. */
export interface ArticleFile {
  /** Object key or path; `.json` names are read as JSON whatever their first byte. */
  key: string;
  bytes: Uint8Array;
  /** When the file arrived (ISO 8601); its day stands in for a date the file does not give. */
  receivedAt: string;
}

/** Limits the parser enforces. */
export interface ParseOptions {
  maxBytes: number;
}

/**
 * Default size ceiling for one article file: 256 KiB is far above any real story (a
 * 10,000-word feature is about 60 KB) and keeps every article inside one DynamoDB item.
 */
export const DEFAULT_MAX_ARTICLE_BYTES = 256 * 1024;

/** Longest title kept from a file; longer ones are cut with an ellipsis. */
const MAX_FILE_TITLE = 300;

const detectFormat = (key: string, text: string): ArticleFormat | 'html' => {
  const head = text.trimStart().slice(0, 64).toLowerCase();
  if (key.toLowerCase().endsWith('.json') || head.startsWith('{') || head.startsWith('[')) return 'json';
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'html';
  return 'text';
};

/**
 * Reads one article file: decode, detect the format, parse, normalise and fingerprint.
 * Never throws for bad input: every problem comes back as a typed {@link ArticleError}.
 */
export const parseArticle = (
  file: ArticleFile,
  options: ParseOptions = { maxBytes: DEFAULT_MAX_ARTICLE_BYTES },
): Result<Article, ArticleError> => {
  const decoded = decodeArticleBytes(file.bytes, options);
  if (!decoded.ok) return decoded;
  const text = decoded.value.text;

  const format = detectFormat(file.key, text);
  if (format === 'html') {
    return articleError(
      'UnsupportedFormat',
      'the file is an HTML page; send the article as plain text or JSON',
    );
  }
  const fields: Result<TextFields & Partial<JsonFields>, ArticleError> =
    format === 'json' ? parseJsonArticle(text) : parseTextArticle(text);
  if (!fields.ok) return fields;
  const f = fields.value;

  const paragraphs = stripBoilerplate(splitParagraphs(f.body));
  if (paragraphs.length === 0) return articleError('NoBody', 'the file has no article text after its header');

  const receivedDay = file.receivedAt.slice(0, 10);
  const title = f.title === undefined ? undefined : cutGraphemes(foldSpace(f.title), MAX_FILE_TITLE);
  const article: Article = {
    id: articleIdFor(paragraphs),
    sourceKey: file.key,
    format,
    title: title ?? deriveTitle(paragraphs),
    titleSource: title === undefined ? 'lead-sentence' : 'file',
    date: f.date ?? receivedDay,
    dateSource: f.date === undefined ? 'received' : 'file',
    paragraphs,
    wordCount: countWords(paragraphs),
    contentHash: sha256Hex(file.bytes),
    byteLength: file.bytes.length,
  };
  if (f.author !== undefined) article.author = foldSpace(f.author);
  if (f.url !== undefined) article.url = f.url;
  if (f.source !== undefined) article.source = foldSpace(f.source);
  return ok(article);
};
