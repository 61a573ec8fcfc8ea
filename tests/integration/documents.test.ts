import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { createIngestHandler } from '../../functions/ingest/handler.ts';
import { sampleBytes } from '../fixtures/formats/samples.ts';
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

describe('Integration: web pages and PDFs through S3 → SQS → ingest handler → DynamoDB (moto)', () => {
  let c: EmulatorClients;
  let resources: Awaited<ReturnType<typeof createIngestResources>>;
  let store: DynamoDbArticleStore;
  let response: SQSBatchResponse;
  const files = {
    'incoming/pages/japan-ventilators.html': sampleBytes('news-page.html'),
    'incoming/reports/hospital equipment.pdf': sampleBytes('article.pdf'),
    'incoming/scans/press release.pdf': sampleBytes('scan.pdf'),
  };

  beforeAll(async () => {
    // Prepare: the files dropped into the bucket, the notifications S3 sends for them.
    c = emulatorClients(inject('motoEndpoint'));
    resources = await createIngestResources(c);
    const ports = emulatorIngestPorts(c, resources);
    store = ports.articles;
    for (const [key, body] of Object.entries(files)) await putObject(c, resources.bucket, key, body);
    const messages = await receiveMessages(c, resources.queueUrl, Object.keys(files).length + 1);
    const handler = createIngestHandler({
      config: { bucket: resources.bucket, incomingPrefix: 'incoming/' },
      ports,
    });

    // Act: one batch, as Lambda would receive it.
    response = await handler(sqsEvent(messages, resources.queueArn), lambdaContext());
  });

  it('should acknowledge every message', () => {
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('should store the article of the page with its metadata, and none of the page around it', async () => {
    // Act
    const a = await store.getArticleBySourceKey('incoming/pages/japan-ventilators.html');

    // Assess
    expect(a).toMatchObject({
      format: 'html',
      title: 'Japan sends ventilators and masks to Georgia’s hospitals',
      date: '2026-11-28',
      author: 'Nino Kapanadze',
      source: 'Caspian Courier',
      url: 'https://caspian-courier.example/world/2026/11/28/japan-ventilators-georgia',
      language: 'en',
      languageSource: 'declared',
    });
    expect(a?.paragraphs).toHaveLength(5);
    expect(a?.paragraphs.join(' ')).not.toMatch(/cookies|Advertisement|Most read/);
  });

  it('should store the text of the PDF report with its document information', async () => {
    // Act
    const a = await store.getArticleBySourceKey('incoming/reports/hospital equipment.pdf');

    // Assess
    expect(a).toMatchObject({
      format: 'pdf',
      title: 'Hospitals in western Georgia receive Japanese equipment',
      author: 'Ministry of Health press office',
      date: '2026-11-28',
    });
    expect(a?.paragraphs).toHaveLength(5);
  });

  it('should record the scan as an error with its reason and copy it to quarantine/', async () => {
    // Act
    const errors = await store.listErrorsForKey('incoming/scans/press release.pdf');
    const copy = await c.s3.send(
      new GetObjectCommand({ Bucket: resources.bucket, Key: 'quarantine/scans/press release.pdf' }),
    );

    // Assess
    expect(errors).toMatchObject([
      {
        kind: 'NoBody',
        quarantineKey: 'quarantine/scans/press release.pdf',
        message: expect.stringContaining('the PDF has no text layer (a scan?)'),
      },
    ]);
    expect(await copy.Body?.transformToByteArray()).toEqual(files['incoming/scans/press release.pdf']);
  });

  it('should hold two articles and three source records', async () => {
    // Act
    const items = await scanTable(c, resources.table);

    // Assess
    expect(items.filter((i) => i.type === 'article')).toHaveLength(2);
    expect(items.filter((i) => i.type === 'source')).toHaveLength(3);
  });
});
