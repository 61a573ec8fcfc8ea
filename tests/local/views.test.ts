import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  itemsOf,
  SYNTHETIC_SUBSCRIBERS_YAML,
  SYNTHETIC_TOPICS,
  synthesise,
  writeItems,
} from '../../bench/synthetic-catalog.ts';
import { type CatalogSnapshot, LocalCatalog } from '../../functions/adapters/local/local-catalog.ts';
import { type LocalTable, openLocalTable } from '../../functions/adapters/local/local-dynamodb.ts';
import { loadSubscribers } from '../../functions/core/alerts/subscribers.ts';
import type { TopicSet } from '../../functions/core/pipeline/matching.ts';
import {
  type ArticleFilter,
  articleFacets,
  deliveryCounts,
  listAlerts,
  listArticles,
  listErrors,
  listStories,
  listSubscribers,
  listTopics,
  matchesPerDay,
  showArticle,
  showStory,
} from '../../local/services.ts';
import { LocalViews } from '../../local/views.ts';

const ARTICLES = 3000;
const topicSet: TopicSet = {
  version: 'v1',
  topics: SYNTHETIC_TOPICS.map((id) => ({ id, name: id, query: id, minScore: 0, enabled: true })),
  lists: {},
};
const { subscribers, problems } = loadSubscribers(SYNTHETIC_SUBSCRIBERS_YAML, new Set(SYNTHETIC_TOPICS), {
  allowLocalHttp: true,
});

let dir: string;
let table: LocalTable;
let snap: CatalogSnapshot;
let views: LocalViews;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'newswatch-views-'));
  table = await openLocalTable(join(dir, 'data'));
  await writeItems(table.doc, table.tableName, itemsOf(synthesise(ARTICLES)));
  const catalog = new LocalCatalog(table.doc, table.tableName, table.table);
  // What every view said before it read through the indexes: the same services over one scan.
  snap = await catalog.snapshot();
  views = new LocalViews({
    catalog,
    subscribers: () => subscribers,
    topics: () => topicSet,
  });
}, 60_000);

