import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { readTopicFolder } from '../../../functions/adapters/local/topic-folder.ts';
import {
  MemoryAlertPublisher,
  MemoryArticleStore,
  MemoryObjectSource,
  MemoryTopicStore,
} from '../../../functions/adapters/memory/memory-ports.ts';
import { composeAlertDocument, composeAlertEmail } from '../../../functions/core/alerts/compose.ts';
import { CachedMatcher, topicSetVersion } from '../../../functions/core/pipeline/matching.ts';
import { MAX_CONTAINER_ITEMS } from '../../../functions/core/articles/read-file.ts';
import { ingestObject } from '../../../functions/core/pipeline/ingest-object.ts';
import type { IngestPorts, ObjectRef } from '../../../functions/core/pipeline/ports.ts';

const enc = (s: string) => new TextEncoder().encode(s);

const setup = (files: Record<string, string>) => {
  const objects = new MemoryObjectSource(new Map(Object.entries(files).map(([k, v]) => [k, enc(v)])));
  const articles = new MemoryArticleStore();
  const ports: IngestPorts = {
    objects,
    articles,
    clock: { now: () => new Date('2026-11-23T12:00:00Z') },
    limits: { maxBytes: 256 * 1024 },
  };
  const ref = (key: string): ObjectRef => ({
    key,
    size: objects.objects.get(key)?.length ?? 0,
    etag: `etag-${key}`,
    eventTime: '2026-11-23T11:59:00Z',
  });
  return { objects, articles, ports, ref };
};

const EXPORT = JSON.stringify([
  {
    id: 'a-1',
    title: 'Masks for Serbia',
    body: 'China sent masks to Serbia.',
    publishedAt: '2026-11-20T10:00:00Z',
  },
  { id: 'a-2', title: 'A copy', body: 'China sent masks to Serbia.' },
  { id: 'a-3', title: 'No date', body: 'Text.', publishedAt: 'last Tuesday' },
  { title: 'Ventilators', content: ['Italy received ventilators.', 'More follow.'] },
]);

