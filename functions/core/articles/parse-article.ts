import {
  type Article,
  type ArticleError,
  articleError,
  type ContainerItem,
  ok,
  type Result,
} from './article.ts';
import { deriveTitle, foldSpace, readParagraphs, stripBoilerplate, utf8Length } from './body.ts';
import { decodeArticleBytes } from './decode.ts';
import { cutGraphemes } from '../graphemes.ts';
import { foldedArticleId, sha256Hex } from './fingerprint.ts';
import type { ArticleDraft, ArticleFormatReader, FormatReading } from './formats/format.ts';
import { looksLikeHtml } from './formats/html.ts';
import { decideLanguage, type LanguageIdentifier } from './language.ts';
import { jsonFormat } from './formats/json.ts';
import { unclaimedMarkup } from './formats/markup.ts';
import { textFormat } from './formats/text.ts';

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
  /**
   * Guesses the language of an article whose file states none (`language-identifier.ts`).
   * Without it such an article is left without a language; `readArticleFile` loads it itself.
   */
  identifyLanguage?: LanguageIdentifier;
}

/**
 * Default size ceiling for one article file: 256 KiB is far above any real story (a
 * 10,000-word feature is about 60 KB) and keeps every article inside one DynamoDB item.
 */
export const DEFAULT_MAX_ARTICLE_BYTES = 256 * 1024;

/** Longest title kept from a file; longer ones are cut with an ellipsis. */
const MAX_FILE_TITLE = 300;
/** Most categories kept from a file. */
const MAX_CATEGORIES = 30;
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

/** UTF-8 bytes of the fields an article stores besides its paragraphs. */
const fieldTextBytes = (a: Pick<Article, 'title' | 'author' | 'url' | 'source'>) =>
  utf8Length(a.title) + utf8Length(a.author ?? '') + utf8Length(a.url ?? '') + utf8Length(a.source ?? '');

/** UTF-8 bytes of the text an article stores. */
export const articleTextBytes = (a: Pick<Article, 'title' | 'paragraphs' | 'author' | 'url' | 'source'>) =>
  a.paragraphs.reduce((n, p) => n + utf8Length(p), 0) + fieldTextBytes(a);

/** The sum of the first `count` numbers of a list. */
const sumOf = (numbers: readonly number[], count: number): number => {
  let n = 0;
  for (let i = 0; i < count; i++) n += numbers[i] as number;
  return n;
};

/** What the shared rules need to know about where a draft came from. */
export interface DraftOrigin {
  /** The article's key: the file's, or `<file key>#<item>` for an item of a container. */
  key: string;
  format: string;
  /** The file's bytes: fingerprinted and counted for every article it yields. */
  bytes: Uint8Array;
  /** The SHA-256 of `bytes`, when already known: a container's items share the file's. */
  contentHash?: string;
  receivedAt: string;
  container?: ContainerItem;
  /** The watched feed the file came from. */
  feed?: string;
}

/**
 * Applies the rules every format shares to one draft: paragraphs, footers, title, date,
 * language, field caps, id, fingerprint and the stored-size limit.
 */