afterAll(async () => {
  await table.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Dashboard views read through the table indexes', () => {
  it('should hold stories, errors and records of delivery, not only articles', () => {
    // Assess: the data makes every view say something.
    expect(problems).toEqual([]);
    expect(subscribers).toHaveLength(4);
    expect(snap.articles).toHaveLength(ARTICLES);
    expect(snap.matches.length).toBeGreaterThan(ARTICLES / 4);
    expect(snap.stories.filter((s) => s.articleIds.length > 1).length).toBeGreaterThan(50);
    expect(snap.errors.length).toBeGreaterThan(5);
    expect(snap.deliveries?.size).toBeGreaterThan(500);
    // Outlets named by the source, by the URL's host (no source), by the folder (neither).
    const outlets = articleFacets(snap).outlets.map((o) => o.value);
    expect(outlets).toEqual(expect.arrayContaining(['Trend', 'trend.example', 'trend']));
  });

  it('should count what the status says as the whole-table scan counts it', () => {
    // Act
    const status = views.status();

    // Assess
    expect(status).toEqual({
      articles: snap.articles.length,
      matches: snap.matches.length,
      alerts: snap.matches.filter((m) => m.alertState === 'sent').length,
      errors: snap.errors.length,
      deliveries: deliveryCounts(snap, subscribers),
    });
    expect(status.deliveries.held).toBeGreaterThan(0);
  });

  it('should count again once the table has changed, and only then', async () => {
    // Prepare: the views read once.
    const before = views.status();
    const facets = views.facets();

    // Act: nothing written, then one more article of a new outlet.
    const again = views.facets();
    const one = synthesise(1).articles[0] as (typeof snap.articles)[number];
    await writeItems(table.doc, table.tableName, [
      {
        pk: `ARTICLE#${one.id}x`,
        sk: 'ARTICLE',
        type: 'article',
        ...one,
        id: `${one.id}x`,
        source: 'Newly Seen',
        title: `${one.title} Newlyseenword`,
      },
    ]);
    const after = views.status();
    const found = await views.articles({ q: 'newlyseenword', offset: 0, limit: 10 });

    // Assess
    expect(again).toBe(facets);
    expect(after.articles).toBe(before.articles + 1);
    expect(found.articles.map((a) => a.id)).toEqual([`${one.id}x`]);
    expect(views.facets().outlets).toContainEqual({ value: 'Newly Seen', articles: 1 });
    await table.doc.send(
      new DeleteCommand({ TableName: table.tableName, Key: { pk: `ARTICLE#${one.id}x`, sk: 'ARTICLE' } }),
    );
    expect(views.status().articles).toBe(before.articles);
    expect((await views.articles({ q: 'newlyseenword', offset: 0, limit: 10 })).total).toBe(0);
  });

  it('should list every page of articles, filtered and ordered, as the scan lists them', async () => {
    // Arrange
    const day = snap.articles[7]?.date as string;
    const filters: Array<ArticleFilter & { offset: number; limit: number }> = [
      { offset: 0, limit: 100 },
      { offset: 2950, limit: 100 },
      { offset: 5000, limit: 100 },
      { from: '2026-03-01', to: '2026-03-31', offset: 10, limit: 25 },
      { from: day, to: day, offset: 0, limit: 100 },
      { topic: 'vaccine-supply-deals', offset: 0, limit: 50 },
      { topic: 'vaccine-supply-deals', sort: 'score', offset: 40, limit: 50 },
      { language: 'es', offset: 0, limit: 100 },
      { outlet: 'Trend', from: '2026-06-01', offset: 0, limit: 100 },
      { country: 'KR', minScore: 0.4, offset: 0, limit: 100 },
      { minScore: 0.9, sort: 'score', offset: 0, limit: 100 },
      { q: 'glacier harbour', topic: 'international-health-aid', offset: 0, limit: 20 },
      // Searches of the texts: folded, words anywhere (parts of words too), with other filters.
      { q: 'glacier', offset: 0, limit: 100 },
      { q: '  Harbour   GLACIER ', offset: 30, limit: 50 },
      { q: 'lacie', language: 'es', offset: 0, limit: 100 },
      { q: 'an', offset: 100, limit: 100 },
      { q: 'an storm', outlet: 'Trend', offset: 0, limit: 100 },
      { q: 'vaccin', minScore: 0.3, sort: 'score', offset: 0, limit: 100 },
      { q: 'glacier*', offset: 0, limit: 100 },
      { q: 'no-such-word', offset: 0, limit: 100 },
      { q: 'glacier', offset: 100_000, limit: 10 },
      { q: 'glacier', offset: 0, limit: 0 },
    ];

    // Act & Assess
    for (const filter of filters)
      expect(await views.articles(filter), JSON.stringify(filter)).toEqual(listArticles(snap, filter));
    expect(views.facets()).toEqual(articleFacets(snap));
    const searched = await views.articles({ q: 'glacier', offset: 0, limit: 1 });
    expect(searched.total).toBeGreaterThan(0);
    expect(searched.total).toBeLessThan(snap.articles.length);
  });

  it('should show an article by its id or a unique prefix, with its matches, keys and story', async () => {
    // Arrange: one article of a story of several, one of its own.
    const shared = snap.stories.find((s) => s.articleIds.length > 2);
    const alone = snap.stories.find((s) => s.articleIds.length === 1);
    const ids = [shared?.articleIds[1], alone?.articleIds[0]] as string[];

    // Act & Assess
    for (const id of ids) {
      const detail = await views.article(id);
      expect(detail).toEqual(showArticle(snap, id));
      expect(detail?.sources).toHaveLength(1);
    }
    expect(await views.article((ids[0] as string).slice(0, 8))).toEqual(
      showArticle(snap, (ids[0] as string).slice(0, 8)),
    );
    expect(await views.article((ids[0] as string).slice(0, 7))).toBeUndefined();
    expect(await views.article('ffffffffffffffff')).toBeUndefined();
    expect((await views.article(ids[0] as string))?.story?.articles.length).toBeGreaterThan(2);
  });

  it('should list topics, alerts, subscribers, stories, the chart and errors as the scan does', async () => {
    // Act & Assess
    expect(views.topicList()).toEqual(listTopics(topicSet, snap));
    expect(views.alerts()).toEqual(listAlerts(snap, subscribers));
    expect(views.alerts('korea-foreign-relations')).toEqual(
      listAlerts(snap, subscribers, { topic: 'korea-foreign-relations' }),
    );
    expect(views.subscriberList()).toEqual(listSubscribers(snap, subscribers, { recent: 10 }));
    expect(views.stories(false)).toEqual(listStories(snap));
    expect(views.stories(true)).toEqual(listStories(snap, { all: true }));
    const story = snap.stories.find((s) => s.articleIds.length > 2)?.storyId as string;
    expect(await views.story(story)).toEqual(showStory(snap, story));
    expect(await views.story('0000000000000000')).toBeUndefined();
    expect(views.chart({})).toEqual(matchesPerDay(snap));
    expect(views.chart({ from: '2026-02-01', to: '2026-04-15' })).toEqual(
      matchesPerDay(snap, 366, { from: '2026-02-01', to: '2026-04-15' }),
    );
    expect(views.errors()).toEqual(listErrors(snap));
  });
});
