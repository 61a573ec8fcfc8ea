import type { StoredArticle } from '../functions/adapters/aws/dynamodb-article-store.ts';
import {
  type CatalogSnapshot,
  type CopyGroup,
  type DeliveryFactsByAlert,
  deliveryFactsIn,
  type TopicCounts,
} from '../functions/adapters/local/local-catalog.ts';
import {
  type RecipientState,
  type RecipientStatus,
  recipientCounts,
  recipientsOf,
} from '../functions/core/alerts/recipients.ts';
import type { Subscriber } from '../functions/core/alerts/subscribers.ts';
import { searchTextOf, searchWords } from '../functions/core/articles/search.ts';
import { outletOf, type StoryRecord } from '../functions/core/stories/story.ts';
import { backfillTopic } from '../functions/core/pipeline/backfill.ts';
import type { MatchRecord, TopicSet } from '../functions/core/pipeline/matching.ts';
import type { Explanation } from '../functions/core/topics/explain.ts';
import { lintQuery } from '../functions/core/topics/lint.ts';
import { caret, parseListItem, parseQuery, QuerySyntaxError } from '../functions/core/topics/query.ts';
import type { RelevanceLabel } from '../functions/core/topics/labels.ts';
import type { StageVerdict, TrainedStage } from '../functions/core/topics/trained-stage.ts';
import {
  crossValidatedFigures,
  judgeTopics,
  STAGE_FOLDS,
  type LabelledArticle,
  type Split,
  splitOf,
  type TopicFigures as RelevanceFigures,
  topicFigures,
} from '../functions/core/topics/relevance.ts';
import type { TopicDefinition } from '../functions/core/topics/topic.ts';

/**
 * Read models of one machine's newswatch, shared by the dashboard's API and the CLI: plain
 * functions over a snapshot of the table and the topic set, so both say the same thing.
 */

/** One article in a list. */
export interface ArticleSummary {
  id: string;
  title: string;
  date: string;
  source?: string;
  author?: string;
  /** The outlet, as the story lists name it: its source, the host of its URL, or the folder it came from. */
  outlet: string;
  url?: string;
  sourceKey: string;
  wordCount: number;
  /** Lower-case primary subtag, `und` when undetermined (see core/articles/language.ts). */
  language?: string;
  /** Countries its matches found (ISO codes), most mentioned first. */
  countries: string[];
  ingestedAt: string;
  topics: Array<{ id: string; score: number }>;
  /** The best match's snippet (of the topic filtered on, if any), its terms marked `**like this**`. */
  snippet?: string;
  /** The start of the text, for an article no topic matched. */
  lead: string;
  /** The story the article belongs to, and how many articles that story has. */
  storyId?: string;
  storyArticles?: number;
}

/** Orders of an article list. */
export const ARTICLE_SORTS = ['date', 'score'] as const;

/** Filters of an article list. */
export interface ArticleFilter {
  /** Words that must all appear in the title or body (case and accents ignored). */
  q?: string;
  /** Only articles matched by this topic. */
  topic?: string;
  /** Only articles of this outlet ({@link ArticleSummary.outlet}). */
  outlet?: string;
  /** Only articles in this language (`und`: not determined). */
  language?: string;
  /** Only articles whose matches found this country (ISO code). */
  country?: string;
  /** Only articles matched at or above this score (by the topic filtered on, else by any). */
  minScore?: number;
  /** Article dates from / to (`YYYY-MM-DD`, both included). */
  from?: string;
  to?: string;
  /** `date` (newest first, the default) or `score` (best match first, then newest). */
  sort?: (typeof ARTICLE_SORTS)[number];
  /** Articles skipped before the first one returned (paging). */
  offset?: number;
  limit?: number;
}

const LEAD_LENGTH = 240;

/**
 * Orders the larger of two keys first, compared character by character as the table's indexes
 * compare dates, times and ids: a list is in one order, read from a snapshot or from an index.
 */
const later = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);

/** An article as a list filters and orders it. */
type ListedArticle = Pick<
  StoredArticle,
  'id' | 'date' | 'ingestedAt' | 'language' | 'source' | 'url' | 'sourceKey'
>;

/** A match as a list filters on it. */
interface ListedMatch {
  articleId: string;
  topicId: string;
  score: number;
  countries: readonly string[];
}

/**
 * What a list filters, orders and counts on: matches by article (best first), outlets and
 * countries, and the articles newest first. Made once per snapshot, or from the facts the
 * table's indexes hold ({@link listIndexOf}); a list of 100k articles then filters and pages
 * without re-sorting.
 */
export interface ListIndex {
  matchesByArticle: Map<string, ListedMatch[]>;
  outlets: Map<string, string>;
  countries: Map<string, string[]>;
  newestFirst: ListedArticle[];
  /** Folded title, author and body of an article, when they were read (a snapshot's). */
  textOf?: (a: ListedArticle) => string;
}

