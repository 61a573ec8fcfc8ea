import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import * as z from '../validation.ts';
import { type ArticleError, articleError, ok, type Result } from './article.ts';
import { isoDay } from './dates.ts';
import { normaliseNewlinesAndForm } from './decode.ts';

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
  title: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(1000))),
  headline: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(1000))),
  body: z.optional(textOrList),
  content: z.optional(textOrList),
  text: z.optional(textOrList),
  date: z.optional(text),
  published_at: z.optional(text),
  publishedAt: z.optional(text),
  author: z.optional(textOrList),
  url: z.optional(z.url({ protocol: /^https?$/, error: 'must be an http or https URL' })),
  source: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))),
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
 * A string as JSON escapes decode it (`\u0000`, a lone `\ud83d`), given the rules the file's
 * own bytes went through: newlines and control characters as in the text format, NFC, and
 * half a surrogate pair replaced by U+FFFD.
 */
const decoded = (text: string): string => normaliseNewlinesAndForm(text).toWellFormed();

/** Parses a JSON article: one object per file. */
export const parseJsonArticle = (source: string): Result<JsonFields, ArticleError> => {
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
  const fields: JsonFields = { body: decoded(joinParagraphs(bodyField)) };
  const title = a.title ?? a.headline;
  if (title !== undefined) fields.title = decoded(title);
  if (date !== undefined) fields.date = date;
  if (a.author !== undefined)
    fields.author = decoded(Array.isArray(a.author) ? a.author.join(', ') : a.author);
  if (a.url !== undefined) fields.url = a.url;
  if (a.source !== undefined) fields.source = decoded(a.source);
  return ok(fields);
};
