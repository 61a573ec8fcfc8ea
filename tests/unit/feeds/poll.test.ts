import { describe, expect, it } from 'vitest';
import { UnsafeFeedUrlError } from '../../../functions/core/alerts/ssrf.ts';
import type { Feed } from '../../../functions/core/feeds/feed.ts';
import {
  backoffMs,
  contentHash,
  DUE_SLACK_MS,
  type FeedPollOutcome,
  looksLikeXml,
  MAX_BACKOFF_MS,
  pollFeed,
  pollFeeds,
} from '../../../functions/core/feeds/poll.ts';
import type {
  FeedAnswer,
  FeedDocument,
  FeedPollPorts,
  FeedRequest,
  FeedState,
  FeedStateStore,
} from '../../../functions/core/pipeline/ports.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const RSS = (title: string) =>
  new TextEncoder().encode(
    `<?xml version="1.0"?><rss version="2.0"><channel><title>WHO</title><item><title>${title}</title></item></channel></rss>`,
  );

const feed: Feed = { id: 'who', url: 'https://www.who.int/rss-feeds/news-english.xml', every: '30m' };

/** A state store in memory, with the claim rule of the DynamoDB one. */
class MemoryStates implements FeedStateStore {
  readonly states = new Map<string, FeedState>();
  readonly leases = new Map<string, string>();
  failPut = false;

  get(id: string) {
    return Promise.resolve(this.states.get(id));
  }
  claim(id: string, now: string, until: string) {
    const held = this.leases.get(id);
    if (held !== undefined && held >= now) return Promise.resolve(false);
    this.leases.set(id, until);
    return Promise.resolve(true);
  }
  put(state: FeedState) {
    if (this.failPut) return Promise.reject(new Error('ProvisionedThroughputExceededException'));
    this.states.set(state.feedId, structuredClone(state));
    this.leases.delete(state.feedId);
    return Promise.resolve();
  }
}

/** Ports around a scripted server: each fetch takes the next answer. */
const harness = (answers: Array<FeedAnswer | (() => never)>, start = T0) => {
  let now = start;
  const requests: FeedRequest[] = [];
  const written: FeedDocument[] = [];
  const keys = new Set<string>();
  const states = new MemoryStates();
  const randoms: number[] = [];
  const ports: FeedPollPorts = {
    fetch: (request) => {
      requests.push(request);
      const next = answers.shift();
      if (!next) throw new Error('no answer scripted');
      return Promise.resolve(typeof next === 'function' ? next() : next);
    },
    documents: {
      write: (doc) => {
        if (keys.has(doc.key)) return Promise.resolve('exists');
        keys.add(doc.key);
        written.push(doc);
        return Promise.resolve('written');
      },
    },
    states,
    clock: { now: () => new Date(now) },
    random: () => randoms.shift() ?? 0,
  };
  return {
    ports,
    requests,
    written,
    keys,
    states,
    randoms,
    advance: (ms: number) => (now += ms),
    at: () => now,
  };
};

const options = { prefix: 'incoming/feeds/', maxBytes: 262_144 };
const doc = (
  body: Uint8Array,
  extra: Partial<Extract<FeedAnswer, { kind: 'document' }>> = {},
): FeedAnswer => ({
  kind: 'document',
  body,
  contentType: 'application/rss+xml; charset=utf-8',
  ...extra,
});
const stateOf = (o: FeedPollOutcome) => ('state' in o ? o.state : undefined);

