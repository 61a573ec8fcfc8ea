/**
 * Reads a file of any known format into articles: one, or one per item of a container (a
 * feed, a JSON array, a JSON Lines export). Formats come from the registry in `formats/`; the
 * rules all articles share are applied by `articleFromDraft`.
 */
import { type Article, type ArticleError, feedOfKey, type Result } from './article.ts';
import { sha256Hex } from './fingerprint.ts';
import { ARTICLE_FORMATS } from './formats/index.ts';
import type { ArticleDraft, ArticleFormatReader, FileHead, FormatReading } from './formats/format.ts';
import { primaryLanguage } from './language.ts';
import { loadLanguageIdentifier } from './language-identifier.ts';
import {
  type ArticleFile,
  articleFromDraft,
  DEFAULT_MAX_ARTICLE_BYTES,
  type ParseOptions,
  readDecoded,
} from './parse-article.ts';

/**
 * Most items one container may hold. A day's feed or export is tens to hundreds of items;
 * past this a file is refused whole, so one upload cannot become an unbounded amount of work.
 */
export const MAX_CONTAINER_ITEMS = 1000;

/** One item of a container, as an article or as why it could not be one. */
export interface ReadItem {
  item: string;
  /** `<file key>#<item>`: the item's own key, for its outcome, records and quarantine copy. */
  key: string;
  result: Result<Article, ArticleError>;
}

/** What a file became. */
export type FileReading =
  | { kind: 'article'; article: Article }
  | { kind: 'container'; format: string; items: ReadItem[] }
  | { kind: 'error'; error: ArticleError };

const fail = (error: ArticleError): FileReading => ({ kind: 'error', error });

/** A text view of the first bytes, for formats to recognise a file by (never fails). */
const headOf = (file: ArticleFile): FileHead => {
  const bytes = file.bytes.subarray(0, 1024);
  const text = new TextDecoder('utf-8', { fatal: false })
    .decode(bytes)
    .replace(/^\ufeff/, '')
    .trimStart();
  return { key: file.key, bytes, text };
};

const statesLanguage = (draft: ArticleDraft): boolean => primaryLanguage(draft.language) !== undefined;

/**
 * The options with the language identifier, loaded when some article of the reading states
 * no usable language (so a file that states its language never loads it).
 */
const withLanguageIdentifier = async (
  options: ParseOptions,
  reading: Exclude<FormatReading, { kind: 'error' }>,
): Promise<ParseOptions> => {
  if (options.identifyLanguage) return options;
  const needed =
    reading.kind === 'article'
      ? !statesLanguage(reading.draft)
      : reading.items.some(({ draft }) => draft.ok && !statesLanguage(draft.value));
  return needed ? { ...options, identifyLanguage: await loadLanguageIdentifier() } : options;
};

/**
 * Reads one file: size checks, format detection, the format's reading, then the shared rules
 * per article. Never throws for bad input: every problem is a typed {@link ArticleError},
 * for the whole file or for one item.
 */
export const readArticleFile = async (
  file: ArticleFile,
  options: ParseOptions = { maxBytes: DEFAULT_MAX_ARTICLE_BYTES },
  formats: readonly ArticleFormatReader[] = ARTICLE_FORMATS,
): Promise<FileReading> => {
  if (file.bytes.length === 0) return fail({ kind: 'EmptyFile', message: 'the file is empty (0 bytes)' });
  if (file.bytes.length > options.maxBytes) {
    return fail({
      kind: 'TooLarge',
      message: `the file is ${file.bytes.length} bytes, over the ${options.maxBytes}-byte limit for one article`,
    });
  }
  const head = headOf(file);
  let reader = formats.find((f) => f.input === 'binary' && f.recognises(head));
  let text = '';
  if (!reader) {
    const found = readDecoded(file, options, formats);
    if ('error' in found) return fail(found.error);
    reader = found.reader;
    text = found.text;
  }
  const reading: FormatReading = await reader.read({ key: file.key, bytes: file.bytes, text });
  const feed = feedOfKey(file.key);
  const origin = {
    format: reader.name,
    bytes: file.bytes,
    receivedAt: file.receivedAt,
    ...(feed ? { feed } : {}),
  };
  if (reading.kind === 'error') return fail(reading.error);
  if (reading.kind === 'article') {
    options = await withLanguageIdentifier(options, reading);
    const article = articleFromDraft(reading.draft, { ...origin, key: file.key }, options);
    return article.ok ? { kind: 'article', article: article.value } : fail(article.error);
  }
  if (reading.items.length === 0)
    return fail({ kind: 'NoBody', message: `the ${reader.name} file holds no items` });
  if (reading.items.length > MAX_CONTAINER_ITEMS) {
    return fail({
      kind: 'TooManyItems',
      message: `the file holds ${reading.items.length} items, over the ${MAX_CONTAINER_ITEMS} one file may hold; split it`,
    });
  }
  options = await withLanguageIdentifier(options, reading);
  // The file is hashed once: every item records the same fingerprint of it.
  const contentHash = sha256Hex(file.bytes);
  return {
    kind: 'container',
    format: reader.name,
    items: reading.items.map(({ item, draft }) => {
      const key = `${file.key}#${item}`;
      const result = draft.ok
        ? articleFromDraft(
            draft.value,
            { ...origin, contentHash, key, container: { key: file.key, item } },
            options,
          )
        : draft;
      return { item, key, result };
    }),
  };
};
