/**
 * The article model: what one news file becomes once it is read.
 * Pure types, shared by the parser, the pipeline and every store.
 */
import type { LanguageSource } from './language.ts';

/** The name of the format a file was read as (`text`, `json`, `jsonl`, … — see `formats/`). */
export type ArticleFormat = string;

/** Where an article that came as one item of a container file sits in it. */
export interface ContainerItem {
  /** The container's own key. */
  key: string;
  /** The item's name in it (its id, or its 1-based position); the article's key is `<key>#<item>`. */
  item: string;
}

/** A parsed, normalised news article. */
export interface Article {
  /** Stable id derived from the normalised text: the same text always gets the same id. */
  id: string;
  /** Object key (or file path) the article was first read from. */
  sourceKey: string;
  format: ArticleFormat;
  /** Headline from the file, or the lead sentence cut to at most 120 characters. */
  title: string;
  titleSource: 'file' | 'lead-sentence';
  /** Publication date, ISO `YYYY-MM-DD`. */
  date: string;
  /** `file` when the file states the date, `received` when the upload time stood in for it. */
  dateSource: 'file' | 'received';
  author?: string;
  url?: string;
  source?: string;
  /**
   * Lower-case primary language subtag (`en`, `es`, `zh`): the file's own when it states a
   * usable one, else detected from the text; `und` when the text does not tell. Absent only
   * when nothing decided it (`parseArticle` without an identifier). See `language.ts`.
   */
  language?: string;
  /** `declared` when the file states the language, `detected` when it was guessed from the text. */
  languageSource?: LanguageSource;
  /** How far a detected language is to be trusted, in [0, 1]; only for `detected`. */
  languageConfidence?: number;
  /** Subjects or categories the file gives. */
  categories?: string[];
  /** True when the file held only a summary (a feed item without its full text). */
  summaryOnly?: boolean;
  /** Set when the article is one item of a file holding several. */
  container?: ContainerItem;
  /** The watched feed the file was fetched from (its id in feeds.yaml), when it was. */
  feed?: string;
  /** Body paragraphs, whitespace folded, boilerplate footers removed. */
  paragraphs: string[];
  wordCount: number;
  /** SHA-256 (hex) of the file's bytes as received. */
  contentHash: string;
  byteLength: number;
}

/** Why a file could not become an article. Each kind names something the sender can fix. */
export type ArticleErrorKind =
  | 'EmptyFile'
  | 'TooLarge'
  | 'BinaryFile'
  | 'NotUtf8'
  | 'UnsupportedFormat'
  | 'MalformedJson'
  | 'MalformedXml'
  | 'InvalidArticle'
  | 'NoBody'
  | 'TooManyItems';

/** A parse failure as a value: a kind, a sentence a person can act on, and where it happened. */
export interface ArticleError {
  kind: ArticleErrorKind;
  message: string;
  /** Byte offset, line and column (1-based) of the problem when one place is to blame. */
  at?: { byte?: number; line?: number; column?: number };
}

/** Success or failure as a value, so callers handle both without try/catch. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** Builds a successful result. */
export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

/** Builds a failed result. */
export const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

/** Builds an {@link ArticleError} failure. */
export const articleError = (
  kind: ArticleErrorKind,
  message: string,
  at?: ArticleError['at'],
): { ok: false; error: ArticleError } => fail(at ? { kind, message, at } : { kind, message });

/**
 * The feed a file was fetched from, by where the poller writes it: `…/feeds/<feed id>/<file>`
 * (`incoming/feeds/` on AWS, `inbox/feeds/` on one machine).
 */
export const feedOfKey = (key: string): string | undefined =>
  /(?:^|\/)feeds\/([a-z0-9][a-z0-9-]{0,63})\/[^/]+$/.exec(key)?.[1];
