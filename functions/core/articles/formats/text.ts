/**
 * Plain-text articles: an optional header line (`date 2026-11-28`, `Date: November 28, 2026`),
 * optionally followed on the same line by `By <author>` or by the first words of the body; a
 * `By <author>` line may also follow the header on its own. Any text file no other format
 * claims is read this way.
 */
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { newsDay } from '../dates.ts';
import type { ArticleDraft, ArticleFormatReader } from './format.ts';

/** `date …` (or `Date: …`), possibly indented, then the rest of the line. */
const HEADER = /^[ \t]*date(:?)[ \t]+(.+)$/i;

/** A by-line names a person or a desk: a few capitalised words, no sentence punctuation. */
const looksLikeByline = (text: string): boolean => {
  const words = text.split(/\s+/);
  if (words.length === 0 || words.length > 8 || text.length > 80) return false;
  if (/[.!?;:"“”]$/.test(text) || /[!?;"“”]/.test(text)) return false;
  const capitalised = words.filter((w) => /^\p{Lu}/u.test(w)).length;
  return capitalised >= Math.ceil(words.length / 2);
};

const BYLINE = /^by[ \t]+(.+)$/i;

/** Most words a date in a header takes ("Saturday, 28 November 2026 10:00 GMT"). */
const MAX_DATE_WORDS = 7;

/**
 * The date at the start of a header line and what follows it: the longest run of words that
 * reads as a date ({@link newsDay}), so `date 2020-07-26 By Ayya` and `Date: November 28, 2026`
 * both work. Undefined when no prefix is a date.
 */
const headerDate = (line: string): { day: string; raw: string; rest: string } | undefined => {
  const words = line.trim().split(/\s+/);
  for (let n = Math.min(MAX_DATE_WORDS, words.length); n >= 1; n--) {
    const raw = words.slice(0, n).join(' ');
    const day = newsDay(raw.replace(/[,;]$/, ''));
    if (day) return { day, raw, rest: words.slice(n).join(' ') };
  }
  return undefined;
};

/** A line of `text`: where it starts, and where its line break is (-1 for the last line). */
interface Line {
  start: number;
  end: number;
}

/** The first line from `start` on that holds more than white space, if any. */
const firstFilledLine = (text: string, start: number): Line | undefined => {
  for (;;) {
    const end = text.indexOf('\n', start);
    if (text.slice(start, end === -1 ? text.length : end).trim() !== '') return { start, end };
    if (end === -1) return undefined;
    start = end + 1;
  }
};

/** The text of a line, without its line break. */
const lineText = (text: string, line: Line) =>
  text.slice(line.start, line.end === -1 ? text.length : line.end);

/** The lines after `line`, as they are in the text; undefined when it is the last. */
const linesAfter = (text: string, line: Line) => (line.end === -1 ? undefined : text.slice(line.end + 1));

/** The number (0-based) of the line that starts at `start`. */
const lineNumber = (text: string, start: number): number => {
  let n = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < start; at = text.indexOf('\n', at + 1)) n++;
  return n;
};

/** Reads the plain-text format (see the module comment). */
export const parseTextArticle = (text: string): Result<ArticleDraft, ArticleError> => {
  const first = firstFilledLine(text, 0);
  const line = first === undefined ? '' : lineText(text, first);
  const header = HEADER.exec(line);
  if (!header || first === undefined) return ok({ body: text });

  const found = headerDate(header[2] as string);
  // "Date palms grow…" is the body; "Date: soon" and "date 2020-02-30" are headers whose date is wrong.
  if (!found && header[1] !== ':' && !/^\s*\d/.test(header[2] as string)) return ok({ body: text });
  if (!found) {
    const words = (header[2] as string).trim().split(/\s+/);
    const written = words.slice(0, /^\d/.test(words[0] as string) ? 1 : 3).join(' ');
    const number = lineNumber(text, first.start) + 1;
    return articleError(
      'InvalidArticle',
      `line ${number}: "${written}" is not a date; the header reads "date 2026-11-28" (or "Date: November 28, 2026", "28/11/2026")`,
      { line: number, column: line.indexOf(written.split(' ')[0] as string) + 1 },
    );
  }
  const rest = found.rest.trim();
  const after = linesAfter(text, first);
  const draft: ArticleDraft = { date: found.day, body: after ?? '' };

  const byline = BYLINE.exec(rest);
  if (byline && looksLikeByline((byline[1] as string).trim())) {
    draft.author = (byline[1] as string).trim();
  } else if (rest !== '') {
    draft.body = after === undefined ? rest : `${rest}\n${after}`;
  } else if (after !== undefined) {
    const next = firstFilledLine(after, 0);
    const own = next === undefined ? null : BYLINE.exec(lineText(after, next).trim());
    if (next !== undefined && own && looksLikeByline((own[1] as string).trim())) {
      draft.author = (own[1] as string).trim();
      draft.body = linesAfter(after, next) ?? '';
    }
  }
  return ok(draft);
};

/** The plain-text format: the last resort for any text file. */
export const textFormat: ArticleFormatReader = {
  name: 'text',
  input: 'text',
  recognises: () => true,
  read: ({ text }) => {
    const draft = parseTextArticle(text);
    return draft.ok ? { kind: 'article', draft: draft.value } : { kind: 'error', error: draft.error };
  },
};
