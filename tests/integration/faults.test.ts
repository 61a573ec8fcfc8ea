import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Message } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbStoryStore } from '../../functions/adapters/aws/dynamodb-story-store.ts';
import { DynamoDbTopicStore } from '../../functions/adapters/aws/dynamodb-topic-store.ts';
import { S3ObjectSource } from '../../functions/adapters/aws/s3-object-source.ts';
import { SnsAlertPublisher } from '../../functions/adapters/aws/sns-alert-publisher.ts';
import { CachedMatcher } from '../../functions/core/pipeline/matching.ts';
import { createIngestHandler } from '../../functions/ingest/handler.ts';
import { prng } from '../../bench/corpus.ts';
import { alertsIn, seedTopicSet, subscribeQueue } from './helpers/alerting.ts';
import {
  createIngestResources,
  emulatorClients,
  lambdaContext,
  putObject,
  REGION,
  receiveMessages,
  scanTable,
  sqsEvent,
} from './helpers/emulator.ts';
import { FAULTS, type FaultProxy, startFaultProxy } from './helpers/fault-proxy.ts';

const SEED_000 = readFileSync(
  new URL('../fixtures/seeds/articles/000_9c9c4874b48bb81e.txt', import.meta.url),
  'utf8',
);
const SEED_003 = readFileSync(
  new URL('../fixtures/seeds/articles/003_c3fb651c5343490c.txt', import.meta.url),
  'utf8',
);

/** The seed with a new first paragraph: another article of the same story. */
const variant = (seed: string, n: number) => {
  const [header, ...rest] = seed.split('\n\n');
  return [header, `Update ${n}: officials gave new figures on the aid.`, ...rest].join('\n\n');
};

const FILES: Record<string, string | Uint8Array> = {
  'incoming/000.txt': SEED_000,
  'incoming/003.txt': SEED_003,
  ...Object.fromEntries(
    Array.from({ length: 8 }, (_, i) => [`incoming/v${i}.txt`, variant(i % 2 ? SEED_003 : SEED_000, i)]),
  ),
  // Exact copies under other keys: duplicates, never second articles.
  'incoming/copy-of-000.txt': SEED_000,
  'incoming/copy-of-v1.txt': variant(SEED_003, 1),
  // Bad files: error records and quarantined copies.
  'incoming/photo.txt': Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  'incoming/latin1.txt': Uint8Array.from([0x63, 0x61, 0x66, 0xe9]),
  'incoming/empty.txt': new Uint8Array(),
  'incoming/shape.json': '{"headline": "no body field"}',
};
const BAD = ['incoming/photo.txt', 'incoming/latin1.txt', 'incoming/empty.txt', 'incoming/shape.json'];
const DUPLICATES = ['incoming/copy-of-000.txt', 'incoming/copy-of-v1.txt'];
const VERSIONED = 'incoming/versioned.txt';

