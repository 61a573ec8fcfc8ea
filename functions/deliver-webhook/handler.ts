import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoDbWebhookState } from '../adapters/aws/dynamodb-webhook-state.ts';
import { SecretsSource } from '../adapters/aws/secrets-source.ts';
import { postWebhook } from '../adapters/webhook/https-poster.ts';
import { buildClients, REQUEST_LIMITS } from '../commons/clients.ts';
import { logger, metrics, tracer } from '../commons/powertools.ts';
import type { AlertDocument } from '../core/alerts/compose.ts';
import {
  type DeliveryPorts,
  deliverWebhook,
  RetryLaterError,
  type WebhookTarget,
} from '../core/pipeline/deliver-webhook.ts';
import * as z from '../core/validation.ts';

/** What the handler needs: the endpoints by queue name, delivery ports, and how to delay a retry. */
export interface DeliverDependencies {
  targets: ReadonlyMap<string, WebhookTarget>;
  ports: DeliveryPorts;
  retryLater(record: SQSRecord, delaySeconds: number): Promise<void>;
}

const queueNameOf = (record: SQSRecord) => record.eventSourceARN.split(':').at(-1) ?? '';

/**
 * Builds the webhook delivery handler: one SQS queue per webhook subscriber (raw SNS
 * delivery, filtered), each message one alert document, posted signed to the endpoint.
 */
export const createDeliverHandler = (deps: DeliverDependencies) => {
  const processor = new BatchProcessor(EventType.SQS);

  const processRecord = async (record: SQSRecord): Promise<void> => {
    const target = deps.targets.get(queueNameOf(record));
    if (!target) throw new Error(`no webhook subscriber reads queue ${queueNameOf(record)}`);
    const doc = JSON.parse(record.body) as AlertDocument;
    const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1');
    const fields = { subscriberId: target.subscriberId, alertId: doc.id, attempt };
    try {
      const result = await deliverWebhook(doc, target, attempt, deps.ports);
      logger.info(`webhook ${result.action}`, {
        ...fields,
        ...('reason' in result ? { reason: result.reason } : {}),
      });
      metrics.addMetric(
        result.action === 'delivered' ? 'WebhooksDelivered' : 'WebhooksNotDelivered',
        MetricUnit.Count,
        1,
      );
    } catch (error) {
      if (error instanceof RetryLaterError) {
        logger.warn('webhook will be retried', {
          ...fields,
          reason: error.message,
          delaySeconds: error.delaySeconds,
        });
        metrics.addMetric('WebhookRetries', MetricUnit.Count, 1);
        await deps.retryLater(record, error.delaySeconds);
      } else {
        logger.error('webhook delivery failed', { ...fields, error: error as Error });
      }
      throw error;
    }
  };

  return middy((event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false }),
  )
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics));
};

/** Endpoints by queue name. A URL that is a credential is never here: only the name of its secret. */
const TargetsSchema = z.record(
  z.string(),
  z.object({
    subscriberId: z.string(),
    url: z.optional(z.string()),
    urlSecret: z.optional(z.string()),
    format: z.enum(['generic', 'slack', 'discord', 'teams']),
    secretName: z.string(),
  }),
);

const defaultDependencies = (): DeliverDependencies => {
  const parsed = TargetsSchema.safeParse(JSON.parse(process.env.WEBHOOK_TARGETS ?? '{}'));
  if (!parsed.success) throw new Error(`WEBHOOK_TARGETS is invalid: ${z.firstIssue(parsed.error)}`);
  const table = process.env.TABLE_NAME;
  if (!table) throw new Error('TABLE_NAME must name the newswatch table');
  const clients = buildClients();
  const secrets = new SecretsSource(
    tracer.captureAWSv3Client(new SecretsManagerClient({ requestHandler: { ...REQUEST_LIMITS } })),
  );
  const sqs = tracer.captureAWSv3Client(new SQSClient({ requestHandler: { ...REQUEST_LIMITS } }));
  const queueUrls = new Map<string, string>();
  return {
    targets: new Map(Object.entries(parsed.data)),
    ports: {
      secrets: (name) => secrets.secrets(name),
      webhookUrl: (name) => secrets.webhookUrl(name),
      post: (url, headers, body) => postWebhook(url, headers, body, { timeoutMs: 10_000 }),
      state: new DynamoDbWebhookState(clients.doc, table),
      clock: { now: () => new Date() },
    },
    retryLater: async (record, delaySeconds) => {
      const name = queueNameOf(record);
      let url = queueUrls.get(name);
      if (!url) {
        const found = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
        if (!found) throw new Error(`queue ${name} not found`);
        url = found;
        queueUrls.set(name, url);
      }
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: delaySeconds,
        }),
      );
    },
  };
};

/** Lambda entry point. Dependencies are built on first use, once per container. */
let ready: ReturnType<typeof createDeliverHandler> | undefined;
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  ready ??= createDeliverHandler(defaultDependencies());
  return ready(event, context);
};
