/**
 * The contract every article format meets. A format recognises its files from the key and
 * the first bytes, and reads a file into one draft (an article file) or many (a container:
 * a feed, a JSON array, an export). The shared body rules, ids and limits are applied after,
 * in one place, whatever the format (`read-file.ts`).
 */
import type { ArticleError, Result } from '../article.ts';

/** What a format reads from one article, before the shared body rules run. */
export interface ArticleDraft {
  title?: string;
  /** Publication day, ISO `YYYY-MM-DD`. */
  date?: string;
  author?: string;
  /** The article's own address (a canonical or original URL); http or https. */
  url?: string;
  /** The publication, site or feed channel it came from. */
  source?: string;
  /** BCP 47 language tag as the file states it (`en`, `es-MX`). */
  language?: string;
  /** Subjects or categories the file gives. */
  categories?: string[];
  /** Body text, paragraphs separated by blank lines, or the paragraphs as a list. */
  body: string | string[];
  /** True when the file had only a summary of the article (a feed item without its content). */
  summaryOnly?: boolean;
}

/** One item of a container, read on its own: a bad item does not spoil the others. */
export interface DraftItem {
  /**
   * The item's name within the file: its own id (a feed's guid, a JSON `id`) when it has a
   * usable one, else its 1-based position. Becomes the item's key: `<file key>#<item>`.
   */
  item: string;
  draft: Result<ArticleDraft, ArticleError>;
}

/** What reading a file gave: one article, the items of a container, or why neither. */
export type FormatReading =
  | { kind: 'article'; draft: ArticleDraft }
  | { kind: 'container'; items: DraftItem[] }
  | { kind: 'error'; error: ArticleError };

/** What a format is shown to decide whether a file is its own. */
export interface FileHead {
  /** Object key or path, as given. */
  key: string;
  /** The first bytes of the file (at most 1 KiB). */
  bytes: Uint8Array;
  /** The first characters of the decoded text, byte-order mark and leading white space removed. */
  text: string;
}

/** One article format. */
export interface ArticleFormatReader {
  /** Recorded on each article it yields (`format`). */
  name: string;
  /** `text` formats are given the decoded, normalised text; `binary` ones the bytes. */
  input: 'text' | 'binary';
  /** Whether the file is this format's; cheap, from the key and the head only. */
  recognises(head: FileHead): boolean;
  /**
   * Reads the whole file. May be async, so a format that needs a large library loads it only
   * when one of its files arrives.
   */
  read(file: { key: string; bytes: Uint8Array; text: string }): FormatReading | Promise<FormatReading>;
}