/** The list index of articles (in any order, or newest first already) and their matches. */
export const listIndexOf = (
  articles: readonly ListedArticle[],
  matches: Iterable<ListedMatch>,
  options: { newestFirst?: boolean } = {},
): ListIndex => {
  const matchesByArticle = new Map<string, ListedMatch[]>();
  for (const m of matches) {
    const mine = matchesByArticle.get(m.articleId);
    if (mine) mine.push(m);
    else matchesByArticle.set(m.articleId, [m]);
  }
  for (const mine of matchesByArticle.values()) mine.sort((x, y) => y.score - x.score);
  const countries = new Map<string, string[]>();
  for (const [id, mine] of matchesByArticle) {
    const seen = new Map<string, number>();
    for (const m of mine) for (const c of m.countries) seen.set(c, (seen.get(c) ?? 0) + 1);
    if (seen.size > 0)
      countries.set(
        id,
        [...seen].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c),
      );
  }
  return {
    matchesByArticle,
    outlets: new Map(articles.map((a) => [a.id, outletOf(a)])),
    countries,
    newestFirst: options.newestFirst
      ? [...articles]
      : [...articles].sort(
          (a, b) => later(a.date, b.date) || later(a.ingestedAt, b.ingestedAt) || later(a.id, b.id),
        ),
  };
};

/** What every list of a snapshot reads, worked out once per snapshot (the runtime reuses one for a couple of seconds). */
interface CatalogIndex extends ListIndex {
  stories: Map<string, StoryRecord>;
  fullMatches: Map<string, MatchRecord[]>;
}

const indexes = new WeakMap<CatalogSnapshot, CatalogIndex>();

const indexOf = (snap: CatalogSnapshot): CatalogIndex => {
  const known = indexes.get(snap);
  if (known) return known;
  const fullMatches = new Map<string, MatchRecord[]>();
  for (const m of snap.matches) {
    const mine = fullMatches.get(m.articleId);
    if (mine) mine.push(m);
    else fullMatches.set(m.articleId, [m]);
  }
  for (const mine of fullMatches.values()) mine.sort((x, y) => y.score - x.score);
  const byId = new Map(snap.articles.map((a) => [a.id, a]));
  const folded = new Map<string, string>();
  const index: CatalogIndex = {
    ...listIndexOf(
      snap.articles,
      snap.matches.map((m) => ({
        articleId: m.articleId,
        topicId: m.topicId,
        score: m.score,
        countries: m.explanation.countries ?? [],
      })),
    ),
    stories: new Map(snap.stories.map((s) => [s.storyId, s])),
    fullMatches,
    // Made on the first search.
    textOf: (listed) => {
      let text = folded.get(listed.id);
      if (text === undefined) {
        const a = byId.get(listed.id) as StoredArticle;
        text = searchTextOf(a);
        folded.set(a.id, text);
      }
      return text;
    },
  };
  indexes.set(snap, index);
  return index;
};

const leadOf = (a: StoredArticle): string => {
  const text = a.paragraphs.join(' ').replace(/\s+/g, ' ').trim();
  return text.length <= LEAD_LENGTH ? text : `${text.slice(0, LEAD_LENGTH).replace(/\s+\S*$/, '')}…`;
};

const summary = (a: StoredArticle, snap: CatalogSnapshot, topic?: string): ArticleSummary => {
  const index = indexOf(snap);
  const matches = index.fullMatches.get(a.id) ?? [];
  const best = (topic ? matches.find((m) => m.topicId === topic) : undefined) ?? matches[0];
  return {
    ...storyFields(a.id, snap),
    id: a.id,
    title: a.title,
    date: a.date,
    ...(a.source ? { source: a.source } : {}),
    ...(a.author ? { author: a.author } : {}),
    outlet: index.outlets.get(a.id) ?? outletOf(a),
    ...(a.url ? { url: a.url } : {}),
    sourceKey: a.sourceKey,
    wordCount: a.wordCount,
    ...(a.language ? { language: a.language } : {}),
    countries: index.countries.get(a.id) ?? [],
    ingestedAt: a.ingestedAt,
    topics: matches.map((m) => ({ id: m.topicId, score: m.score })),
    ...(best?.explanation.snippet ? { snippet: best.explanation.snippet } : {}),
    lead: leadOf(a),
  };
};

const storyFields = (
  articleId: string,
  snap?: CatalogSnapshot,
): { storyId?: string; storyArticles?: number } => {
  const storyId = snap?.storyOf.get(articleId);
  if (!storyId || !snap) return {};
  const story = indexOf(snap).stories.get(storyId);
  return { storyId, storyArticles: story?.articleIds.length ?? 1 };
};

/** Whether a filter searches the texts (which only a snapshot holds). */
export const searchesText = (filter: ArticleFilter): boolean => searchWords(filter.q).length > 0;

