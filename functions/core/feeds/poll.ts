import { createHash } from 'node:crypto';
import type { FeedAnswer, FeedPollPorts, FeedPollStatus, FeedRequest, FeedState } from '../pipeline/ports.ts';
import { type Feed, intervalMs } from './feed.ts';

/**
 * Polling one feed: is it due, a conditional GET, and what to keep. A changed document is
 * written whole, as one file, where the ingest path reads files (`incoming/feeds/<id>/`); the
 * items in it are read there, like those of any uploaded feed file.
 */

/** Time one fetch may take by default, from name resolution to the last byte (redirects included). */
export const DEFAULT_FEED_TIMEOUT_MS = 15_000;

/** Longest wait after failures, however many (unless the feed's own interval is longer). */
export const MAX_BACKOFF_MS = 6 * 3_600_000;

/** Longest wait a server's `Retry-After` is honoured for. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** Share of a back-off delay taken off at random, so feeds that failed together spread out. */
export const BACKOFF_JITTER = 0.25;

/**
 * How early a feed is polled before it is due: runs come every 5 minutes, and a feed due a few
 * seconds after a run would otherwise wait for the next one.
 */
export const DUE_SLACK_MS = 60_000;

/** Hashes of written documents remembered per feed. */
export const RECENT_HASHES = 16;

/** Longest error kept in a feed's state. */
const MAX_ERROR_LENGTH = 300;

/** How newswatch names itself to feed servers. */
export const FEED_USER_AGENT = 'newswatch-feed-poller/1.0';

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1';

/** Settings of a poll. */
export interface PollOptions {
  /** Key prefix of the documents: `incoming/feeds/` on AWS, `inbox/feeds/` on one machine. */
  prefix: string;
  /** Largest document accepted: the ingest path's limit for one file. */
  maxBytes: number;
  timeoutMs?: number;
  maxBackoffMs?: number;
  /** Poll even when the feed is not due. */
  force?: boolean;
}

/** How a poll of one feed ended. */
export type FeedPollOutcome =
  | { feedId: string; status: 'not-due'; dueAt: string; state?: FeedState }
  /** Another run is polling the feed right now. */
  | { feedId: string; status: 'busy' }
  /** Not started: the run had no time left for it; it stays due. */
  | { feedId: string; status: 'skipped' }
  | { feedId: string; status: 'new'; key: string; state: FeedState }
  | { feedId: string; status: 'not-modified' | 'unchanged'; state: FeedState }
  | { feedId: string; status: 'failed'; error: string; state: FeedState }
  /** Our side failed (the table or the bucket): nothing was recorded, and the feed is tried again. */
  | { feedId: string; status: 'error'; error: string };

/** The state of a feed never polled (or given a new URL, keeping what it wrote before). */
const freshState = (feed: Feed, now: Date, before?: FeedState): FeedState => ({
  feedId: feed.id,
  url: feed.url,
  consecutiveFailures: 0,
  nextDueAt: now.toISOString(),
  recentHashes: before?.recentHashes ?? [],
  filesWritten: before?.filesWritten ?? 0,
  ...(before?.lastWrittenKey ? { lastWrittenKey: before.lastWrittenKey } : {}),
  ...(before?.lastWrittenAt ? { lastWrittenAt: before.lastWrittenAt } : {}),
});

/**
 * When a feed is due (epoch ms): at once when it was never polled or its URL changed; after a
 * failure, when its back-off ends; else one interval (as the feeds file says now) after its
 * last poll.
 */
export const dueAt = (feed: Feed, state: FeedState | undefined): number => {
  if (!state || state.url !== feed.url || !state.lastPolledAt) return Number.NEGATIVE_INFINITY;
  if (state.consecutiveFailures > 0) return Date.parse(state.nextDueAt);
  return Date.parse(state.lastPolledAt) + intervalMs(feed);
};

/** Whether a feed is due at `now`, allowing {@link DUE_SLACK_MS}. */
export const isDue = (feed: Feed, state: FeedState | undefined, now: Date): boolean =>
  dueAt(feed, state) <= now.getTime() + DUE_SLACK_MS;

/**
 * The wait after the `failures`-th failure in a row: the feed's interval doubled per failure,
 * capped at {@link MAX_BACKOFF_MS} (or the interval, when longer), less up to
 * {@link BACKOFF_JITTER} of it at random, and never shorter than the interval.
 */
export const backoffMs = (
  feed: Feed,
  failures: number,
  random: () => number,
  maxBackoffMs = MAX_BACKOFF_MS,
): number => {
  const base = intervalMs(feed);
  const cap = Math.max(maxBackoffMs, base);
  const raw = Math.min(cap, base * 2 ** Math.min(Math.max(failures, 1), 30));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.max(base, Math.round(raw * (1 - BACKOFF_JITTER * r)));
};

