import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articleOutcomes } from '../../functions/core/pipeline/ingest-object.ts';
import type { FeedStatus } from '../../local/feeds.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { eventLog, makeWorkspace, waitFor, type Workspace } from './helpers.ts';

const RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local wire</title>
<item><guid>1</guid><title>Aid reached the coast</title><description>Masks and vaccines arrived.</description></item>
</channel></rss>`;

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

/** Runs `newswatch` as a user would, against the workspace. */
const newswatch = (ws: Workspace, feedsFile: string, args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const { FORCE_COLOR: _f, NO_COLOR: _n, ...env } = process.env;
    const child = spawn(
      process.execPath,
      [
        'bin/newswatch.js',
        ...['--home', ws.paths.home, '--inbox', ws.paths.inbox, '--topics', ws.paths.topics],
        ...['--subscribers', ws.paths.subscribers, '--feeds', feedsFile],
        ...args,
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

describe('Local runtime: feeds polled into the inbox', () => {
  let ws: Workspace;
  let runtime: LocalRuntime | undefined;
  let server: Server;
  let feedsFile: string;
  const requests: Array<string | undefined> = [];
  const log = eventLog();

  beforeAll(async () => {
    ws = makeWorkspace();
    server = createServer((req, res) => {
      requests.push(req.headers['if-none-match']);
      if (req.headers['if-none-match'] === '"local-1"') return res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"local-1"' }).end(RSS);
    });
    const port = await listen(server);
    // A port nothing listens on: connections are refused.
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    // Two topics that both match the item; the feed is meant for one of them.
    writeFileSync(
      join(ws.paths.topics, 'coast.yaml'),
      [
        '- { id: coast-aid, name: Coast aid, query: coast }',
        '- { id: coast-news, name: Coast news, query: coast }',
        '',
      ].join('\n'),
    );
    feedsFile = join(ws.dir, 'feeds.yaml');
    writeFileSync(
      feedsFile,
      [
        'feeds:',
        `  - { id: local-wire, name: Local wire, url: "http://127.0.0.1:${port}/rss", every: 5m, topics: [coast-aid] }`,
        `  - { id: gone-away, url: "http://127.0.0.1:${closedPort}/rss", every: 5m }`,
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await runtime?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    ws.remove();
  });

  it('should write a new document into inbox/feeds/<id>/, ingest it, and record a failing feed', async () => {
    // Act
    runtime = await startLocalRuntime({
      paths: { ...ws.paths, feeds: feedsFile },
      port: 0,
      seed: false,
      settleMs: 150,
      feedTickMs: 200,
      onEvent: log.onEvent,
    });
    const written = await waitFor('the new document', () =>
      log.of('feed').find((e) => e.feedId === 'local-wire' && e.status === 'new'),
    );
    const failed = await waitFor('the failing feed', () =>
      log.of('feed').find((e) => e.feedId === 'gone-away' && e.status === 'failed'),
    );
    const path = runtime.local.feeds.pathOf(written.key as string);
    const ingested = await waitFor('the document ingested', () =>
      log.of('ingested').find((e) => e.path === path),
    );

    // Assess
    expect(written.key).toMatch(/^inbox\/feeds\/local-wire\/[0-9a-f]{32}\.xml$/);
    expect(path.startsWith(join(ws.paths.inbox, 'feeds', 'local-wire'))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(RSS);
    expect(ingested.outcome.key).toBe(written.key);
    // Matched against the feed's topics only: coast-news matches the text but is not meant for it.
    const matched = articleOutcomes(ingested.outcome).flatMap((o) =>
      o.status === 'stored' ? o.matches.map((m) => m.topicId) : [],
    );
    expect(matched).toContain('coast-aid');
    expect(matched).not.toContain('coast-news');
    expect(failed.error).toMatch(/ECONNREFUSED/);
    // No temporary file is left beside the document.
    expect(readdirSync(join(ws.paths.inbox, 'feeds', 'local-wire'))).toHaveLength(1);
  });

  it('should send the ETag back and write nothing more on 304', async () => {
    // Act
    const outcomes = (await runtime?.local.feeds.poll({ force: true, only: 'local-wire' })) ?? [];

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(['not-modified']);
    expect(requests.at(-1)).toBe('"local-1"');
    expect(readdirSync(join(ws.paths.inbox, 'feeds', 'local-wire'))).toHaveLength(1);
  });

  it('should show the failing feed on the dashboard and in `newswatch feeds list`', async () => {
    // Act
    const res = await fetch(`${runtime?.url}/api/feeds`);
    const { feeds } = (await res.json()) as { feeds: FeedStatus[] };
    const cli = await newswatch(ws, feedsFile, ['feeds', 'list']);
    const cliJson = await newswatch(ws, feedsFile, ['--json', 'feeds', 'list']);

    // Assess
    expect(feeds.find((f) => f.id === 'local-wire')).toMatchObject({
      name: 'Local wire',
      lastStatus: 'not-modified',
      consecutiveFailures: 0,
      filesWritten: 1,
    });
    expect(feeds.find((f) => f.id === 'gone-away')).toMatchObject({
      lastStatus: 'failed',
      consecutiveFailures: 1,
      lastError: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^gone-away\s+5m\s+failed\s.*ECONNREFUSED/m);
    expect(cli.stdout).toContain('2 feeds, 1 failing');
    expect((JSON.parse(cliJson.stdout) as { feeds: FeedStatus[] }).feeds).toHaveLength(2);
    expect(existsSync(join(ws.paths.inbox, 'feeds', 'gone-away'))).toBe(false);
  });

  it('should show the feeds on the overview page, the failing one first and marked', async () => {
    // Prepare
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox'],
    });
    const pageErrors: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));

      // Act
      await page.goto(runtime?.url ?? '');
      await page.locator('#feed-status tbody tr').first().waitFor();
      const trs = page.locator('#feed-status tbody tr');
      const rows: Array<{ feed: string | null; failing: boolean }> = [];
      for (let i = 0; i < (await trs.count()); i++) {
        const tr = trs.nth(i);
        rows.push({
          feed: await tr.getAttribute('data-feed'),
          failing: ((await tr.getAttribute('class')) ?? '').split(' ').includes('failing'),
        });
      }

      // Assess
      expect(rows).toEqual([
        { feed: 'gone-away', failing: true },
        { feed: 'local-wire', failing: false },
      ]);
      expect(await page.locator('#feeds-summary').textContent()).toMatch(/^2 feeds, 1 failing\./);
      expect(await page.locator('tr[data-feed="gone-away"]').textContent()).toContain(
        '1 failed poll in a row',
      );
      expect(pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
  it('should poll feeds now with `newswatch feeds poll`, beside the running newswatch', async () => {
    // Act
    const one = await newswatch(ws, feedsFile, ['feeds', 'poll', 'local-wire']);
    const failing = await newswatch(ws, feedsFile, ['--json', 'feeds', 'poll', 'gone-away']);
    const unknown = await newswatch(ws, feedsFile, ['feeds', 'poll', 'nope']);

    // Assess
    expect(one).toMatchObject({ code: 0, stdout: 'local-wire: not-modified\n' });
    expect(failing.code).toBe(1);
    expect(
      (JSON.parse(failing.stdout) as { outcomes: Array<{ state: { consecutiveFailures: number } }> })
        .outcomes[0]?.state.consecutiveFailures,
    ).toBe(2);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain('newswatch: there is no feed "nope" (feeds: ');
  });
});
