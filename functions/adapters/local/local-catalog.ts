import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { searchWords } from '../../core/articles/search.ts';
import type { MatchRecord } from '../../core/pipeline/matching.ts';
import type { IngestErrorRecord, SourceRecord } from '../../core/pipeline/ports.ts';
import type { StoredArticle } from '../aws/dynamodb-article-store.ts';
import { storyFromItem } from '../aws/dynamodb-story-store.ts';
import { keys, TABLE_KEYS, withoutKeys } from '../aws/table-layout.ts';
import type { DocItem } from './table-expressions.ts';
import { type EmbeddedTable, GROUP, SENT_ALERT_FACTS } from './embedded-table.ts';
import { isGated, type Subscriber } from '../../core/alerts/subscriber-rules.ts';
import type { HoldReason } from '../../core/alerts/fatigue.ts';
import type { DeliveryFacts } from '../../core/alerts/recipients.ts';
import { outletOf, type StoryRecord } from '../../core/stories/story.ts';

/** The facts of one subscriber's copy of one alert, made empty when none are kept yet. */
const factsIn = (deliveries: DeliveryFactsByAlert, alertId: string, subscriberId: string) => {
  let byAlert = deliveries.get(alertId);
  if (!byAlert) deliveries.set(alertId, (byAlert = new Map() as NonNullable<typeof byAlert>));
  let facts = byAlert.get(subscriberId);
  if (!facts) byAlert.set(subscriberId, (facts = {}));
  return facts;
};

/** A snapshot holding nothing yet. */
const emptySnapshot = (): CatalogSnapshot => ({
  articles: [],
  matches: [],
  sources: [],
  errors: [],
  stories: [],
  storyOf: new Map(),
});

/** A delivery's record, as {@link recipientsOf} reads it. */
const deliveryOf = (item: DocItem) => ({
  // Deliveries recorded before they had states were recorded once delivered.
  state: (item.state as 'pending' | 'delivered' | 'failed' | undefined) ?? 'delivered',
  attempt: Number(item.attempt ?? 1),
  ...(typeof item.reason === 'string' ? { reason: item.reason } : {}),
});

/** Everything one machine's table holds, by kind. */
export interface CatalogSnapshot {
  articles: StoredArticle[];
  matches: MatchRecord[];
  sources: SourceRecord[];
  errors: IngestErrorRecord[];
  stories: StoryRecord[];
  /** The story of each article that has one. */
  storyOf: Map<string, string>;
  /** What is recorded about each subscriber's copy of each alert (deliveries and fatigue controls). */
  deliveries?: DeliveryFactsByAlert;
}

/** Per alert id, per subscriber id: its delivery record and what the fatigue controls did. */
export type DeliveryFactsByAlert = Map<
  string,
  Map<
    string,
    {
      delivery?: { state: 'pending' | 'delivered' | 'failed'; attempt?: number; reason?: string };
      gate?: { outcome: 'sent' | HoldReason; released: boolean };
    }
  >
>;

/** The facts of one alert, as {@link recipientsOf} reads them. */
export const deliveryFactsOf = (snap: CatalogSnapshot, alertId: string): DeliveryFacts =>
  deliveryFactsIn(snap.deliveries, alertId);

/** The facts of one alert among those recorded. */
export const deliveryFactsIn = (
  deliveries: DeliveryFactsByAlert | undefined,
  alertId: string,
): DeliveryFacts => {
  const of = deliveries?.get(alertId);
  return {
    delivery: (id) => of?.get(id)?.delivery,
    gate: (id) => of?.get(id)?.gate,
  };
};

/** What an article list filters and orders on, read from the table's indexes (no article is opened). */
export interface ArticleFacts {
  id: string;
  date: string;
  ingestedAt: string;
  language?: string;
  source?: string;
  url?: string;
  sourceKey: string;
}

/** What an article list filters on in one match. */
export interface MatchFacts {
  articleId: string;
  topicId: string;
  score: number;
  countries: string[];
}