describe('Integration: faults injected between the ingest function and the emulator (moto)', () => {
  let proxy: FaultProxy;
  let direct: ReturnType<typeof emulatorClients>;
  let resources: Awaited<ReturnType<typeof createIngestResources>>;
  let alertsQueue: string;
  const outcome = {
    rounds: 0,
    invocations: 0,
    failedInvocations: 0,
    failedItems: 0,
    concurrentDuplicates: 0,
  };

  beforeAll(async () => {
    // Prepare: the emulator behind a proxy that throttles, fails and delays a share of calls.
    const endpoint = inject('motoEndpoint');
    proxy = await startFaultProxy(endpoint);
    direct = emulatorClients(endpoint);
    resources = await createIngestResources(direct);
    const directSns = new SNSClient({
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const { TopicArn } = await directSns.send(new CreateTopicCommand({ Name: `alerts-${resources.table}` }));
    alertsQueue = await subscribeQueue(direct, directSns, TopicArn as string, `all-${resources.table}`, {
      kind: ['alert'],
    });
    await new DynamoDbTopicStore(direct.doc, resources.table).replaceTopicSet(
      seedTopicSet(),
      '2026-11-23T00:00:00Z',
    );

    // The function's clients go through the proxy, with a short per-attempt time limit.
    const base = {
      endpoint: proxy.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 1_000, throwOnRequestTimeout: true },
      maxAttempts: 3,
    };
    const s3 = new S3Client({ ...base, forcePathStyle: true });
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient(base), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const sns = new SNSClient(base);
    const topics = new DynamoDbTopicStore(doc, resources.table);
    // A message that failed comes back after the queue's visibility timeout (180 s): each
    // round of redelivery moves the function's clock on by that much, so claims left by a run
    // that died have run out when their message returns, as they have on AWS.
    const clock = { now: () => new Date(Date.now() + Math.max(0, outcome.rounds - 1) * 180_000) };
    const handler = createIngestHandler({
      config: { bucket: resources.bucket, incomingPrefix: 'incoming/' },
      ports: {
        objects: new S3ObjectSource(s3, {
          bucket: resources.bucket,
          incomingPrefix: 'incoming/',
          quarantinePrefix: 'quarantine/',
        }),
        articles: new DynamoDbArticleStore(doc, resources.table),
        clock,
        limits: { maxBytes: 262_144 },
        matching: { matcher: new CachedMatcher(topics, clock), store: topics },
        stories: new DynamoDbStoryStore(doc, resources.table),
        alerts: {
          publisher: new SnsAlertPublisher(sns, TopicArn as string),
          locate: (k) => `s3://${resources.bucket}/${k}`,
        },
      },
    });
    /** One invocation; when it fails as a whole (a timeout), every message of it comes back. */
    const invoke = async (batch: Message[]) => {
      outcome.invocations++;
      try {
        return await handler(sqsEvent(batch, resources.queueArn), lambdaContext());
      } catch {
        outcome.failedInvocations++;
        return { batchItemFailures: batch.map((m) => ({ itemIdentifier: m.MessageId as string })) };
      }
    };

    // Files arrive; one key twice (two versions). S3 orders a key's events by `sequencer`;
    // the emulator gives every event the same one, so they are numbered here as S3 would.
    for (const [key, body] of Object.entries(FILES)) await putObject(direct, resources.bucket, key, body);
    const versions = [
      (await putObject(direct, resources.bucket, VERSIONED, variant(SEED_000, 100))).VersionId,
      (await putObject(direct, resources.bucket, VERSIONED, variant(SEED_003, 200))).VersionId,
    ];
    const expected = Object.keys(FILES).length + 3; // + two versions + the s3:TestEvent
    const received = await receiveMessages(direct, resources.queueUrl, expected);
    expect(received).toHaveLength(expected);
    // S3 puts the version id and a sequencer in each event; the emulator leaves both out,
    // so they are filled in here as S3 would, in upload order.
    let version = 0;
    const messages = received.map((m) => {
      const body = JSON.parse(m.Body as string) as {
        Records?: Array<{ s3: { object: { key: string; sequencer?: string; versionId?: string } } }>;
      };
      const object = body.Records?.[0]?.s3.object;
      if (object && decodeURIComponent(object.key.replace(/\+/g, ' ')) === VERSIONED) {
        object.versionId = versions[version];
        object.sequencer = `00617F08299329D18${++version}`;
      }
      return { ...m, Body: JSON.stringify(body) };
    });
    // Out of order: the newer version's event is handed out first.
    const isVersion = (n: number) => (m: Message) => (m.Body ?? '').includes(`D18${n}"`);
    const queue = messages.filter((m) => !isVersion(1)(m));
    const older = messages.find(isVersion(1)) as Message;

    // Faults: DynamoDB throttled (6 %), answering too late after the write took effect (2 %)
    // or failing (1 %); S3 slowed down (its first two reads, then 5 %); SNS down for its first six publish calls, then
    // refusing 15 % of them. The SDK retries each call up to 3 times; what still fails,
    // fails the message, which comes back.
    const rand = prng(20261123);
    let snsOutage = 6;
    let s3Outage = 2;
    proxy.setRule(({ operation }) => {
      const r = rand();
      if (operation.startsWith('dynamodb:')) {
        if (r < 0.06) return FAULTS.dynamoThrottle();
        if (r < 0.08) return { kind: 'late', delayMs: 1_300 };
        if (r < 0.09) return FAULTS.dynamoInternal();
      }
      if (operation === 's3:GET' && s3Outage > 0) {
        s3Outage--;
        return FAULTS.s3SlowDown();
      }
      if (operation.startsWith('s3:') && r < 0.05) return FAULTS.s3SlowDown();
      if (operation.startsWith('sns:Publish')) {
        if (snsOutage > 0) {
          snsOutage--;
          return FAULTS.snsInternal();
        }
        if (r < 0.15) return FAULTS.snsThrottle();
      }
      return { kind: 'pass' };
    });

    // Act: batches of 10 as Lambda's poller hands them out; the first two messages of every
    // batch are also handed to a second, concurrent invocation (SQS delivers at least once);
    // failed items go back to the queue until none fail.
    const drain = async (first: Message[]) => {
      let pending = first;
      while (pending.length > 0 && outcome.rounds < 40) {
        outcome.rounds++;
        const next: Message[] = [];
        for (let i = 0; i < pending.length; i += 10) {
          const batch = pending.slice(i, i + 10);
          outcome.concurrentDuplicates += Math.min(2, batch.length);
          const [a, b] = await Promise.all([invoke(batch), invoke(batch.slice(0, 2))]);
          const failed = new Set(
            [...a.batchItemFailures, ...b.batchItemFailures].map((f) => f.itemIdentifier),
          );
          outcome.failedItems += failed.size;
          next.push(...batch.filter((m) => failed.has(m.MessageId as string)));
        }
        pending = next;
      }
    };
    await drain(queue);
    // Then the older version's event, delayed in transit, arrives after the newer one was stored.
    await drain([older]);
    proxy.setRule(() => ({ kind: 'pass' }));
    console.info('faults injected:', Object.fromEntries(proxy.injected), 'delivery:', outcome);
  }, 240_000);

  afterAll(async () => {
    await proxy?.close();
  });

  it('should have injected every kind of fault and still finished every message', () => {
    const kinds = [...proxy.injected.keys()].join(' ');
    for (const k of ['dynamodb:PutItem error', 'late', 's3:GET error', 'sns:PublishBatch error'])
      expect(kinds).toContain(k);
    expect(outcome.failedItems).toBeGreaterThan(0); // some items needed a second delivery
    expect(outcome.rounds).toBeLessThan(40); // and the queue drained
  });

  it('should account for every file: an article, a duplicate or an error record with a quarantined copy', async () => {
    const items = await scanTable(direct, resources.table);
    const sources = new Map(
      items
        .filter((i) => i.type === 'source')
        .map((i) => [i.key as string, i as { status: string; articleId?: string }]),
    );
    for (const key of [...Object.keys(FILES), VERSIONED]) expect(sources.has(key), key).toBe(true);
    for (const key of BAD) {
      expect(sources.get(key)?.status, key).toBe('rejected');
      const copy = await direct.s3.send(
        new GetObjectCommand({ Bucket: resources.bucket, Key: key.replace('incoming/', 'quarantine/') }),
      );
      expect(copy.ContentLength).toBe(Buffer.from(FILES[key] as string | Uint8Array).length);
    }
    for (const key of DUPLICATES) expect(sources.get(key)?.status, key).toBe('duplicate');
    const articles = items.filter((i) => i.type === 'article');
    // 2 seeds + 8 variants + the newest version of the versioned key; no article twice.
    expect(articles).toHaveLength(11);
    expect(new Set(articles.map((a) => a.id)).size).toBe(11);
    expect(items.filter((i) => i.type === 'error')).toHaveLength(BAD.length);
  });

  it('should keep the newer version of a key when its older event arrives last', async () => {
    const items = await scanTable(direct, resources.table);
    const source = items.find((i) => i.type === 'source' && i.key === VERSIONED) as { articleId: string };
    const article = items.find((i) => i.type === 'article' && i.id === source.articleId) as {
      paragraphs: string[];
    };
    expect(article.paragraphs.join(' ')).toContain('Update 200');
    expect(items.some((i) => i.type === 'article' && JSON.stringify(i).includes('Update 100'))).toBe(false);
  });

  it('should send exactly one alert per stored match, whatever failed on the way', async () => {
    const items = await scanTable(direct, resources.table);
    const matches = items.filter((i) => i.type === 'match') as Array<{ alertId: string; alertState: string }>;
    expect(matches.length).toBeGreaterThan(20);
    expect(matches.every((m) => m.alertState === 'sent')).toBe(true);
    const got = alertsIn(await receiveMessages(direct, alertsQueue, matches.length + 10, 5_000));
    const ids = got.map((a) => a.doc.id);
    expect(new Set(ids)).toEqual(new Set(matches.map((m) => m.alertId)));
    // A publish SNS accepted but whose answer never came back (the client gave up waiting) is
    // retried and goes out again, with the same id: SNS standard topics deliver at least once.
    // Only those entries may repeat; nothing else does.
    const lostEntries = (proxy.lost.get('sns:PublishBatch') ?? []).flatMap((body) =>
      [...body.matchAll(/PublishBatchRequestEntries\.member\.\d+\.Id=([^&]+)/g)].map((m) =>
        decodeURIComponent(m[1] as string),
      ),
    );
    const count = (list: string[], id: string) => list.filter((x) => x === id).length;
    for (const id of new Set(ids)) {
      expect(count(ids, id) - 1, `repeats of ${id}`).toBeLessThanOrEqual(count(lostEntries, id));
    }
    console.info('alerts:', {
      matches: matches.length,
      received: ids.length,
      lostPublishEntries: lostEntries.length,
    });
  });
});
