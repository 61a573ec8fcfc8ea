import type { LocalCatalog } from '../functions/adapters/local/local-catalog.ts';
import { recipientCounts, type RecipientState } from '../functions/core/alerts/recipients.ts';
import type { Subscriber } from '../functions/core/alerts/subscribers.ts';
import type { TopicSet } from '../functions/core/pipeline/matching.ts';
import {
  type AlertEntry,
  type ArticleDetail,
  type ArticleFacets,
  type ArticleFilter,
  articlePage,
  copyCounts,
  facetsFrom,
  listAlertsFrom,
  listTopicsFrom,
  type MatchesPerDay,
  matchesPerDayFrom,
  searchesText,
  showArticle,
  showStory,
  type StoryDetail,
  storySummaries,
  type SubscriberEntry,
  subscriberEntry,
  type TopicSummary,
} from './services.ts';

/**
 * The dashboard's views, read through the local table's indexes and keys: counts from their
 * indexes, a page of the newest from an ordered index, an article or a story by key, and only
 * the page's articles opened. Filters an index does not order by (outlet, country, score,
 * topic) run over facts the indexes hold, never over the articles; a search of the texts
 * looks its words up in the table's text index.
 */
export class LocalViews {
  private readonly catalog: LocalCatalog;
  private readonly subscribers: () => readonly Subscriber[];
  private readonly topics: () => TopicSet | undefined;

  constructor(init: {
    catalog: LocalCatalog;
    subscribers: () => readonly Subscriber[];
    topics: () => TopicSet | undefined;
  }) {
    this.catalog = init.catalog;
    this.subscribers = init.subscribers;
    this.topics = init.topics;
  }

  /** What was read at a version of the table, reused while it stays the same. */
  private readonly kept = new Map<string, { version: string; value: unknown }>();
  private keep<T>(name: string, read: () => T): T {
    const version = this.catalog.version();
    const known = this.kept.get(name);
    if (known && known.version === version) return known.value as T;
    const value = read();
    this.kept.set(name, { version, value });
    return value;
  }

  status() {
    const { recipients: _none, ...deliveries } = recipientCounts([]);
    for (const s of this.subscribers()) {
      const { recipients: _n, ...mine } = this.copiesOf(s);
      for (const state of Object.keys(deliveries) as RecipientState[]) deliveries[state] += mine[state];
    }
    return { ...this.keep('counts', () => this.catalog.counts()), deliveries };
  }

  /** A subscriber's copies by state (its rules are part of what is kept: a change of them counts anew). */
  private copiesOf(s: Subscriber) {
    return this.keep(`copies ${JSON.stringify(s)}`, () => copyCounts(s, this.catalog.copyGroups(s)));
  }

  async articles(filter: ArticleFilter & { offset: number; limit: number }) {
    const plain =
      !searchesText(filter) &&
      !filter.topic &&
      !filter.outlet &&
      !filter.language &&
      !filter.country &&
      !(filter.minScore !== undefined && filter.minScore > 0) &&
      filter.sort !== 'score';
    const page = plain
      ? this.catalog.newestArticles({
          ...(filter.from ? { from: filter.from } : {}),
          ...(filter.to ? { to: filter.to } : {}),
          offset: filter.offset,
          limit: filter.limit,
        })
      : this.catalog.filteredArticles(filter);
    const part = await this.catalog.part(page.ids);
    return articlePage(part, { ...page, offset: filter.offset }, filter.topic);
  }

  facets(): ArticleFacets {
    return this.keep('facets', () => facetsFrom(this.catalog.facetCounts()));
  }

  async article(idOrPrefix: string): Promise<ArticleDetail | undefined> {
    const id = this.catalog.articleIdOf(idOrPrefix);
    if (!id) return undefined;
    const own = await this.catalog.part([id], { sources: true });
    const storyId = own.storyOf.get(id);
    const story = storyId ? own.stories.find((s) => s.storyId === storyId) : undefined;
    const others = (story?.articleIds ?? []).filter((a) => a !== id);
    if (others.length === 0) return showArticle(own, id);
    const rest = await this.catalog.part(others);
    return showArticle(
      {
        ...own,
        articles: [...own.articles, ...rest.articles],
        matches: [...own.matches, ...rest.matches],
        storyOf: new Map([...rest.storyOf, ...own.storyOf]),
      },
      id,
    );
  }

  topicList(): TopicSummary[] {
    return listTopicsFrom(this.topics(), this.catalog.topicCounts());
  }

  alerts(topic?: string, limit = 100): AlertEntry[] {
    const sent = this.catalog.sentAlerts({ ...(topic ? { topic } : {}), limit });
    const ids = [...new Set(sent.map((m) => m.articleId))];
    const { titles, languages } = this.titlesOf(ids);
    return listAlertsFrom(
      sent,
      {
        titleOf: (id) => titles.get(id),
        languageOf: (id) => languages.get(id),
        deliveries: this.catalog.deliveryFacts(sent.map((m) => m.alertId)),
      },
      this.subscribers(),
    );
  }

  subscriberList(): SubscriberEntry[] {
    return this.subscribers().map((s) => {
      const recent = this.catalog.latestSentFor(s, 10);
      const { titles, languages } = this.titlesOf([...new Set(recent.map((m) => m.articleId))]);
      return subscriberEntry(s, this.copiesOf(s), recent, {
        titleOf: (id) => titles.get(id),
        languageOf: (id) => languages.get(id),
        deliveries: this.catalog.deliveryFacts(recent.map((m) => m.alertId)),
      });
    });
  }

  stories(all: boolean) {
    return storySummaries(this.catalog.latestStories({ all, limit: 100 }));
  }

  async story(storyId: string): Promise<StoryDetail | undefined> {
    const story = await this.catalog.story(storyId);
    if (!story) return undefined;
    const part = await this.catalog.part(story.articleIds);
    return showStory(
      { ...part, stories: [story, ...part.stories.filter((s) => s.storyId !== storyId)] },
      storyId,
    );
  }

  chart(range: { from?: string; to?: string }): MatchesPerDay {
    return matchesPerDayFrom(this.catalog.matchesPerDay(range), range.from ? 366 : 90, range);
  }

  errors() {
    return this.catalog.latestErrors(100);
  }

  private titlesOf(ids: readonly string[]): { titles: Map<string, string>; languages: Map<string, string> } {
    const titles = new Map<string, string>();
    const languages = new Map<string, string>();
    for (const a of this.catalog.articleTitles(ids)) {
      titles.set(a.id, a.title);
      languages.set(a.id, a.language ?? 'und');
    }
    return { titles, languages };
  }
}

/** The views of a newswatch, its subscribers and topics as they are at each read. */
export const viewsOf = (local: {
  catalog: LocalCatalog;
  subscribers: readonly Subscriber[];
  topicSet?: TopicSet;
}): LocalViews =>
  new LocalViews({
    catalog: local.catalog,
    subscribers: () => local.subscribers,
    topics: () => local.topicSet,
  });
