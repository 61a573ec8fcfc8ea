import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoDbArticleStore } from '../adapters/aws/dynamodb-article-store.ts';
import { DynamoDbStoryStore } from '../adapters/aws/dynamodb-story-store.ts';
import { DynamoDbTopicStore } from '../adapters/aws/dynamodb-topic-store.ts';
import { parseS3Notification } from '../adapters/aws/s3-notification.ts';
import { S3ObjectSource } from '../adapters/aws/s3-object-source.ts';
import { SnsAlertPublisher } from '../adapters/aws/sns-alert-publisher.ts';
import { snsGatedSender } from '../adapters/aws/sns-gated-sender.ts';
import { DynamoDbGateStore } from '../adapters/aws/dynamodb-gate-store.ts';
import { buildClients } from '../commons/clients.ts';
import {
  type IngestConfig,
  OTHER_TOPICS,
  readGatedSubscribers,
  readIngestConfig,
  readFeedTopics,
  readTopicMetricIds,
} from '../commons/config.ts';
import { logger, metrics, tracer } from '../commons/powertools.ts';
import { type IngestOutcome, ingestObject } from '../core/pipeline/ingest-object.ts';
import type { GateStore } from '../core/alerts/fatigue.ts';
import type { EmailSubscriber } from '../core/alerts/subscriber-rules.ts';
import { GatedAlertPublisher, type SendToSubscriber } from '../core/pipeline/gated.ts';
import {
  AlertHeldError,
  type AlertPublisher,
  CachedMatcher,
  type IndexBuild,
} from '../core/pipeline/matching.ts';
import type { Clock, IngestPorts } from '../core/pipeline/ports.ts';

/** The ports plus the bucket layout the handler checks events against. */
export interface IngestDependencies {
  ports: IngestPorts;
  config: Pick<IngestConfig, 'bucket' | 'incomingPrefix'>;
  /** Topics with their own match metric; the others are counted together (see readTopicMetricIds). */
  topicMetricIds?: ReadonlySet<string>;
}

const METRIC_BY_STATUS: Record<IngestOutcome['status'], string> = {
  stored: 'ArticlesIngested',
  duplicate: 'ArticlesDuplicate',
  rejected: 'ArticlesRejected',
  container: 'ContainersRead',
  stale: 'EventsStale',
};

/** One metric with one more dimension than the service, written at once (its own EMF line). */
const dimensioned = (name: string, dimension: string, value: string, count: number): void => {
  const single = metrics.singleMetric();
  single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, count);
};

/** Matches per `topic` dimension value: the topic's id when it has its own metric, else OTHER_TOPICS. */
const matchesByTopic = (
  matches: ReadonlyArray<{ topicId: string }>,
  topicMetricIds: ReadonlySet<string>,
): Map<string, number> => {
  const perTopic = new Map<string, number>();
  for (const m of matches) {
    const topic = topicMetricIds.has(m.topicId) ? m.topicId : OTHER_TOPICS;
    perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
  }
  return perTopic;
};

const logOutcome = (outcome: IngestOutcome, latencyMs: number, topicMetricIds: ReadonlySet<string>): void => {
  metrics.addMetric('IngestLatency', MetricUnit.Milliseconds, latencyMs);
  logOne(outcome, latencyMs, topicMetricIds);
  if (outcome.status === 'container') {
    logger.info('container read', {
      objectKey: outcome.key,
      format: outcome.format,
      items: outcome.items.length,
    });
    for (const item of outcome.items) logOne(item, latencyMs, topicMetricIds);
  }
};

const logOne = (outcome: IngestOutcome, latencyMs: number, topicMetricIds: ReadonlySet<string>): void => {
  metrics.addMetric(METRIC_BY_STATUS[outcome.status], MetricUnit.Count, 1);
  const fields = { objectKey: outcome.key, latencyMs };
  switch (outcome.status) {
    case 'stored':
      logger.info('article stored', {
        ...fields,
        articleId: outcome.articleId,
        title: outcome.title,
        matches: outcome.matches,
      });
      if (outcome.matches.length > 0) metrics.addMetric('Matches', MetricUnit.Count, outcome.matches.length);
      for (const [topic, count] of matchesByTopic(outcome.matches, topicMetricIds))
        dimensioned('TopicMatches', 'topic', topic, count);
      break;
    case 'duplicate':
      logger.info('same text as an existing article', {
        ...fields,
        articleId: outcome.articleId,
        of: outcome.of,
      });
      break;
    case 'rejected':
      logger.warn('file rejected', { ...fields, error: outcome.error, quarantineKey: outcome.quarantineKey });
      // A handful of kinds (ArticleErrorKind and ObjectGone): a bounded number of metrics.
      dimensioned('ArticlesRejected', 'kind', outcome.error.kind, 1);
      break;
    case 'stale':
      logger.info('older event than the one recorded for this key; skipped', fields);
      break;
    case 'container':
      break;
  }
};

