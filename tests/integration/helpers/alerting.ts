import { readTopicFolder } from '../../../functions/adapters/local/topic-folder.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { expect, inject } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbArticleStore } from '../../../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbStoryStore } from '../../../functions/adapters/aws/dynamodb-story-store.ts';
import { ensureTable } from '../../../functions/adapters/aws/table-setup.ts';
import { DynamoDbTopicStore } from '../../../functions/adapters/aws/dynamodb-topic-store.ts';
import { SnsAlertPublisher } from '../../../functions/adapters/aws/sns-alert-publisher.ts';
import { CachedMatcher, topicSetVersion } from '../../../functions/core/pipeline/matching.ts';
import { createIngestHandler } from '../../../functions/ingest/handler.ts';
import {
  createIngestResources,
  type EmulatorClients,
  emulatorClients,
  emulatorIngestPorts,
  lambdaContext,
  putObject,
  REGION,
  receiveMessages,
  sqsEvent,
} from './emulator.ts';

/** The ingest path with matching and alerting, wired to the emulator, plus an SNS alerts topic. */
export const seedTopicSet = () => {
  const { loaded } = readTopicFolder('tests/fixtures/seeds/topics');
  expect(loaded.problems).toEqual([]);
  return {
    version: topicSetVersion(loaded.topics, loaded.rawLists),
    topics: loaded.topics,
    lists: loaded.rawLists,
  };
};

/** An SQS queue subscribed to the alerts topic with a filter policy, as a subscriber would be. */
export const subscribeQueue = async (
  c: EmulatorClients,
  sns: SNSClient,
  topicArn: string,
  name: string,
  filter: object,
  options: { raw?: boolean } = {},
) => {
  const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attrs = await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = attrs.Attributes?.QueueArn as string;
  await c.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
            },
          ],
        }),
      },
    }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: {
        FilterPolicy: JSON.stringify(filter),
        FilterPolicyScope: 'MessageAttributes',
        ...(options.raw ? { RawMessageDelivery: 'true' } : {}),
      },
    }),
  );
  return QueueUrl as string;
};

/** The alert documents in SNS envelopes received by a queue. */
export const alertsIn = (messages: Message[]) =>
  messages.map((m) => {
    const envelope = JSON.parse(m.Body as string) as {
      Message: string;
      MessageAttributes: Record<string, { Value: string }>;
    };
    return {
      doc: JSON.parse(envelope.Message) as { id: string; topic: { id: string } },
      attributes: envelope.MessageAttributes,
    };
  });

export type Env = Awaited<ReturnType<typeof createIngestResources>> & {
  c: EmulatorClients;
  sns: SNSClient;
  topicArn: string;
  invoke: (messages: Message[]) => ReturnType<ReturnType<typeof createIngestHandler>>;
};

/**
 * The pipeline on the emulator. `dynamo` puts the table on another DynamoDB endpoint (the
 * load test uses dynalite, whose queries are indexed, where moto's read the whole table).
 */
export const setUp = async (
  wireSns?: (sns: SNSClient) => void,
  dynamo?: { dynamodb: DynamoDBClient; doc: DynamoDBDocumentClient },
): Promise<Env> => {
  const endpoint = inject('motoEndpoint');
  const c = emulatorClients(endpoint);
  const sns = new SNSClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  wireSns?.(sns);
  const resources = await createIngestResources(c);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `alerts-${resources.table}` }));
  const db = dynamo ?? c;
  if (dynamo) await ensureTable(dynamo.dynamodb, resources.table);
  const topics = new DynamoDbTopicStore(db.doc, resources.table);
  await topics.replaceTopicSet(seedTopicSet(), '2026-11-23T00:00:00Z');
  const ports = {
    ...emulatorIngestPorts(c, resources),
    articles: new DynamoDbArticleStore(db.doc, resources.table),
  };
  const handler = createIngestHandler({
    config: { bucket: resources.bucket, incomingPrefix: 'incoming/' },
    ports: {
      ...ports,
      matching: { matcher: new CachedMatcher(topics, ports.clock), store: topics },
      stories: new DynamoDbStoryStore(db.doc, resources.table),
      alerts: {
        publisher: new SnsAlertPublisher(sns, TopicArn as string),
        locate: (key) => `s3://${resources.bucket}/${key}`,
      },
    },
  });
  return {
    ...resources,
    c,
    sns,
    topicArn: TopicArn as string,
    invoke: (m) => handler(sqsEvent(m, resources.queueArn), lambdaContext()),
  };
};

export const uploadSeeds = async (env: Env) => {
  for (const f of readdirSync('tests/fixtures/seeds/articles')) {
    await putObject(env.c, env.bucket, `incoming/${f}`, readFileSync(`tests/fixtures/seeds/articles/${f}`));
  }
  return receiveMessages(env.c, env.queueUrl, 3);
};
