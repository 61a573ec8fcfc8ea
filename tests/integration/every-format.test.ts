import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { createIngestHandler } from '../../functions/ingest/handler.ts';
import { EVERY_FORMAT } from '../fixtures/formats/every-format.ts';
import {
  createIngestResources,
  emulatorClients,
  emulatorIngestPorts,
  lambdaContext,
  putObject,
  receiveMessages,
  sqsEvent,
} from './helpers/emulator.ts';

describe('Integration: a file of every format through S3 → SQS → ingest handler → DynamoDB (moto)', () => {
  let store: DynamoDbArticleStore;
  let response: SQSBatchResponse;
  let messages: number;

  beforeAll(async () => {
    // Prepare: one sample of each format, dropped under incoming/ at once.
    const c = emulatorClients(inject('motoEndpoint'));
    const resources = await createIngestResources(c);
    const ports = emulatorIngestPorts(c, resources);
    store = ports.articles;
    for (const [name, file] of Object.entries(EVERY_FORMAT))
      await putObject(c, resources.bucket, `incoming/formats/${name}`, file.bytes);
    // One notification per object, and the s3:TestEvent the notification set-up sends.
    const received = await receiveMessages(c, resources.queueUrl, Object.keys(EVERY_FORMAT).length + 1);
    messages = received.length;
    const handler = createIngestHandler({
      config: { bucket: resources.bucket, incomingPrefix: 'incoming/' },
      ports,
    });

    // Act: one batch, as Lambda would receive it.
    response = await handler(sqsEvent(received, resources.queueArn), lambdaContext());
  }, 60_000);

  it('should acknowledge every message', () => {
    // Assess
    expect(messages).toBe(Object.keys(EVERY_FORMAT).length + 1);
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it.each(Object.entries(EVERY_FORMAT))(
    'should read %s as its format and store what it holds',
    async (name, expected) => {
      // Act
      const key = `incoming/formats/${name}`;
      const source = await store.getSource(key);

      // Assess
      if (expected.items) {
        expect(source).toMatchObject({
          status: 'container',
          container: { format: expected.format, items: expected.items.length, stored: expected.items.length },
        });
        for (const { item, summaryOnly } of expected.items) {
          const article = await store.getArticleBySourceKey(`${key}#${item}`);
          expect(article, item).toMatchObject({ format: expected.format, container: { key, item } });
          expect(article?.summaryOnly ?? false, item).toBe(summaryOnly);
        }
      } else {
        expect(source).toMatchObject({ status: 'stored' });
        expect(await store.getArticleBySourceKey(key)).toMatchObject({
          format: expected.format,
          ...expected.article,
        });
      }
      expect(await store.listErrorsForKey(key)).toEqual([]);
    },
  );
});
