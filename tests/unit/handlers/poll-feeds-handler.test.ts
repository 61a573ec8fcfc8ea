import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Feed } from '../../../functions/core/feeds/feed.ts';
import { feedListJson } from '../../../functions/core/feeds/feed.ts';
import type {
  FeedAnswer,
  FeedDocument,
  FeedState,
  FeedStateStore,
} from '../../../functions/core/pipeline/ports.ts';
import { createPollFeedsHandler, readPollFeedsConfig } from '../../../functions/poll-feeds/handler.ts';

const context = {
  functionName: 'poll-feeds',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 120_000,
} as unknown as Context;
const RSS = new TextEncoder().encode('<?xml version="1.0"?><rss version="2.0"><channel/></rss>');
const feeds: Feed[] = [
  { id: 'alpha', url: 'https://alpha.example.org/rss', every: '30m' },
  { id: 'beta', url: 'https://beta.example.org/rss', every: '30m' },
  { id: 'gamma', url: 'https://gamma.example.org/rss', every: '30m' },
];

class States implements FeedStateStore {
  readonly states = new Map<string, FeedState>();
  failPut = false;
  get(id: string) {
    return Promise.resolve(this.states.get(id));
  }
  claim() {
    return Promise.resolve(true);
  }
  put(state: FeedState) {
    if (this.failPut) return Promise.reject(new Error('the table is unavailable'));
    this.states.set(state.feedId, state);
    return Promise.resolve();
  }
}

describe('Function: createPollFeedsHandler (in-memory ports)', () => {
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

  const build = (answers: Record<string, FeedAnswer>) => {
    const states = new States();
    const written: FeedDocument[] = [];
    const handler = createPollFeedsHandler({
      feeds,
      ports: {
        fetch: (r) => Promise.resolve(answers[new URL(r.url).hostname.split('.')[0] as string] as FeedAnswer),
        documents: {
          write: (d) => {
            written.push(d);
            return Promise.resolve('written');
          },
        },
        states,
        clock: { now: () => new Date('2026-12-01T10:00:00Z') },
        random: () => 0,
      },
      settings: {
        prefix: 'incoming/feeds/',
        maxBytes: 262_144,
        timeoutMs: 15_000,
        feedMetricIds: new Set(['alpha']),
      },
    });
    return { handler, states, written };
  };
  const emf = () => lines.filter((l) => '_aws' in l);

  it('should write new documents, count them, and count failures per feed with the rest together', async () => {
    // Prepare
    const { handler, written } = build({
      alpha: { kind: 'failed', error: 'the server answered 500', status: 500 },
      beta: { kind: 'document', body: RSS },
      gamma: { kind: 'failed', error: 'cannot resolve gamma.example.org: ENOTFOUND' },
    });

    // Act
    const summary = await handler({}, context);

    // Assess
    expect(summary).toMatchObject({ new: 1, failed: 2 });
    expect(written.map((d) => d.key)).toEqual([
      expect.stringMatching(/^incoming\/feeds\/beta\/[0-9a-f]{32}\.xml$/),
    ]);
    const metric = (name: string) =>
      emf()
        .filter((l) => name in l)
        .map((l) => [l.feed ?? '-', l[name]]);
    expect(metric('FeedsPolled')).toEqual([['-', 3]]);
    expect(metric('FeedFilesWritten')).toEqual([['-', 1]]);
    expect(metric('FeedFailures').sort()).toEqual([
      ['(other)', 1],
      ['alpha', 1],
    ]);
    expect(metric('FeedFailingStreak').sort()).toEqual([
      ['(other)', 1],
      ['alpha', 1],
    ]);
    expect(lines.find((l) => l.message === 'feed poll failed' && l.feedId === 'gamma')).toMatchObject({
      error: 'cannot resolve gamma.example.org: ENOTFOUND',
      failures: 1,
    });
  });

  it('should poll one feed on request even when it is not due', async () => {
    // Prepare
    const { handler, written } = build({ beta: { kind: 'document', body: RSS } });

    // Act
    const summary = await handler({ feed: 'beta', force: true }, context);

    // Assess
    expect(summary).toMatchObject({ new: 1 });
    expect(written).toHaveLength(1);
    await expect(handler({ feed: 'delta' }, context)).rejects.toThrow('there is no feed "delta"');
  });

  it('should fail the run when a poll cannot be recorded, after polling the other feeds', async () => {
    // Prepare
    const { handler, states } = build({
      alpha: { kind: 'document', body: RSS },
      beta: { kind: 'not-modified' },
      gamma: { kind: 'not-modified' },
    });
    states.failPut = true;

    // Act & Assess
    await expect(handler({}, context)).rejects.toThrow(/3 feed poll\(s\) could not be recorded/);
  });
});

describe('Function: readPollFeedsConfig', () => {
  it('should read the feeds and settings the stack gives the function, with defaults for the rest', () => {
    // Act
    const config = readPollFeedsConfig({
      TABLE_NAME: 'newswatch-table',
      BUCKET_NAME: 'articles-bucket',
      FEEDS: feedListJson(feeds),
      FEED_METRICS: '["alpha"]',
    });

    // Assess
    expect(config).toEqual({
      tableName: 'newswatch-table',
      bucket: 'articles-bucket',
      prefix: 'incoming/feeds/',
      maxBytes: 262_144,
      timeoutMs: 15_000,
      feeds,
      feedMetricIds: new Set(['alpha']),
    });
  });

  it('should name a missing variable and refuse an unsafe feed', () => {
    // Act & Assess
    expect(() => readPollFeedsConfig({ BUCKET_NAME: 'articles-bucket' })).toThrow(/TABLE_NAME/);
    expect(() =>
      readPollFeedsConfig({
        TABLE_NAME: 'newswatch-table',
        BUCKET_NAME: 'articles-bucket',
        FEEDS: '[{"id":"x","url":"https://10.1.2.3/rss"}]',
      }),
    ).toThrow('FEEDS is invalid: 10.1.2.3 is an internal address');
  });
});
