/**
 * The plain-text reader as it was written before it stopped splitting the file into lines:
 * every line cut out, the body joined back. Kept to check the new one against.
 */
import {
  type ArticleError,
  articleError,
  ok,
  type Result,
} from '../../../../functions/core/articles/article.ts';
import { newsDay } from '../../../../functions/core/articles/dates.ts';
import type { ArticleDraft } from '../../../../functions/core/articles/formats/format.ts';

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

/** Reads the plain-text format (see the module comment). */
export const parseTextArticle = (text: string): Result<ArticleDraft, ArticleError> => {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && (lines[i] as string).trim() === '') i++;
  const header = HEADER.exec(lines[i] ?? '');
  if (!header) return ok({ body: text });

  const found = headerDate(header[2] as string);
  // "Date palms grow…" is the body; "Date: soon" and "date 2020-02-30" are headers whose date is wrong.
  if (!found && header[1] !== ':' && !/^\s*\d/.test(header[2] as string)) return ok({ body: text });
  if (!found) {
    const words = (header[2] as string).trim().split(/\s+/);
    const written = words.slice(0, /^\d/.test(words[0] as string) ? 1 : 3).join(' ');
    return articleError(
      'InvalidArticle',
      `line ${i + 1}: "${written}" is not a date; the header reads "date 2026-11-28" (or "Date: November 28, 2026", "28/11/2026")`,
      { line: i + 1, column: (lines[i] as string).indexOf(written.split(' ')[0] as string) + 1 },
    );
  }
  const rest = found.rest.trim();
  const bodyLines = lines.slice(i + 1);
  const draft: ArticleDraft = { date: found.day, body: '' };

  const byline = BYLINE.exec(rest);
  if (byline && looksLikeByline((byline[1] as string).trim())) {
    draft.author = (byline[1] as string).trim();
  } else if (rest !== '') {
    bodyLines.unshift(rest);
  } else {
    const next = bodyLines.findIndex((l) => l.trim() !== '');
    const own = next >= 0 ? BYLINE.exec((bodyLines[next] as string).trim()) : null;
    if (own && looksLikeByline((own[1] as string).trim())) {
      draft.author = (own[1] as string).trim();
      bodyLines.splice(0, next + 1);
    }
  }
  draft.body = bodyLines.join('\n');
  return ok(draft);
};
