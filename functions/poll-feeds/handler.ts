import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoDbFeedStateStore } from '../adapters/aws/dynamodb-feed-state.ts';
import { S3FeedDocumentWriter } from '../adapters/aws/s3-feed-writer.ts';
import { fetchFeed } from '../adapters/feeds/feed-fetcher.ts';
import { buildClients } from '../commons/clients.ts';
import { logger, metrics, tracer } from '../commons/powertools.ts';
import { DEFAULT_MAX_ARTICLE_BYTES } from '../core/articles/parse-article.ts';
import { type Feed, OTHER_FEEDS, parseFeedList } from '../core/feeds/feed.ts';
import { DEFAULT_FEED_TIMEOUT_MS, type FeedPollOutcome, pollFeeds } from '../core/feeds/poll.ts';
import type { FeedPollPorts } from '../core/pipeline/ports.ts';
import * as z from '../core/validation.ts';

/** Where documents go, the limits, and which feeds get their own metrics. */
export interface PollFeedsSettings {
  prefix: string;
  maxBytes: number;
  timeoutMs: number;
  /** Feeds with their own `FeedFailures` and `FeedFailingStreak` metrics; the rest count under {@link OTHER_FEEDS}. */
  feedMetricIds: ReadonlySet<string>;
}

/** What the poll function needs. */
export interface PollFeedsDependencies {
  feeds: readonly Feed[];
  ports: FeedPollPorts;
  settings: PollFeedsSettings;
}

/** A run's request: every due feed (the schedule), or one feed now (`{"feed": "<id>", "force": true}`). */
export interface PollFeedsEvent {
  feed?: string;
  force?: boolean;
}

/** How many feeds ended each way in one run. */
export type PollSummary = Record<FeedPollOutcome['status'], number>;

const summarise = (outcomes: readonly FeedPollOutcome[]): PollSummary => {
  const summary: PollSummary = {
    new: 0,
    'not-modified': 0,
    unchanged: 0,
    failed: 0,
    'not-due': 0,
    busy: 0,
    skipped: 0,
    error: 0,
  };
  for (const o of outcomes) summary[o.status]++;
  return summary;
};

/** One metric with the `feed` dimension, written at once (its own EMF line). */
const perFeed = (name: string, feed: string, value: number): void => {
  const single = metrics.singleMetric();
  single.addDimension('feed', feed);
  single.addMetric(name, MetricUnit.Count, value);
};

const recordMetrics = (outcomes: readonly FeedPollOutcome[], feedMetricIds: ReadonlySet<string>): void => {
  const s = summarise(outcomes);
  metrics.addMetric('FeedsPolled', MetricUnit.Count, s.new + s['not-modified'] + s.unchanged + s.failed);
  metrics.addMetric('FeedFilesWritten', MetricUnit.Count, s.new);
  const dimensionOf = (feedId: string) => (feedMetricIds.has(feedId) ? feedId : OTHER_FEEDS);
  const failures = new Map<string, number>();
  const streaks = new Map<string, number>();
  for (const o of outcomes) {
    const dimension = dimensionOf(o.feedId);
    if (o.status === 'failed') failures.set(dimension, (failures.get(dimension) ?? 0) + 1);
    // Every run reports the streak of each failing feed, polled now or waiting out its back-off,
    // so the alarm sees it without gaps and clears when the streak ends.
    const streak = 'state' in o ? (o.state?.consecutiveFailures ?? 0) : 0;
    if (streak > 0) streaks.set(dimension, Math.max(streaks.get(dimension) ?? 0, streak));
  }
  for (const [feed, n] of failures) perFeed('FeedFailures', feed, n);
  for (const [feed, n] of streaks) perFeed('FeedFailingStreak', feed, n);
};

/**
 * Builds the scheduled function that polls the feeds: every 5 minutes, each feed that is due
 * is fetched with its validators and a new document is dropped under `incoming/feeds/<id>/`,
 * where the ingest path reads it. A failure of the bucket or the table fails the run (after
 * the other feeds were polled), so the function's error alarm says so.
 */
