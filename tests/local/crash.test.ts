import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDbDeliveryJournal } from '../../functions/adapters/local/delivery-journal.ts';
import { openLocalTable } from '../../functions/adapters/local/local-dynamodb.ts';
import { verifyWebhook } from '../../functions/core/alerts/webhook-signature.ts';
import type { LocalEvent } from '../../local/local-newswatch.ts';
import { makeWorkspace, waitFor } from './helpers.ts';

/** The local runtime as a user starts it (`newswatch start`), in its own process. */
interface Child {
  process: ChildProcessWithoutNullStreams;
  events: LocalEvent[];
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/** A free port on 127.0.0.1, for a receiver that is down until it is brought up. */
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** The seed article, told again by another outlet with a new headline and a closing paragraph. */
const retold = (title: string, source: string, extra: string) => {
  const text = readFileSync('tests/fixtures/seeds/articles/000_9c9c4874b48bb81e.txt', 'utf8');
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p && !/^date\s/i.test(p) && p !== '--');
  return JSON.stringify({ title, date: '2020-07-26', source, body: [...paragraphs.slice(0, 6), extra] });
};

describe('Local runtime: webhook deliveries survive kill -9', () => {
  const ws = makeWorkspace();
  let receiver: Server | undefined;
  let child: Child | undefined;

  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    receiver?.close();
    ws.remove();
  });

  const start = (): Child => {
    const p = spawn(
      process.execPath,
      [
        'bin/newswatch.js',
        '--json',
        '--home',
        ws.paths.home,
        '--inbox',
        ws.paths.inbox,
        '--topics',
        ws.paths.topics,
        '--subscribers',
        ws.paths.subscribers,
        '--feeds',
        ws.paths.feeds as string,
        'start',
        '--port',
        '0',
        '--no-seed',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const events: LocalEvent[] = [];
    let buffered = '';
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((r) => (markReady = r));
    p.stdout.on('data', (c: Buffer) => {
      buffered += c.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const e = JSON.parse(line) as LocalEvent | { type: 'ready' };
        if (e.type === 'ready') markReady();
        else events.push(e);
      }
    });
    const exited = new Promise<number | null>((r) => p.on('close', r));
    return { process: p, events, ready, exited };
  };

  const deliveries = (c: Child, outcome: string) =>
    c.events.flatMap((e) =>
      e.type === 'delivery' && e.delivery.subscriberId === 'local-hook' && e.delivery.outcome === outcome
        ? [e.delivery.alertId]
        : [],
    );
  const kill = async (c: Child) => {
    c.process.kill('SIGKILL');
    await c.exited;
  };

  /** The hook's deliveries as the table has them, read while no runtime runs. */
  const journalStates = async (alertIds: readonly string[]) => {
    const dynamo = await openLocalTable(join(ws.paths.home, 'data'));
    const journal = new DynamoDbDeliveryJournal(dynamo.doc, dynamo.tableName);
    const states: Record<string, string> = {};
    for (const id of alertIds) {
      const r = await journal.get(id, 'local-hook');
      states[id] = r ? `${r.state}, next try ${r.attempt}` : 'none';
    }
    const pending = (await journal.pendingWebhooks()).length;
    await dynamo.close();
    return { states, pending };
  };

  it('should deliver every alert exactly once across kills while the receiver is down, failing, then up', async () => {
    // Prepare: a webhook subscriber for every alert, at a port where nothing listens yet.
    const port = await freePort();
    writeFileSync(
      ws.paths.subscribers,
      [
        'subscribers:',
        '  - id: health-desk',
        '    email: health-desk@example.org',
        '    topics: [international-health-aid]',
        '    minScore: 0.5',
        '    mode: immediate',
        '  - id: local-hook',
        '    topics: ["*"]',
        '    minScore: 0',
        '    mode: immediate',
        '    updates: true',
        '    webhook:',
        `      url: http://127.0.0.1:${port}/hook`,
        '      secretName: local-hook',
        '',
      ].join('\n'),
    );
    const received: Array<{ id: string; phase: string }> = [];
    let answer = 503;
    let phase = '';
    const receiverUp = async () => {
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          if (answer === 204) {
            const secret = readFileSync(join(ws.paths.home, 'secrets', 'local-hook'), 'utf8').trim();
            verifyWebhook(req.headers, body, secret);
            received.push({ id: req.headers['webhook-id'] as string, phase });
          }
          res.writeHead(answer).end();
        });
      });
      await new Promise<void>((r) => receiver?.listen(port, '127.0.0.1', r));
    };
    const table: Array<{ run: string; killed: string; delivered: number; duplicated: number }> = [];
    const count = () => {
      const ids = received.map((r) => r.id);
      return { delivered: new Set(ids).size, duplicated: ids.length - new Set(ids).size };
    };

    // Act 1: the receiver is down; four articles alert; kill -9 while every delivery waits for its retry.
    phase = 'run 1';
    child = start();
    await child.ready;
    mkdirSync(ws.paths.inbox, { recursive: true });
    for (const name of ['000_9c9c4874b48bb81e.txt', '003_c3fb651c5343490c.txt'])
      writeFileSync(join(ws.paths.inbox, name), readFileSync(join('tests/fixtures/seeds/articles', name)));
    writeFileSync(
      join(ws.paths.inbox, 'caspian.json'),
      retold('South Korea hands medical masks to Azerbaijan', 'Caspian Wire', 'An added closing paragraph.'),
    );
    writeFileSync(
      join(ws.paths.inbox, 'trend.json'),
      retold('Azerbaijan receives medical masks from South Korea', 'Trend', 'Another closing paragraph.'),
    );
    const first = child;
    const expected = await waitFor(
      'every alert waiting for its webhook retry',
      () => {
        const ingested = first.events.filter((e) => e.type === 'ingested').length;
        const alerts = first.events.flatMap((e) => (e.type === 'alert' ? [e.alert.id] : []));
        const waiting = new Set(deliveries(first, 'retrying'));
        return ingested === 4 && alerts.length > 0 && alerts.every((id) => waiting.has(id))
          ? alerts
          : undefined;
      },
      60_000,
    );
    await kill(first);
    table.push({
      run: 'run 1',
      killed: 'kill -9 while every delivery waited for try 2 (receiver down)',
      ...count(),
    });
    const afterRun1 = await journalStates(expected);

    // Act 2: the receiver answers 503; restart; kill -9 once each delivery failed again.
    await receiverUp();
    phase = 'run 2';
    child = start();
    const second = child;
    await second.ready;
    await waitFor(
      'every delivery tried again at start',
      () => (expected.every((id) => deliveries(second, 'retrying').includes(id)) ? true : undefined),
      30_000,
    );
    await kill(second);
    table.push({ run: 'run 2', killed: 'kill -9 after try 2 answered 503', ...count() });
    const afterRun2 = await journalStates(expected);

    // Act 3: the receiver takes them; restart; kill -9 after everything was delivered.
    answer = 204;
    phase = 'run 3';
    child = start();
    const third = child;
    await third.ready;
    await waitFor(
      'every alert received',
      () => (expected.every((id) => deliveries(third, 'delivered').includes(id)) ? true : undefined),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    await kill(third);
    table.push({
      run: 'run 3',
      killed: 'kill -9 after every delivery was recorded as delivered',
      ...count(),
    });
    const afterRun3 = await journalStates(expected);

    // Act 4: one more start, then a clean stop: nothing is sent again.
    phase = 'run 4';
    child = start();
    const fourth = child;
    await fourth.ready;
    await new Promise((r) => setTimeout(r, 2_000));
    fourth.process.kill('SIGINT');
    const code = await fourth.exited;
    table.push({ run: 'run 4', killed: 'none (Ctrl-C after 2 s)', ...count() });
    console.info(
      [
        `alerts expected: ${expected.length}`,
        '| run | what was killed when | delivered so far | duplicated |',
        '| --- | --- | --- | --- |',
        ...table.map((t) => `| ${t.run} | ${t.killed} | ${t.delivered} | ${t.duplicated} |`),
      ].join('\n'),
    );

    // Assess: pending (never "delivered") until the receiver took each alert, then each exactly once.
    expect(expected.length).toBeGreaterThanOrEqual(6);
    expect(new Set(expected).size).toBe(expected.length);
    expect(Object.values(afterRun1.states)).toEqual(expected.map(() => 'pending, next try 2'));
    expect(afterRun1.pending).toBe(expected.length);
    expect(Object.values(afterRun2.states)).toEqual(expected.map(() => 'pending, next try 3'));
    expect(Object.values(afterRun3.states).every((s) => s.startsWith('delivered'))).toBe(true);
    expect(afterRun3.pending).toBe(0);
    expect(received.map((r) => r.id).sort()).toEqual([...expected].sort());
    expect(new Set(received.map((r) => r.phase))).toEqual(new Set(['run 3']));
    expect(code).toBe(0);
    // The console line and the email went out once, in the first run, whatever came after.
    for (const c of [second, third, fourth]) {
      expect(c.events.filter((e) => e.type === 'alert')).toEqual([]);
      expect(c.events.filter((e) => e.type === 'delivery' && e.delivery.channel === 'email')).toEqual([]);
    }
    expect(
      first.events.filter((e) => e.type === 'delivery' && e.delivery.channel === 'email').length,
    ).toBeGreaterThanOrEqual(1);
    expect(table.map((t) => t.duplicated)).toEqual([0, 0, 0, 0]);
  }, 150_000);
});