/** An alert sent, as far as working out its recipients goes. */
export interface SentFacts {
  alertId: string;
  articleId: string;
  topicId: string;
  topicName: string;
  score: number;
  storyRole?: 'first' | 'update';
  sentAt: string;
  matchedAt: string;
  articleDate: string;
  backfill?: boolean;
}

/**
 * Alerts sent for one subscriber that share what decides where its copy stands: the story
 * role, the delivery's record (its state), the fatigue controls' outcome and whether the hold
 * still holds. Counted in the table, so the copies of 100k alerts are a few groups.
 */
export interface CopyGroup {
  storyRole: 'first' | 'update';
  delivery?: 'pending' | 'delivered' | 'failed';
  gate?: 'sent' | HoldReason;
  held: boolean;
  count: number;
}

/** Counts of what the table holds. */
export interface CatalogCounts {
  articles: number;
  matches: number;
  alerts: number;
  errors: number;
}

/** Per topic: its matches, its alerts sent and when it last matched. */
export type TopicCounts = Map<string, { matches: number; alerts: number; last?: string }>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Read models for the local runtime, the dashboard and the CLI. The views read through the
 * SQLite table's indexes (its views, kept at each write): counts, pages of the newest, items by
 * key. {@link snapshot} is one scan of the whole table, for what must see every article (a
 * query's preview, an export, a search of the texts, the CLI's evaluation).
 */
export class LocalCatalog {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly table: EmbeddedTable;

  constructor(doc: DynamoDBDocumentClient, tableName: string, table: EmbeddedTable) {
    this.doc = doc;
    this.tableName = tableName;
    this.table = table;
    table.defineFunction('outlet_of', (source, url, sourceKey) =>
      outletOf({
        ...(typeof source === 'string' ? { source } : {}),
        ...(typeof url === 'string' ? { url } : {}),
        sourceKey: String(sourceKey),
      }),
    );
  }