describe('Function: pollFeed (conditional GET)', () => {
  it('should write a first document under its content hash and keep its validators', async () => {
    // Prepare
    const h = harness([doc(RSS('one'), { etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 09:00:00 GMT' })]);

    // Act
    const outcome = await pollFeed(feed, h.ports, options);

    // Assess
    const key = `incoming/feeds/who/${contentHash(RSS('one')).slice(0, 32)}.xml`;
    expect(outcome).toMatchObject({ feedId: 'who', status: 'new', key });
    expect(h.requests[0]).toEqual({
      url: feed.url,
      headers: expect.not.objectContaining({ 'if-none-match': expect.anything() }),
      maxBytes: 262_144,
      timeoutMs: 15_000,
    });
    expect(h.requests[0]?.headers).toMatchObject({ 'user-agent': expect.stringMatching(/^newswatch/) });
    expect(h.written).toEqual([
      {
        key,
        body: RSS('one'),
        contentType: 'application/rss+xml; charset=utf-8',
        metadata: { 'feed-id': 'who', 'feed-url': feed.url, 'fetched-at': '2026-12-01T10:00:00.000Z' },
      },
    ]);
    expect(h.states.states.get('who')).toMatchObject({
      url: feed.url,
      etag: '"v1"',
      lastModified: 'Tue, 01 Dec 2026 09:00:00 GMT',
      lastStatus: 'new',
      consecutiveFailures: 0,
      nextDueAt: '2026-12-01T10:30:00.000Z',
      recentHashes: [contentHash(RSS('one'))],
      filesWritten: 1,
      lastWrittenKey: key,
    });
  });

  it('should send the validators back, and write nothing on 304', async () => {
    // Prepare
    const h = harness([doc(RSS('one'), { etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 09:00:00 GMT' })]);
    await pollFeed(feed, h.ports, options);
    h.advance(30 * MINUTE);

    // Act
    const again = harness([{ kind: 'not-modified' }], h.at());
    again.states.states.set('who', h.states.states.get('who') as FeedState);
    const outcome = await pollFeed(feed, again.ports, options);

    // Assess
    expect(again.requests[0]?.headers).toMatchObject({
      'if-none-match': '"v1"',
      'if-modified-since': 'Tue, 01 Dec 2026 09:00:00 GMT',
    });
    expect(outcome.status).toBe('not-modified');
    expect(again.written).toEqual([]);
    expect(stateOf(outcome)).toMatchObject({
      etag: '"v1"',
      lastModified: 'Tue, 01 Dec 2026 09:00:00 GMT',
      lastStatus: 'not-modified',
      lastHttpStatus: 304,
      nextDueAt: '2026-12-01T11:00:00.000Z',
      filesWritten: 1,
    });
  });

  it('should not poll a feed before its interval has passed, allowing a minute of slack', async () => {
    // Prepare
    const h = harness([doc(RSS('one')), { kind: 'not-modified' }]);
    await pollFeed(feed, h.ports, options);

    // Act
    h.advance(30 * MINUTE - DUE_SLACK_MS - 1_000);
    const early = await pollFeed(feed, h.ports, options);
    h.advance(2_000);
    const due = await pollFeed(feed, h.ports, options);

    // Assess
    expect(early).toMatchObject({ status: 'not-due', dueAt: '2026-12-01T10:30:00.000Z' });
    expect(due.status).toBe('not-modified');
    expect(h.requests).toHaveLength(2);
  });

  it('should poll a feed whose interval was shortened in the file as soon as the new interval allows', async () => {
    // Prepare
    const h = harness([doc(RSS('one')), { kind: 'not-modified' }]);
    await pollFeed({ ...feed, every: '2h' }, h.ports, options);
    h.advance(15 * MINUTE);

    // Act
    const outcome = await pollFeed({ ...feed, every: '15m' }, h.ports, options);

    // Assess
    expect(outcome.status).toBe('not-modified');
  });

  it('should not write the same content twice when the server ignores the validators', async () => {
    // Prepare
    const h = harness([doc(RSS('one'), { etag: '"v1"' }), doc(RSS('one'), { etag: '"v1"' })]);
    await pollFeed(feed, h.ports, options);
    h.advance(30 * MINUTE);

    // Act
    const outcome = await pollFeed(feed, h.ports, options);

    // Assess
    expect(outcome.status).toBe('unchanged');
    expect(h.written).toHaveLength(1);
    expect(stateOf(outcome)).toMatchObject({ lastStatus: 'unchanged', filesWritten: 1 });
  });

  it('should not write a document again when a feed goes back to it (two servers behind one name)', async () => {
    // Prepare
    const h = harness([doc(RSS('one')), doc(RSS('two')), doc(RSS('one'))]);

    // Act
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await pollFeed(feed, h.ports, options)).status);
      h.advance(30 * MINUTE);
    }

    // Assess
    expect(statuses).toEqual(['new', 'new', 'unchanged']);
    expect(h.written.map((d) => new TextDecoder().decode(d.body))).toEqual([
      expect.stringContaining('one'),
      expect.stringContaining('two'),
    ]);
    expect(h.states.states.get('who')?.recentHashes).toEqual([
      contentHash(RSS('one')),
      contentHash(RSS('two')),
    ]);
  });

  it('should take a document the writer already has (state lost after a write) as unchanged', async () => {
    // Prepare
    const h = harness([doc(RSS('one'))]);
    h.keys.add(`incoming/feeds/who/${contentHash(RSS('one')).slice(0, 32)}.xml`);

    // Act
    const outcome = await pollFeed(feed, h.ports, options);

    // Assess
    expect(outcome.status).toBe('unchanged');
    expect(stateOf(outcome)).toMatchObject({ filesWritten: 0, recentHashes: [contentHash(RSS('one'))] });
  });

  it('should forget the validators of a feed given a new URL, and poll it at once', async () => {
    // Prepare
    const h = harness([doc(RSS('one'), { etag: '"v1"' }), doc(RSS('one'))]);
    await pollFeed(feed, h.ports, options);
    h.advance(MINUTE);

    // Act
    const moved = { ...feed, url: 'https://www.who.int/feeds/news.xml' };
    const outcome = await pollFeed(moved, h.ports, options);

    // Assess
    expect(h.requests[1]?.headers['if-none-match']).toBeUndefined();
    expect(outcome.status).toBe('unchanged');
    expect(stateOf(outcome)).toMatchObject({ url: moved.url, filesWritten: 1 });
  });

  it('should record where a feed moved permanently, and forget it once it answers at its URL again', async () => {
    // Prepare
    const h = harness([
      doc(RSS('one'), { movedTo: 'https://www.who.int/feeds/news.xml' }),
      { kind: 'not-modified' },
    ]);

    // Act
    const first = await pollFeed(feed, h.ports, options);
    h.advance(30 * MINUTE);
    const second = await pollFeed(feed, h.ports, options);

    // Assess
    expect(stateOf(first)?.movedTo).toBe('https://www.who.int/feeds/news.xml');
    expect(stateOf(second)?.movedTo).toBeUndefined();
  });
});

describe('Function: pollFeed (failures)', () => {
  it('should back off exponentially with jitter up to six hours, then poll on the interval once it works', async () => {
    // Prepare: nine failures, then a document; random 0 (no jitter) except the third failure.
    const failure: FeedAnswer = { kind: 'failed', error: 'the server answered 502 Bad Gateway', status: 502 };
    const h = harness([...Array<FeedAnswer>(9).fill(failure), doc(RSS('one'))]);
    h.randoms.push(0, 0, 1, 0, 0, 0, 0, 0, 0);
    const waits: number[] = [];

    // Act
    for (let i = 0; i < 10; i++) {
      const outcome = await pollFeed(feed, h.ports, options);
      const state = stateOf(outcome) as FeedState;
      waits.push(Date.parse(state.nextDueAt) - h.at());
      h.advance(Date.parse(state.nextDueAt) - h.at());
    }

    // Assess
    expect(waits).toEqual([
      1 * HOUR,
      2 * HOUR,
      3 * HOUR, // 4 h less the most jitter (a quarter)
      6 * HOUR,
      6 * HOUR,
      6 * HOUR,
      6 * HOUR,
      6 * HOUR,
      6 * HOUR,
      30 * MINUTE,
    ]);
    const last = h.states.states.get('who') as FeedState;
    expect(last).toMatchObject({ consecutiveFailures: 0, lastStatus: 'new' });
    expect(last.lastError).toBeUndefined();
    expect(h.written).toHaveLength(1);
  });

  it('should keep the error, its HTTP status and the count of failures in a row', async () => {
    // Prepare
    const h = harness([{ kind: 'failed', error: 'the server answered 404 Not Found', status: 404 }]);

    // Act
    const outcome = await pollFeed(feed, h.ports, options);

    // Assess
    expect(outcome).toMatchObject({ status: 'failed', error: 'the server answered 404 Not Found' });
    expect(h.states.states.get('who')).toMatchObject({
      lastStatus: 'failed',
      lastHttpStatus: 404,
      consecutiveFailures: 1,
      lastError: 'the server answered 404 Not Found',
    });
    expect(h.written).toEqual([]);
  });

  it("should wait as long as a server's Retry-After asks, up to a day", async () => {
    // Prepare
    const h = harness([
      { kind: 'failed', error: 'the server answered 429', status: 429, retryAfterMs: 10 * HOUR },
      { kind: 'failed', error: 'the server answered 503', status: 503, retryAfterMs: 90 * HOUR },
    ]);

    // Act
    const first = stateOf(await pollFeed(feed, h.ports, options)) as FeedState;
    h.advance(10 * HOUR);
    const second = stateOf(await pollFeed(feed, h.ports, options)) as FeedState;

    // Assess
    expect(Date.parse(first.nextDueAt) - T0).toBe(10 * HOUR);
    expect(Date.parse(second.nextDueAt) - (T0 + 10 * HOUR)).toBe(24 * HOUR);
  });

  it('should record a refused (SSRF) address as a failure, fetching and writing nothing more', async () => {
    // Prepare
    const h = harness([
      () => {
        throw new UnsafeFeedUrlError('www.who.int resolves to 10.0.0.7, which feeds may not be fetched from');
      },
    ]);

    // Act
    const outcome = await pollFeed(feed, h.ports, options);

    // Assess
    expect(outcome).toMatchObject({
      status: 'failed',
      error: 'www.who.int resolves to 10.0.0.7, which feeds may not be fetched from',
    });
    expect(h.written).toEqual([]);
    expect(stateOf(outcome)?.consecutiveFailures).toBe(1);
  });

  it('should pass the body limit to the fetcher and record a document over it as a failure', async () => {
    // Prepare
    const h = harness([
      { kind: 'failed', error: 'the document is over the 1024-byte limit for one file', status: 200 },
    ]);

    // Act
    const outcome = await pollFeed(feed, h.ports, { ...options, maxBytes: 1024 });

    // Assess
    expect(h.requests[0]?.maxBytes).toBe(1024);
    expect(outcome).toMatchObject({ status: 'failed', error: expect.stringContaining('1024-byte limit') });
    expect(h.written).toEqual([]);
  });

  it('should refuse an answer that is not XML (a JSON error, a plain-text notice)', async () => {
    // Prepare
    const h = harness([
      doc(new TextEncoder().encode('{"error":"quota"}'), { contentType: 'application/json' }),
    ]);

    // Act
    const outcome = await pollFeed(feed, h.ports, options);

    // Assess
    expect(outcome).toMatchObject({
      status: 'failed',
      error: 'the answer is not an XML document (it is application/json)',
    });
    expect(h.written).toEqual([]);
  });

  it('should not poll a feed another run holds, and poll it once the claim has run out', async () => {
    // Prepare
    const h = harness([doc(RSS('one'))]);
    h.states.leases.set('who', new Date(T0 + 30_000).toISOString());

    // Act
    const busy = await pollFeed(feed, h.ports, options);
    h.advance(31_000);
    const polled = await pollFeed(feed, h.ports, options);

    // Assess
    expect(busy).toEqual({ feedId: 'who', status: 'busy' });
    expect(polled.status).toBe('new');
  });

  it('should report a state that cannot be stored as an error of ours, not a failure of the feed', async () => {
    // Prepare
    const h = harness([doc(RSS('one'))]);
    h.states.failPut = true;

    // Act
    const outcome = await pollFeed(feed, h.ports, options);

    // Assess
    expect(outcome).toEqual({
      feedId: 'who',
      status: 'error',
      error: 'the state of feed who cannot be stored: ProvisionedThroughputExceededException',
    });
  });
});

describe('Function: backoffMs', () => {
  it('should double from the interval, stay within the cap, and never fall below the interval', () => {
    // Act & Assess
    expect(backoffMs(feed, 1, () => 0)).toBe(HOUR);
    expect(backoffMs(feed, 1, () => 1)).toBe(45 * MINUTE);
    expect(backoffMs(feed, 3, () => 0)).toBe(4 * HOUR);
    expect(backoffMs(feed, 50, () => 0)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(feed, 50, () => 0.5)).toBe(MAX_BACKOFF_MS * 0.875);
    // A daily feed waits at least a day, whatever the cap.
    expect(backoffMs({ ...feed, every: '24h' }, 1, () => 1)).toBe(24 * HOUR);
  });
});

describe('Function: looksLikeXml', () => {
  it('should take XML with a byte-order mark or leading white space, and refuse anything else', () => {
    // Act & Assess
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(looksLikeXml(bytes('\ufeff  \n<?xml version="1.0"?><feed/>'))).toBe(true);
    expect(looksLikeXml(new Uint8Array([0xff, 0xfe, 0x3c, 0x00]))).toBe(true);
    expect(looksLikeXml(bytes('{"items": []}'))).toBe(false);
    expect(looksLikeXml(bytes(''))).toBe(false);
  });
});

describe('Function: pollFeeds', () => {
  it('should poll every due feed, a few at a time, and skip those the run has no time left for', async () => {
    // Prepare
    const feeds: Feed[] = ['a', 'b', 'c', 'd'].map((id) => ({
      ...feed,
      id,
      url: `https://${id}.example.org/rss`,
    }));
    const h = harness([doc(RSS('a')), doc(RSS('b')), doc(RSS('c'))]);
    let left = 60_000;

    // Act
    const outcomes = await pollFeeds(feeds, h.ports, {
      ...options,
      concurrency: 1,
      timeLeft: () => (left -= 13_000),
    });

    // Assess
    expect(outcomes.map((o) => `${o.feedId}:${o.status}`)).toEqual(['a:new', 'b:new', 'c:new', 'd:skipped']);
    expect(h.states.states.has('d')).toBe(false);
  });
});