/** The request headers of a poll: what is accepted, who asks, and the validators it holds. */
export const requestHeaders = (state: FeedState | undefined): Record<string, string> => ({
  accept: ACCEPT,
  'user-agent': FEED_USER_AGENT,
  ...(state?.etag ? { 'if-none-match': state.etag } : {}),
  ...(state?.lastModified ? { 'if-modified-since': state.lastModified } : {}),
});

/** SHA-256 of a document, hex. */
export const contentHash = (body: Uint8Array): string => createHash('sha256').update(body).digest('hex');

/** Where a document of a feed is written: one key per distinct content. */
export const documentKey = (prefix: string, feedId: string, hash: string): string =>
  `${prefix}${feedId}/${hash.slice(0, 32)}.xml`;

/**
 * Whether a body can be an XML document (a feed): after white space and a byte-order mark, it
 * starts with `<`; UTF-16 documents start with their byte-order mark. An HTML error page is
 * XML-like too and is left to the ingest path, which says what it is.
 */
export const looksLikeXml = (body: Uint8Array): boolean => {
  if ((body[0] === 0xfe && body[1] === 0xff) || (body[0] === 0xff && body[1] === 0xfe)) return true;
  let i = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  while (i < body.length && [0x20, 0x09, 0x0a, 0x0d].includes(body[i] as number)) i++;
  return body[i] === 0x3c;
};

/** A content type worth keeping on the object (an XML type, with its charset); anything else is `application/xml`. */
const contentTypeOf = (answer: string | undefined): string =>
  answer &&
  answer.length <= 100 &&
  /^(application|text)\/[a-z0-9.+-]*xml\s*(;\s*charset="?[A-Za-z0-9._-]+"?)?$/i.test(answer.trim())
    ? answer.trim()
    : 'application/xml';

/** S3 keeps at most 2 KB of user metadata, in ASCII. */
const MAX_METADATA_BYTES = 1_800;

const metadataOf = (feed: Feed, fetchedAt: string): Record<string, string> => {
  const metadata: Record<string, string> = {
    'feed-id': feed.id,
    'feed-url': new URL(feed.url).href,
    'fetched-at': fetchedAt,
  };
  const topics = feed.topics?.join(',');
  const size = Object.entries(metadata).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (topics && size + topics.length + 'feed-topics'.length <= MAX_METADATA_BYTES)
    metadata['feed-topics'] = topics;
  return metadata;
};

const short = (text: string) =>
  text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Polls one feed when it is due (or `force`): claims it, fetches it with its validators, and
 * on a new document writes it once under its content hash. A 304, or a document already
 * written, writes nothing. A failure is recorded with a back-off before the next try. Never
 * throws: a failure of the table or the bucket is an `error` outcome, with nothing recorded.
 */
