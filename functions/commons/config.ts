import { DEFAULT_MAX_ARTICLE_BYTES } from '../core/articles/parse-article.ts';
import { type EmailSubscriber, isGated, parseSubscriberList } from '../core/alerts/subscriber-rules.ts';
import * as z from '../core/validation.ts';

const prefix = (fallback: string) => z._default(z.string().check(z.endsWith('/')), fallback);

const IngestConfigSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(3, 'must name the newswatch DynamoDB table')),
  BUCKET_NAME: z.string().check(z.minLength(3, 'must name the articles bucket')),
  INCOMING_PREFIX: prefix('incoming/'),
  QUARANTINE_PREFIX: prefix('quarantine/'),
  // DynamoDB items are at most 400 KB: an article must fit in one with its metadata.
  ALERTS_TOPIC_ARN: z.optional(
    z.string().check(z.startsWith('arn:', 'must be the ARN of the SNS alerts topic')),
  ),
  MAX_OBJECT_BYTES: z._default(
    z.coerce.number().check(z.int(), z.positive(), z.lte(350_000)),
    DEFAULT_MAX_ARTICLE_BYTES,
  ),
});

/** Settings of the ingest function, read from its environment. */
export interface IngestConfig {
  tableName: string;
  bucket: string;
  incomingPrefix: string;
  quarantinePrefix: string;
  maxObjectBytes: number;
  /** Where alerts are published; without it matches are stored with their alerts pending. */
  alertsTopicArn?: string;
}

/** Reads and checks the ingest settings; a missing or bad variable fails with its name. */
export const readIngestConfig = (env: NodeJS.ProcessEnv = process.env): IngestConfig => {
  const parsed = IngestConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`ingest configuration is invalid: ${problems}`);
  }
  const c = parsed.data;
  return {
    tableName: c.TABLE_NAME,
    bucket: c.BUCKET_NAME,
    incomingPrefix: c.INCOMING_PREFIX,
    quarantinePrefix: c.QUARANTINE_PREFIX,
    maxObjectBytes: c.MAX_OBJECT_BYTES,
    ...(c.ALERTS_TOPIC_ARN ? { alertsTopicArn: c.ALERTS_TOPIC_ARN } : {}),
  };
};

/**
 * The subscribers with fatigue controls, from `GATED_SUBSCRIBERS` (a JSON list of subscriber
 * entries as in the subscribers file, put there by the CDK app, which checked the file).
 */
export const readGatedSubscribers = (env: NodeJS.ProcessEnv = process.env): EmailSubscriber[] => {
  if (!env.GATED_SUBSCRIBERS) return [];
  try {
    return parseSubscriberList(env.GATED_SUBSCRIBERS).filter(isGated);
  } catch (e) {
    throw new Error(`GATED_SUBSCRIBERS is invalid: ${(e as Error).message}`, { cause: e });
  }
};

/** The `topic` dimension value every topic without its own match metric is counted under. */
export const OTHER_TOPICS = '(other)';

/**
 * The topics that get their own match metric (`TopicMatches` with a `topic` dimension), from
 * `TOPIC_METRICS` (a JSON list of topic ids, capped by the CDK app). Each id is one custom
 * metric, billed monthly, so the list is bounded; every other topic counts under
 * {@link OTHER_TOPICS}.
 */
export const readTopicMetricIds = (env: NodeJS.ProcessEnv = process.env): ReadonlySet<string> => {
  if (!env.TOPIC_METRICS) return new Set();
  const parsed = z.array(z.string()).safeParse(JSON.parse(env.TOPIC_METRICS) as unknown);
  if (!parsed.success) throw new Error(`TOPIC_METRICS is invalid: ${z.firstIssue(parsed.error)}`);
  return new Set(parsed.data);
};

/**
 * The topics each watched feed is meant for, from `FEED_TOPICS` (a JSON object of feed id →
 * topic ids, put there by the CDK app from feeds.yaml, which checked the ids); feeds without a
 * list are absent and match every topic.
 */
export const readFeedTopics = (
  env: NodeJS.ProcessEnv = process.env,
): ReadonlyMap<string, readonly string[]> => {
  if (!env.FEED_TOPICS) return new Map();
  const parsed = z.record(z.string(), z.array(z.string())).safeParse(JSON.parse(env.FEED_TOPICS) as unknown);
  if (!parsed.success) throw new Error(`FEED_TOPICS is invalid: ${z.firstIssue(parsed.error)}`);
  return new Map(Object.entries(parsed.data));
};