/** The articles a filter keeps, in its order (all of them: no paging). */
export const filterArticles = <A extends ListedArticle>(index: ListIndex, filter: ArticleFilter): A[] => {
  const words = searchWords(filter.q);
  if (words.length > 0 && !index.textOf) throw new Error('a search of the texts needs the articles read');
  const scoreOf = (a: ListedArticle): number => {
    const mine = index.matchesByArticle.get(a.id) ?? [];
    const m = filter.topic ? mine.find((x) => x.topicId === filter.topic) : mine[0];
    return m?.score ?? -1;
  };
  const found = index.newestFirst.filter((a) => {
    if (filter.from && a.date < filter.from) return false;
    if (filter.to && a.date > filter.to) return false;
    if (filter.language && (a.language ?? 'und') !== filter.language) return false;
    if (filter.outlet && index.outlets.get(a.id) !== filter.outlet) return false;
    if (filter.country && !(index.countries.get(a.id) ?? []).includes(filter.country)) return false;
    if (filter.topic && !(index.matchesByArticle.get(a.id) ?? []).some((m) => m.topicId === filter.topic))
      return false;
    if (filter.minScore !== undefined && filter.minScore > 0 && scoreOf(a) < filter.minScore) return false;
    if (words.length > 0) {
      const text = index.textOf?.(a) ?? '';
      if (!words.every((w) => text.includes(w))) return false;
    }
    return true;
  });
  if (filter.sort === 'score') {
    // Stable: equal scores stay newest first.
    const scores = new Map(found.map((a) => [a.id, scoreOf(a)]));
    found.sort((a, b) => (scores.get(b.id) ?? -1) - (scores.get(a.id) ?? -1));
  }
  return found as A[];
};

const filteredArticles = (snap: CatalogSnapshot, filter: ArticleFilter): StoredArticle[] =>
  filterArticles<StoredArticle>(indexOf(snap), filter);

/**
 * One page of a list whose articles were chosen already (`ids`, in order, of `total`): each
 * summarised from `part`, which holds them with their matches and stories.
 */
export const articlePage = (
  part: CatalogSnapshot,
  page: { total: number; offset: number; ids: readonly string[] },
  topic?: string,
): { total: number; offset: number; articles: ArticleSummary[] } => {
  const byId = new Map(part.articles.map((a) => [a.id, a]));
  return {
    total: page.total,
    offset: page.offset,
    articles: page.ids.flatMap((id) => {
      const a = byId.get(id);
      return a ? [summary(a, part, topic)] : [];
    }),
  };
};

/**
 * Articles, newest first (by date, then by when they arrived) or best match first, filtered,
 * one page of them (`offset`, `limit`: 100 by default).
 */
export const listArticles = (
  snap: CatalogSnapshot,
  filter: ArticleFilter = {},
): { total: number; offset: number; articles: ArticleSummary[] } => {
  const found = filteredArticles(snap, filter);
  const offset = Math.max(0, filter.offset ?? 0);
  const limit = filter.limit ?? 100;
  return {
    total: found.length,
    offset,
    articles: found.slice(offset, offset + limit).map((a) => summary(a, snap, filter.topic)),
  };
};

/** Every article a filter keeps, in its order, for an export (no paging). */
export const exportArticles = (snap: CatalogSnapshot, filter: ArticleFilter = {}): ArticleSummary[] =>
  filteredArticles(snap, filter).map((a) => summary(a, snap, filter.topic));

/** The values the filters of an article list can take, each with how many articles have it. */
export interface ArticleFacets {
  outlets: Array<{ value: string; articles: number }>;
  languages: Array<{ value: string; articles: number }>;
  countries: Array<{ value: string; articles: number }>;
}

/** Outlets, languages and countries of the stored articles, the most common first. */
export const articleFacets = (snap: CatalogSnapshot): ArticleFacets => facetsOf(indexOf(snap));

/** The facets of a list index. */
export const facetsOf = (index: ListIndex): ArticleFacets => {
  const count = (values: Iterable<string>) => {
    const by = new Map<string, number>();
    for (const v of values) by.set(v, (by.get(v) ?? 0) + 1);
    return by;
  };
  return facetsFrom({
    outlets: count(index.outlets.values()),
    languages: count(index.newestFirst.map((a) => a.language ?? 'und')),
    countries: count([...index.countries.values()].flat()),
  });
};

/** The facets of articles counted already: per value, how many articles have it. */
export const facetsFrom = (counted: {
  outlets: ReadonlyMap<string, number>;
  languages: ReadonlyMap<string, number>;
  countries: ReadonlyMap<string, number>;
}): ArticleFacets => {
  const ordered = (by: ReadonlyMap<string, number>) =>
    [...by]
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([value, articles]) => ({ value, articles }));
  return {
    outlets: ordered(counted.outlets),
    languages: ordered(counted.languages),
    countries: ordered(counted.countries),
  };
};

