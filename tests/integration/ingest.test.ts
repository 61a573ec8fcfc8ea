import { readFileSync } from 'node:fs';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { createIngestHandler } from '../../functions/ingest/handler.ts';
import {
  createIngestResources,
  type EmulatorClients,
  emulatorClients,
  emulatorIngestPorts,
  lambdaContext,
  putObject,
  REGION,
  receiveMessages,
  scanTable,
  sqsEvent,
} from './helpers/emulator.ts';

const SEED_000 = readFileSync(
  new URL('../fixtures/seeds/articles/000_9c9c4874b48bb81e.txt', import.meta.url),
);
const SEED_003 = readFileSync(
  new URL('../fixtures/seeds/articles/003_c3fb651c5343490c.txt', import.meta.url),
);
const story = (n: string) =>
  `date 2024-02-0${n.length % 9 || 1}\n\nStory ${n}: aid reached the coast.\n\nDetails of ${n}.`;
const MAX_BYTES = 20_000;

type Env = Awaited<ReturnType<typeof createIngestResources>> & {
  c: EmulatorClients;
  store: DynamoDbArticleStore;
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse>;
};

/** A handler wired to the emulator, optionally with SDK middleware to observe or inject faults. */
const setUp = async (wire?: (c: EmulatorClients) => void): Promise<Env> => {
  const c = emulatorClients(inject('motoEndpoint'));
  wire?.(c);
  const resources = await createIngestResources(c);
  const ports = emulatorIngestPorts(c, resources, MAX_BYTES);
  const store = ports.articles;
  const handler = createIngestHandler({
    config: { bucket: resources.bucket, incomingPrefix: 'incoming/' },
    ports,
  });
  return { ...resources, c, store, invoke: (event) => handler(event, lambdaContext()) };
};

/** Uploads files, then collects the notifications S3 sent (the s3:TestEvent included). */
const upload = async (env: Env, files: Record<string, string | Uint8Array>, expectTestEvent = false) => {
  for (const [key, body] of Object.entries(files)) await putObject(env.c, env.bucket, key, body);
  const expected =
    Object.keys(files).filter((k) => k.startsWith('incoming/')).length + (expectTestEvent ? 1 : 0);
  const messages = await receiveMessages(env.c, env.queueUrl, expected);
  expect(messages).toHaveLength(expected);
  return messages;
};

