import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import * as z from '../validation.ts';
import { type ArticleError, articleError, ok, type Result } from './article.ts';
import { isoDay } from './dates.ts';

/** What the JSON format yields before the shared body rules run. */
export interface JsonFields {
  title?: string;
  date?: string;
  author?: string;
  url?: string;
  source?: string;
  body: string;
}

const text = z.string().check(z.trim(), z.minLength(1));
const textOrList = z.union([text, z.array(z.string()).check(z.minLength(1))]);

/** The JSON article shape. Field names follow common feed exports; unknown fields are ignored. */
const JsonArticleSchema = z.looseObject({
  // Long titles, authors and sources are cut where the article is built, not refused.
  title: z.optional(text),
  headline: z.optional(text),
  body: z.optional(textOrList),
  content: z.optional(textOrList),
  text: z.optional(textOrList),
  date: z.optional(text),
  published_at: z.optional(text),
  publishedAt: z.optional(text),
  author: z.optional(textOrList),
  url: z.optional(z.url({ protocol: /^https?$/, error: 'must be an http or https URL' })),
  source: z.optional(text),
});

const joinParagraphs = (v: string | string[]): string => (Array.isArray(v) ? v.join('\n\n') : v);

/** Line and column (1-based) of a character offset. */
const lineAndColumn = (source: string, offset: number): { line: number; column: number } => {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
};

/**
 * Describes why strict JSON failed, with line and column. The tolerant JSONC parser is used
 * only to locate the first problem; comments and trailing commas count as problems too.
 */
const malformed = (source: string): { ok: false; error: ArticleError } => {
  const errors: ParseError[] = [];
  parseJsonc(source, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return articleError('MalformedJson', 'the file is not valid JSON');
  const at = lineAndColumn(source, first.offset);
  const what = printParseErrorCode(first.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return articleError(
    'MalformedJson',
    `the file is not valid JSON: ${what} at line ${at.line}, column ${at.column}`,
    at,
  );
};

/**
 * Deepest nesting of arrays and objects an article file may have. Real exports nest two or
 * three levels; the bound keeps every reader of the file (the error locator recurses) far
 * from the stack's limit.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The offset where nesting first goes deeper than `max`, or -1. One pass over the text,
 * skipping strings, so brackets inside them do not count.
 */
export const tooDeepAt = (source: string, max: number): number => {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, past escaped characters.
      for (i++; i < source.length; i++) {
        const d = source.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
};

/** Parses a JSON article: one object per file. */
export const parseJsonArticle = (source: string): Result<JsonFields, ArticleError> => {
  const deep = tooDeepAt(source, MAX_JSON_DEPTH);
  if (deep >= 0) {
    const at = lineAndColumn(source, deep);
    return articleError(
      'InvalidArticle',
      `the JSON nests more than ${MAX_JSON_DEPTH} levels deep at line ${at.line}, column ${at.column}; an article is one flat object`,
      at,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch {
    return malformed(source);
  }
  if (Array.isArray(data)) {
    return articleError(
      'InvalidArticle',
      `the file holds a JSON array of ${data.length} items; put one article object in each file`,
    );
  }
  const parsed = JsonArticleSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? issue.path.join('.') : 'the document';
    return articleError('InvalidArticle', `JSON field "${path}": ${issue?.message ?? 'invalid'}`);
  }
  const a = parsed.data;
  const bodyField = a.body ?? a.content ?? a.text;
  if (bodyField === undefined) {
    return articleError('NoBody', 'the JSON article has no "body", "content" or "text" field');
  }
  const rawDate = a.date ?? a.published_at ?? a.publishedAt;
  const date = rawDate === undefined ? undefined : isoDay(rawDate);
  if (rawDate !== undefined && date === undefined) {
    return articleError(
      'InvalidArticle',
      `JSON field "date": "${rawDate}" is not an ISO 8601 date (YYYY-MM-DD)`,
    );
  }
  const fields: JsonFields = { body: joinParagraphs(bodyField) };
  const title = a.title ?? a.headline;
  if (title !== undefined) fields.title = title;
  if (date !== undefined) fields.date = date;
  if (a.author !== undefined) fields.author = Array.isArray(a.author) ? a.author.join(', ') : a.author;
  if (a.url !== undefined) fields.url = a.url;
  if (a.source !== undefined) fields.source = a.source;
  return ok(fields);
};