/** One article with its matches (and why), the keys it arrived under, and its errors. */
export interface ArticleDetail {
  article: StoredArticle;
  matches: Array<{
    topicId: string;
    topicName: string;
    score: number;
    alertState: string;
    sentAt?: string;
    explanation: Explanation;
    stage?: StageVerdict;
  }>;
  sources: Array<{ key: string; status: string; updatedAt: string }>;
  /** The story of the article, with its other articles. */
  story?: StoryDetail;
}

/** The article with this id (or id prefix of at least 8 characters), or undefined. */
export const showArticle = (snap: CatalogSnapshot, id: string): ArticleDetail | undefined => {
  const candidates = snap.articles.filter((a) => a.id === id || (id.length >= 8 && a.id.startsWith(id)));
  const article = candidates.length === 1 ? candidates[0] : undefined;
  if (!article) return undefined;
  return {
    article,
    matches: snap.matches
      .filter((m) => m.articleId === article.id)
      .sort((a, b) => b.score - a.score)
      .map((m) => ({
        topicId: m.topicId,
        topicName: m.topicName,
        score: m.score,
        alertState: m.alertState,
        ...(m.sentAt ? { sentAt: m.sentAt } : {}),
        explanation: m.explanation,
        ...(m.stage ? { stage: m.stage } : {}),
      })),
    sources: snap.sources
      .filter((s) => s.articleId === article.id)
      .map((s) => ({ key: s.key, status: s.status, updatedAt: s.updatedAt })),
    ...(snap.storyOf.get(article.id)
      ? { story: showStory(snap, snap.storyOf.get(article.id) as string) }
      : {}),
  };
};

/** A story: its articles side by side (first first), with the outlet of each. */
export interface StoryDetail {
  storyId: string;
  title: string;
  firstSeenAt: string;
  latestAt: string;
  firstArticleId: string;
  latestArticleId: string;
  sources: string[];
  articles: Array<ArticleSummary & { paragraphs: string[] }>;
}

/** Stories with more than one article (or all, with `all`), newest first. */
export const listStories = (snap: CatalogSnapshot, options: { all?: boolean; limit?: number } = {}) =>
  storySummaries(
    snap.stories
      .filter((s) => options.all || s.articleIds.length > 1)
      .sort((a, b) => later(a.latestAt, b.latestAt) || later(a.storyId, b.storyId))
      .slice(0, options.limit ?? 100),
  );

/** Stories (chosen and ordered already) as a list shows them. */
export const storySummaries = (stories: readonly StoryRecord[]) =>
  stories.map((s) => ({
    storyId: s.storyId,
    title: s.title,
    firstSeenAt: s.firstSeenAt,
    latestAt: s.latestAt,
    articles: s.articleIds.length,
    sources: s.sources,
  }));

/** One story with its articles, or undefined. */
export const showStory = (snap: CatalogSnapshot, storyId: string): StoryDetail | undefined => {
  const story = snap.stories.find((s) => s.storyId === storyId);
  if (!story) return undefined;
  const articles = snap.articles
    .filter((a) => story.articleIds.includes(a.id))
    .sort((a, b) =>
      a.id === story.firstArticleId
        ? -1
        : b.id === story.firstArticleId
          ? 1
          : a.ingestedAt.localeCompare(b.ingestedAt),
    )
    .map((a) => ({ ...summary(a, snap), paragraphs: a.paragraphs }));
  return {
    storyId: story.storyId,
    title: story.title,
    firstSeenAt: story.firstSeenAt,
    latestAt: story.latestAt,
    firstArticleId: story.firstArticleId,
    latestArticleId: story.latestArticleId,
    sources: story.sources,
    articles,
  };
};

/** A topic with how much it has caught. */
export interface TopicSummary extends TopicDefinition {
  matches: number;
  alerts: number;
  lastMatchedAt?: string;
}

/** The stored topics with their match counts. */
export const listTopics = (set: TopicSet | undefined, snap: CatalogSnapshot): TopicSummary[] => {
  // One pass over the matches, whatever the number of topics.
  const by: TopicCounts = new Map();
  for (const m of snap.matches) {
    const t = by.get(m.topicId) ?? { matches: 0, alerts: 0 };
    t.matches++;
    if (m.alertState === 'sent') t.alerts++;
    if (!t.last || m.matchedAt > t.last) t.last = m.matchedAt;
    by.set(m.topicId, t);
  }
  return listTopicsFrom(set, by);
};

/** The stored topics with their match counts, counted already. */
export const listTopicsFrom = (set: TopicSet | undefined, by: TopicCounts): TopicSummary[] => {
  return (set?.topics ?? []).map((t) => {
    const mine = by.get(t.id);
    return {
      ...t,
      matches: mine?.matches ?? 0,
      alerts: mine?.alerts ?? 0,
      ...(mine?.last ? { lastMatchedAt: mine.last } : {}),
    };
  });
};

