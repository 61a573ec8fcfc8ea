/**
 * Key layout of the single newswatch table. Every item has `pk` and `sk`; the one global
 * secondary index `gsi1` is overloaded (articles by month, keys by article, errors by month).
 * docs/data-model.md explains each access pattern.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

/** Key builders: the only place item keys are spelt. */
export const keys = {
  article: (id: string) => ({ pk: `ARTICLE#${id}`, sk: 'ARTICLE' }),
  articleByMonth: (date: string, id: string) => ({
    gsi1pk: `MONTH#${date.slice(0, 7)}`,
    gsi1sk: `${date}#${id}`,
  }),
  source: (key: string) => ({ pk: `SOURCE#${key}`, sk: 'SOURCE' }),
  sourceByArticle: (articleId: string, key: string) => ({
    gsi1pk: `ARTICLE#${articleId}`,
    gsi1sk: `SOURCE#${key}`,
  }),
  error: (key: string, etag: string) => ({ pk: `SOURCE#${key}`, sk: `ERROR#${etag}` }),
  topicSetVersion: () => ({ pk: 'TOPICS', sk: 'VERSION' }),
  topic: (id: string) => ({ pk: 'TOPICS', sk: `TOPIC#${id}` }),
  list: (name: string) => ({ pk: 'TOPICS', sk: `LIST#${name}` }),
  /** Part `n` (from 0) of the index snapshot of a topic set version. */
  topicIndexPart: (version: string, n: number) => ({
    pk: `TOPIC-INDEX#${version}`,
    sk: `PART#${String(n).padStart(5, '0')}`,
  }),
  label: (topicId: string, articleId: string) => ({ pk: `LABELS#${topicId}`, sk: `ARTICLE#${articleId}` }),
  match: (articleId: string, topicId: string) => ({ pk: `ARTICLE#${articleId}`, sk: `MATCH#${topicId}` }),
  matchByTopic: (topicId: string, articleDate: string, articleId: string) => ({
    gsi1pk: `TOPIC#${topicId}`,
    gsi1sk: `${articleDate}#${articleId}`,
  }),
  matchRun: (articleId: string, analyserVersion: string, topicSetVersion: string) => ({
    pk: `ARTICLE#${articleId}`,
    sk: `RUN#${analyserVersion}#${topicSetVersion}`,
  }),
  matchRunByDay: (ranAt: string, articleId: string) => ({
    gsi1pk: `RUNS#${ranAt.slice(0, 10)}`,
    gsi1sk: `${ranAt}#${articleId}`,
  }),
  errorByMonth: (occurredAt: string, key: string) => ({
    gsi1pk: `ERRORS#${occurredAt.slice(0, 7)}`,
    gsi1sk: `${occurredAt}#${key}`,
  }),
  feedState: (feedId: string) => ({ pk: `FEED#${feedId}`, sk: 'STATE' }),
  /** One near-duplicate band key (`<fingerprint version>:<band>:<hash>`) and the articles it lists. */
  band: (bandKey: string) => ({ pk: `BAND#${bandKey}`, sk: 'BAND' }),
  articleStory: (articleId: string) => ({ pk: `ARTICLE#${articleId}`, sk: 'STORY' }),
  storyTopics: (storyId: string) => ({ pk: `STORY#${storyId}`, sk: 'TOPICS' }),
};

/** Months (`YYYY-MM`) from one date to another, both included. */
export const monthsBetween = (from: string, to: string): string[] => {
  const months: string[] = [];
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const end = to.slice(0, 7);
  for (let guard = 0; guard < 1200; guard++) {
    const month = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
    if (month > end) break;
    months.push(month);
    m = m === 12 ? 1 : m + 1;
    if (m === 1) y++;
  }
  return months;
};

export { comparableSequencer } from '../../core/pipeline/ports.ts';

/** An item without its key attributes and type tag: the record the stores hand out. */
export const withoutKeys = (item: Record<string, unknown>): Record<string, unknown> => {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _t, ...rest } = item;
  return rest;
};