export const createPollFeedsHandler = (deps: PollFeedsDependencies) =>
  middy(async (event: PollFeedsEvent | undefined, context: Context) => {
    const only = typeof event?.feed === 'string' ? event.feed : undefined;
    const feeds = only ? deps.feeds.filter((f) => f.id === only) : deps.feeds;
    if (only && feeds.length === 0) throw new Error(`there is no feed "${only}"`);
    const outcomes = await pollFeeds(feeds, deps.ports, {
      prefix: deps.settings.prefix,
      maxBytes: deps.settings.maxBytes,
      timeoutMs: deps.settings.timeoutMs,
      force: event?.force === true,
      timeLeft: () => context.getRemainingTimeInMillis(),
    });
    for (const o of outcomes) {
      if (o.status === 'new') logger.info('feed document written', { feedId: o.feedId, objectKey: o.key });
      else if (o.status === 'failed')
        logger.warn('feed poll failed', {
          feedId: o.feedId,
          error: o.error,
          failures: o.state.consecutiveFailures,
          nextDueAt: o.state.nextDueAt,
        });
      else if (o.status === 'error')
        logger.error('feed poll not recorded', { feedId: o.feedId, error: o.error });
      else if (o.status === 'skipped')
        logger.warn('feed not polled: the run ran out of time', { feedId: o.feedId });
      else if (o.status !== 'not-due') logger.info('feed polled', { feedId: o.feedId, status: o.status });
      if ('state' in o && o.state?.movedTo)
        logger.warn('feed has moved permanently: update the feeds file', {
          feedId: o.feedId,
          movedTo: o.state.movedTo,
        });
    }
    recordMetrics(outcomes, deps.settings.feedMetricIds);
    const summary = summarise(outcomes);
    if (summary.error > 0) {
      throw new Error(
        `${summary.error} feed poll(s) could not be recorded: ${outcomes
          .flatMap((o) => (o.status === 'error' ? [o.error] : []))
          .join('; ')}`,
      );
    }
    return summary;
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics));

const PollFeedsConfigSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(3, 'must name the newswatch DynamoDB table')),
  BUCKET_NAME: z.string().check(z.minLength(3, 'must name the articles bucket')),
  FEEDS_PREFIX: z._default(z.string().check(z.endsWith('/')), 'incoming/feeds/'),
  MAX_OBJECT_BYTES: z._default(
    z.coerce.number().check(z.int(), z.positive(), z.lte(350_000)),
    DEFAULT_MAX_ARTICLE_BYTES,
  ),
  FEED_TIMEOUT_MS: z._default(
    z.coerce.number().check(z.int(), z.gte(1_000), z.lte(60_000)),
    DEFAULT_FEED_TIMEOUT_MS,
  ),
  FEEDS: z._default(z.string(), '[]'),
  FEED_METRICS: z._default(z.string(), '[]'),
});

/** Settings of the poll function, read from its environment; a missing or bad variable fails with its name. */
export const readPollFeedsConfig = (
  env: NodeJS.ProcessEnv = process.env,
): PollFeedsSettings & { tableName: string; bucket: string; feeds: Feed[] } => {
  const parsed = PollFeedsConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`poll-feeds configuration is invalid: ${problems}`);
  }
  const c = parsed.data;
  let feeds: Feed[];
  let metricIds: string[];
  try {
    feeds = parseFeedList(c.FEEDS);
  } catch (e) {
    throw new Error(`FEEDS is invalid: ${(e as Error).message}`, { cause: e });
  }
  try {
    metricIds = z.array(z.string()).parse(JSON.parse(c.FEED_METRICS));
  } catch (e) {
    throw new Error(`FEED_METRICS is invalid: ${(e as Error).message}`, { cause: e });
  }
  return {
    tableName: c.TABLE_NAME,
    bucket: c.BUCKET_NAME,
    prefix: c.FEEDS_PREFIX,
    maxBytes: c.MAX_OBJECT_BYTES,
    timeoutMs: c.FEED_TIMEOUT_MS,
    feeds,
    feedMetricIds: new Set(metricIds),
  };
};

const defaultDependencies = (): PollFeedsDependencies => {
  const config = readPollFeedsConfig();
  const clients = buildClients();
  return {
    feeds: config.feeds,
    ports: {
      fetch: (request) => fetchFeed(request),
      documents: new S3FeedDocumentWriter(clients.s3, config.bucket),
      states: new DynamoDbFeedStateStore(clients.doc, config.tableName),
      clock: { now: () => new Date() },
      random: Math.random,
    },
    settings: config,
  };
};

/** Lambda entry point. */
let ready: ReturnType<typeof createPollFeedsHandler> | undefined;
export const handler = (event: PollFeedsEvent | undefined, context: Context) => {
  ready ??= createPollFeedsHandler(defaultDependencies());
  return ready(event, context);
};
