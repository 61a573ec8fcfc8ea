/**
 * JSON articles: one object per file, an array of them, or an export object holding one
 * (`{"articles": [...]}`), with the field names of common news APIs and exports. JSON Lines
 * files (`jsonl.ts`) read each line with the same field mapping.
 */
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { newsDay } from '../dates.ts';
import { normaliseNewlinesAndForm } from '../decode.ts';
import type { ArticleDraft, ArticleFormatReader, DraftItem, FormatReading } from './format.ts';

/**
 * Deepest nesting of arrays and objects a JSON file may have. Real exports nest three or four
 * levels; the bound keeps every reader of the file (the error locator recurses) far from the
 * stack's limit.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Where each article field is looked for, first name first. Dotted names reach into nested
 * objects (`fields.bodyText`). The table in `docs/article-formats.md` is this one.
 */
export const JSON_FIELDS = {
  title: ['title', 'headline', 'headline.main', 'webTitle', 'name'],
  body: ['body', 'content', 'text', 'articleBody', 'bodyText', 'fields.bodyText', 'body_text', 'full_text'],
  /** Used only when no body field is there: the article is then marked `summaryOnly`. */
  summary: ['description', 'summary', 'abstract', 'snippet', 'lead_paragraph', 'excerpt'],
  date: [
    'date',
    'publishedAt',
    'published_at',
    'published',
    'pubDate',
    'datePublished',
    'webPublicationDate',
    'pub_date',
    'dateTime',
    'publication_date',
    'created_at',
  ],
  url: ['url', 'link', 'web_url', 'webUrl', 'uri', 'canonical_url'],
  source: ['source', 'site', 'publisher', 'source_name', 'sourceName', 'outlet', 'domain'],
  author: ['author', 'authors', 'byline', 'creator', 'byline.original', 'fields.byline'],
  language: ['language', 'lang', 'inLanguage', 'locale'],
  categories: ['categories', 'category', 'tags', 'keywords', 'subjects', 'section', 'sectionName'],
  id: ['id', 'guid', 'uuid', 'article_id', '_id'],
} as const;

/** Keys of an export object whose value is the list of articles. */
const LIST_KEYS = ['articles', 'items', 'results', 'data', 'docs', 'response.results', 'response.docs'];

type Json = unknown;

const get = (o: Record<string, Json>, path: string): Json => {
  let v: Json = o;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, Json>)[part];
  }
  return v;
};

const first = (
  o: Record<string, Json>,
  paths: readonly string[],
): { path: string; value: Json } | undefined => {
  for (const path of paths) {
    const value = get(o, path);
    if (value !== undefined && value !== null && value !== '') return { path, value };
  }
  return undefined;
};

/**
 * A string as JSON escapes decode it (`\u0000`, a lone `\ud83d`), given the rules the file's
 * own bytes went through: newlines and control characters as in the text format, NFC, and
 * half a surrogate pair replaced by U+FFFD.
 */
const decoded = (text: string): string => normaliseNewlinesAndForm(text).toWellFormed();

/** A string, a number, or an object that names itself (`{ name }`, `{ title }`). */
const textOf = (v: Json): string | undefined => {
  if (typeof v === 'string') return decoded(v).trim() || undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, Json>;
    return textOf(o.name ?? o.title ?? o.main ?? o.original ?? o.value ?? o.label);
  }
  return undefined;
};

/** A string or a list of strings or named objects, as a list. */
const textsOf = (v: Json): string[] | undefined => {
  const list = (Array.isArray(v) ? v : [v]).map(textOf).filter((s): s is string => s !== undefined);
  return list.length > 0 ? list : undefined;
};

/** Why a field could not be read; `undefined` means it was fine or absent. */
type FieldError = { field: string; message: string };