/** A problem in a query, placed. */
export interface QueryProblem {
  severity: 'error' | 'warning';
  line: number;
  column: number;
  offset: number;
  length: number;
  message: string;
  /** The query line with a caret under the problem. */
  caret: string;
}

/** What a query would catch among the stored articles. */
export interface QueryPreview {
  valid: boolean;
  problems: QueryProblem[];
  /** How many stored articles it matches at or above the minimum score. */
  total: number;
  /** The best of them (at most `limit`), best first. */
  matches: Array<{
    article: ArticleSummary;
    score: number;
    snippet: string;
    terms: string[];
  }>;
  /** Articles searched. */
  searched: number;
  /** What saving the query as this topic would do, when a topic id is given. */
  impact?: SaveImpact;
}

/**
 * What saving a topic does, said exactly. Saving stores the topic and reloads the topic set:
 * articles arriving from then on are matched with it, and a match at or above the minimum
 * score alerts the recipients listed. The stored articles are not matched again, so saving
 * never alerts on them: `newMatches` of them would match but get no match and no alert.
 */
export interface SaveImpact {
  topicId: string;
  /** Whether a topic with this id is in the set now (saving changes it) or not (adds it). */
  exists: boolean;
  enabled: boolean;
  /** Stored articles the query matches at or above the minimum score. */
  matches: number;
  /** Of them, those this topic has matched already (a stored match, with its alert state). */
  alreadyMatched: number;
  /** Of them, those this topic has not matched: saving leaves them unmatched. */
  newMatches: number;
  /** Stored matches of this topic now, and how many of them the query would not match. */
  storedMatches: number;
  noLongerMatched: number;
  /** Who a match of an article arriving after the save alerts (none when the topic is disabled). */
  recipients: Array<{
    subscriberId: string;
    channel: 'email' | 'webhook';
    mode: 'immediate' | 'digest';
    /** The subscriber's own minimum score, which applies on top of the topic's. */
    minScore: number;
    languages?: string[];
  }>;
}

/**
 * Checks a query and, when it is valid, matches it against every stored article, as a topic
 * with that query would. Nothing is stored and nobody is alerted.
 */
export const previewQuery = async (
  query: string,
  set: TopicSet | undefined,
  snap: CatalogSnapshot,
  options: {
    minScore?: number;
    limit?: number;
    /** Say what saving the query as this topic would do, for these subscribers. */
    impactFor?: { topicId: string; enabled: boolean; subscribers: readonly Subscriber[] };
  } = {},
): Promise<QueryPreview> => {
  const lists = new Map(Object.entries(set?.lists ?? {}).map(([n, items]) => [n, items.map(parseListItem)]));
  let tree;
  try {
    tree = parseQuery(query, lists);
  } catch (e) {
    if (!(e instanceof QuerySyntaxError)) throw e;
    return {
      valid: false,
      problems: [
        {
          severity: 'error',
          line: e.line,
          column: e.column,
          offset: e.span.offset,
          length: e.span.length,
          message: e.message,
          caret: caret(query, e.span),
        },
      ],
      total: 0,
      matches: [],
      searched: 0,
    };
  }
  const problems: QueryProblem[] = lintQuery(query, tree).map((w) => ({
    severity: 'warning',
    line: w.line,
    column: w.column,
    offset: w.span.offset,
    length: w.span.length,
    message: w.message,
    caret: caret(query, w.span),
  }));
  const topic: TopicDefinition = {
    id: 'preview',
    name: 'Preview',
    query,
    minScore: options.minScore ?? 0,
    enabled: true,
  };
  const { matches } = await backfillTopic(topic, lists, snap.articles);
  return {
    valid: true,
    problems,
    ...(options.impactFor
      ? {
          impact: saveImpact(
            matches.map((m) => m.article.id),
            snap,
            set,
            options.impactFor,
          ),
        }
      : {}),
    total: matches.length,
    matches: matches.slice(0, options.limit ?? 50).map(({ article, match }) => ({
      article: summary(article as StoredArticle, snap),
      score: match.score,
      snippet: match.explanation.snippet,
      terms: match.explanation.terms.map((t) => t.term),
    })),
    searched: snap.articles.length,
  };
};

const saveImpact = (
  matched: readonly string[],
  snap: CatalogSnapshot,
  set: TopicSet | undefined,
  what: { topicId: string; enabled: boolean; subscribers: readonly Subscriber[] },
): SaveImpact => {
  const stored = new Set(snap.matches.filter((m) => m.topicId === what.topicId).map((m) => m.articleId));
  const now = new Set(matched);
  const alreadyMatched = matched.filter((id) => stored.has(id)).length;
  return {
    topicId: what.topicId,
    exists: (set?.topics ?? []).some((t) => t.id === what.topicId),
    enabled: what.enabled,
    matches: matched.length,
    alreadyMatched,
    newMatches: matched.length - alreadyMatched,
    storedMatches: stored.size,
    noLongerMatched: [...stored].filter((id) => !now.has(id)).length,
    recipients: what.enabled
      ? what.subscribers
          .filter((s) => s.topics.includes('*') || s.topics.includes(what.topicId))
          .map((s) => ({
            subscriberId: s.id,
            channel: 'email' in s ? ('email' as const) : ('webhook' as const),
            mode: s.mode,
            minScore: s.minScore,
            ...(s.languages ? { languages: [...s.languages] } : {}),
          }))
      : [],
  };
};

