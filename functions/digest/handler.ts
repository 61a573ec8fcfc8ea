import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoDbStoryStore } from '../adapters/aws/dynamodb-story-store.ts';
import { DynamoDbArticleStore } from '../adapters/aws/dynamodb-article-store.ts';
import { DynamoDbTopicStore } from '../adapters/aws/dynamodb-topic-store.ts';
import { SnsDigestSink } from '../adapters/aws/digest-sink.ts';
import { buildClients } from '../commons/clients.ts';
import { logger, metrics, tracer } from '../commons/powertools.ts';
import {
  buildDigests,
  type DigestSink,
  type DigestSources,
  type DigestSubscriber,
  sendDigests,
} from '../core/pipeline/digests.ts';
import * as z from '../core/validation.ts';

/** What the digest function needs. */
export interface DigestDependencies {
  subscribers: readonly DigestSubscriber[];
  sources: DigestSources;
  sink: DigestSink;
  clock: { now(): Date };
}

/** The day a run covers: `event.day` when given, else yesterday (UTC) — the schedule runs just after midnight. */
const dayOf = (event: { day?: string }, now: Date) =>
  event.day && /^\d{4}-\d{2}-\d{2}$/.test(event.day)
    ? event.day
    : new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);

/** Builds the daily digest handler (EventBridge schedule; `{"day": "YYYY-MM-DD"}` to re-run a day). */
export const createDigestHandler = (deps: DigestDependencies) =>
  middy(async (event: { day?: string }, _context: Context) => {
    const day = dayOf(event ?? {}, deps.clock.now());
    const digests = await buildDigests(day, deps.subscribers, deps.sources);
    const sent = await sendDigests(digests, deps.sink, deps.clock.now().toISOString());
    for (const d of sent)
      logger.info('digest sent', { subscriberId: d.subscriberId, day, alerts: d.alerts.length });
    metrics.addMetric('DigestsSent', MetricUnit.Count, sent.length);
    return { day, sent: sent.map((d) => ({ subscriberId: d.subscriberId, alerts: d.alerts.length })) };
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics));

const SubscribersSchema = z.array(
  z.object({
    id: z.string(),
    topics: z.array(z.string()),
    minScore: z.number(),
    languages: z.optional(z.array(z.string())),
  }),
);

const defaultDependencies = (): DigestDependencies => {
  const env = process.env;
  const parsed = SubscribersSchema.safeParse(JSON.parse(env.DIGEST_SUBSCRIBERS ?? '[]'));
  if (!parsed.success) throw new Error(`DIGEST_SUBSCRIBERS is invalid: ${z.firstIssue(parsed.error)}`);
  if (!env.TABLE_NAME || !env.BUCKET_NAME || !env.ALERTS_TOPIC_ARN) {
    throw new Error('TABLE_NAME, BUCKET_NAME and ALERTS_TOPIC_ARN must be set');
  }
  const clients = buildClients();
  const topics = new DynamoDbTopicStore(clients.doc, env.TABLE_NAME);
  const articles = new DynamoDbArticleStore(clients.doc, env.TABLE_NAME);
  const stories = new DynamoDbStoryStore(clients.doc, env.TABLE_NAME);
  const bucket = env.BUCKET_NAME;
  return {
    subscribers: parsed.data,
    sources: {
      listMatchRuns: (day) => topics.listMatchRuns(day),
      getMatch: (a, t) => topics.getMatch(a, t),
      getArticle: (id) => articles.getArticle(id),
      locate: (key) => `s3://${bucket}/${key}`,
      getStory: (id) => stories.get(id),
    },
    sink: new SnsDigestSink(clients.doc, env.TABLE_NAME, clients.sns, env.ALERTS_TOPIC_ARN),
    clock: { now: () => new Date() },
  };
};

/** Lambda entry point. */
let ready: ReturnType<typeof createDigestHandler> | undefined;
export const handler = (event: { day?: string }, context: Context) => {
  ready ??= createDigestHandler(defaultDependencies());
  return ready(event, context);
};
