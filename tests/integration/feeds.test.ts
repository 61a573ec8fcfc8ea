import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { GetObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import selfsigned from 'selfsigned';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbFeedStateStore } from '../../functions/adapters/aws/dynamodb-feed-state.ts';
import { S3FeedDocumentWriter } from '../../functions/adapters/aws/s3-feed-writer.ts';
import { fetchFeed } from '../../functions/adapters/feeds/feed-fetcher.ts';
import type { Feed } from '../../functions/core/feeds/feed.ts';
import { createIngestHandler } from '../../functions/ingest/handler.ts';
import { createPollFeedsHandler } from '../../functions/poll-feeds/handler.ts';
import {
  createIngestResources,
  type EmulatorClients,
  emulatorClients,
  emulatorIngestPorts,
  lambdaContext,
  receiveMessages,
  sqsEvent,
} from './helpers/emulator.ts';

const HOST = 'feeds.newswatch.test';
const rss = (title: string) =>
  `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Health wire</title><link>https://${HOST}/</link>
<item><guid>item-1</guid><title>${title}</title><description>Vaccines reached the clinics.</description></item>
</channel></rss>`;

describe('Integration: feed over HTTPS → poll-feeds handler → S3 incoming/ → SQS → ingest (moto)', () => {
  const c: EmulatorClients = emulatorClients(inject('motoEndpoint'));
  const requests: Array<{ ifNoneMatch?: string }> = [];
  const server = { body: rss('Vaccine deliveries'), etag: '"v1"', honoursValidators: true };
  let https: Server;
  let ca: string;
  let resources: Awaited<ReturnType<typeof createIngestResources>>;
  let now = Date.parse('2026-12-01T10:00:00Z');
  let poll: ReturnType<typeof createPollFeedsHandler>;
  let feed: Feed;

  const versionsUnderFeed = async () => {
    const res = await c.s3.send(
      new ListObjectVersionsCommand({ Bucket: resources.bucket, Prefix: 'incoming/feeds/health-wire/' }),
    );
    return (res.Versions ?? []).map((v) => v.Key as string);
  };
  /** The notifications S3 sent since the last call, the set-up's s3:TestEvent left out. */
  const notifiedKeys = async (expected: number, timeoutMs = 8_000) => {
    const messages = await receiveMessages(c, resources.queueUrl, expected, timeoutMs);
    for (const m of messages)
      await c.sqs.send(
        new DeleteMessageCommand({ QueueUrl: resources.queueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
    return {
      messages: messages.filter((m) => !(m.Body ?? '').includes('s3:TestEvent')),
      keys: messages
        .flatMap(
          (m) =>
            (JSON.parse(m.Body ?? '{}') as { Records?: Array<{ s3: { object: { key: string } } }> })
              .Records ?? [],
        )
        .map((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '))),
    };
  };

  beforeAll(async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: HOST }], {
      notAfterDate: new Date(Date.now() + 86_400_000),
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: HOST }] }],
    });
    ca = pems.cert;
    https = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      const ifNoneMatch = req.headers['if-none-match'];
      requests.push(typeof ifNoneMatch === 'string' ? { ifNoneMatch } : {});
      if (server.honoursValidators && ifNoneMatch === server.etag) return res.writeHead(304).end();
      res
        .writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: server.etag })
        .end(server.body);
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    resources = await createIngestResources(c);
    feed = {
      id: 'health-wire',
      url: `https://${HOST}:${(https.address() as AddressInfo).port}/rss`,
      every: '30m',
    };
    poll = createPollFeedsHandler({
      feeds: [feed],
      ports: {
        // The certificate is trusted by this client only; the name resolves to loopback here alone.
        fetch: (request) =>
          fetchFeed(request, {
            ca,
            isAllowed: (address) => address === '127.0.0.1',
            resolve: (name) =>
              Promise.resolve(
                name === HOST ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.1', family: 4 }],
              ),
          }),
        documents: new S3FeedDocumentWriter(c.s3, resources.bucket),
        states: new DynamoDbFeedStateStore(c.doc, resources.table),
        clock: { now: () => new Date(now) },
        random: () => 0,
      },
      settings: { prefix: 'incoming/feeds/', maxBytes: 262_144, timeoutMs: 10_000, feedMetricIds: new Set() },
    });
    // Drain the s3:TestEvent of the notification set-up.
    await notifiedKeys(1, 3_000);
  });
  afterAll(() => new Promise<void>((resolve) => https.close(() => resolve())));

  it('should drop the document into incoming/ once across two polls, the second answered 304', async () => {
    // Act
    const first = await poll({}, lambdaContext());
    const notified = await notifiedKeys(1);
    now += 30 * 60_000;
    const second = await poll({}, lambdaContext());

    // Assess
    expect(first).toMatchObject({ new: 1 });
    expect(second).toMatchObject({ 'not-modified': 1, new: 0 });
    expect(requests.map((r) => r.ifNoneMatch)).toEqual([undefined, '"v1"']);
    const keys = await versionsUnderFeed();
    expect(keys).toEqual([expect.stringMatching(/^incoming\/feeds\/health-wire\/[0-9a-f]{32}\.xml$/)]);
    expect(notified.keys).toEqual(keys);
    const object = await c.s3.send(new GetObjectCommand({ Bucket: resources.bucket, Key: keys[0] }));
    expect(await object.Body?.transformToString()).toBe(server.body);
    expect(object.Metadata).toMatchObject({ 'feed-id': 'health-wire', 'feed-url': feed.url });
    expect(object.ContentType).toBe('application/rss+xml; charset=utf-8');
    const state = await new DynamoDbFeedStateStore(c.doc, resources.table).get('health-wire');
    expect(state).toMatchObject({ etag: '"v1"', lastStatus: 'not-modified', filesWritten: 1 });
    expect((await notifiedKeys(1, 2_000)).messages).toEqual([]);

    // Assess: the ingest path reads the dropped file like any upload and records what became of it.
    const ingest = createIngestHandler({
      config: { bucket: resources.bucket, incomingPrefix: 'incoming/' },
      ports: emulatorIngestPorts(c, resources),
    });
    expect(await ingest(sqsEvent(notified.messages, resources.queueArn), lambdaContext())).toEqual({
      batchItemFailures: [],
    });
    const source = await new DynamoDbArticleStore(c.doc, resources.table).getSource(keys[0] as string);
    expect(source?.key).toBe(keys[0]);
  });

  it('should not write the same content again when the server ignores the validators, or the state was lost', async () => {
    // Prepare
    server.honoursValidators = false;
    now += 30 * 60_000;

    // Act: a 200 with the same body; then, the state item gone, a forced poll of the same body.
    const ignored = await poll({}, lambdaContext());
    await c.dynamodb.send(
      new DeleteItemCommand({
        TableName: resources.table,
        Key: { pk: { S: 'FEED#health-wire' }, sk: { S: 'STATE' } },
      }),
    );
    const lost = await poll({ feed: 'health-wire', force: true }, lambdaContext());

    // Assess: one version of one object, no further notification.
    expect(ignored).toMatchObject({ unchanged: 1 });
    expect(lost).toMatchObject({ unchanged: 1 });
    expect(await versionsUnderFeed()).toHaveLength(1);
    expect((await notifiedKeys(1, 2_000)).messages).toEqual([]);
  });

  it('should write a changed document as a second file', async () => {
    // Prepare
    server.body = rss('Vaccine deliveries resume');
    server.etag = '"v2"';
    now += 30 * 60_000;

    // Act
    const changed = await poll({}, lambdaContext());

    // Assess
    expect(changed).toMatchObject({ new: 1 });
    expect(await versionsUnderFeed()).toHaveLength(2);
    expect((await notifiedKeys(1)).keys).toHaveLength(1);
  });
  it('should let one poll at a time claim a feed, until its state is stored or the claim runs out', async () => {
    // Prepare
    const store = new DynamoDbFeedStateStore(c.doc, resources.table);
    const state = await store.get('health-wire');

    // Act
    const first = await store.claim('claimed-feed', '2026-12-01T10:00:00.000Z', '2026-12-01T10:01:15.000Z');
    const second = await store.claim('claimed-feed', '2026-12-01T10:00:30.000Z', '2026-12-01T10:01:45.000Z');
    const afterExpiry = await store.claim(
      'claimed-feed',
      '2026-12-01T10:02:00.000Z',
      '2026-12-01T10:03:15.000Z',
    );
    await store.put({ ...(state as NonNullable<typeof state>), feedId: 'claimed-feed' });
    const afterPut = await store.claim(
      'claimed-feed',
      '2026-12-01T10:02:10.000Z',
      '2026-12-01T10:03:25.000Z',
    );

    // Assess
    expect([first, second, afterExpiry, afterPut]).toEqual([true, false, true, true]);
    expect(await store.get('never-polled')).toBeUndefined();
    expect(await store.get('claimed-feed')).toMatchObject({ feedId: 'claimed-feed', url: feed.url });
  });
});
