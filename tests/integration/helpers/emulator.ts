import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoDbArticleStore } from '../../../functions/adapters/aws/dynamodb-article-store.ts';
import { S3ObjectSource } from '../../../functions/adapters/aws/s3-object-source.ts';
import { createTable } from '../../../functions/adapters/aws/table-setup.ts';

export const REGION = 'eu-west-1';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** SDK clients pointed at the emulator. */
export const emulatorClients = (endpoint: string) => {
  const base = { endpoint, region: REGION, credentials };
  const s3 = new S3Client({ ...base, forcePathStyle: true });
  const dynamodb = new DynamoDBClient(base);
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient(base);
  return { s3, dynamodb, doc, sqs };
};
export type EmulatorClients = ReturnType<typeof emulatorClients>;

export { createTable } from '../../../functions/adapters/aws/table-setup.ts';

/** The bucket → queue → table set-up the CDK stack deploys, made in the emulator. */
export const createIngestResources = async (c: EmulatorClients) => {
  const id = randomUUID().slice(0, 8);
  const bucket = `articles-${id}`;
  const table = `newswatch-${id}`;
  await c.s3.send(
    new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }),
  );
  await c.s3.send(
    new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: `ingest-${id}` }));
  const queueUrl = QueueUrl as string;
  const attrs = await c.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = attrs.Attributes?.QueueArn as string;
  await c.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: queueArn,
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
          },
        ],
      },
    }),
  );
  await createTable(c.dynamodb, table);
  return { bucket, table, queueUrl, queueArn };
};

/** Uploads an object. */
export const putObject = (c: EmulatorClients, bucket: string, key: string, body: string | Uint8Array) =>
  c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

/** Receives messages until `count` have arrived (or the time runs out), as Lambda's poller would. */
export const receiveMessages = async (
  c: EmulatorClients,
  queueUrl: string,
  count: number,
  timeoutMs = 15_000,
): Promise<Message[]> => {
  const messages: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.length < count && Date.now() < deadline) {
    const res = await c.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    messages.push(...(res.Messages ?? []));
  }
  return messages;
};

/** Wraps received messages in the event Lambda's SQS poller would hand the function. */
export const sqsEvent = (messages: Message[], queueArn: string): SQSEvent => ({
  Records: messages.map((m): SQSRecord => ({
    messageId: m.MessageId as string,
    receiptHandle: m.ReceiptHandle as string,
    body: m.Body as string,
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: m.Attributes?.SenderId ?? 'moto',
      ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody as string,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: REGION,
  })),
});

/** A Lambda context for invoking the handler in-process. */
export const lambdaContext = (): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'newswatch-ingest',
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${REGION}:123456789012:function:newswatch-ingest`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: '/aws/lambda/newswatch-ingest',
  logStreamName: '2026/11/23/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Every item in the table, unmarshalled, for assertions that must see everything. */
export const scanTable = async (c: EmulatorClients, table: string): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, never> | undefined;
  do {
    const res = await c.dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(res.Items ?? []).map((i) => unmarshall(i)));
    start = res.LastEvaluatedKey as typeof start;
  } while (start);
  return items;
};

/** The environment for running a project command against the emulator in a child process. */
export const emulatorEnv = (endpoint: string): NodeJS.ProcessEnv => ({
  ...process.env,
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
});

/** The ingest ports every emulator test shares: the bucket, the article store, the clock and the size limit. */
export const emulatorIngestPorts = (
  c: EmulatorClients,
  resources: { bucket: string; table: string },
  maxBytes = 262_144,
) => ({
  objects: new S3ObjectSource(c.s3, {
    bucket: resources.bucket,
    incomingPrefix: 'incoming/',
    quarantinePrefix: 'quarantine/',
  }),
  articles: new DynamoDbArticleStore(c.doc, resources.table),
  clock: { now: () => new Date() },
  limits: { maxBytes },
});
