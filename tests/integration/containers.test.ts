import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/handler.ts';
import {
  createIngestResources,
  emulatorClients,
  emulatorIngestPorts,
  lambdaContext,
  putObject,
  receiveMessages,
  scanTable,
  sqsEvent,
} from './helpers/emulator.ts';

const ARRAY = JSON.stringify([
  { id: 'w-1', title: 'Masks for Serbia', body: 'China sent masks to Serbia.', publishedAt: '2026-11-20' },
  { id: 'w-2', title: 'Bad date', body: 'Text.', publishedAt: 'soon' },
  { id: 'w-3', headline: 'Ventilators', content: ['Italy received ventilators.', 'More follow.'] },
]);
const LINES = [
  JSON.stringify({ title: 'One', text: 'First wire story.', date: 'Sat, 28 Nov 2026 10:00:00 +0000' }),
  '{"title": broken',
  JSON.stringify({ title: 'Two', text: 'Second wire story.' }),
].join('\n');

describe('Integration: files holding several articles through S3 → SQS → ingest (moto)', () => {
  it('should store each item under its own key, record a bad one alone, and add nothing when redelivered', async () => {
    // Prepare
    const c = emulatorClients(inject('motoEndpoint'));
    const resources = await createIngestResources(c);
    const ports = emulatorIngestPorts(c, resources);
    const handler = createIngestHandler({
      config: { bucket: resources.bucket, incomingPrefix: 'incoming/' },
      ports,
    });
    await putObject(c, resources.bucket, 'incoming/export.json', ARRAY);
    await putObject(c, resources.bucket, 'incoming/wire.jsonl', LINES);
    const messages = await receiveMessages(c, resources.queueUrl, 3);

    // Act: the batch, then the same batch again (a redelivery).
    const first = await handler(sqsEvent(messages, resources.queueArn), lambdaContext());
    const articlesAfterFirst = (await scanTable(c, resources.table)).filter((i) => i.type === 'article');
    const again = await handler(sqsEvent(messages, resources.queueArn), lambdaContext());

    // Assess
    expect([first, again]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    const store = ports.articles;
    expect(await store.getSource('incoming/export.json')).toMatchObject({
      status: 'container',
      container: { format: 'json', items: 3, stored: 2, rejected: 1 },
    });
    expect(await store.getSource('incoming/wire.jsonl')).toMatchObject({
      status: 'container',
      container: { format: 'jsonl', items: 3, stored: 2, rejected: 1 },
    });
    expect(await store.getArticleBySourceKey('incoming/export.json#w-1')).toMatchObject({
      title: 'Masks for Serbia',
      date: '2026-11-20',
      container: { key: 'incoming/export.json', item: 'w-1' },
    });
    expect(await store.getArticleBySourceKey('incoming/wire.jsonl#1')).toMatchObject({ date: '2026-11-28' });
    const [bad] = await store.listErrorsForKey('incoming/export.json#w-2');
    expect(bad).toMatchObject({
      kind: 'InvalidArticle',
      container: { key: 'incoming/export.json', item: 'w-2' },
      quarantineKey: 'quarantine/export.json',
    });
    const [badLine] = await store.listErrorsForKey('incoming/wire.jsonl#2');
    expect(badLine).toMatchObject({ kind: 'MalformedJson', at: { line: 2 } });
    const copy = await c.s3.send(
      new HeadObjectCommand({ Bucket: resources.bucket, Key: 'quarantine/export.json' }),
    );
    expect(copy.ContentLength).toBe(Buffer.byteLength(ARRAY));
    expect(articlesAfterFirst).toHaveLength(4);
    expect((await scanTable(c, resources.table)).filter((i) => i.type === 'article')).toHaveLength(4);
  });
});
