/**
 * The local runtime's start-up and its read models with 10k and 100k stored articles: the
 * start (topics, subscribers, the inbox listed, unsent alerts resumed through their index),
 * every view of the dashboard's API (read through the table's indexes, keys and text index),
 * the whole-table snapshot behind an export and a query's preview, and the memory each takes.
 *   node bench/read-models.ts [--articles 10000,100000] [--smoke]
 * Prints tables and writes bench/results/read-models.{md,json} (a smoke run: a temporary folder).
 *
 * The articles, matches, stories, errors and delivery records are synthesised
 * (bench/synthetic-catalog.ts) and written straight into the local table as the stores write
 * them, 5 alerts of them left unsent.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { openLocalTable } from '../functions/adapters/local/local-dynamodb.ts';
import { dashboardApp } from '../local/dashboard/server.ts';
import { viewsOf } from '../local/views.ts';
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
import {
  itemsOf,
  SYNTHETIC_RARE_NAME,
  SYNTHETIC_SUBSCRIBERS_YAML,
  synthesise,
  writeItems,
} from './synthetic-catalog.ts';

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
  /** Per dashboard route: the first read and the median of the next five. */
  views: Array<{ route: string; firstMs: number; medianMs: number; bytes: number }>;
  rssAfterViewsMB: number;
}
const rows: Row[] = [];
const RUNS = 5;

const pathsIn = (dir: string) => ({
  home: join(dir, 'home'),
  inbox: join(dir, 'inbox'),
  topics: join(dir, 'topics'),
  subscribers: join(dir, 'subscribers.yaml'),
  seedArticles: join(REPO_ROOT, 'seeds', 'articles'),
  labels: join(dir, 'labels'),
  feeds: join(dir, 'feeds.yaml'),
});

/** The dashboard's views, as its pages ask for them (ids filled in from the first answers). */
const ROUTES = [
  '/api/status',
  '/api/topics',
  '/api/articles?limit=50',
  '/api/articles?limit=50&offset=<deep>',
  '/api/articles?limit=50&from=2026-03-01&to=2026-03-31',
  '/api/articles?limit=50&topic=korea-foreign-relations&sort=score',
  '/api/articles?limit=50&outlet=Trend&language=es&minScore=0.3',
  // Searches of the texts, through the text index: a name in about 0.7 % of the articles, and
  // two common words that nearly every article holds (the worst case: each one is confirmed).
  `/api/articles?limit=50&q=${SYNTHETIC_RARE_NAME}`,
  '/api/articles?limit=50&q=glacier%20harbour',
  '/api/articles/facets',
  '/api/articles/<article>',
  '/api/alerts',
  '/api/alerts?topic=south-caucasus-diplomacy',
  '/api/subscribers',
  '/api/stories',
  '/api/stories/<story>',
  '/api/chart',
  '/api/chart?from=2026-01-01&to=2026-12-31',
  '/api/errors',
];

/** In a process of its own (its memory is the runtime's alone): the start, every view, then one snapshot. */
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

  // A dashboard of its own for each route's first read: nothing read before is kept.
  const dashboard = () => dashboardApp(runtime.local, () => runtime.snapshot(), '', viewsOf(runtime.local));
  let app = dashboard();
  const get = async (path: string) => {
    const res = await app.request(`http://127.0.0.1${path}`, { headers: { host: '127.0.0.1' } });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return res.text();
  };
  const status = JSON.parse(await get('/api/status')) as { articles: number };
  const first = JSON.parse(await get('/api/articles?limit=1')) as { articles: Array<{ id: string }> };
  const story = JSON.parse(await get('/api/stories')) as { stories: Array<{ storyId: string }> };
  const fill = (route: string) =>
    route
      .replace('<deep>', String(Math.max(0, status.articles - 50)))
      .replace('<article>', first.articles[0]?.id ?? 'none')
      .replace('<story>', story.stories[0]?.storyId ?? 'none');
  const timedViews: Row['views'] = [];
  for (const route of ROUTES) {
    const path = fill(route);
    app = dashboard();
    let t = performance.now();
    const body = await get(path);
    const firstMs = performance.now() - t;
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      t = performance.now();
      await get(path);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    timedViews.push({ route, firstMs, medianMs: times[Math.floor(RUNS / 2)] as number, bytes: body.length });
  }
  const rssAfterViews = process.memoryUsage().rss;

  const t1 = performance.now();
  const read = await runtime.local.catalog.snapshot();
  const snapshotMs = performance.now() - t1;
  const rssAfterSnapshot = process.memoryUsage().rss;
  await runtime.stop();
  return {
    startMs,
    resumed,
    rssAfterStart,
    views: timedViews,
    rssAfterViews,
    snapshotMs,
    rssAfterSnapshot,
    matches: read.matches.length,
  };
};
if (values.measure) {
  process.stdout.write(`${JSON.stringify(await measure(values.measure))}\n`);
  process.exit(0);
}