describe('Integration: S3 → SQS → ingest handler → DynamoDB (moto)', () => {
  let env: Env;
  let response: SQSBatchResponse;
  let messages: Awaited<ReturnType<typeof upload>>;

  beforeAll(async () => {
    // Prepare: both seeds, keys S3 must encode (space, '+', non-ASCII), a file outside incoming/.
    env = await setUp();
    messages = await upload(
      env,
      {
        'incoming/000_9c9c4874b48bb81e.txt': SEED_000,
        'incoming/003_c3fb651c5343490c.txt': SEED_003,
        'incoming/red flower.txt': story('red flower'),
        'incoming/a+b.txt': story('a plus b'),
        'incoming/café über/新聞 5%.txt': story('non-ascii'),
        'notes/readme.txt': 'not an article, not notified',
      },
      true,
    );

    // Act: one batch, as Lambda would receive it.
    response = await env.invoke(sqsEvent(messages, env.queueArn));
  });

  it('should acknowledge every message, the s3:TestEvent included', () => {
    // Assess
    expect(messages.some((m) => m.Body?.includes('s3:TestEvent'))).toBe(true);
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('should store both seed articles with their parsed fields', async () => {
    // Act
    const a = await env.store.getArticleBySourceKey('incoming/000_9c9c4874b48bb81e.txt');
    const b = await env.store.getArticleBySourceKey('incoming/003_c3fb651c5343490c.txt');

    // Assess
    expect(a).toMatchObject({
      date: '2020-07-26',
      author: 'Ayya Lmahamad',
      sourceKey: 'incoming/000_9c9c4874b48bb81e.txt',
      wordCount: 289,
    });
    expect(a?.paragraphs).toHaveLength(5);
    expect(b).toMatchObject({ date: '2020-07-01', sourceKey: 'incoming/003_c3fb651c5343490c.txt' });
    expect(b?.author).toBeUndefined();
    expect(b?.paragraphs).toHaveLength(11);
  });

  it('should decode keys with spaces, plus signs and non-ASCII letters to the real object keys', async () => {
    // Note: moto, like S3, form-encodes keys in notifications, but it also encodes '/' as %2F
    // and sends neither versionId nor sequencer; S3 leaves '/' as it is. The decoder takes both.
    expect(messages.map((m) => m.Body).join()).toContain('incoming%2Fa%2Bb.txt');

    // Act
    const keys = ['incoming/red flower.txt', 'incoming/a+b.txt', 'incoming/café über/新聞 5%.txt'];
    const sources = await Promise.all(keys.map((k) => env.store.getSource(k)));

    // Assess
    for (const [i, source] of sources.entries()) {
      expect(source, keys[i]).toMatchObject({ key: keys[i], status: 'stored' });
    }
    const plus = await env.store.getArticleBySourceKey('incoming/a+b.txt');
    expect(plus?.paragraphs[0]).toBe('Story a plus b: aid reached the coast.');
  });

  it('should hold exactly one article, one source record and nothing else per file', async () => {
    // Act
    const items = await scanTable(env.c, env.table);

    // Assess
    expect(items.filter((i) => i.type === 'article')).toHaveLength(5);
    expect(items.filter((i) => i.type === 'source')).toHaveLength(5);
    expect(items).toHaveLength(10);
  });

  it('should find the articles by date range', async () => {
    // Act
    const july = await env.store.listArticlesByDate('2020-07-01', '2020-07-31');
    const first = await env.store.listArticlesByDate('2020-07-01', '2020-07-01');

    // Assess
    expect(july.map((a) => a.date)).toEqual(['2020-07-01', '2020-07-26']);
    expect(first).toHaveLength(1);
  });

  it('should store nothing new when the same messages are delivered again', async () => {
    // Prepare
    const before = await scanTable(env.c, env.table);

    // Act
    const again = await env.invoke(sqsEvent(messages, env.queueArn));

    // Assess
    expect(again).toEqual({ batchItemFailures: [] });
    const after = await scanTable(env.c, env.table);
    expect(after).toHaveLength(before.length);
    expect(after.filter((i) => i.type === 'article')).toHaveLength(5);
  });
});

describe('Integration: duplicates, bad files and faults (moto)', () => {
  it('should record the same text under another key as a duplicate, not a second article', async () => {
    // Prepare
    const env = await setUp();
    const messages = await upload(env, { 'incoming/first.txt': SEED_000 }, true);
    await env.invoke(sqsEvent(messages, env.queueArn));
    const copy = await upload(env, {
      'incoming/copy of first.txt': `\uFEFF${SEED_000.toString().replace(/\n/g, '\r\n')}`,
    });

    // Act
    const response = await env.invoke(sqsEvent(copy, env.queueArn));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const items = await scanTable(env.c, env.table);
    expect(items.filter((i) => i.type === 'article')).toHaveLength(1);
    const original = await env.store.getSource('incoming/first.txt');
    expect(await env.store.getSource('incoming/copy of first.txt')).toMatchObject({
      status: 'duplicate',
      articleId: original?.articleId,
    });
    const keys = (await env.store.listSourcesOfArticle(original?.articleId as string))
      .map((s) => s.key)
      .sort();
    expect(keys).toEqual(['incoming/copy of first.txt', 'incoming/first.txt']);
  });

  it('should record a bad file as an error, copy it to quarantine/ and acknowledge the message', async () => {
    // Prepare
    const env = await setUp();
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const messages = await upload(
      env,
      { 'incoming/photo.txt': png, 'incoming/latin1.txt': Uint8Array.from([0x63, 0x61, 0x66, 0xe9]) },
      true,
    );

    // Act
    const response = await env.invoke(sqsEvent(messages, env.queueArn));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await env.store.listErrorsForKey('incoming/photo.txt')).toMatchObject([
      {
        kind: 'BinaryFile',
        quarantineKey: 'quarantine/photo.txt',
        message: expect.stringContaining('PNG image'),
      },
    ]);
    expect(await env.store.listErrorsForKey('incoming/latin1.txt')).toMatchObject([
      { kind: 'NotUtf8', message: expect.stringContaining('not UTF-8 at byte 3') },
    ]);
    expect(await env.store.getSource('incoming/photo.txt')).toMatchObject({
      status: 'rejected',
      errorKind: 'BinaryFile',
    });
    const copy = await env.c.s3.send(
      new GetObjectCommand({ Bucket: env.bucket, Key: 'quarantine/photo.txt' }),
    );
    expect(await copy.Body?.transformToByteArray()).toEqual(png);
    // The copy under quarantine/ does not notify the queue again.
    expect(await receiveMessages(env.c, env.queueUrl, 1, 3_000)).toEqual([]);
    const month = new Date().toISOString().slice(0, 7);
    expect((await env.store.listErrorsByMonth(month)).map((e) => e.key).sort()).toEqual([
      'incoming/latin1.txt',
      'incoming/photo.txt',
    ]);
  });

  it('should refuse an oversized object by its announced size without downloading it', async () => {
    // Prepare
    const getObjectKeys: string[] = [];
    const env = await setUp((c) =>
      c.s3.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'GetObjectCommand')
            getObjectKeys.push((args.input as { Key: string }).Key);
          return next(args);
        },
        { step: 'initialize', name: 'observeGetObject' },
      ),
    );
    const messages = await upload(
      env,
      { 'incoming/huge.txt': `date 2024-01-01\n\n${'word '.repeat(MAX_BYTES)}` },
      true,
    );

    // Act
    const response = await env.invoke(sqsEvent(messages, env.queueArn));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(getObjectKeys).toEqual([]);
    expect(await env.store.listErrorsForKey('incoming/huge.txt')).toMatchObject([
      { kind: 'TooLarge', quarantineKey: 'quarantine/huge.txt' },
    ]);
    await expect(
      env.c.s3.send(new HeadObjectCommand({ Bucket: env.bucket, Key: 'quarantine/huge.txt' })),
    ).resolves.toMatchObject({ ContentLength: 5 * MAX_BYTES + 17 });
  });

  it('should report only the throttled record as a batch item failure, and store it on retry', async () => {
    // Prepare: DynamoDB throttles every write of one key's article, as it would under load.
    let throttle = true;
    const env = await setUp((c) =>
      c.dynamodb.middlewareStack.add(
        (next, context) => async (args) => {
          const item = (args.input as { Item?: { sourceKey?: { S?: string } } }).Item;
          if (
            throttle &&
            context.commandName === 'PutItemCommand' &&
            item?.sourceKey?.S === 'incoming/throttled.txt'
          ) {
            const { ProvisionedThroughputExceededException } = await import('@aws-sdk/client-dynamodb');
            throw new ProvisionedThroughputExceededException({
              message: 'The level of configured provisioned throughput for the table was exceeded.',
              $metadata: { httpStatusCode: 400 },
            });
          }
          return next(args);
        },
        { step: 'serialize', name: 'injectThrottling' },
      ),
    );
    const messages = await upload(
      env,
      {
        'incoming/ok-1.txt': story('one'),
        'incoming/throttled.txt': story('throttled'),
        'incoming/ok-2.txt': story('two'),
      },
      true,
    );
    const throttledMessage = messages.find((m) => m.Body?.includes('throttled.txt'));

    // Act
    const response = await env.invoke(sqsEvent(messages, env.queueArn));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: throttledMessage?.MessageId }]);
    expect(await env.store.getSource('incoming/ok-1.txt')).toMatchObject({ status: 'stored' });
    expect(await env.store.getSource('incoming/ok-2.txt')).toMatchObject({ status: 'stored' });
    expect(await env.store.getSource('incoming/throttled.txt')).toBeUndefined();

    // Act: the queue hands the failed message out again once throttling has passed.
    throttle = false;
    const retry = await env.invoke(sqsEvent([throttledMessage as (typeof messages)[number]], env.queueArn));

    // Assess
    expect(retry.batchItemFailures).toEqual([]);
    expect(await env.store.getSource('incoming/throttled.txt')).toMatchObject({ status: 'stored' });
    expect((await scanTable(env.c, env.table)).filter((i) => i.type === 'article')).toHaveLength(3);
  });
});