export const pollFeed = async (
  feed: Feed,
  ports: FeedPollPorts,
  options: PollOptions,
): Promise<FeedPollOutcome> => {
  const feedId = feed.id;
  const started = ports.clock.now();
  let stored: FeedState | undefined;
  try {
    stored = await ports.states.get(feedId);
  } catch (e) {
    return { feedId, status: 'error', error: `the state of feed ${feedId} cannot be read: ${messageOf(e)}` };
  }
  if (!options.force && !isDue(feed, stored, started)) {
    return {
      feedId,
      status: 'not-due',
      dueAt: new Date(dueAt(feed, stored)).toISOString(),
      ...(stored ? { state: stored } : {}),
    };
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_FEED_TIMEOUT_MS;
  // The claim outlives one fetch (the deadline covers every redirect) with time to record it.
  const leaseUntil = new Date(started.getTime() + timeoutMs + 60_000).toISOString();
  try {
    if (!(await ports.states.claim(feedId, started.toISOString(), leaseUntil)))
      return { feedId, status: 'busy' };
  } catch (e) {
    return { feedId, status: 'error', error: `feed ${feedId} cannot be claimed: ${messageOf(e)}` };
  }
  const before = stored?.url === feed.url ? stored : freshState(feed, started, stored);
  const request: FeedRequest = {
    url: feed.url,
    headers: requestHeaders(before),
    maxBytes: options.maxBytes,
    timeoutMs,
  };
  let answer: FeedAnswer;
  try {
    answer = await ports.fetch(request);
  } catch (e) {
    // The fetcher refuses an unsafe address (or a redirect to one) by throwing.
    answer = { kind: 'failed', error: messageOf(e) };
  }
  if (answer.kind === 'document' && !looksLikeXml(answer.body)) {
    const type = /^[\w.+-]{1,40}\/[\w.+-]{1,60}/.exec(answer.contentType ?? '')?.[0];
    answer = {
      kind: 'failed',
      status: 200,
      error: `the answer is not an XML document${type ? ` (it is ${type})` : ''}`,
    };
  }
  const now = ports.clock.now();
  const at = now.toISOString();
  const next = (delayMs: number) => new Date(now.getTime() + delayMs).toISOString();
  const base: FeedState = { ...before, lastPolledAt: at };
  delete base.lastError;
  delete base.lastHttpStatus;

  if (answer.kind === 'failed') {
    const failures = before.consecutiveFailures + 1;
    const wait = Math.max(
      backoffMs(feed, failures, () => ports.random(), options.maxBackoffMs),
      Math.min(answer.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS),
    );
    const state: FeedState = {
      ...base,
      lastStatus: 'failed',
      lastError: short(answer.error),
      ...(answer.status !== undefined ? { lastHttpStatus: answer.status } : {}),
      consecutiveFailures: failures,
      nextDueAt: next(wait),
    };
    return record(ports, state, { feedId, status: 'failed', error: state.lastError as string, state });
  }

  const succeeded = (
    status: FeedPollStatus,
    httpStatus: number,
    a: { etag?: string; lastModified?: string; movedTo?: string },
  ): FeedState => {
    const state: FeedState = {
      ...base,
      lastSuccessAt: at,
      lastStatus: status,
      lastHttpStatus: httpStatus,
      consecutiveFailures: 0,
      nextDueAt: next(intervalMs(feed)),
    };
    // A 304 may leave out the validators (the ones held stay valid); a document brings its own.
    delete state.etag;
    delete state.lastModified;
    const held: { etag?: string; lastModified?: string } = httpStatus === 304 ? before : {};
    const etag = a.etag ?? held.etag;
    const lastModified = a.lastModified ?? held.lastModified;
    if (etag) state.etag = etag;
    if (lastModified) state.lastModified = lastModified;
    if (a.movedTo) state.movedTo = a.movedTo;
    else delete state.movedTo;
    return state;
  };

  if (answer.kind === 'not-modified') {
    const state = succeeded('not-modified', 304, answer);
    return record(ports, state, { feedId, status: 'not-modified', state });
  }

  const hash = contentHash(answer.body);
  // Most recently seen first, so a document a feed keeps going back to is not forgotten.
  const recentHashes = [hash, ...before.recentHashes.filter((h) => h !== hash)].slice(0, RECENT_HASHES);
  if (before.recentHashes.includes(hash)) {
    const state: FeedState = { ...succeeded('unchanged', 200, answer), recentHashes };
    return record(ports, state, { feedId, status: 'unchanged', state });
  }
  const key = documentKey(options.prefix, feedId, hash);
  let written: 'written' | 'exists';
  try {
    written = await ports.documents.write({
      key,
      body: answer.body,
      contentType: contentTypeOf(answer.contentType),
      metadata: metadataOf(feed, at),
    });
  } catch (e) {
    return {
      feedId,
      status: 'error',
      error: `the document of feed ${feedId} cannot be written: ${messageOf(e)}`,
    };
  }
  const state: FeedState = {
    ...succeeded(written === 'written' ? 'new' : 'unchanged', 200, answer),
    recentHashes,
  };
  if (written === 'exists') return record(ports, state, { feedId, status: 'unchanged', state });
  state.filesWritten = before.filesWritten + 1;
  state.lastWrittenKey = key;
  state.lastWrittenAt = at;
  return record(ports, state, { feedId, status: 'new', key, state });
};

/** Stores the state after a poll; an outcome whose state cannot be stored is an `error`. */
const record = async (
  ports: FeedPollPorts,
  state: FeedState,
  outcome: FeedPollOutcome,
): Promise<FeedPollOutcome> => {
  try {
    await ports.states.put(state);
    return outcome;
  } catch (e) {
    return {
      feedId: state.feedId,
      status: 'error',
      error: `the state of feed ${state.feedId} cannot be stored: ${messageOf(e)}`,
    };
  }
};

/** Settings of a run over every feed. */
export interface PollRunOptions extends PollOptions {
  /** Feeds polled at once. */
  concurrency?: number;
  /** Time the run has left (ms); a feed is started only while one fetch still fits. */
  timeLeft?: () => number;
}

/**
 * Polls every feed that is due, a few at a time. Feeds are started while one more fetch (and a
 * margin to record it) fits in the time left; the others are `skipped` and stay due for the
 * next run. Outcomes come back in the order of the feeds.
 */
export const pollFeeds = async (
  feeds: readonly Feed[],
  ports: FeedPollPorts,
  options: PollRunOptions,
): Promise<FeedPollOutcome[]> => {
  const outcomes: FeedPollOutcome[] = new Array<FeedPollOutcome>(feeds.length);
  const needed = (options.timeoutMs ?? DEFAULT_FEED_TIMEOUT_MS) + 5_000;
  let nextIndex = 0;
  const worker = async () => {
    for (;;) {
      const i = nextIndex++;
      const feed = feeds[i];
      if (!feed) return;
      outcomes[i] =
        options.timeLeft && options.timeLeft() < needed
          ? { feedId: feed.id, status: 'skipped' }
          : await pollFeed(feed, ports, options);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 4, feeds.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return outcomes;
};