  /**
   * A page of the articles a list's filters keep, in its order, and how many they keep: the
   * filters tested in SQLite on what the indexes hold (no article opened). Newest first (by
   * date, arrival, id) or best match first (of the topic filtered on, else the best of all).
   */
  filteredArticles(filter: {
    from?: string;
    to?: string;
    language?: string;
    outlet?: string;
    topic?: string;
    country?: string;
    minScore?: number;
    /** A search of the texts: every word in the article's title, author or paragraphs. */
    q?: string;
    sort?: 'date' | 'score';
    offset: number;
    limit: number;
  }): { total: number; ids: string[] } {
    const a = this.table.viewSql('articles', 'a');
    const m = this.table.viewSql('match_facts', 'm');
    const where: string[] = [];
    const params: Array<string | number> = [];
    const keep = (condition: string, ...values: Array<string | number>) => {
      where.push(condition);
      params.push(...values);
    };
    if (filter.from) keep('date >= ?', filter.from);
    if (filter.to) keep('date <= ?', filter.to);
    if (filter.language) keep("coalesce(language, 'und') = ?", filter.language);
    if (filter.outlet) keep('outlet_of(source, url, key) = ?', filter.outlet);
    const matchOf = `FROM ${m.from} WHERE ${m.where} AND ${m.term('articleId')} = facts.id`;
    if (filter.country)
      keep(
        `EXISTS (SELECT 1 ${matchOf} AND EXISTS (SELECT 1 FROM json_each(${m.term('explanation.countries')}) WHERE value = ?))`,
        filter.country,
      );
    // The score a list filters and orders on: the topic's match, else the best (-1: none).
    const score = filter.topic ? 'score' : `coalesce((SELECT max(${m.term('score')}) ${matchOf}), -1)`;
    if (filter.minScore !== undefined && filter.minScore > 0) keep(`${score} >= ?`, filter.minScore);
    // The facts the order needs, and those the filters test: the fewer, the lighter the read.
    const columns = [
      `${a.term('id')} AS id, ${a.term('date')} AS date, ${a.term('ingestedAt')} AS at`,
      ...(filter.language ? [`${a.term('language')} AS language`] : []),
      ...(filter.outlet
        ? [`${a.term('source')} AS source, ${a.term('url')} AS url, ${a.term('sourceKey')} AS key`]
        : []),
    ].join(', ');
    // With a topic, only its matches' articles (by key, from the index); else every article.
    const t = this.table.viewSql('topic_facts', 't');
    const byId = this.table.viewSql('article_ids', 'a');
    // A search keeps the articles whose texts hold its words, found in the table's text index.
    const words = searchWords(filter.q);
    const limit = Math.max(0, Math.trunc(filter.limit));
    const offset = Math.max(0, Math.trunc(filter.offset));
    if (words.length > 0 && !filter.topic && where.length === 0 && filter.sort !== 'score') {
      // A search alone, newest first: the texts found are read once, counted, and the page
      // read along the articles' own order (the text index holds exactly the articles).
      const hits = this.table.textHitsSql('articles', words);
      const found = `WITH hits AS MATERIALIZED (${hits.select})`;
      const rows = this.table.select(
        `${found} SELECT ${a.term('id')}, (SELECT count(*) FROM hits) FROM ${a.from} WHERE ${a.where} AND a.rowid IN (SELECT rowid FROM hits)` +
          ` ORDER BY ${a.term('date')} DESC, ${a.term('ingestedAt')} DESC, ${a.term('id')} DESC LIMIT ${limit} OFFSET ${offset}`,
        hits.params,
      );
      const total =
        rows.length > 0
          ? Number(rows[0]?.[1])
          : Number(this.table.select(`${found} SELECT count(*) FROM hits`, hits.params)[0]?.[0] ?? 0);
      return { total, ids: rows.map((r) => String(r[0])) };
    }
    const text = words.length > 0 ? this.table.textSql('articles', words, 'a.rowid') : undefined;
    const searched = text ? ` AND ${text.where}` : '';
    const facts = filter.topic
      ? `WITH facts AS MATERIALIZED (SELECT ${columns}, ${t.term('score')} AS score FROM ${t.from} JOIN ${byId.from} ON ${byId.term('id')} = ${t.term('articleId')} AND ${byId.where}${searched}` +
        ` WHERE ${t.where} AND ${t.term('topicId')} = ?)`
      : `WITH facts AS MATERIALIZED (SELECT ${columns} FROM ${a.from} WHERE ${a.where}${searched})`;
    const factParams = [...(text?.params ?? []), ...(filter.topic ? [filter.topic] : [])];
    const kept = `FROM facts${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`;
    const order = `${filter.sort === 'score' ? `${score} DESC, ` : ''}date DESC, at DESC, id DESC`;
    // The page and the number of all it is a page of, in one read of the facts.
    const rows = this.table.select(
      `${facts} SELECT id, count(*) OVER () ${kept} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
      [...factParams, ...params],
    );
    // A page past the end has no row to carry the number: counted on its own.
    const total =
      rows.length > 0 || (filter.offset <= 0 && filter.limit > 0)
        ? Number(rows[0]?.[1] ?? 0)
        : Number(
            this.table.select(`${facts} SELECT count(*) ${kept}`, [...factParams, ...params])[0]?.[0] ?? 0,
          );
    return { total, ids: rows.map((r) => String(r[0])) };
  }

  /** The table's version: what was read is still true while it stays the same. */
  version(): string {
    return this.table.version();
  }

  /** Articles, matches, alerts sent and errors stored: counted in their indexes. */
  counts(): CatalogCounts {
    const n = (view: string) => this.table.countView(view)[0]?.count ?? 0;
    return { articles: n('articles'), matches: n('topic_matches'), alerts: n('sent'), errors: n('errors') };
  }

  /** Every topic's matches, alerts and last match, from one grouped read of an index. */
  topicCounts(): TopicCounts {
    const by: TopicCounts = new Map();
    for (const g of this.table.countView('topic_matches', {}, 2)) {
      const [topicId, state] = g.values.map(String) as [string, string];
      const t = by.get(topicId) ?? { matches: 0, alerts: 0 };
      t.matches += g.count;
      if (state === 'sent') t.alerts += g.count;
      const last = text(g.last);
      if (last && (!t.last || last > t.last)) t.last = last;
      by.set(topicId, t);
    }
    return by;
  }

  /** Matches per article date and topic, dates from / to (both included). */
  matchesPerDay(
    range: { from?: string; to?: string } = {},
  ): Array<{ day: string; topicId: string; count: number }> {
    return this.table
      .countView('matches_by_day', range, 2)
      .map((g) => ({ day: String(g.values[0]), topicId: String(g.values[1]), count: g.count }));
  }

  /** The last `limit` errors recorded, newest first. */
  latestErrors(limit: number): IngestErrorRecord[] {
    return this.table
      .readView('errors', { descending: true, limit })
      .map((i) => withoutKeys(i) as unknown as IngestErrorRecord);
  }

  /** The stories last added to, newest first: those of two articles or more, or all. */
  latestStories(options: { all: boolean; limit: number }): StoryRecord[] {
    return this.table
      .readView(options.all ? 'stories' : 'shared_stories', { descending: true, limit: options.limit })
      .map(storyFromItem);
  }

  /** A page of the newest articles (dates from / to, both included), and how many there are. */
  newestArticles(page: { from?: string; to?: string; offset: number; limit: number }): {
    total: number;
    ids: string[];
  } {
    const range = {
      ...(page.from ? { from: page.from } : {}),
      ...(page.to ? { to: page.to } : {}),
    };
    return {
      total: this.table.countView('articles', range)[0]?.count ?? 0,
      ids: this.table
        .readView('articles', {
          ...range,
          descending: true,
          offset: page.offset,
          limit: page.limit,
          select: ['id'],
        })
        .map((r) => String(r.id)),
    };
  }

  /** Alerts sent, newest first (of one topic), at most `limit` (all when absent). */
  sentAlerts(options: { topic?: string; limit?: number } = {}): SentFacts[] {
    const select = SENT_ALERT_FACTS;
    if (options.topic) {
      // The topic's alerts by their index, then the facts of each by its key.
      const mine = this.table.readView('sent_by_topic', {
        equal: [options.topic],
        descending: true,
        ...(options.limit === undefined ? {} : { limit: options.limit }),
      });
      return mine.map((m) => this.sentFactsOf(m));
    }
    return this.table
      .readView('sent', {
        descending: true,
        select,
        ...(options.limit === undefined ? {} : { limit: options.limit }),
      })
      .map((r) => this.sentFactsOf(r));
  }

  private sentFactsOf(r: DocItem): SentFacts {
    return {
      alertId: String(r.alertId),
      articleId: String(r.articleId),
      topicId: String(r.topicId),
      topicName: String(r.topicName),
      score: Number(r.score),
      ...(r.storyRole === 'first' || r.storyRole === 'update' ? { storyRole: r.storyRole } : {}),
      sentAt: String(r.sentAt),
      matchedAt: String(r.matchedAt),
      articleDate: String(r.articleDate),
      // A boolean is held in the index as 1 or 0.
      ...(r.backfill === true || r.backfill === 1 ? { backfill: true } : {}),
    };
  }

  /** What is recorded about the copies of these alerts, read by their ids. */
  deliveryFacts(alertIds: readonly string[]): DeliveryFactsByAlert {
    const deliveries: DeliveryFactsByAlert = new Map();
    const factsOf = (alertId: string, subscriberId: string) => factsIn(deliveries, alertId, subscriberId);
    const select = ['alertId', 'recipient', 'state', 'attempt', 'reason'];
    const rows = alertIds.flatMap((id) => this.table.readView('deliveries', { equal: [id], select }));
    for (const d of rows) factsOf(String(d.alertId), String(d.recipient)).delivery = deliveryOf(d);
    const gates = alertIds.flatMap((id) =>
      this.table.readView('alert_gates', { equal: [`ALERT#${id}`], select: ['pk', 'sk', 'outcome'] }),
    );
    const heldRows = alertIds.flatMap((id) =>
      this.table.readView('alert_held', { equal: [`ALERT#${id}`], select: ['pk', 'sk'] }),
    );
    const held = new Set(heldRows.map((h) => `${String(h.pk).slice(5)}\u0000${String(h.sk).slice(6)}`));
    for (const g of gates) {
      const subscriberId = String(g.pk).slice('GATE#'.length);
      const alertId = String(g.sk).slice('ALERT#'.length);
      const outcome = g.outcome as 'sent' | HoldReason;
      factsOf(alertId, subscriberId).gate = {
        outcome,
        released: outcome !== 'sent' && !held.has(`${subscriberId}\u0000${alertId}`),
      };
    }
    return deliveries;
  }