/** One alert that went out. */
export interface AlertEntry {
  alertId: string;
  topicId: string;
  topicName: string;
  score: number;
  articleId: string;
  articleTitle: string;
  articleDate: string;
  sentAt: string;
  backfill: boolean;
  /** `update` for a later copy or version of a story already alerted. */
  storyRole: 'first' | 'update';
  /** Who it is for, by the current subscribers, and where each copy stands. */
  recipients: RecipientStatus[];
}

/** An alert sent, as the alert and subscriber lists show it. */
export type SentAlert = Pick<
  MatchRecord,
  | 'alertId'
  | 'topicId'
  | 'topicName'
  | 'score'
  | 'articleId'
  | 'articleDate'
  | 'matchedAt'
  | 'sentAt'
  | 'storyRole'
> & { backfill?: boolean };

/** What the lists of alerts read besides the alerts: the articles' titles and languages, and the copies' records. */
export interface AlertContext {
  titleOf: (articleId: string) => string | undefined;
  languageOf: (articleId: string) => string | undefined;
  deliveries: DeliveryFactsByAlert | undefined;
}

const contextOf = (snap: CatalogSnapshot): AlertContext => {
  const titles = new Map(snap.articles.map((a) => [a.id, a.title]));
  const languages = new Map(snap.articles.map((a) => [a.id, a.language]));
  return {
    titleOf: (id) => titles.get(id),
    languageOf: (id) => languages.get(id),
    deliveries: snap.deliveries,
  };
};

const newestSent = (snap: CatalogSnapshot): SentAlert[] =>
  snap.matches
    .filter((m) => m.alertState === 'sent')
    .sort((a, b) => later(a.sentAt ?? '', b.sentAt ?? '') || later(a.alertId, b.alertId));

/** The alerts sent, newest first. */
export const listAlerts = (
  snap: CatalogSnapshot,
  subscribers: readonly Subscriber[],
  options: { topic?: string; limit?: number } = {},
): AlertEntry[] =>
  listAlertsFrom(
    newestSent(snap)
      .filter((m) => !options.topic || m.topicId === options.topic)
      .slice(0, options.limit ?? 100),
    contextOf(snap),
    subscribers,
  );

/** Alerts sent (chosen and ordered already) with their recipients. */
export const listAlertsFrom = (
  sent: readonly SentAlert[],
  context: AlertContext,
  subscribers: readonly Subscriber[],
): AlertEntry[] => {
  const recipients = recipientsWith(context, subscribers);
  return sent.map((m) => ({
    alertId: m.alertId,
    topicId: m.topicId,
    topicName: m.topicName,
    score: m.score,
    articleId: m.articleId,
    articleTitle: context.titleOf(m.articleId) ?? '',
    articleDate: m.articleDate,
    sentAt: m.sentAt ?? m.matchedAt,
    backfill: m.backfill === true,
    storyRole: m.storyRole ?? 'first',
    recipients: recipients(m),
  }));
};

/** Who each stored match's alert is for, and where each copy stands, by the current subscribers. */
const recipientsWith = (context: AlertContext, subscribers: readonly Subscriber[]) => {
  return (m: SentAlert): RecipientStatus[] =>
    recipientsOf(
      {
        topicId: m.topicId,
        score: m.score,
        storyRole: m.storyRole ?? 'first',
        language: context.languageOf(m.articleId) ?? 'und',
      },
      subscribers,
      deliveryFactsIn(context.deliveries, m.alertId),
    );
};

/** The copies of every alert sent, by where they stand: what was delivered, what waits, what failed. */
export const deliveryCounts = (
  snap: CatalogSnapshot,
  subscribers: readonly Subscriber[],
): Record<RecipientState, number> => deliveryCountsFrom(newestSent(snap), contextOf(snap), subscribers);

/** The copies of these alerts, by where they stand. */
export const deliveryCountsFrom = (
  sent: readonly SentAlert[],
  context: AlertContext,
  subscribers: readonly Subscriber[],
): Record<RecipientState, number> => {
  const recipients = recipientsWith(context, subscribers);
  const { recipients: _all, ...byState } = recipientCounts(sent.flatMap(recipients));
  return byState;
};

