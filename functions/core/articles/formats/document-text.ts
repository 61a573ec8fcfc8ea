/**
 * Small rules the document formats share (web pages, mail, PDF, Word): text taken out of a
 * document is cleaned as a text file's bytes are, and its metadata fields are checked the
 * same way whatever document they came from.
 */
import { normaliseNewlinesAndForm } from '../decode.ts';

/**
 * Fewest words a document must yield to be an article. A headline with a caption or a
 * cookie notice is not one; the shortest news briefs run to about 50 words.
 */
export const MIN_ARTICLE_WORDS = 40;

/**
 * Text from inside a document (entities, PDF strings, XML) cleaned like a file's own text:
 * no control characters but tab and line feed, NFC, half surrogate pairs replaced.
 */
export const cleanText = (text: string): string => normaliseNewlinesAndForm(text).toWellFormed();

/** One line of metadata: cleaned, white space folded, or undefined when nothing is left. */
export const cleanLine = (text: string | null | undefined): string | undefined => {
  if (typeof text !== 'string') return undefined;
  const line = cleanText(text).replace(/\s+/g, ' ').trim();
  return line === '' ? undefined : line;
};

/** The address when it is an absolute http or https URL, else undefined. */
export const httpUrl = (text: string | null | undefined): string | undefined => {
  const line = cleanLine(text);
  if (line === undefined) return undefined;
  try {
    const url = new URL(line);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
};

/** A BCP 47 language tag (`en`, `es-MX`; `en_GB` becomes `en-GB`), or undefined. */
export const languageTag = (text: string | null | undefined): string | undefined => {
  const line = cleanLine(text);
  return line !== undefined && /^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$/i.test(line)
    ? line.replaceAll('_', '-')
    : undefined;
};

/**
 * Titles that programs write when the author gave none: the file's name, "Untitled",
 * "Microsoft Word - report.docx". Such a title says nothing; the lead sentence stands in.
 */
const PLACEHOLDER_TITLE =
  /^(?:untitled\b.*|document\s*\d*|microsoft (?:word|powerpoint) - .*|.*\.(?:docx?|pdf|odt|rtf|txt|indd))$/i;

/** A title worth keeping, or undefined for none or a placeholder. */
export const documentTitle = (text: string | null | undefined): string | undefined => {
  const line = cleanLine(text);
  return line === undefined || PLACEHOLDER_TITLE.test(line) ? undefined : line;
};

/** A by-line without its "By": "By Ann Lee" is Ann Lee. */
export const bylineName = (text: string | null | undefined): string | undefined => {
  const line = cleanLine(text)?.replace(/^by\s+/i, '');
  return line === '' ? undefined : line;
};

/** A library's error as part of a sentence: its first line, white space folded, at most 160 characters. */
export const reasonOf = (e: unknown): string => {
  const message = e instanceof Error ? e.message : String(e);
  const line = (message.split('\n')[0] ?? '').replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line || 'no reason given';
};
