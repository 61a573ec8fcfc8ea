import { readFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { createIngestHandler } from '../../functions/ingest/handler.ts';
import {
  createIngestResources,
  type EmulatorClients,
  emulatorClients,
  emulatorIngestPorts,
  lambdaContext,
  putObject,
  receiveMessages,
  scanTable,
  sqsEvent,
} from './helpers/emulator.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/formats/${name}`, import.meta.url));

describe('Integration: feeds and NewsML-G2 through S3 → SQS → ingest → DynamoDB (moto)', () => {
  let c: EmulatorClients;
  let resources: Awaited<ReturnType<typeof createIngestResources>>;
  let store: DynamoDbArticleStore;
  let invoke: (messages: Awaited<ReturnType<typeof receiveMessages>>) => Promise<SQSBatchResponse>;
  let messages: Awaited<ReturnType<typeof receiveMessages>>;
  let response: SQSBatchResponse;

  beforeAll(async () => {
    // Prepare: an RSS feed, a NewsML-G2 message and a feed declaring entities, dropped under incoming/.
    c = emulatorClients(inject('motoEndpoint'));
    resources = await createIngestResources(c);
    const ports = emulatorIngestPorts(c, resources);
    store = ports.articles;
    const handler = createIngestHandler({
      config: { bucket: resources.bucket, incomingPrefix: 'incoming/' },
      ports,
    });
    invoke = (m) => handler(sqsEvent(m, resources.queueArn), lambdaContext());
    const files = {
      'incoming/feeds/gazette.rss': fixture('rss2-content.rss'),
      'incoming/wire/message.xml': fixture('newsml-message.xml'),
      'incoming/feeds/lol.rss':
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><rss version="2.0"><channel><title>&b;</title></channel></rss>',
    };
    for (const [key, body] of Object.entries(files)) await putObject(c, resources.bucket, key, body);
    // Three objects, and the s3:TestEvent the notification set-up sends.
    messages = await receiveMessages(c, resources.queueUrl, 4);

    // Act: one batch, as Lambda would receive it.
    response = await invoke(messages);
  });

  it('should acknowledge every message', () => {
    // Assess
    expect(messages).toHaveLength(4);
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('should store each feed item under <key>#<guid>, with its fields, and record the feed as a container', async () => {
    // Act
    const ferry = await store.getArticleBySourceKey('incoming/feeds/gazette.rss#gazette-2026-11-28-ferry');
    const feed = await store.getSource('incoming/feeds/gazette.rss');

    // Assess
    expect(ferry).toMatchObject({
      format: 'feed',
      title: 'Ferry link to the islands restored after storm repairs',
      date: '2026-11-28',
      author: 'Morag Lindsay',
      source: 'Harbour & Coast Gazette',
      url: 'https://gazette.example.org/2026/11/28/ferry-link-restored',
      categories: ['Transport', 'Islands'],
      container: { key: 'incoming/feeds/gazette.rss', item: 'gazette-2026-11-28-ferry' },
    });
    expect(ferry?.paragraphs[0]).toMatch(/^The morning ferry to the outer islands/);
    expect(feed).toMatchObject({
      status: 'container',
      container: { format: 'feed', items: 3, stored: 3, duplicate: 0, rejected: 0 },
    });
  });

  it('should store each newsItem of the NewsML-G2 message under its guid', async () => {
    // Act
    const harvest = await store.getArticleBySourceKey(
      'incoming/wire/message.xml#urn:newsml:wire.example.com:20261128:harvest',
    );
    const marathon = await store.getArticleBySourceKey(
      'incoming/wire/message.xml#urn:newsml:wire.example.com:20261128:marathon',
    );

    // Assess
    expect(harvest).toMatchObject({
      format: 'newsml',
      title: 'La cosecha de uva supera las previsiones',
      language: 'es',
      author: 'Lucía Fernández',
    });
    expect(marathon).toMatchObject({ format: 'newsml', author: 'Sam Okafor', date: '2026-11-27' });
    expect(await store.getSource('incoming/wire/message.xml')).toMatchObject({
      status: 'container',
      container: { format: 'newsml', items: 2, stored: 2 },
    });
  });

  it('should record the feed declaring entities as an error, with a quarantined copy', async () => {
    // Act
    const errors = await store.listErrorsForKey('incoming/feeds/lol.rss');
    const copy = await c.s3.send(
      new GetObjectCommand({ Bucket: resources.bucket, Key: 'quarantine/feeds/lol.rss' }),
    );

    // Assess
    expect(errors).toMatchObject([
      {
        kind: 'UnsupportedFormat',
        quarantineKey: 'quarantine/feeds/lol.rss',
        message: expect.stringContaining('declares entities'),
      },
    ]);
    expect(await copy.Body?.transformToString()).toContain('<!ENTITY a');
  });

  it('should add nothing when the same messages are delivered again', async () => {
    // Prepare
    const before = await scanTable(c, resources.table);

    // Act
    const again = await invoke(messages);

    // Assess
    expect(again).toEqual({ batchItemFailures: [] });
    const after = await scanTable(c, resources.table);
    expect(after).toHaveLength(before.length);
    expect(after.filter((i) => i.type === 'article')).toHaveLength(5);
  });
});