/** A subscriber: what it gets, by which channel, and where its copies of recent alerts stand. */
export interface SubscriberEntry {
  id: string;
  channel: 'email' | 'webhook';
  /** The address, or the webhook's format and where its URL is (never a URL kept in a secret). */
  target: string;
  topics: string[];
  minScore: number;
  mode: 'immediate' | 'digest';
  updates: boolean;
  languages?: string[];
  /** Fatigue controls of an email subscriber, in words (cooldown, daily limit, quiet hours). */
  controls: string[];
  /** Its copies of every alert sent, by state. */
  counts: ReturnType<typeof recipientCounts>;
  /** Its copies of the latest alerts, newest first. */
  recent: Array<{
    alertId: string;
    topicId: string;
    topicName: string;
    articleId: string;
    articleTitle: string;
    sentAt: string;
    state: RecipientState;
    detail?: string;
  }>;
}

/** Every subscriber with what it gets and the state of its recent deliveries (`recent` of them). */
export const listSubscribers = (
  snap: CatalogSnapshot,
  subscribers: readonly Subscriber[],
  options: { recent?: number } = {},
): SubscriberEntry[] => listSubscribersFrom(newestSent(snap), contextOf(snap), subscribers, options);

/** Every subscriber, from the alerts sent (newest first). */
export const listSubscribersFrom = (
  sent: readonly SentAlert[],
  context: AlertContext,
  subscribers: readonly Subscriber[],
  options: { recent?: number } = {},
): SubscriberEntry[] => {
  const recipients = recipientsWith(context, subscribers);
  const states = new Map<string, RecipientStatus[]>();
  const copies = new Map<string, SentAlert[]>();
  for (const m of sent)
    for (const r of recipients(m)) {
      const theirs = states.get(r.subscriberId) ?? [];
      theirs.push(r);
      states.set(r.subscriberId, theirs);
      const mine = copies.get(r.subscriberId) ?? [];
      if (mine.length < (options.recent ?? 10)) mine.push(m);
      copies.set(r.subscriberId, mine);
    }
  return subscribers.map((s) =>
    subscriberEntry(s, recipientCounts(states.get(s.id) ?? []), copies.get(s.id) ?? [], context),
  );
};

/**
 * A subscriber's entry: what it gets, its copies counted by state (of every alert sent), and
 * its latest alerts (newest first) with where each copy stands.
 */
export const subscriberEntry = (
  s: Subscriber,
  counts: SubscriberEntry['counts'],
  recent: readonly SentAlert[],
  context: AlertContext,
): SubscriberEntry => {
  const recipients = recipientsWith(context, [s]);
  const controls =
    'email' in s
      ? [
          s.cooldownMinutes ? `cooldown ${s.cooldownMinutes} min per topic` : '',
          s.maxPerDay ? `at most ${s.maxPerDay} a day` : '',
          s.quietHours ? `quiet ${s.quietHours.from}–${s.quietHours.to} ${s.quietHours.timeZone}` : '',
        ].filter(Boolean)
      : [];
  return {
    id: s.id,
    channel: 'email' in s ? 'email' : 'webhook',
    target:
      'email' in s
        ? s.email
        : `${s.webhook.format} webhook, ${s.webhook.url ? new URL(s.webhook.url).host : `URL in secret ${s.webhook.urlSecret ?? '?'}`}`,
    topics: [...s.topics],
    minScore: s.minScore,
    mode: s.mode,
    updates: s.updates,
    ...(s.languages ? { languages: [...s.languages] } : {}),
    controls,
    counts,
    recent: recent.flatMap((m) =>
      recipients(m).map((r) => ({
        alertId: m.alertId,
        topicId: m.topicId,
        topicName: m.topicName,
        articleId: m.articleId,
        articleTitle: context.titleOf(m.articleId) ?? '',
        sentAt: m.sentAt ?? m.matchedAt,
        state: r.state,
        ...(r.detail ? { detail: r.detail } : {}),
      })),
    ),
  };
};

/** A subscriber's copies by state, from its groups ({@link CopyGroup}), as {@link recipientCounts} counts them. */
export const copyCounts = (s: Subscriber, groups: readonly CopyGroup[]): SubscriberEntry['counts'] => {
  const counts = recipientCounts([]);
  // One alert the subscriber gets stands for each group: its state is the state of all of them.
  const alert = {
    topicId: s.topics.find((t) => t !== '*') ?? 'any',
    score: s.minScore,
    language: s.languages?.[0] ?? 'und',
  };
  for (const g of groups) {
    const [copy] = recipientsOf({ ...alert, storyRole: g.storyRole }, [s], {
      delivery: () => (g.delivery ? { state: g.delivery } : undefined),
      gate: () => (g.gate ? { outcome: g.gate, released: g.gate !== 'sent' && !g.held } : undefined),
    });
    if (!copy) continue;
    counts[copy.state] += g.count;
    counts.recipients += g.count;
  }
  return counts;
};

