import { type ArticleError, articleError, ok, type Result } from './article.ts';
import { isCalendarDate } from './dates.ts';

/** What the plain-text format yields before the shared body rules run. */
export interface TextFields {
  date?: string;
  author?: string;
  /** Body text after the header, paragraphs still separated by blank lines. */
  body: string;
}

/** `date YYYY-MM-DD` (or `Date: …`), possibly indented, then anything on the same line. */
const HEADER = /^[ \t]*date:?[ \t]+(\S+)(?:[ \t]+(.*))?$/i;

/** A by-line names a person or a desk: a few capitalised words, no sentence punctuation. */
const looksLikeByline = (text: string): boolean => {
  const words = text.split(/\s+/);
  if (words.length === 0 || words.length > 8 || text.length > 80) return false;
  if (/[.!?;:"“”]$/.test(text) || /[!?;"“”]/.test(text)) return false;
  const capitalised = words.filter((w) => /^\p{Lu}/u.test(w)).length;
  return capitalised >= Math.ceil(words.length / 2);
};

const BYLINE = /^by[ \t]+(.+)$/i;

/**
 * Parses the plain-text article format: an optional header line `date YYYY-MM-DD`,
 * optionally followed on the same line by `By <author>` or by the first words of the body.
 * A `By <author>` line may also follow the header on its own.
 */
export const parseTextArticle = (text: string): Result<TextFields, ArticleError> => {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && (lines[i] as string).trim() === '') i++;
  const header = HEADER.exec(lines[i] ?? '');
  if (!header) return ok({ body: text });

  const date = header[1] as string;
  if (!isCalendarDate(date)) {
    return articleError(
      'InvalidArticle',
      `line ${i + 1}: "${date}" is not a date; the header must read "date YYYY-MM-DD"`,
      { line: i + 1, column: (lines[i] as string).indexOf(date) + 1 },
    );
  }
  const rest = (header[2] ?? '').trim();
  const bodyLines = lines.slice(i + 1);
  const fields: TextFields = { date, body: '' };

  const byline = BYLINE.exec(rest);
  if (byline && looksLikeByline((byline[1] as string).trim())) {
    fields.author = (byline[1] as string).trim();
  } else if (rest !== '') {
    bodyLines.unshift(rest);
  } else {
    const next = bodyLines.findIndex((l) => l.trim() !== '');
    const own = next >= 0 ? BYLINE.exec((bodyLines[next] as string).trim()) : null;
    if (own && looksLikeByline((own[1] as string).trim())) {
      fields.author = (own[1] as string).trim();
      bodyLines.splice(0, next + 1);
    }
  }
  fields.body = bodyLines.join('\n');
  return ok(fields);
};
