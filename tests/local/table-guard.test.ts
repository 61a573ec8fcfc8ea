import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand as DocScanCommand } from '@aws-sdk/lib-dynamodb';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type LocalDynamo,
  localDynamoClients,
  startLocalDynamo,
} from '../../functions/adapters/local/local-dynamodb.ts';
import type { LocalTableKey } from '../../functions/adapters/local/table-guard.ts';
import type { RuntimeInfo } from '../../local/local-newswatch.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { eventLog, makeWorkspace, newswatch, waitFor } from './helpers.ts';

/** A request as the SDK signed it: its headers and body, captured before it is sent. */
interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

/** Signs a DynamoDB call with `key` as the SDK would send it to `endpoint`, without sending it. */
const signedRequest = async (
  endpoint: string,
  key: LocalTableKey,
  command: ScanCommand | PutItemCommand,
): Promise<SignedRequest> => {
  const client = new DynamoDBClient({ region: 'local', endpoint, credentials: key, maxAttempts: 1 });
  let captured: SignedRequest | undefined;
  client.middlewareStack.add(
    () => (args) => {
      const r = args.request as { headers: Record<string, string>; body: string | Uint8Array };
      captured = {
        headers: { ...r.headers },
        body: typeof r.body === 'string' ? r.body : Buffer.from(r.body).toString('utf8'),
      };
      return Promise.reject(new Error('captured'));
    },
    { step: 'deserialize', name: 'captureSignedRequest' },
  );
  await client.send(command as ScanCommand).catch(() => undefined);
  client.destroy();
  if (!captured) throw new Error('the request was not captured');
  return captured;
};