/**
 * Builds the ingest handler around its ports: SQS batches of S3 notifications in,
 * partial batch failures out. Only thrown errors (throttling, timeouts, other transient
 * AWS failures) fail a message; bad files are recorded and acknowledged.
 */
export const createIngestHandler = (deps: IngestDependencies) => {
  const processor = new BatchProcessor(EventType.SQS);
  const topicMetricIds = deps.topicMetricIds ?? new Set<string>();

  // How the matcher got its current index, logged once each time it is built again.
  let loggedBuild: IndexBuild | undefined;
  const logIndexBuild = (): void => {
    const build = deps.ports.matching?.matcher.lastBuild;
    if (!build || build === loggedBuild) return;
    loggedBuild = build;
    const fields = { topicSetVersion: build.version, from: build.from, ms: Math.round(build.ms) };
    if (build.snapshotProblem)
      logger.warn('topic index compiled: the stored index snapshot was refused', {
        ...fields,
        reason: build.snapshotProblem,
      });
    else logger.info('topic index ready', fields);
    metrics.addMetric('TopicIndexReadyMs', MetricUnit.Milliseconds, build.ms);
  };

  const processRecord = async (record: SQSRecord): Promise<void> => {
    const notification = parseS3Notification(record.body);
    if (notification.kind === 'test-event') {
      logger.info('s3:TestEvent acknowledged', { messageId: record.messageId });
      return;
    }
    for (const skipped of notification.ignored)
      logger.info('event ignored', { ...skipped, objectKey: skipped.key });
    for (const { bucket, ref } of notification.objects) {
      if (bucket !== deps.config.bucket || !ref.key.startsWith(deps.config.incomingPrefix)) {
        logger.warn('object outside the incoming prefix of the articles bucket; ignored', {
          bucket,
          objectKey: ref.key,
        });
        continue;
      }
      const started = performance.now();
      try {
        logOutcome(
          await ingestObject(ref, deps.ports),
          Math.round(performance.now() - started),
          topicMetricIds,
        );
        logIndexBuild();
      } catch (error) {
        if (error instanceof AlertHeldError) {
          // The same message is being handled by another invocation: it comes back after the lease.
          logger.info('alerts claimed by a concurrent run; the message will come back', {
            objectKey: ref.key,
            reason: error.message,
          });
          throw error;
        }
        logger.error('ingest failed; the message will be retried', {
          objectKey: ref.key,
          error: error as Error,
        });
        metrics.addMetric('IngestFailures', MetricUnit.Count, 1);
        throw error;
      }
    }
  };

  const handle = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, processRecord, processor, {
      context,
      // One record after the other: copies of a story in one batch find each other's story.
      processInParallel: false,
    });

  return middy(handle)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
};

/** The publisher, wrapped in the fatigue controls of the subscribers who set some. */
const withFatigueControls = (
  inner: AlertPublisher,
  gated: readonly EmailSubscriber[],
  store: GateStore,
  clock: Clock,
  send: SendToSubscriber,
): AlertPublisher =>
  gated.length === 0 ? inner : new GatedAlertPublisher({ inner, gated: () => gated, store, clock, send });

const defaultDependencies = (): IngestDependencies => {
  const config = readIngestConfig();
  const clients = buildClients();
  const clock = { now: () => new Date() };
  const topics = new DynamoDbTopicStore(clients.doc, config.tableName);
  const feedTopics = readFeedTopics();
  return {
    config,
    topicMetricIds: readTopicMetricIds(),
    ports: {
      objects: new S3ObjectSource(clients.s3, config),
      articles: new DynamoDbArticleStore(clients.doc, config.tableName),
      clock,
      limits: { maxBytes: config.maxObjectBytes },
      matching: {
        matcher: new CachedMatcher(topics, clock),
        store: topics,
        feedTopics: (id) => feedTopics.get(id),
      },
      stories: new DynamoDbStoryStore(clients.doc, config.tableName),
      ...(config.alertsTopicArn
        ? {
            alerts: {
              publisher: withFatigueControls(
                new SnsAlertPublisher(clients.sns, config.alertsTopicArn),
                readGatedSubscribers(),
                new DynamoDbGateStore(clients.doc, config.tableName),
                clock,
                snsGatedSender(clients.sns, config.alertsTopicArn),
              ),
              locate: (key: string) => `s3://${config.bucket}/${key}`,
            },
          }
        : {}),
    },
  };
};

/** Lambda entry point. Dependencies are built on first use, once per container. */
let ready: ReturnType<typeof createIngestHandler> | undefined;
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  ready ??= createIngestHandler(defaultDependencies());
  return ready(event, context);
};