describe('Integration: the bad-input matrix through S3 → SQS → ingest (moto)', () => {
  const utf16 = (body: string) => {
    const b = new Uint8Array(2 + body.length * 2);
    b.set([0xff, 0xfe]);
    for (let i = 0; i < body.length; i++) b[2 + i * 2] = body.charCodeAt(i);
    return b;
  };
  const bytes = (...b: number[]) => Uint8Array.from(b);
  // key → the error kind it must be recorded with, or 'stored'.
  const MATRIX: Record<string, [string | Uint8Array, string]> = {
    'incoming/m/empty.txt': [new Uint8Array(), 'EmptyFile'],
    'incoming/m/image.png': [bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), 'BinaryFile'],
    // A PDF cut short is read by the PDF format and refused as damaged.
    'incoming/m/doc.pdf': ['%PDF-1.7\n1 0 obj', 'InvalidArticle'],
    'incoming/m/archive.zip': [bytes(0x50, 0x4b, 0x03, 0x04, 20, 0), 'BinaryFile'],
    'incoming/m/bomb.txt.gz': [bytes(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xed, 0xc1), 'BinaryFile'],
    'incoming/m/invalid-utf8.txt': [bytes(0x61, 0xc0, 0xaf, 0x62), 'NotUtf8'],
    'incoming/m/cp1252.txt': [bytes(0x64, 0x61, 0x74, 0x65, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x93), 'NotUtf8'],
    'incoming/m/line-flood.txt': ['\n'.repeat(15_000), 'EmptyFile'],
    'incoming/m/one-long-line.txt': [`date 2024-01-01\n\n${'aid '.repeat(2_600_000)}`, 'TooLarge'],
    'incoming/m/wrong-shape.json': ['{"headline": "x", "text_body": ["a"]}', 'NoBody'],
    // A JSON array is a container, its items refused one by one; a bare number is no article at all.
    'incoming/m/not-an-article.json': ['42', 'InvalidArticle'],
    'incoming/m/utf16.txt': [utf16('date 2024-03-01\n\nÜber Baku: aid arrived.'), 'stored'],
    'incoming/m/crlf.txt': ['date 2024-03-02\r\n\r\nAid reached the coast.\r\n\r\nMore trucks.', 'stored'],
  };

  it('should give every file a typed error record and a quarantined copy, or a clean article', async () => {
    // Prepare
    const env = await setUp();
    const messages = await upload(
      env,
      Object.fromEntries(Object.entries(MATRIX).map(([k, [body]]) => [k, body])),
      true,
    );

    // Act
    const response = await env.invoke(sqsEvent(messages, env.queueArn));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    for (const [key, [body, expected]] of Object.entries(MATRIX)) {
      const source = await env.store.getSource(key);
      if (expected === 'stored') {
        expect(source, key).toMatchObject({ status: 'stored' });
        continue;
      }
      expect(source, key).toMatchObject({ status: 'rejected', errorKind: expected });
      const [error] = await env.store.listErrorsForKey(key);
      expect(error?.message.length, key).toBeGreaterThan(10);
      const copy = await env.c.s3.send(
        new HeadObjectCommand({ Bucket: env.bucket, Key: key.replace('incoming/', 'quarantine/') }),
      );
      expect(copy.ContentLength, key).toBe(Buffer.from(body).length);
    }
  });
});

describe('Integration: the deployed entry point (moto)', () => {
  it('should build its clients and settings from the environment and ingest a file', async () => {
    // Prepare: the environment the CDK stack gives the function, pointed at the emulator.
    const c = emulatorClients(inject('motoEndpoint'));
    const resources = await createIngestResources(c);
    Object.assign(process.env, {
      TABLE_NAME: resources.table,
      BUCKET_NAME: resources.bucket,
      MAX_OBJECT_BYTES: '262144',
      AWS_ENDPOINT_URL: inject('motoEndpoint'),
      S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    await putObject(c, resources.bucket, 'incoming/entry point.txt', SEED_003);
    const messages = await receiveMessages(c, resources.queueUrl, 2);
    const { handler } = await import('../../functions/ingest/handler.ts');

    // Act
    const response = await handler(sqsEvent(messages, resources.queueArn), lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const store = new DynamoDbArticleStore(c.doc, resources.table);
    expect(await store.getArticleBySourceKey('incoming/entry point.txt')).toMatchObject({
      date: '2020-07-01',
    });
  });
});