  /**
   * The alerts sent for a subscriber (its topics, at or above its minimum score, in its
   * languages: what {@link isForSubscriber} asks), as SQL over the `sent` view under `m`.
   */
  private sentFor(s: Pick<Subscriber, 'topics' | 'minScore' | 'languages'>) {
    const m = this.table.viewSql('sent', 'm');
    const params: Array<string | number> = [];
    const where = [m.where];
    let joins = '';
    if (!s.topics.includes('*')) {
      where.push(`${m.term('topicId')} IN (${s.topics.map(() => '?').join(', ')})`);
      params.push(...s.topics);
    }
    where.push(`${m.term('score')} >= ?`);
    params.push(s.minScore);
    if (s.languages) {
      const a = this.table.viewSql('article_ids', 'a');
      joins = ` JOIN ${a.from} ON ${a.term('id')} = ${m.term('articleId')} AND ${a.where}`;
      where.push(`coalesce(${a.term('language')}, 'und') IN (${s.languages.map(() => '?').join(', ')})`);
      params.push(...s.languages);
    }
    return { m, joins, where: where.join(' AND '), params };
  }

  /**
   * A subscriber's copies of every alert sent, counted in SQLite in groups that share what
   * decides where a copy stands ({@link CopyGroup}): its delivery's record for a subscriber
   * without fatigue controls, the controls' outcome and hold for one with them.
   */
  copyGroups(s: Subscriber): CopyGroup[] {
    const { m, joins, where, params } = this.sentFor(s);
    const gated = isGated(s);
    // The alerts first, from the view's index alone; then each one's records, by key.
    const alerts =
      `WITH alerts AS MATERIALIZED (SELECT ${m.term('alertId')} AS id, coalesce(${m.term('storyRole')}, 'first') AS role` +
      ` FROM ${m.from}${joins} WHERE ${where})`;
    // Each alert's record for the subscriber, by key from its view's index alone (a subquery
    // of its own is read from the index; a joined table would be read from its items).
    const d = this.table.viewSql('recipient_deliveries', 'd');
    const g = this.table.viewSql('gates', 'g');
    const h = this.table.viewSql('held', 'h');
    const sql = gated
      ? `${alerts} SELECT role, NULL,` +
        ` (SELECT ${g.term('outcome')} FROM ${g.from} WHERE ${g.term('pk')} = ? AND ${g.term('sk')} = 'ALERT#' || alerts.id AND ${g.where}),` +
        ` EXISTS (SELECT 1 FROM ${h.from} WHERE ${h.term('pk')} = ? AND ${h.term('sk')} = 'ALERT#' || alerts.id AND ${h.where}),` +
        ` count(*) FROM alerts GROUP BY 1, 2, 3, 4`
      : `${alerts} SELECT role,` +
        ` (SELECT coalesce(${d.term('state')}, 'delivered') FROM ${d.from} WHERE ${d.term('recipient')} = ? AND ${d.term('alertId')} = alerts.id AND ${d.where}),` +
        ` NULL, 0, count(*) FROM alerts GROUP BY 1, 2, 3, 4`;
    const keyParams = gated ? [`GATE#${s.id}`, `HELD#${s.id}`] : [s.id];
    return this.table.select(sql, [...params, ...keyParams]).map(([role, second, third, held, count]) => {
      // The record's state (a delivery recorded before they had states was recorded once delivered).
      const delivery =
        gated || typeof second !== 'string' ? undefined : (second as 'pending' | 'delivered' | 'failed');
      return {
        storyRole: role === 'update' ? 'update' : 'first',
        ...(delivery ? { delivery } : {}),
        ...(gated && typeof third === 'string' ? { gate: third as 'sent' | HoldReason } : {}),
        held: Number(held) === 1,
        count: Number(count),
      };
    });
  }

