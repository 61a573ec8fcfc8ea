/**
 * A search of the stored texts, as the dashboard and the command line offer it: an article is
 * found when its folded text contains every folded word of the search, anywhere (a word may
 * be part of a longer one: "vaccin" finds "vaccines"). The same two functions make the text
 * an index keeps and the words a search looks for, so every reader finds the same articles.
 */

/** Folds for a search: compatibility forms, no marks, lower case ("Café" is found by "cafe"). */
const searchFold = (s: string): string => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** What a search looks in: an article's title, author and paragraphs, folded. */
export const searchTextOf = (article: {
  title: string;
  author?: string | undefined;
  paragraphs: readonly string[];
}): string => searchFold(`${article.title}\n${article.author ?? ''}\n${article.paragraphs.join('\n')}`);

/** The folded words of a search (none for an empty or blank one). */
export const searchWords = (q: string | undefined): string[] =>
  q ? searchFold(q).split(/\s+/).filter(Boolean) : [];
