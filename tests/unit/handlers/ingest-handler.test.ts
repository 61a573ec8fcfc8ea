import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MemoryArticleStore,
  MemoryObjectSource,
  MemoryTopicStore,
} from '../../../functions/adapters/memory/memory-ports.ts';
import {
  CachedMatcher,
  snapshotOfTopicSet,
  topicSetVersion,
} from '../../../functions/core/pipeline/matching.ts';
import type { TopicDefinition } from '../../../functions/core/topics/topic.ts';
import { createIngestHandler } from '../../../functions/ingest/handler.ts';
import { s3MessageBody, s3Record, s3TestEventBody } from '../../fixtures/s3-events.ts';

const context = {
  functionName: 'ingest',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
const event = (...bodies: string[]): SQSEvent =>
  ({
    Records: bodies.map((body) => ({
      messageId: randomUUID(),
      body,
      eventSource: 'aws:sqs',
      attributes: {},
    })),
  }) as unknown as SQSEvent;
const STORY = new TextEncoder().encode('date 2024-03-01\n\nFloods reached the coast.\n\nMore.');

describe('Function: createIngestHandler (in-memory ports)', () => {
  let lines: Record<string, unknown>[];
  beforeEach(() => {
    lines = [];
    const capture = (chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) {
        if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterEach(() => vi.restoreAllMocks());

  const build = (files: Record<string, Uint8Array>) => {
    const objects = new MemoryObjectSource(new Map(Object.entries(files)));
    const articles = new MemoryArticleStore();
    const handler = createIngestHandler({
      config: { bucket: 'articles-bucket', incomingPrefix: 'incoming/' },
      ports: {
        objects,
        articles,
        clock: { now: () => new Date('2026-11-23T12:00:00Z') },
        limits: { maxBytes: 10_000 },
      },
    });
    return { objects, articles, handler };
  };

  it('should log the object key and the article id of each stored article', async () => {
    // Prepare
    const { handler } = build({ 'incoming/red flower.txt': STORY });

    // Act
    const res = await handler(
      event(s3MessageBody(s3Record('incoming/red+flower.txt', { size: STORY.length }))),
      context,
    );

    // Assess
    expect(res).toEqual({ batchItemFailures: [] });
    const stored = lines.find((l) => l.message === 'article stored');
    expect(stored).toMatchObject({
      objectKey: 'incoming/red flower.txt',
      articleId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('should acknowledge the s3:TestEvent and read nothing', async () => {
    // Prepare
    const { objects, handler } = build({});

    // Act
    const res = await handler(event(s3TestEventBody), context);

    // Assess
    expect(res).toEqual({ batchItemFailures: [] });
    expect(objects.reads).toEqual([]);
  });

  it('should ignore objects outside incoming/ and from other buckets', async () => {
    // Prepare
    const { objects, handler } = build({ 'quarantine/x.txt': STORY });
    const other = s3Record('incoming/x.txt');
    other.s3.bucket.name = 'someone-elses-bucket';

    // Act
    const res = await handler(event(s3MessageBody(s3Record('quarantine/x.txt'), other)), context);

    // Assess
    expect(res).toEqual({ batchItemFailures: [] });
    expect(objects.reads).toEqual([]);
    expect(lines.filter((l) => String(l.message).startsWith('object outside'))).toHaveLength(2);
  });

  it('should fail only the message that is not an S3 notification, so it reaches the dead-letter queue', async () => {
    // Prepare
    const { articles, handler } = build({ 'incoming/a.txt': STORY });
    const ev = event('{"surprise": true}', s3MessageBody(s3Record('incoming/a.txt', { size: STORY.length })));

    // Act
    const res = await handler(ev, context);

    // Assess
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: ev.Records[0]?.messageId }] });
    expect(articles.articles.size).toBe(1);
  });

  it('should fail the whole batch when every message failed, so all of it is retried', async () => {
    // Prepare
    const { handler } = build({});

    // Act & Assess
    await expect(handler(event('not json', '{}'), context)).rejects.toThrow('All records failed processing');
  });

  it('should fail a message whose object could not be stored, and log why with the key', async () => {
    // Prepare
    const other = new TextEncoder().encode('Another story entirely.');
    const { articles, handler } = build({ 'incoming/a.txt': STORY, 'incoming/b.txt': other });
    const put = articles.putArticle.bind(articles);
    articles.putArticle = async (article, at) => {
      if (article.sourceKey === 'incoming/a.txt') {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return put(article, at);
    };
    const ev = event(
      s3MessageBody(s3Record('incoming/a.txt', { size: STORY.length })),
      s3MessageBody(s3Record('incoming/b.txt', { size: other.length })),
    );

    // Act
    const res = await handler(ev, context);

    // Assess
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: ev.Records[0]?.messageId }] });
    expect(articles.sources.get('incoming/b.txt')).toMatchObject({ status: 'stored' });
    expect(lines.find((l) => l.level === 'ERROR')).toMatchObject({ objectKey: 'incoming/a.txt' });
  });

  it('should count matches per topic with a topic dimension, the topics without their own metric together', async () => {
    // Prepare: three topics match the seed article; two have their own metric.
    const seed = readFileSync('tests/fixtures/seeds/articles/000_9c9c4874b48bb81e.txt');
    const topics: TopicDefinition[] = [
      { id: 'masks', name: 'Masks', query: 'masks', minScore: 0, enabled: true },
      { id: 'korea', name: 'Korea', query: 'country:KR', minScore: 0, enabled: true },
      { id: 'azerbaijan', name: 'Azerbaijan', query: 'country:AZ', minScore: 0, enabled: true },
    ];
    const clock = { now: () => new Date('2026-11-23T12:00:00Z') };
    const store = new MemoryTopicStore({ version: topicSetVersion(topics, {}), topics, lists: {} });
    const handler = createIngestHandler({
      config: { bucket: 'articles-bucket', incomingPrefix: 'incoming/' },
      topicMetricIds: new Set(['masks', 'korea']),
      ports: {
        objects: new MemoryObjectSource(
          new Map([
            ['incoming/seed.txt', seed],
            ['incoming/empty.txt', new Uint8Array()],
          ]),
        ),
        articles: new MemoryArticleStore(),
        clock,
        limits: { maxBytes: 100_000 },
        matching: { matcher: new CachedMatcher(store, clock), store },
      },
    });

    // Act
    await handler(
      event(
        s3MessageBody(s3Record('incoming/seed.txt', { size: seed.length })),
        s3MessageBody(s3Record('incoming/empty.txt', { size: 0 })),
      ),
      context,
    );

    // Assess: one EMF line per topic value, and the rejected file counted by its kind.
    const emf = lines.filter((l) => '_aws' in l);
    const byDimension = (metric: string, dimension: string) =>
      Object.fromEntries(
        emf
          .filter((l) => metric in l && dimension in l)
          .map((l) => [l[dimension] as string, l[metric] as number]),
      );
    expect(byDimension('TopicMatches', 'topic')).toEqual({ masks: 1, korea: 1, '(other)': 1 });
    expect(byDimension('ArticlesRejected', 'kind')).toEqual({ EmptyFile: 1 });
    const dimensions = emf
      .filter((l) => 'TopicMatches' in l)
      .map(
        (l) =>
          (l._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics[0]
            ?.Dimensions,
      );
    expect(dimensions).toEqual([[['service', 'topic']], [['service', 'topic']], [['service', 'topic']]]);
  });

  it('should log once how the matcher got its index: from the stored snapshot, or compiled and why', async () => {
    // Prepare: one table holds the set's snapshot, another a damaged one.
    const seed = readFileSync('tests/fixtures/seeds/articles/000_9c9c4874b48bb81e.txt');
    const topics: TopicDefinition[] = [
      { id: 'masks', name: 'Masks', query: 'masks', minScore: 0, enabled: true },
    ];
    const set = { version: topicSetVersion(topics, {}), topics, lists: {} };
    const clock = { now: () => new Date('2026-11-23T12:00:00Z') };
    const run = async (snapshot: Uint8Array) => {
      const store = new MemoryTopicStore(set);
      store.snapshots.set(set.version, snapshot);
      const handler = createIngestHandler({
        config: { bucket: 'articles-bucket', incomingPrefix: 'incoming/' },
        ports: {
          objects: new MemoryObjectSource(
            new Map([
              ['incoming/a.txt', seed],
              ['incoming/b.txt', seed],
            ]),
          ),
          articles: new MemoryArticleStore(),
          clock,
          limits: { maxBytes: 100_000 },
          matching: { matcher: new CachedMatcher(store, clock), store },
        },
      });
      await handler(
        event(
          s3MessageBody(s3Record('incoming/a.txt', { size: seed.length })),
          s3MessageBody(s3Record('incoming/b.txt', { size: seed.length })),
        ),
        context,
      );
      const logged = lines.filter((l) => String(l.message).startsWith('topic index'));
      lines = [];
      return logged;
    };

    // Act
    const loaded = await run(snapshotOfTopicSet(set));
    const refused = await run(new Uint8Array(64).fill(7));

    // Assess
    expect(loaded).toEqual([
      expect.objectContaining({
        message: 'topic index ready',
        from: 'snapshot',
        topicSetVersion: set.version,
      }),
    ]);
    expect(refused).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'topic index compiled: the stored index snapshot was refused',
        from: 'compiled',
        reason: expect.stringMatching(/damaged/),
      }),
    ]);
  });
});