export const articleFromDraft = (
  draft: ArticleDraft,
  origin: DraftOrigin,
  options: Pick<ParseOptions, 'maxTextBytes' | 'identifyLanguage'> = {},
): Result<Article, ArticleError> => {
  const body = readParagraphs(draft.body);
  const paragraphs = stripBoilerplate(body.paragraphs);
  if (paragraphs.length === 0) return articleError('NoBody', 'the file has no article text after its header');

  const receivedDay = origin.receivedAt.slice(0, 10);
  const fileTitle = draft.title === undefined ? '' : foldSpace(draft.title);
  const title = fileTitle === '' ? undefined : cutGraphemes(fileTitle, MAX_FILE_TITLE);
  const article: Article = {
    id: foldedArticleId(paragraphs, body),
    sourceKey: origin.key,
    format: origin.format,
    title: title ?? deriveTitle(paragraphs),
    titleSource: title === undefined ? 'lead-sentence' : 'file',
    date: draft.date ?? receivedDay,
    dateSource: draft.date === undefined ? 'received' : 'file',
    paragraphs,
    wordCount: sumOf(body.words, paragraphs.length),
    contentHash: origin.contentHash ?? sha256Hex(origin.bytes),
    byteLength: origin.bytes.length,
  };
  if (draft.author !== undefined && foldSpace(draft.author) !== '')
    article.author = cutGraphemes(foldSpace(draft.author), MAX_AUTHOR);
  if (draft.url !== undefined) article.url = draft.url;
  if (draft.source !== undefined && foldSpace(draft.source) !== '')
    article.source = cutGraphemes(foldSpace(draft.source), MAX_SOURCE);
  const language = decideLanguage(
    { declared: draft.language, title: article.title, paragraphs },
    options.identifyLanguage,
  );
  if (language !== undefined) {
    article.language = language.language;
    article.languageSource = language.source;
    if (language.confidence !== undefined) article.languageConfidence = language.confidence;
  }
  if (draft.categories?.length)
    article.categories = draft.categories
      .slice(0, MAX_CATEGORIES)
      .map((c) => cutGraphemes(foldSpace(c), 100));
  if (draft.summaryOnly) article.summaryOnly = true;
  if (origin.container) article.container = origin.container;
  if (origin.feed) article.feed = origin.feed;
  const textBytes = sumOf(body.bytes, paragraphs.length) + fieldTextBytes(article);
  const maxTextBytes = options.maxTextBytes ?? MAX_ARTICLE_TEXT_BYTES;
  if (textBytes > maxTextBytes) {
    return articleError(
      'TooLarge',
      `the article's text is ${textBytes} bytes once decoded to UTF-8, over the ${maxTextBytes}-byte limit for one stored article; split the file`,
    );
  }
  return ok(article);
};

const readDecoded = (
  file: ArticleFile,
  options: ParseOptions,
  formats: readonly ArticleFormatReader[],
): { reader: ArticleFormatReader; text: string } | { error: ArticleError } => {
  const decoded = decodeArticleBytes(file.bytes, options);
  if (!decoded.ok) return { error: decoded.error };
  const text = decoded.value.text;
  const head = { key: file.key, bytes: file.bytes.subarray(0, 1024), text: text.trimStart().slice(0, 1024) };
  const reader = formats.find((f) => f.input === 'text' && f.recognises(head)) ?? textFormat;
  return { reader, text };
};

/**
 * Web pages, which only `readArticleFile` reads (their reader loads a library): refused here
 * rather than read as plain text with markup for a title.
 */
const pageNotReadHere: ArticleFormatReader = {
  name: 'html',
  input: 'text',
  recognises: ({ key, text }) => /\.(?:html?|xhtml)$/i.test(key) || looksLikeHtml(text),
  read: () => ({
    kind: 'error',
    error: {
      kind: 'UnsupportedFormat',
      message: 'the file is an HTML page; pages are read with every format (readArticleFile), not here',
    },
  }),
};

/**
 * Reads one file holding one article in plain text or as a JSON object, at once (no format
 * that loads a library). Never throws for bad input: every problem comes back as a typed
 * {@link ArticleError}. Files of any format, containers and documents included, go through
 * `readArticleFile`.
 */
export const parseArticle = (
  file: ArticleFile,
  options: ParseOptions = { maxBytes: DEFAULT_MAX_ARTICLE_BYTES },
): Result<Article, ArticleError> => {
  const found = readDecoded(file, options, [jsonFormat, pageNotReadHere, unclaimedMarkup, textFormat]);
  if ('error' in found) return { ok: false, error: found.error };
  const reading = found.reader.read({ key: file.key, bytes: file.bytes, text: found.text }) as FormatReading;
  if (reading.kind === 'error') return { ok: false, error: reading.error };
  if (reading.kind === 'container') {
    return articleError(
      'InvalidArticle',
      `the file holds ${reading.items.length} articles; read it as a container (every item becomes an article of its own)`,
    );
  }
  return articleFromDraft(
    reading.draft,
    { key: file.key, format: found.reader.name, bytes: file.bytes, receivedAt: file.receivedAt },
    options,
  );
};

/** Used by `read-file.ts`; kept here so both readers decode and detect the same way. */
export { readDecoded };
