import type { ArticleFilter, ArticleSummary } from './services.ts';

/**
 * Article lists written out for a spreadsheet or a script: CSV by RFC 4180 (a header row,
 * CRLF line ends, fields with a comma, a quote or a line break quoted, quotes doubled) and
 * JSON. Article text comes from anyone who can drop a file into the inbox, so a cell that a
 * spreadsheet would read as a formula (one starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return) is written with a leading `'`, which shows it as text.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: made inert for spreadsheets, then quoted when it has to be. */
export const csvField = (value: string | number | undefined): string => {
  const text = value === undefined ? '' : String(value);
  const inert = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
};

/** A CSV document: the header row, then one record per row, each line ended by CRLF. */
export const toCsv = (
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>,
) => [header, ...rows].map((r) => `${r.map(csvField).join(',')}\r\n`).join('');

/** The columns of an article export, in order. */
export const ARTICLE_COLUMNS = [
  'id',
  'date',
  'title',
  'outlet',
  'author',
  'language',
  'countries',
  'topics',
  'best_score',
  'snippet',
  'url',
  'source_key',
  'story_id',
] as const;

/** The snippet as plain text: its `**` marks taken out. */
const plainSnippet = (a: ArticleSummary): string => (a.snippet ?? a.lead).replaceAll('**', '');

/** Articles as CSV, one row each: topics as `id:score` joined by `; `, countries by `; `. */
export const articlesCsv = (articles: readonly ArticleSummary[]): string =>
  toCsv(
    ARTICLE_COLUMNS,
    articles.map((a) => [
      a.id,
      a.date,
      a.title,
      a.outlet,
      a.author,
      a.language ?? 'und',
      a.countries.join('; '),
      a.topics.map((t) => `${t.id}:${t.score}`).join('; '),
      a.topics[0]?.score,
      plainSnippet(a),
      a.url,
      a.sourceKey,
      a.storyId,
    ]),
  );

/** Articles as a JSON document: what was asked, how many, and the articles. */
export const articlesJson = (
  articles: readonly ArticleSummary[],
  filter: ArticleFilter,
  exportedAt: string,
): string => `${JSON.stringify({ exportedAt, filter, total: articles.length, articles }, null, 2)}\n`;
