/**
 * The local runtime's start-up and its read models with 10k and 100k stored articles: the
 * start (topics, subscribers, the inbox listed, unsent alerts resumed through their index),
 * the whole-table snapshot the dashboard and the CLI lists read, and the memory each takes.
 *   node bench/read-models.ts [--articles 10000,100000] [--smoke]
 * Prints a table and writes bench/results/read-models.{md,json} (a smoke run: a temporary folder).
 *
 * The articles and matches are synthesised (bench/synthetic-catalog.ts) and written straight
 * into the local table as the stores write them, 5 alerts of them left unsent.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../functions/adapters/aws/table-layout.ts';
import { openLocalTable } from '../functions/adapters/local/local-dynamodb.ts';
import { REPO_ROOT } from '../local/local-newswatch.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import {
  describeMachine,
  machine,
  markdownTable,
  printTable,
  smoke,
  type Table,
  writeResults,
} from './common.ts';
import { synthesise } from './synthetic-catalog.ts';

const { values } = parseArgs({
  options: {
    articles: { type: 'string', default: smoke ? '2000' : '10000,100000' },
    smoke: { type: 'boolean', default: false },
    measure: { type: 'string' },
  },
});
const sizes = values.articles.split(',').map(Number);
const UNSENT = 5;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Row {
  articles: number;
  matches: number;
  fileMB: number;
  writeS: number;
  startMs: number;
  resumed: number;
  rssAfterStartMB: number;
  snapshotMs: number;
  rssAfterSnapshotMB: number;
}
const rows: Row[] = [];

const pathsIn = (dir: string) => ({
  home: join(dir, 'home'),
  inbox: join(dir, 'inbox'),
  topics: join(dir, 'topics'),
  subscribers: join(dir, 'subscribers.yaml'),
  seedArticles: join(REPO_ROOT, 'seeds', 'articles'),
  labels: join(dir, 'labels'),
  feeds: join(dir, 'feeds.yaml'),
});

/** In a process of its own (its memory is the runtime's alone): the start, then one snapshot. */
const measure = async (dir: string) => {
  let resumed = 0;
  const t0 = performance.now();
  const runtime = await startLocalRuntime({
    paths: pathsIn(dir),
    seed: false,
    onEvent: (e) => {
      if (e.type === 'alert') resumed++;
    },
  });
  const startMs = performance.now() - t0;
  const rssAfterStart = process.memoryUsage().rss;
  const t1 = performance.now();
  const read = await runtime.local.catalog.snapshot();
  const snapshotMs = performance.now() - t1;
  const rssAfterSnapshot = process.memoryUsage().rss;
  await runtime.stop();
  return { startMs, resumed, rssAfterStart, snapshotMs, rssAfterSnapshot, matches: read.matches.length };
};
if (values.measure) {
  process.stdout.write(`${JSON.stringify(await measure(values.measure))}\n`);
  process.exit(0);
}

for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-read-models-'));
  const paths = pathsIn(dir);
  cpSync(join(REPO_ROOT, 'tests/fixtures/seeds/topics'), paths.topics, { recursive: true });
  cpSync(join(REPO_ROOT, 'tests/fixtures/seeds/subscribers.yaml'), paths.subscribers);
  mkdirSync(paths.inbox, { recursive: true });

  // Prepare: the table as n ingested articles leave it.
  const snap = synthesise(n);
  const items: Record<string, unknown>[] = [
    ...snap.articles.map((a) => ({
      ...keys.article(a.id),
      ...keys.articleByMonth(a.date, a.id),
      type: 'article',
      ...a,
    })),
    ...snap.matches.map((m, i) => ({
      ...keys.match(m.articleId, m.topicId),
      ...keys.matchByTopic(m.topicId, m.articleDate, m.articleId),
      type: 'match',
      ...m,
      ...(i < UNSENT ? { alertState: 'pending', sentAt: undefined } : {}),
    })),
  ];
  const started = performance.now();
  const table = await openLocalTable(join(paths.home, 'data'));
  for (let i = 0; i < items.length; i += 25) {
    await table.doc.send(
      new BatchWriteCommand({
        RequestItems: { [table.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
  await table.close();
  const writeS = (performance.now() - started) / 1000;
  const fileMB = statSync(join(paths.home, 'data', 'newswatch.sqlite')).size / 1024 ** 2;
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--measure', dir],
    {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024,
    },
  );
  if (child.status !== 0) throw new Error(`the measuring process failed: ${child.stderr}`);
  const { startMs, resumed, rssAfterStart, snapshotMs, rssAfterSnapshot, matches } = JSON.parse(
    child.stdout.trim().split('\n').pop() as string,
  ) as Awaited<ReturnType<typeof measure>>;
  rmSync(dir, { recursive: true, force: true });
  rows.push({
    articles: n,
    matches,
    fileMB: Math.round(fileMB),
    writeS: Math.round(writeS * 10) / 10,
    startMs: Math.round(startMs),
    resumed,
    rssAfterStartMB: Math.round(rssAfterStart / 1024 ** 2),
    snapshotMs: Math.round(snapshotMs),
    rssAfterSnapshotMB: Math.round(rssAfterSnapshot / 1024 ** 2),
  });
}

const table: Table = {
  title: 'Local runtime: start-up and the whole-table snapshot, synthesised articles in the SQLite table',
  header: [
    'articles',
    'matches',
    'table file',
    'start-up (target ≤ 2 s)',
    'unsent alerts resumed',
    'RSS after start',
    'snapshot (dashboard, CLI lists)',
    'RSS after snapshot',
  ],
  rows: rows.map((r) => [
    String(r.articles),
    String(r.matches),
    `${r.fileMB} MB`,
    s(r.startMs),
    `${r.resumed} of ${UNSENT}`,
    `${r.rssAfterStartMB} MB`,
    s(r.snapshotMs),
    `${r.rssAfterSnapshotMB} MB`,
  ]),
};
printTable(table);
const m = machine();
writeResults(
  'read-models',
  { machine: m, rows },
  [
    '# Read models of the local runtime',
    '',
    describeMachine(m),
    '',
    'Command: `npm run bench:read-models` (`node --expose-gc bench/read-models.ts`). Synthesised articles and matches',
    `are written into the SQLite table as the stores write them, ${UNSENT} alerts left unsent; then the runtime`,
    'starts (topics, subscribers, the inbox listed, unsent alerts resumed through their index) and the',
    'whole-table snapshot behind the dashboard and the CLI lists is read once.',
    '',
    markdownTable(table),
    '',
    `Writing the table (batches of 25) took ${rows.map((r) => `${r.writeS} s for ${r.articles} articles`).join(', ')}.`,
  ].join('\n'),
);