const httpUrl = (text: string): boolean => {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

/**
 * One JSON object as an article draft, by {@link JSON_FIELDS}. Unknown fields are ignored; a
 * field that is there but unusable (a date that is not one, a URL that is not http) is an
 * error naming it.
 */
export const draftFromObject = (o: Record<string, Json>): Result<ArticleDraft, ArticleError> => {
  const fail = (e: FieldError) => articleError('InvalidArticle', `JSON field "${e.field}": ${e.message}`);
  const body = first(o, JSON_FIELDS.body);
  const summary = body ? undefined : first(o, JSON_FIELDS.summary);
  const text = body ?? summary;
  if (!text) {
    return articleError(
      'NoBody',
      `the JSON article has no body (looked for ${JSON_FIELDS.body.map((f) => `"${f}"`).join(', ')}, then a summary)`,
    );
  }
  const paragraphs = Array.isArray(text.value) ? textsOf(text.value) : textOf(text.value);
  if (paragraphs === undefined || (typeof text.value !== 'string' && !Array.isArray(text.value)))
    return fail({ field: text.path, message: 'must be text or a list of paragraphs' });
  const draft: ArticleDraft = { body: paragraphs };
  if (summary) draft.summaryOnly = true;

  const title = first(o, JSON_FIELDS.title);
  if (title) {
    const t = textOf(title.value);
    if (t === undefined) return fail({ field: title.path, message: 'must be text' });
    draft.title = t;
  }
  const date = first(o, JSON_FIELDS.date);
  if (date) {
    const raw = textOf(date.value);
    const day = raw === undefined ? undefined : newsDay(raw);
    if (day === undefined)
      return fail({
        field: date.path,
        message: `"${String(raw ?? typeof date.value).slice(0, 60)}" is not a date (ISO 8601, RFC 2822 or "28 November 2026")`,
      });
    draft.date = day;
  }
  const url = first(o, JSON_FIELDS.url);
  if (url) {
    const u = textOf(url.value);
    if (u === undefined || !httpUrl(u))
      return fail({ field: url.path, message: 'must be an http or https URL' });
    draft.url = u;
  }
  const source = first(o, JSON_FIELDS.source);
  const sourceName = source ? textOf(source.value) : undefined;
  if (sourceName !== undefined) draft.source = sourceName;
  const author = first(o, JSON_FIELDS.author);
  const authors = author ? textsOf(author.value) : undefined;
  if (authors) draft.author = authors.join(', ');
  const language = first(o, JSON_FIELDS.language);
  const lang = language ? textOf(language.value) : undefined;
  if (lang !== undefined && /^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$/i.test(lang))
    draft.language = lang.replace('_', '-');
  const categories = first(o, JSON_FIELDS.categories);
  const cats = categories ? textsOf(categories.value) : undefined;
  if (cats) draft.categories = cats.slice(0, 50);
  return ok(draft);
};

/** The item name of an object in a list: its own id when it has a short one, else its position. */
export const itemName = (o: Json, position: number): string => {
  if (o && typeof o === 'object' && !Array.isArray(o)) {
    const id = first(o as Record<string, Json>, JSON_FIELDS.id);
    const text = id ? textOf(id.value) : undefined;
    if (text !== undefined && /^[\w.:@/-]{1,120}$/.test(text)) return text;
  }
  return String(position);
};

/** Line and column (1-based) of a character offset. */
export const lineAndColumn = (source: string, offset: number): { line: number; column: number } => {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
};

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

/**
 * Reads strict JSON, or says why it is not, with line and column. The tolerant JSONC parser
 * is used only to locate the first problem; comments and trailing commas count as problems.
 */
export const readJson = (source: string, offsetBase = 0): Result<Json, ArticleError> => {
  const deep = tooDeepAt(source, MAX_JSON_DEPTH);
  if (deep >= 0) {
    const at = lineAndColumn(source, deep);
    const line = at.line + offsetBase;
    return articleError(
      'InvalidArticle',
      `the JSON nests more than ${MAX_JSON_DEPTH} levels deep at line ${line}, column ${at.column}; an article is one flat object`,
      { line, column: at.column },
    );
  }
  try {
    return ok(JSON.parse(source) as Json);
  } catch {
    const errors: ParseError[] = [];
    parseJsonc(source, errors, {
      allowTrailingComma: false,
      disallowComments: true,
      allowEmptyContent: false,
    });
    const problem = errors[0];
    if (!problem) return articleError('MalformedJson', 'the file is not valid JSON');
    const at = lineAndColumn(source, problem.offset);
    const what = printParseErrorCode(problem.error)
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase();
    const line = at.line + offsetBase;
    return articleError(
      'MalformedJson',
      `the file is not valid JSON: ${what} at line ${line}, column ${at.column}`,
      {
        line,
        column: at.column,
      },
    );
  }
};

const isObject = (v: Json): v is Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The items of a list of articles, each read on its own. */
export const itemsOf = (list: readonly Json[]): DraftItem[] => {
  const seen = new Set<string>();
  return list.map((o, i) => {
    let item = itemName(o, i + 1);
    // Two entries with one id are still two items.
    if (seen.has(item)) item = `${item}~${i + 1}`;
    seen.add(item);
    return {
      item,
      draft: isObject(o)
        ? draftFromObject(o)
        : articleError(
            'InvalidArticle',
            `item ${i + 1} is ${o === null ? 'null' : typeof o}, not an article object`,
          ),
    };
  });
};

/** The JSON format: `.json` files, or any file whose first character is `{` or `[`. */
export const jsonFormat: ArticleFormatReader = {
  name: 'json',
  input: 'text',
  recognises: ({ key, text }) => /\.json$/i.test(key) || text.startsWith('{') || text.startsWith('['),
  read: ({ text }): FormatReading => {
    const data = readJson(text);
    if (!data.ok) return { kind: 'error', error: data.error };
    const value = data.value;
    if (Array.isArray(value)) {
      // A list with no object in it is not a list of articles (`[1, 2, 3]`): refused whole.
      if (value.length > 0 && !value.some(isObject))
        return {
          kind: 'error',
          error: { kind: 'InvalidArticle', message: 'the JSON is a list that holds no article objects' },
        };
      return { kind: 'container', items: itemsOf(value) };
    }
    if (!isObject(value))
      return {
        kind: 'error',
        error: { kind: 'InvalidArticle', message: 'the JSON is not an object or a list of them' },
      };
    // An export object that holds its articles in a list and has no body of its own.
    if (!first(value, JSON_FIELDS.body)) {
      const list = first(value, LIST_KEYS);
      if (list && Array.isArray(list.value)) return { kind: 'container', items: itemsOf(list.value) };
    }
    const draft = draftFromObject(value);
    return draft.ok ? { kind: 'article', draft: draft.value } : { kind: 'error', error: draft.error };
  },
};