/** Matches per topic per day (by article date), for the chart. */
export interface MatchesPerDay {
  days: string[];
  series: Array<{ topicId: string; counts: number[] }>;
}

/**
 * Every day from the first to the last article date with matches (at most the last `maxDays`),
 * or of the range asked for (`from`, `to`, both included; at most `maxDays` from `from`).
 */
export const matchesPerDay = (
  snap: CatalogSnapshot,
  maxDays = 90,
  range: { from?: string; to?: string } = {},
): MatchesPerDay =>
  matchesPerDayFrom(
    snap.matches.map((m) => ({ day: m.articleDate, topicId: m.topicId, count: 1 })),
    maxDays,
    range,
  );

/** {@link matchesPerDay} of matches counted per day and topic already. */
export const matchesPerDayFrom = (
  counted: ReadonlyArray<{ day: string; topicId: string; count: number }>,
  maxDays = 90,
  range: { from?: string; to?: string } = {},
): MatchesPerDay => {
  const dates = counted
    .map((m) => m.day)
    .filter((d) => (!range.from || d >= range.from) && (!range.to || d <= range.to))
    .sort();
  const last = range.to ?? dates.at(-1);
  const first = range.from ?? dates[0];
  if (!first || !last || dates.length === 0) return { days: [], series: [] };
  const days: string[] = [];
  const DAY_MS = 86_400_000;
  const startAt = new Date(`${first}T00:00:00Z`).getTime();
  const end = Math.min(
    new Date(`${last}T00:00:00Z`).getTime(),
    range.from ? startAt + (maxDays - 1) * DAY_MS : Infinity,
  );
  const start = range.from ? startAt : Math.max(startAt, end - (maxDays - 1) * DAY_MS);
  for (let t = start; t <= end; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  const index = new Map(days.map((d, i) => [d, i]));
  const series = new Map<string, number[]>();
  for (const m of counted) {
    const i = index.get(m.day);
    if (i === undefined) continue;
    const counts = series.get(m.topicId) ?? new Array<number>(days.length).fill(0);
    counts[i] = (counts[i] ?? 0) + m.count;
    series.set(m.topicId, counts);
  }
  return {
    days,
    series: [...series.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([topicId, counts]) => ({ topicId, counts })),
  };
};

/** Files that were rejected, newest first. */
export const listErrors = (snap: CatalogSnapshot, limit = 100) =>
  [...snap.errors]
    .sort((a, b) => later(a.occurredAt, b.occurredAt) || later(a.key, b.key) || later(a.etag, b.etag))
    .slice(0, limit);

/** The figures of every topic (or one) on its labels, as `topics eval` and the dashboard show them. */
export interface TopicEvaluation {
  split: Split | 'all';
  labels: number;
  /** Labels whose article is not among the articles evaluated. */
  missing: number;
  topics: Array<
    RelevanceFigures & {
      /** For a topic with a trained stage: the figures are from k-fold cross-validation of the stage on these labels. */
      /** `base`: the query alone, every match alerting. */
      stage?: { folds: number; trainedOn: TrainedStage['trainedOn']; base: RelevanceFigures };
    }
  >;
}

/**
 * Evaluates topics on their labels: each labelled article is matched afresh with the topic
 * as it is now, so a changed query or minimum score shows its effect at once.
 */
export const evaluateTopics = (
  set: TopicSet | undefined,
  articles: ReadonlyMap<string, LabelledArticle>,
  labels: readonly RelevanceLabel[],
  options: { topic?: string; split?: Split | 'all' } = {},
): TopicEvaluation => {
  const split = options.split ?? 'all';
  const topics = (set?.topics ?? []).filter((t) => options.topic === undefined || t.id === options.topic);
  const lists = new Map(Object.entries(set?.lists ?? {}).map(([n, items]) => [n, items.map(parseListItem)]));
  const inSplit = labels.filter((l) => split === 'all' || splitOf(l.article) === split);
  const { judged, missing } = judgeTopics(topics, lists, articles, inSplit);
  return {
    split,
    labels: inSplit.filter((l) => topics.some((t) => t.id === l.topic)).length,
    missing: missing.length,
    topics: topics.map((t) => {
      const js = judged.get(t.id) ?? [];
      if (!t.stage) return topicFigures(t.id, t.minScore, js);
      return {
        ...crossValidatedFigures(t.id, t.minScore, js, { l2: t.stage.l2 }),
        stage: {
          folds: STAGE_FOLDS,
          trainedOn: t.stage.trainedOn,
          base: topicFigures(t.id, 0, js),
        },
      };
    }),
  };
};

/** Stored articles, ready to be matched for evaluation, by id. */
export const labelledArticlesOf = (snap: CatalogSnapshot): Map<string, LabelledArticle> =>
  new Map(
    snap.articles.map((a) => [
      a.id,
      { id: a.id, title: a.title, paragraphs: a.paragraphs, ...(a.author ? { author: a.author } : {}) },
    ]),
  );