  /** The latest alerts sent for a subscriber, newest first. */
  latestSentFor(s: Subscriber, limit: number): SentFacts[] {
    const { m, joins, where, params } = this.sentFor(s);
    const columns = SENT_ALERT_FACTS;
    const rows = this.table.select(
      `SELECT ${columns.map((c) => m.term(c)).join(', ')} FROM ${m.from}${joins} WHERE ${where} ORDER BY ${m.term('sentAt')} DESC, ${m.term('alertId')} DESC LIMIT ${Math.max(0, Math.trunc(limit))}`,
      params,
    );
    return rows.map((r) => this.sentFactsOf(Object.fromEntries(columns.map((c, i) => [c, r[i]])) as DocItem));
  }

  /**
   * How many articles have each outlet, language and country (a country counted once per
   * article, whatever the number of its matches finding it), from the table's tallies: the
   * outlet of each article is worked out by {@link outletOf} when it is written.
   */
  facetCounts(): {
    outlets: Map<string, number>;
    languages: Map<string, number>;
    countries: Map<string, number>;
  } {
    // Counted at each write (the table's tallies): read, not counted.
    const outlets = new Map<string, number>();
    const languages = new Map<string, number>();
    for (const { group, count } of this.table.tally('article_facets')) {
      const [kind, value] = group.split(GROUP) as [string, string];
      (kind === 'outlet' ? outlets : languages).set(value, count);
    }
    const countries = new Map<string, number>();
    for (const { group } of this.table.tally('article_countries')) {
      const country = group.slice(0, group.indexOf(GROUP));
      countries.set(country, (countries.get(country) ?? 0) + 1);
    }
    return { outlets, languages, countries };
  }