/** Sends a raw request to the table endpoint and reads the answer. */
const send = (
  endpoint: string,
  options: { method?: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> =>
  new Promise((resolve, reject) => {
    const url = new URL(endpoint);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'POST',
        path: '/',
        headers: options.headers,
        setHost: false,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });

const ATTACKER_ITEM = {
  pk: { S: 'ATTACKER#1' },
  sk: { S: 'ATTACKER' },
  note: { S: 'written by a web page' },
};

describe('dynalite over a data folder: answers requests signed with its key only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-guard-'));
  let dynamo: LocalDynamo;
  let endpoint: string;
  let key: LocalTableKey;
  let browser: Browser | undefined;
  let otherSite: Server | undefined;

  /** Every item of the table, as the runtime reads it. */
  const items = async () => {
    const { dynamodb, doc } = localDynamoClients(endpoint, key);
    const out: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new DocScanCommand({ TableName: 'newswatch', ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      out.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    dynamodb.destroy();
    return out;
  };

  beforeAll(async () => {
    dynamo = await startLocalDynamo(join(dir, 'data'));
    endpoint = dynamo.endpoint;
    key = dynamo.key;
    await dynamo.doc.send(
      new PutCommand({ TableName: dynamo.tableName, Item: { pk: 'ARTICLE#1', sk: 'ARTICLE', title: 'T' } }),
    );
  });

  afterAll(async () => {
    await browser?.close();
    otherSite?.close();
    await dynamo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should sign with a new random key on each start, on 127.0.0.1 only', () => {
    // Assess
    expect(key.accessKeyId).toMatch(/^NWLOCAL[0-9A-F]{20}$/);
    expect(key.secretAccessKey.length).toBeGreaterThanOrEqual(40);
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('should refuse a request signed with another key, sent to another host, altered or sent by a web page, with no CORS header', async () => {
    // Prepare: a request signed with the right key, and the same call signed with a guessed one.
    const scan = new ScanCommand({ TableName: 'newswatch', Limit: 1 });
    const good = await signedRequest(endpoint, key, scan);
    const guessed = new DynamoDBClient({
      region: 'local',
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const port = new URL(endpoint).port;

    // Act
    const wrongKey = await guessed.send(new ListTablesCommand({})).then(
      () => undefined,
      (e: Error) => e,
    );
    guessed.destroy();
    const asSigned = await send(endpoint, { headers: good.headers, body: good.body });
    const otherHost = await send(endpoint, {
      headers: { ...good.headers, host: `attacker.example:${port}` },
      body: good.body,
    });
    const altered = await send(endpoint, {
      headers: good.headers,
      body: good.body.replace('"Limit":1', '"Limit":9'),
    });
    const fromPage = await send(endpoint, {
      headers: { ...good.headers, origin: 'http://127.0.0.1:1' },
      body: good.body,
    });
    const fromNullOrigin = await send(endpoint, {
      headers: { ...good.headers, origin: 'null' },
      body: good.body,
    });
    const preflight = await send(endpoint, {
      method: 'OPTIONS',
      headers: {
        host: `127.0.0.1:${port}`,
        origin: 'http://127.0.0.1:1',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target',
      },
    });
    const unsigned = await send(endpoint, {
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-amz-json-1.0' },
      body: good.body,
    });

    // Assess
    expect(wrongKey?.name).toBe('UnrecognizedClientException');
    expect(wrongKey?.message).toBe('the request is signed with another key');
    expect(asSigned.status).toBe(200);
    expect(otherHost.status).toBe(421);
    expect(altered.status).toBe(403);
    expect(altered.body).toContain('the signature does not match');
    expect([fromPage.status, fromNullOrigin.status, preflight.status, unsigned.status]).toEqual([
      403, 403, 403, 403,
    ]);
    for (const answer of [asSigned, otherHost, altered, fromPage, fromNullOrigin, preflight, unsigned])
      expect(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('should keep a page of another origin from reading or writing the table (Chromium)', async () => {
    // Prepare: a page served from a second 127.0.0.1 port, holding requests signed with a
    // guessed key (a page cannot know the real one); and the table as it is.
    otherSite = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another site</title>'),
    );
    await new Promise<void>((r) => otherSite?.listen(0, '127.0.0.1', r));
    const otherOrigin = `http://127.0.0.1:${(otherSite.address() as AddressInfo).port}`;
    const guessedKey = { accessKeyId: 'local', secretAccessKey: 'local' };
    const read = await signedRequest(endpoint, guessedKey, new ScanCommand({ TableName: 'newswatch' }));
    const write = await signedRequest(
      endpoint,
      guessedKey,
      new PutItemCommand({ TableName: 'newswatch', Item: ATTACKER_ITEM }),
    );
    // A page can send neither Host nor Content-Length itself; the browser sets both.
    const pageHeaders = (h: Record<string, string>) =>
      Object.fromEntries(Object.entries(h).filter(([n]) => !['host', 'content-length'].includes(n)));
    const before = await items();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox'],
    });
    const page = await browser.newPage();
    await page.goto(otherOrigin);

    // Act: the page tries to read, to write, and to write without reading the answer.
    const attempts = await page.evaluate(
      async ({ endpoint, read, write }) => {
        const attempt = async (init: RequestInit) => {
          try {
            const res = await fetch(endpoint, { method: 'POST', ...init });
            return `answered ${res.status} ${res.type}: ${(await res.text()).slice(0, 200)}`;
          } catch (e) {
            return `failed: ${(e as Error).name}`;
          }
        };
        return {
          read: await attempt({ headers: read.headers, body: read.body }),
          write: await attempt({ headers: write.headers, body: write.body }),
          blindWrite: await attempt({
            mode: 'no-cors',
            headers: { 'content-type': 'text/plain', 'x-amz-target': 'DynamoDB_20120810.PutItem' },
            body: write.body,
          }),
        };
      },
      {
        endpoint,
        read: { headers: pageHeaders(read.headers), body: read.body },
        write: { headers: pageHeaders(write.headers), body: write.body },
      },
    );
    const after = await items();

    // Assess: the browser got no answer it may read, and the table did not change.
    expect(attempts.read).toBe('failed: TypeError');
    expect(attempts.write).toBe('failed: TypeError');
    expect(attempts.blindWrite).toBe('answered 0 opaque: ');
    expect(after.some((i) => i.pk === 'ATTACKER#1')).toBe(false);
    expect(after.length).toBe(before.length);
  });
});

describe('Local runtime: one table file, shared with the newswatch command, no table endpoint', () => {
  const ws = makeWorkspace();
  const log = eventLog();
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startLocalRuntime({ paths: ws.paths, port: 0, settleMs: 100, onEvent: log.onEvent });
    await waitFor('both seeds', () => (log.of('ingested').length === 2 ? true : undefined));
    await runtime.idle();
  });

  afterAll(async () => {
    await runtime?.stop();
    ws.remove();
  });

  it('should let the command list and ingest through the same table while the runtime ingests', async () => {
    // Prepare
    const file = join(ws.dir, 'corridor.txt');
    writeFileSync(
      file,
      'A new trade corridor linking Georgia and Azerbaijan opened on Monday, officials said.\n',
    );
    copyFileSync('tests/fixtures/seeds/articles/003_c3fb651c5343490c.txt', join(ws.paths.inbox, 'again.txt'));

    // Act: the runtime ingests a file dropped in the inbox; the command lists and ingests beside it.
    await waitFor('the dropped file', () =>
      log.of('ingested').find((e) => e.path.endsWith('again.txt')) ? true : undefined,
    );
    const list = await newswatch(ws, ['--json', 'articles', 'list']);
    const ingest = await newswatch(ws, ['--json', 'ingest', file]);
    const snapshot = await runtime.local.catalog.snapshot();
    const info = JSON.parse(readFileSync(join(ws.paths.home, 'runtime.json'), 'utf8')) as RuntimeInfo;

    // Assess
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { total: number }).total).toBe(2);
    expect(ingest.code).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ files: 1, stored: 1 });
    expect(snapshot.articles).toHaveLength(3);
    expect(existsSync(join(ws.paths.home, 'data', 'newswatch.sqlite'))).toBe(true);
    expect(Object.keys(info).sort()).toEqual(['pid', 'startedAt', 'url']);
    expect(existsSync(join(ws.paths.home, 'table-key.json'))).toBe(false);
  });
});