describe('Function: ingestObject (files holding several articles)', () => {
  it('should end each item of a JSON array on its own: stored, duplicate or rejected', async () => {
    // Prepare
    const { articles, objects, ports, ref } = setup({ 'incoming/export.json': EXPORT });

    // Act
    const outcome = await ingestObject(ref('incoming/export.json'), ports);

    // Assess
    expect(outcome.status).toBe('container');
    if (outcome.status !== 'container') return;
    expect(outcome.format).toBe('json');
    expect(outcome.items.map((i) => [i.key, i.status])).toEqual([
      ['incoming/export.json#a-1', 'stored'],
      ['incoming/export.json#a-2', 'duplicate'],
      ['incoming/export.json#a-3', 'rejected'],
      ['incoming/export.json#4', 'stored'],
    ]);
    expect(articles.articles.size).toBe(2);
    const first = [...articles.articles.values()].find((a) => a.title === 'Masks for Serbia');
    expect(first).toMatchObject({
      sourceKey: 'incoming/export.json#a-1',
      date: '2026-11-20',
      container: { key: 'incoming/export.json', item: 'a-1' },
    });
    expect(articles.sources.get('incoming/export.json')).toMatchObject({
      status: 'container',
      container: { format: 'json', items: 4, stored: 2, duplicate: 1, rejected: 1 },
    });
    expect(articles.sources.get('incoming/export.json#a-3')).toMatchObject({
      status: 'rejected',
      errorKind: 'InvalidArticle',
    });
    const error = [...articles.errors.values()].find((e) => e.key === 'incoming/export.json#a-3');
    expect(error).toMatchObject({
      kind: 'InvalidArticle',
      container: { key: 'incoming/export.json', item: 'a-3' },
      quarantineKey: 'quarantine/export.json',
    });
    expect(error?.message).toMatch(/"publishedAt": "last Tuesday" is not a date/);
    expect(objects.objects.has('quarantine/export.json')).toBe(true);
  });

  it('should add nothing when the same container is delivered again', async () => {
    // Prepare
    const { articles, ports, ref } = setup({ 'incoming/export.json': EXPORT });
    const first = await ingestObject(ref('incoming/export.json'), ports);

    // Act
    const again = await ingestObject(ref('incoming/export.json'), ports);

    // Assess
    expect(again).toEqual(first);
    expect(articles.articles.size).toBe(2);
  });

  it('should read JSON Lines and an export object, and refuse one bad line by its number', async () => {
    // Prepare
    const lines = [
      JSON.stringify({ headline: 'One', text: 'First story.', link: 'https://example.org/1' }),
      '{"headline": "Two", "text": ',
      '',
      JSON.stringify({
        title: 'Three',
        description: 'Only the summary.',
        source: { id: null, name: 'Example Times' },
        author: [{ name: 'Ann Lee' }, { name: 'Bo Kim' }],
        lang: 'es',
        publishedAt: 'Sat, 28 Nov 2026 10:00:00 +0000',
      }),
    ].join('\n');
    const exported = JSON.stringify({ status: 'ok', articles: [{ title: 'Four', body: 'Fourth story.' }] });
    const { articles, ports, ref } = setup({ 'incoming/feed.jsonl': lines, 'incoming/api.json': exported });

    // Act
    const jsonl = await ingestObject(ref('incoming/feed.jsonl'), ports);
    const api = await ingestObject(ref('incoming/api.json'), ports);

    // Assess
    expect(jsonl.status === 'container' && jsonl.items.map((i) => i.status)).toEqual([
      'stored',
      'rejected',
      'stored',
    ]);
    const bad = jsonl.status === 'container' ? jsonl.items[1] : undefined;
    expect(bad?.status === 'rejected' && bad.error).toMatchObject({ kind: 'MalformedJson', at: { line: 2 } });
    expect(api).toMatchObject({
      status: 'container',
      items: [{ status: 'stored', key: 'incoming/api.json#1' }],
    });
    const three = [...articles.articles.values()].find((a) => a.title === 'Three');
    expect(three).toMatchObject({
      source: 'Example Times',
      author: 'Ann Lee, Bo Kim',
      language: 'es',
      date: '2026-11-28',
      summaryOnly: true,
      format: 'jsonl',
    });
  });

  it('should refuse a container over the item limit whole, with the reason', async () => {
    // Prepare
    const many = JSON.stringify(
      Array.from({ length: MAX_CONTAINER_ITEMS + 1 }, (_, i) => ({ body: `Story ${i}.` })),
    );
    const { articles, ports, ref } = setup({ 'incoming/many.json': many });

    // Act
    const outcome = await ingestObject(ref('incoming/many.json'), ports);

    // Assess
    expect(outcome).toMatchObject({ status: 'rejected', error: { kind: 'TooManyItems' } });
    expect(articles.articles.size).toBe(0);
  });

  it('should refuse XML of an unknown kind, a page without article text and an empty feed instead of storing markup as text', async () => {
    // Prepare
    const { articles, ports, ref } = setup({
      'incoming/catalog.xml': '<?xml version="1.0"?><catalog><book>x</book></catalog>',
      'incoming/page.html': '<!DOCTYPE html><html><body><p>x</p></body></html>',
      'incoming/feed.xml':
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
    });

    // Act
    const catalog = await ingestObject(ref('incoming/catalog.xml'), ports);
    const page = await ingestObject(ref('incoming/page.html'), ports);
    const empty = await ingestObject(ref('incoming/feed.xml'), ports);

    // Assess
    expect(catalog).toMatchObject({ status: 'rejected', error: { kind: 'UnsupportedFormat' } });
    expect(page).toMatchObject({ status: 'rejected', error: { kind: 'NoBody' } });
    expect(page.status === 'rejected' && page.error.message).toMatch(/^the page has no article text/);
    expect(empty).toMatchObject({ status: 'rejected', error: { kind: 'NoBody' } });
    expect(articles.articles.size).toBe(0);
  });

  it('should read the dates news writes in a text header', async () => {
    // Prepare
    const { articles, ports, ref } = setup({
      'incoming/a.txt': 'Date: November 28, 2026\n\nAid reached Baku.',
      'incoming/b.txt': 'date 28/11/2026 By Ann Lee\n\nAid reached Yerevan.',
      'incoming/c.txt': 'Date palms grow in Baku.\n\nMore.',
    });

    // Act
    for (const k of ['a', 'b', 'c']) await ingestObject(ref(`incoming/${k}.txt`), ports);

    // Assess
    const byKey = new Map([...articles.articles.values()].map((a) => [a.sourceKey, a]));
    expect(byKey.get('incoming/a.txt')).toMatchObject({ date: '2026-11-28', dateSource: 'file' });
    expect(byKey.get('incoming/b.txt')).toMatchObject({ date: '2026-11-28', author: 'Ann Lee' });
    expect(byKey.get('incoming/c.txt')).toMatchObject({
      dateSource: 'received',
      title: 'Date palms grow in Baku',
    });
  });

  it('should say in each alert which item of which file, read as what, the article was', async () => {
    // Prepare: the seed article that alerts on international-health-aid, as the second item of a list.
    const seed = readFileSync('tests/fixtures/seeds/articles/000_9c9c4874b48bb81e.txt', 'utf8');
    const list = JSON.stringify([
      { id: 'x-1', title: 'Weather', body: 'Rain tomorrow.' },
      {
        id: 'x-2',
        title: 'Masks from Seoul',
        body: seed
          .split(/\n\s*\n/)
          .slice(1)
          .join('\n\n'),
      },
    ]);
    const { ports, ref } = setup({ 'incoming/wire.json': list });
    const { loaded } = readTopicFolder('tests/fixtures/seeds/topics');
    const topics = new MemoryTopicStore({
      version: topicSetVersion(loaded.topics, loaded.rawLists),
      topics: loaded.topics,
      lists: loaded.rawLists,
    });
    const publisher = new MemoryAlertPublisher();
    ports.matching = { matcher: new CachedMatcher(topics, ports.clock), store: topics };
    ports.alerts = { publisher, locate: (k) => `s3://articles/${k}` };

    // Act
    await ingestObject(ref('incoming/wire.json'), ports);

    // Assess
    const alert = publisher.published.find((a) => a.topic.id === 'international-health-aid');
    expect(alert?.article).toMatchObject({
      location: 's3://articles/incoming/wire.json#x-2',
      format: 'json',
      item: 'x-2',
    });
    const doc = composeAlertDocument(alert as NonNullable<typeof alert>);
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync('docs/alert.schema.json', 'utf8')) as object);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(composeAlertEmail(alert as NonNullable<typeof alert>).text).toContain(
      'File: s3://articles/incoming/wire.json#x-2 (item x-2), read as json',
    );
  });
});

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/formats/${name}`, import.meta.url), 'utf8');

describe('Function: ingestObject (feeds and NewsML-G2 messages)', () => {
  it('should store each item of a feed under <key>#<guid>, and record the feed as a container', async () => {
    // Prepare
    const { articles, ports, ref } = setup({ 'incoming/gazette.rss': fixture('rss2-content.rss') });

    // Act
    const outcome = await ingestObject(ref('incoming/gazette.rss'), ports);

    // Assess
    expect(outcome).toMatchObject({ status: 'container', format: 'feed' });
    if (outcome.status !== 'container') return;
    expect(outcome.items.map((i) => [i.key, i.status])).toEqual([
      ['incoming/gazette.rss#gazette-2026-11-28-ferry', 'stored'],
      ['incoming/gazette.rss#gazette-2026-11-27-landings', 'stored'],
      ['incoming/gazette.rss#gazette-2026-11-26-lifeboat', 'stored'],
    ]);
    expect(articles.articles.size).toBe(3);
    const ferry = [...articles.articles.values()].find((a) =>
      a.sourceKey.endsWith('#gazette-2026-11-28-ferry'),
    );
    expect(ferry).toMatchObject({
      format: 'feed',
      title: 'Ferry link to the islands restored after storm repairs',
      source: 'Harbour & Coast Gazette',
      url: 'https://gazette.example.org/2026/11/28/ferry-link-restored',
      container: { key: 'incoming/gazette.rss', item: 'gazette-2026-11-28-ferry' },
    });
    expect(articles.sources.get('incoming/gazette.rss')).toMatchObject({
      status: 'container',
      container: { format: 'feed', items: 3, stored: 3, duplicate: 0, rejected: 0 },
    });
    expect(articles.sources.get('incoming/gazette.rss#gazette-2026-11-27-landings')).toMatchObject({
      status: 'stored',
    });
  });

  it('should add nothing when a feed is delivered again, and take a repeated story for a duplicate', async () => {
    // Prepare
    const feed = fixture('rss2-content.rss');
    const { articles, ports, ref } = setup({
      'incoming/gazette.rss': feed,
      'incoming/mirror.rss': feed.replaceAll('gazette-2026-11-2', 'mirror-2026-11-2'),
    });
    const first = await ingestObject(ref('incoming/gazette.rss'), ports);

    // Act
    const again = await ingestObject(ref('incoming/gazette.rss'), ports);
    const mirror = await ingestObject(ref('incoming/mirror.rss'), ports);

    // Assess
    expect(again).toEqual(first);
    expect(articles.articles.size).toBe(3);
    expect(mirror.status === 'container' && mirror.items.map((i) => i.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
  });

  it('should refuse a bad feed item alone, against the one quarantined copy of the feed', async () => {
    // Prepare
    const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>Example News</title>
      <item><guid>good</guid><title>Good</title><description>A story about the harbour.</description></item>
      <item><guid>late</guid><pubDate>sometime soon</pubDate><description>A story with no date.</description></item>
      <item><guid>empty</guid><title>Nothing here</title></item></channel></rss>`;
    const { articles, objects, ports, ref } = setup({ 'incoming/news.rss': feed });

    // Act
    const outcome = await ingestObject(ref('incoming/news.rss'), ports);

    // Assess
    expect(outcome.status === 'container' && outcome.items.map((i) => [i.key, i.status])).toEqual([
      ['incoming/news.rss#good', 'stored'],
      ['incoming/news.rss#late', 'rejected'],
      ['incoming/news.rss#empty', 'rejected'],
    ]);
    expect(articles.articles.size).toBe(1);
    const late = [...articles.errors.values()].find((e) => e.key === 'incoming/news.rss#late');
    expect(late).toMatchObject({
      kind: 'InvalidArticle',
      container: { key: 'incoming/news.rss', item: 'late' },
      quarantineKey: 'quarantine/news.rss',
    });
    expect(late?.message).toMatch(/"pubDate": "sometime soon" is not a date/);
    expect(articles.sources.get('incoming/news.rss#empty')).toMatchObject({
      status: 'rejected',
      errorKind: 'NoBody',
    });
    expect(objects.objects.has('quarantine/news.rss')).toBe(true);
  });

  it('should store a NewsML-G2 message item by item, and a single newsItem or NITF file as one article', async () => {
    // Prepare
    const { articles, ports, ref } = setup({
      'incoming/wire.xml': fixture('newsml-message.xml'),
      'incoming/battery.xml': fixture('newsml-item.xml'),
      'incoming/museum.xml': fixture('nitf-article.xml'),
    });

    // Act
    const message = await ingestObject(ref('incoming/wire.xml'), ports);
    const item = await ingestObject(ref('incoming/battery.xml'), ports);
    const nitf = await ingestObject(ref('incoming/museum.xml'), ports);

    // Assess
    expect(message).toMatchObject({
      status: 'container',
      format: 'newsml',
      items: [
        { status: 'stored', key: 'incoming/wire.xml#urn:newsml:wire.example.com:20261128:harvest' },
        { status: 'stored', key: 'incoming/wire.xml#urn:newsml:wire.example.com:20261128:marathon' },
      ],
    });
    expect(item).toMatchObject({ status: 'stored', key: 'incoming/battery.xml' });
    expect(nitf).toMatchObject({
      status: 'stored',
      key: 'incoming/museum.xml',
      title: 'Museum returns carved panels to their village',
    });
    expect(articles.articles.size).toBe(4);
  });

  it('should reject a file declaring entities whole, with a quarantined copy', async () => {
    // Prepare
    const lol = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
      <rss version="2.0"><channel><title>&b;</title><item><description>&b;</description></item></channel></rss>`;
    const { articles, objects, ports, ref } = setup({ 'incoming/lol.rss': lol });

    // Act
    const outcome = await ingestObject(ref('incoming/lol.rss'), ports);

    // Assess
    expect(outcome).toMatchObject({
      status: 'rejected',
      error: { kind: 'UnsupportedFormat', message: expect.stringContaining('declares entities') },
      quarantineKey: 'quarantine/lol.rss',
    });
    expect(articles.articles.size).toBe(0);
    expect(objects.objects.has('quarantine/lol.rss')).toBe(true);
  });

  it('should record the watched feed a file was fetched from, by where the poller writes it', async () => {
    // Prepare: an RSS document where the poller writes feed documents, and a file elsewhere.
    const rss = readFileSync('tests/fixtures/formats/rss2-description.xml', 'utf8');
    const { articles, ports, ref } = setup({
      'incoming/feeds/who-news/0123abcd.xml': rss,
      'incoming/other/0123abcd.json': JSON.stringify([
        { id: 'o-1', title: 'Dropped', body: 'Aid reached Yerevan.' },
      ]),
    });

    // Act
    await ingestObject(ref('incoming/feeds/who-news/0123abcd.xml'), ports);
    await ingestObject(ref('incoming/other/0123abcd.json'), ports);

    // Assess
    const stored = [...articles.articles.values()];
    const fromFeed = stored.filter((a) => a.sourceKey.startsWith('incoming/feeds/'));
    expect(fromFeed.length).toBeGreaterThan(0);
    expect(fromFeed.every((a) => a.feed === 'who-news' && a.format !== 'json')).toBe(true);
    expect(stored.find((a) => a.title === 'Dropped')?.feed).toBeUndefined();
  });
});

describe('Function: ingestObject (feeds meant for some topics)', () => {
  const topic = (id: string, query: string) => ({ id, name: id, query, minScore: 0, enabled: true });

  it('should match the items of a feed with a topics: list against those topics only, and other files against all', async () => {
    // Prepare: two topics that both match the same text, fetched by a feed meant for one of them
    // and dropped by hand elsewhere.
    const text = JSON.stringify([
      { id: 'm-1', title: 'Masks for Serbia', body: 'China sent two million masks to Serbia on Friday.' },
    ]);
    const { ports, ref } = setup({
      'incoming/feeds/who-news/00aa.json': text,
      'incoming/drop/00aa.json': text.replace('m-1', 'm-2').replace('Friday', 'Monday'),
    });
    const topics = new MemoryTopicStore({
      version: 'v1',
      topics: [topic('masks', 'masks'), topic('serbia', 'serbia')],
      lists: {},
    });
    const feedTopics = new Map([['who-news', ['serbia']]]);
    ports.matching = {
      matcher: new CachedMatcher(topics, ports.clock),
      store: topics,
      feedTopics: (id) => feedTopics.get(id),
    };

    // Act
    const fromFeed = await ingestObject(ref('incoming/feeds/who-news/00aa.json'), ports);
    const dropped = await ingestObject(ref('incoming/drop/00aa.json'), ports);

    // Assess
    const topicsOf = (o: typeof fromFeed) =>
      o.status === 'container' && o.items[0]?.status === 'stored'
        ? o.items[0].matches.map((m) => m.topicId)
        : [];
    expect(topicsOf(fromFeed)).toEqual(['serbia']);
    expect(topicsOf(dropped).sort()).toEqual(['masks', 'serbia']);
    expect([...topics.matches.values()].filter((m) => m.topicId === 'masks')).toHaveLength(1);
    const feedRun = topics.runs.find((r) => r.matched.length === 1);
    expect(feedRun?.candidates).toEqual(['serbia']);
  });
});