  /**
   * The articles with these ids (the others left out), with their matches, story links and
   * stories: what a list's page or an article's page shows of them, read by key.
   */
  async part(articleIds: readonly string[], options: { sources?: boolean } = {}): Promise<CatalogSnapshot> {
    const snap = emptySnapshot();
    const items = await this.batchGet(articleIds.flatMap((id) => [keys.article(id), keys.articleStory(id)]));
    for (const item of items) {
      if (item.sk === 'ARTICLE') snap.articles.push(withoutKeys(item) as unknown as StoredArticle);
      else snap.storyOf.set(String(item.articleId), String(item.storyId));
    }
    const order = new Map(articleIds.map((id, i) => [id, i]));
    snap.articles.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    for (const id of articleIds) {
      for (const m of await this.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :match)',
        ExpressionAttributeValues: { ':pk': keys.article(id).pk, ':match': 'MATCH#' },
      }))
        snap.matches.push(withoutKeys(m) as unknown as MatchRecord);
      if (options.sources)
        for (const s of await this.queryAll({
          IndexName: TABLE_KEYS.gsi1.name,
          KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :source)',
          ExpressionAttributeValues: { ':pk': keys.article(id).pk, ':source': 'SOURCE#' },
        }))
          snap.sources.push(withoutKeys(s) as unknown as SourceRecord);
    }
    const storyIds = [...new Set(snap.storyOf.values())];
    for (const item of await this.batchGet(storyIds.map((id) => ({ pk: `STORY#${id}`, sk: 'STORY' }))))
      snap.stories.push(storyFromItem(item));
    return snap;
  }

  /** How many article ids start with this (counted up to `limit`). */
  idsStartingWith(prefix: string, limit: number): number {
    return this.table.itemsUnder(keys.article(prefix).pk, 'ARTICLE', limit).length;
  }

  /** The id of the article with this id, or with this id prefix (8 characters or more) when one article has it. */
  articleIdOf(idOrPrefix: string): string | undefined {
    const under = this.table.itemsUnder(keys.article(idOrPrefix).pk, 'ARTICLE', 2);
    const found = idOrPrefix.length >= 8 ? under : under.filter((i) => i.id === idOrPrefix);
    return found.length === 1 ? String(found[0]?.id) : undefined;
  }

  /** The titles and languages of these articles (those stored), read by key. */
  articleTitles(ids: readonly string[]): Array<{ id: string; title: string; language?: string }> {
    return this.table.itemsAt(ids.map(keys.article)).map((a) => ({
      id: String(a.id),
      title: String(a.title),
      ...(typeof a.language === 'string' ? { language: a.language } : {}),
    }));
  }

  /** The story with this id, or undefined. */
  async story(storyId: string): Promise<StoryRecord | undefined> {
    const [item] = await this.batchGet([{ pk: `STORY#${storyId}`, sk: 'STORY' }]);
    return item ? storyFromItem(item) : undefined;
  }

  private async batchGet(wanted: ReadonlyArray<{ pk: string; sk: string }>): Promise<DocItem[]> {
    const out: DocItem[] = [];
    for (let i = 0; i < wanted.length; i += 100) {
      const res = await this.doc.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: wanted.slice(i, i + 100) } } }),
      );
      out.push(...((res.Responses?.[this.tableName] ?? []) as DocItem[]));
    }
    return out;
  }

  private async queryAll(
    input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>,
  ): Promise<DocItem[]> {
    const out: DocItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }),
      );
      out.push(...((res.Items ?? []) as DocItem[]));
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async snapshot(): Promise<CatalogSnapshot> {
    const deliveries: DeliveryFactsByAlert = new Map();
    const snap: CatalogSnapshot = { ...emptySnapshot(), deliveries };
    const factsOf = (alertId: string, subscriberId: string) => factsIn(deliveries, alertId, subscriberId);
    const held = new Set<string>();
    const gates: Array<{ subscriberId: string; alertId: string; outcome: 'sent' | HoldReason }> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: start }),
      );
      for (const item of res.Items ?? []) {
        const pk = String(item.pk);
        const sk = String(item.sk);
        const record = withoutKeys(item);
        if (pk.startsWith('ARTICLE#') && sk === 'ARTICLE')
          snap.articles.push(record as unknown as StoredArticle);
        else if (pk.startsWith('ARTICLE#') && sk.startsWith('MATCH#'))
          snap.matches.push(record as unknown as MatchRecord);
        else if (pk.startsWith('SOURCE#') && sk === 'SOURCE')
          snap.sources.push(record as unknown as SourceRecord);
        else if (pk.startsWith('STORY#') && sk === 'STORY') snap.stories.push(storyFromItem(item));
        else if (pk.startsWith('ARTICLE#') && sk === 'STORY')
          snap.storyOf.set(String(item.articleId), String(item.storyId));
        else if (pk.startsWith('SOURCE#') && sk.startsWith('ERROR#'))
          snap.errors.push(record as unknown as IngestErrorRecord);
        else if (pk.startsWith('DELIVERY#') && sk.startsWith('TO#'))
          factsOf(String(item.alertId), String(item.recipient)).delivery = deliveryOf(item);
        else if (pk.startsWith('GATE#') && sk.startsWith('ALERT#') && item.state === 'done')
          gates.push({
            subscriberId: pk.slice('GATE#'.length),
            alertId: sk.slice('ALERT#'.length),
            outcome: item.outcome as 'sent' | HoldReason,
          });
        else if (pk.startsWith('HELD#') && sk.startsWith('ALERT#'))
          held.add(`${pk.slice(5)}\u0000${sk.slice(6)}`);
      }
      start = res.LastEvaluatedKey;
    } while (start);
    for (const g of gates)
      factsOf(g.alertId, g.subscriberId).gate = {
        outcome: g.outcome,
        released: g.outcome !== 'sent' && !held.has(`${g.subscriberId}\u0000${g.alertId}`),
      };
    return snap;
  }
}