for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-read-models-'));
  const paths = pathsIn(dir);
  cpSync(join(REPO_ROOT, 'tests/fixtures/seeds/topics'), paths.topics, { recursive: true });
  writeFileSync(paths.subscribers, SYNTHETIC_SUBSCRIBERS_YAML);
  mkdirSync(paths.inbox, { recursive: true });

  // Prepare: the table as n ingested articles leave it.
  const snap = synthesise(n);
  const items = itemsOf(snap).map((item) =>
    // The first alerts were left unsent when the runtime stopped.
    item.type === 'match' && snap.matches.slice(0, UNSENT).some((m) => item.alertId === m.alertId)
      ? { ...item, alertState: 'pending', sentAt: undefined }
      : item,
  );
  const started = performance.now();
  const table = await openLocalTable(join(paths.home, 'data'));
  await writeItems(table.doc, table.tableName, items);
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
  const { startMs, resumed, rssAfterStart, views, rssAfterViews, snapshotMs, rssAfterSnapshot, matches } =
    JSON.parse(child.stdout.trim().split('\n').pop() as string) as Awaited<ReturnType<typeof measure>>;
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
    views,
    rssAfterViewsMB: Math.round(rssAfterViews / 1024 ** 2),
  });
}

const table: Table = {
  title: 'Local runtime: start-up and memory, synthesised articles in the SQLite table',
  header: [
    'articles',
    'matches',
    'table file',
    'start-up (target ≤ 2 s)',
    'unsent alerts resumed',
    'RSS after start',
    'RSS after every view',
    'whole-table snapshot (export, query preview)',
    'RSS after snapshot',
  ],
  rows: rows.map((r) => [
    String(r.articles),
    String(r.matches),
    `${r.fileMB} MB`,
    s(r.startMs),
    `${r.resumed} of ${UNSENT}`,
    `${r.rssAfterStartMB} MB`,
    `${r.rssAfterViewsMB} MB`,
    s(r.snapshotMs),
    `${r.rssAfterSnapshotMB} MB`,
  ]),
};
const ms = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
const viewTable: Table = {
  title: `Dashboard views (target ≤ 300 ms each): first read / median of ${RUNS} more (table unchanged: counts kept), ms`,
  header: ['route', ...rows.map((r) => `${r.articles} articles`)],
  rows: ROUTES.map((route) => [
    route,
    ...rows.map((r) => {
      const v = r.views.find((x) => x.route === route);
      return v ? `${ms(v.firstMs)} / ${ms(v.medianMs)}` : '–';
    }),
  ]),
  left: [0],
};
printTable(table);
printTable(viewTable);
const m = machine();
writeResults(
  'read-models',
  { machine: m, rows },
  [
    '# Read models of the local runtime',
    '',
    describeMachine(m),
    '',
    'Command: `npm run bench:read-models` (`node --expose-gc bench/read-models.ts`). Synthesised articles, matches,',
    'stories, errors and delivery records are written into the SQLite table as the stores write them,',
    `${UNSENT} alerts left unsent; then, in a process of its own, the runtime starts (topics, subscribers, the`,
    'inbox listed, unsent alerts resumed through their index), every view of the dashboard API is read',
    '(through the app, without a socket; nothing is kept between reads), and last the whole-table snapshot',
    "behind an export and a query's preview.",
    '',
    markdownTable(table),
    '',
    markdownTable(viewTable),
    '',
    `Writing the table (batches of 25) took ${rows.map((r) => `${r.writeS} s for ${r.articles} articles`).join(', ')}. ${cpus().length} cores.`,
  ].join('\n'),
);
