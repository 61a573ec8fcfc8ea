import {
  type Article,
  type ArticleError,
  type ArticleFormat,
  articleError,
  ok,
  type Result,
} from './article.ts';
import { clipText, countWords, deriveTitle, foldSpace, splitParagraphs, stripBoilerplate } from './body.ts';
import { decodeArticleBytes } from './decode.ts';
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
  /** Most UTF-8 bytes of decoded text; {@link MAX_ARTICLE_TEXT_BYTES} when omitted. */
  maxTextBytes?: number;
}

/**
 * Default size ceiling for one article file: 256 KiB is far above any real story (a
 * 10,000-word feature is about 60 KB) and keeps every article inside one DynamoDB item.
 */
export const DEFAULT_MAX_ARTICLE_BYTES = 256 * 1024;

/** Longest title kept from a file; longer ones are cut with an ellipsis. */
const MAX_FILE_TITLE = 300;
/** Longest author line kept (several names with their outlets fit); longer ones are cut. */
export const MAX_AUTHOR = 300;
/** Longest source name kept; longer ones are cut. */
export const MAX_SOURCE = 200;

/**
 * Most UTF-8 bytes an article's text (title, body, author, URL, source) may take once decoded.
 * A file within the size limit (at most 350,000 bytes) can hold more: UTF-16 turns two bytes
 * into three, and the stored article must fit one DynamoDB item (400 KB) with its keys and fields.
 */
export const MAX_ARTICLE_TEXT_BYTES = 352 * 1024;

const utf8Length = (s: string): number => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
};

/** UTF-8 bytes of the text an article stores. */
export const articleTextBytes = (a: Pick<Article, 'title' | 'paragraphs' | 'author' | 'url' | 'source'>) =>
  a.paragraphs.reduce((n, p) => n + utf8Length(p), 0) +
  utf8Length(a.title) +
  utf8Length(a.author ?? '') +
  utf8Length(a.url ?? '') +
  utf8Length(a.source ?? '');

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
  const title = f.title === undefined ? undefined : clipText(foldSpace(f.title), MAX_FILE_TITLE);
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
  if (f.author !== undefined) article.author = clipText(foldSpace(f.author), MAX_AUTHOR);
  if (f.url !== undefined) article.url = f.url;
  if (f.source !== undefined) article.source = clipText(foldSpace(f.source), MAX_SOURCE);
  const textBytes = articleTextBytes(article);
  const maxTextBytes = options.maxTextBytes ?? MAX_ARTICLE_TEXT_BYTES;
  if (textBytes > maxTextBytes) {
    return articleError(
      'TooLarge',
      `the article's text is ${textBytes} bytes once decoded to UTF-8, over the ${maxTextBytes}-byte limit for one stored article; split the file`,
    );
  }
  return ok(article);
};
