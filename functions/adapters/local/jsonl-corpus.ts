import { readFileSync } from 'node:fs';
import type { Article } from '../../core/articles/article.ts';
import { isoDay } from '../../core/articles/dates.ts';
import { parseArticle } from '../../core/articles/parse-article.ts';
import type { LabelledArticle } from '../../core/topics/relevance.ts';

/** A JSON Lines collection of articles, each with an id of its own, read for evaluation. */
export interface JsonLinesCorpus {
  articles: Map<string, LabelledArticle & { article: Article }>;
  /** Lines that could not become an article, with the parser's reason. */
  problems: Array<{ line: number; id?: string; message: string }>;
}

const encoder = new TextEncoder();

/**
 * Reads a JSON Lines file of articles — `{"id", "title", "body", "date", "author", "source",
 * "url", "lang"}` a line — through the same parser as ingested files, so matching sees the same
 * normalised text. Items are referred to by their `id` (the newswatch article id when they
 * have none).
 */
export const readJsonLinesCorpus = (path: string): JsonLinesCorpus => {
  const articles: JsonLinesCorpus['articles'] = new Map();
  const problems: JsonLinesCorpus['problems'] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let item: Record<string, unknown>;
      try {
        item = JSON.parse(line) as Record<string, unknown>;
      } catch (e) {
        problems.push({ line: i + 1, message: `not JSON: ${(e as Error).message}` });
        return;
      }
      const id = typeof item.id === 'string' && item.id !== '' ? item.id : undefined;
      // Empty strings stand for unknown fields; the parser wants them absent.
      const fields: Record<string, string> = Object.fromEntries(
        ['title', 'body', 'date', 'author', 'source', 'url', 'lang']
          .map((k) => [k, item[k]])
          .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''),
      );
      // A date in another form does not change what an article says: match it undated.
      if (typeof fields.date === 'string' && isoDay(fields.date) === undefined) delete fields.date;
      const parse = (f: Record<string, string>) =>
        parseArticle({
          key: `${path}#${id ?? i + 1}.json`,
          bytes: encoder.encode(JSON.stringify(f)),
          receivedAt: '2000-01-01T00:00:00Z',
        });
      let parsed = parse(fields);
      // A link that is not http(s) does not change what the article says: match it without.
      if (!parsed.ok && parsed.error.message.includes('"url"') && fields.url !== undefined) {
        const { url: _url, ...rest } = fields;
        parsed = parse(rest);
      }
      if (!parsed.ok) {
        problems.push({
          line: i + 1,
          ...(id ? { id } : {}),
          message: `${parsed.error.kind}: ${parsed.error.message}`,
        });
        return;
      }
      const a = parsed.value;
      articles.set(id ?? a.id, {
        id: id ?? a.id,
        title: a.title,
        paragraphs: a.paragraphs,
        ...(a.author ? { author: a.author } : {}),
        article: a,
      });
    });
  return { articles, problems };
};
