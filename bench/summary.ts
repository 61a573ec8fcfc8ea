/**
 * The summary of the latest results against the targets: bench/results/summary.md, the table
 * the README links to. Reads the JSON each part wrote; a part not yet run is reported so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeMachine,
  machine,
  markdownTable,
  printTable,
  resultsDir,
  type Table,
  writeResults,
} from './common.ts';

const read = <T>(name: string): T | undefined => {
  const p = join(resultsDir, `${name}.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : undefined;
};
interface MatchRow {
  topics: number;
  newswatch: {
    p50: number;
    p99: number;
    speedup: number;
    buildMs: number;
    heapMB: number;
    snapshot?: { readyMs: number; loadMs: number; bytes: number };
  };
  lucene?: {
    p50: number;
    p99: number;
    buildMs: number;
    heapMB: number;
    agreement: { both: number; onlyNewswatch: number; onlyLucene: number };
    skipped: number;
    translated: number;
  };
}
const match = read<{ rows: MatchRow[]; meta: { java?: string } }>('match');
const parse = read<{
  parse: { mbPerSecond: number };
  pipeline: { cpuUsPerArticle: number };
  worstCase?: { worstMsPerKiB: number };
}>('parse');
const cold = read<{
  results: Array<{
    function: string;
    fn: { bytes: number; importP50: number };
    floor: { bytes: number; importP50: number };
    empty: { importP50: number };
  }>;
}>('coldstart');
const cost = read<{
  totalPerDay: number;
  limits: Array<{ limit: string; reachedAt: number }>;
  matched?: { byMatches: Record<string, { articles: number; requests: number }> };
}>('cost');
const stories = read<{ precision: number; recall: number }>('stories');
interface LanguageTally {
  texts: number;
  right: number;
  wrong: number;
  undetermined: number;
}
const language = read<{
  corpus: Array<{ language: string; full: LanguageTally; titles: LanguageTally }>;
  cost: { p50Us: number; p99Us: number };
}>('language');

interface RelevanceRow {
  topic: string;
  test: {
    labelled: number;
    relevant: number;
    alerts: number;
    truePositives: number;
    precision: number | null;
    recall: number | null;
  };
}
const relevance = read<{ rows: RelevanceRow[] }>('relevance');

const rows: string[][] = [];
const add = (measure: string, target: string, measured: string, met: boolean | undefined, source: string) =>
  rows.push([measure, target, measured, met === undefined ? '' : met ? 'yes' : 'no', source]);
const NOT_RUN = 'not run';

const row = match?.rows.find((r) => r.topics === 100_000) ?? match?.rows.at(-1);
const at = row ? `${row.topics.toLocaleString('en')} topics` : '100k topics';
if (row) {
  add(
    `matcher p50 per ~5 KB article, ${at}`,
    '≤ 2 ms',
    `${row.newswatch.p50.toFixed(2)} ms (p99 ${row.newswatch.p99.toFixed(2)})`,
    row.newswatch.p50 <= 2,
    'match.md',
  );
  add(
    `speed-up over evaluating every topic, ${at}`,
    '≥ 20×',
    `${row.newswatch.speedup.toFixed(0)}×`,
    row.newswatch.speedup >= 20,
    'match.md',
  );
  const snapshot = row.newswatch.snapshot;
  if (snapshot)
    add(
      `ready to match from the index snapshot, ${at}`,
      '≤ 1 s',
      `${snapshot.readyMs.toFixed(0)} ms (load ${snapshot.loadMs.toFixed(0)} ms, ${(snapshot.bytes / 1024 / 1024).toFixed(1)} MB; compile ${(row.newswatch.buildMs / 1000).toFixed(2)} s)`,
      snapshot.readyMs <= 1000,
      'match.md',
    );
  if (row.lucene) {
    add(
      `Lucene Monitor p50, ${at}`,
      'slower than newswatch',
      `${row.lucene.p50.toFixed(2)} ms (${(row.lucene.p50 / row.newswatch.p50).toFixed(1)}× newswatch)`,
      row.lucene.p50 > row.newswatch.p50,
      'match.md',
    );
    const a = row.lucene.agreement;
    add(
      `same matches as Lucene on the ${row.lucene.translated.toLocaleString('en')} translatable topics (${row.lucene.skipped.toLocaleString('en')} skipped)`,
      'all agree',
      `${a.both.toLocaleString('en')} agree, ${a.onlyNewswatch} only newswatch, ${a.onlyLucene} only Lucene`,
      a.onlyNewswatch + a.onlyLucene === 0,
      'match.md',
    );
  } else add('Lucene Monitor', '', NOT_RUN, undefined, 'match.md');
  const big = match?.rows.find((r) => r.topics === 1_000_000);
  if (big)
    add(
      'matcher at 1M topics',
      '',
      `p50 ${big.newswatch.p50.toFixed(2)} ms, build ${(big.newswatch.buildMs / 1000).toFixed(0)} s, ${big.newswatch.heapMB.toFixed(0)} MB${big.lucene ? `; Lucene p50 ${big.lucene.p50.toFixed(1)} ms, build ${(big.lucene.buildMs / 1000).toFixed(0)} s, ${big.lucene.heapMB.toFixed(0)} MB` : ''}`,
      undefined,
      'match.md',
    );
} else add('matcher', '', NOT_RUN, undefined, 'match.md');
if (parse) {
  add(
    'parse: decode + parse + normalise',
    '≥ 50 MB/s',
    `${parse.parse.mbPerSecond.toFixed(1)} MB/s`,
    parse.parse.mbPerSecond >= 50,
    'parse.md',
  );
  add(
    'pipeline core CPU per article (seed topics, stories, alerts)',
    '',
    `${(parse.pipeline.cpuUsPerArticle / 1000).toFixed(2)} ms`,
    undefined,
    'parse.md',
  );
  if (parse.worstCase)
    add(
      'worst crafted file through the core, per KiB',
      '≤ 1 ms/KiB',
      `${parse.worstCase.worstMsPerKiB.toFixed(3)} ms/KiB`,
      parse.worstCase.worstMsPerKiB <= 1,
      'parse.md',
    );
} else add('parser', '', NOT_RUN, undefined, 'parse.md');
for (const r of cold?.results ?? []) {
  const size = r.fn.bytes / r.floor.bytes - 1;
  const time = r.fn.importP50 / r.floor.importP50 - 1;
  add(
    `${r.function} bundle over SDK clients alone (b)`,
    '≤ +30 % size and import',
    `${(r.fn.bytes / 1024).toFixed(0)} KiB (+${(size * 100).toFixed(0)} %), ${r.fn.importP50.toFixed(0)} ms (+${(time * 100).toFixed(0)} %); (b) ${(r.floor.bytes / 1024).toFixed(0)} KiB, ${r.floor.importP50.toFixed(0)} ms; empty ${r.empty.importP50.toFixed(1)} ms`,
    size <= 0.3 && time <= 0.3,
    'coldstart.md',
  );
}
if (!cold) add('cold start', '', NOT_RUN, undefined, 'coldstart.md');
if (language) {
  const share = (t: LanguageTally) => `${((t.right / Math.max(1, t.texts)) * 100).toFixed(1)} %`;
  for (const r of language.corpus)
    add(
      `language detection, real news declared ${r.language}`,
      '',
      `full texts ${share(r.full)} right; titles alone ${share(r.titles)} right, ${r.titles.wrong} wrong, ${r.titles.undetermined} und`,
      undefined,
      'language.md',
    );
  add(
    'language detection per article',
    '',
    `p50 ${language.cost.p50Us.toFixed(0)} µs, p99 ${language.cost.p99Us.toFixed(0)} µs`,
    undefined,
    'language.md',
  );
} else add('language detection', '', NOT_RUN, undefined, 'language.md');
if (stories)
  add(
    'near-duplicate stories',
    '',
    `precision ${(stories.precision * 100).toFixed(1)} %, recall ${(stories.recall * 100).toFixed(1)} %`,
    undefined,
    'stories.md',
  );
if (cost) {
  add(
    'AWS cost of 1M articles (us-east-1 list prices)',
    '',
    `$${cost.totalPerDay.toFixed(2)} per day`,
    undefined,
    'cost.md',
  );
  const first = cost.limits[0];
  if (first)
    add(
      'first limit',
      '',
      `${first.limit}: ~${Math.round(first.reachedAt).toLocaleString('en')} articles/s`,
      undefined,
      'cost.md',
    );
  // Measured per article, on the articles with 3 or 4 matches.
  const groups = ['3', '4'].map((m) => cost.matched?.byMatches[m]).filter((g) => g !== undefined);
  const articles = groups.reduce((n, g) => n + g.articles, 0);
  if (articles > 0) {
    const perArticle = groups.reduce((n, g) => n + g.requests, 0) / articles;
    add(
      'DynamoDB requests per stored article with 3–4 matches (seed topics)',
      '≤ 15',
      `${perArticle.toFixed(1)} (${articles} articles)`,
      perArticle <= 15,
      'cost.md',
    );
  }
} else add('cost', '', NOT_RUN, undefined, 'cost.md');
/** Table requests per stored article in a load run, and its matches per stored article. */
const loadRequests = (name: string, what: string) => {
  const run = read<{ requests?: Record<string, number>; outcomes: Record<string, number>; matches: number }>(
    name,
  );
  if (!run?.requests) return;
  const stored = run.outcomes.stored ?? 0;
  if (stored === 0) return;
  const total = Object.values(run.requests).reduce((n, k) => n + k, 0);
  add(
    `table requests per stored article, ${what}`,
    '',
    `${(total / stored).toFixed(1)} with ${(run.matches / stored).toFixed(1)} matches per article`,
    undefined,
    `${name}.md`,
  );
};
loadRequests('load-emulator', 'load run on the emulators (DynamoDB API)');
loadRequests('load-local', 'local load run (SQLite table)');
const loadLocal = read<{ files: number; filesPerSecond: number; path: string }>('load-local');
if (loadLocal)
  add(
    `local runtime ingest (${loadLocal.files.toLocaleString('en')} files, ${loadLocal.path})`,
    '≥ 200 files/s',
    `${loadLocal.filesPerSecond.toFixed(1)} files/s`,
    loadLocal.filesPerSecond >= 200,
    'load-local.md',
  );
else add('local runtime ingest', '', NOT_RUN, undefined, 'load-local.md');
const readModels = read<{
  rows: Array<{
    articles: number;
    startMs: number;
    snapshotMs: number;
    rssAfterStartMB: number;
    rssAfterSnapshotMB: number;
    views?: Array<{ route: string; firstMs: number; medianMs: number }>;
    rssAfterViewsMB?: number;
  }>;
}>('read-models');
if (readModels) {
  for (const r of readModels.rows) {
    const n = r.articles.toLocaleString('en');
    add(
      `local start-up, ${n} articles stored`,
      '≤ 2 s',
      `${(r.startMs / 1000).toFixed(2)} s, RSS ${r.rssAfterStartMB} MB`,
      r.startMs <= 2000,
      'read-models.md',
    );
    const views = r.views ?? [];
    if (views.length > 0) {
      const worst = [...views].sort((a, b) => b.firstMs - a.firstMs);
      const over = worst.filter((v) => v.firstMs > 300);
      add(
        `dashboard views (${views.length} routes), ${n} articles stored`,
        '≤ 300 ms per view',
        `slowest ${worst[0]?.route} ${Math.round(worst[0]?.firstMs ?? 0)} ms; ${views.length - over.length} of ${views.length} within; RSS ${r.rssAfterViewsMB} MB`,
        over.length === 0,
        'read-models.md',
      );
    }
    add(
      `whole-table snapshot (export, query preview), ${n} articles stored`,
      '',
      `${(r.snapshotMs / 1000).toFixed(2)} s, RSS ${r.rssAfterSnapshotMB} MB`,
      undefined,
      'read-models.md',
    );
  }
} else add('read models', '', NOT_RUN, undefined, 'read-models.md');
if (relevance) {
  const f = (x: number | null) => (x === null ? '–' : x.toFixed(2));
  for (const r of relevance.rows) {
    const t = r.test;
    add(
      `relevance of ${r.topic} on real news (test split)`,
      'P ≥ 0.85, R ≥ 0.80',
      `P ${f(t.precision)} (${t.truePositives}/${t.alerts}), R ${f(t.recall)} (${t.truePositives}/${t.relevant}); ${t.labelled} labels`,
      t.precision !== null && t.recall !== null ? t.precision >= 0.85 && t.recall >= 0.8 : false,
      'relevance.md',
    );
  }
} else add('relevance', '', NOT_RUN, undefined, 'relevance.md');

const meta = machine();
const table: Table = {
  title: 'newswatch benchmarks against their targets',
  header: ['measure', 'target', 'measured', 'met', 'details'],
  left: [0, 1, 2, 3, 4],
  rows,
};
printTable(table);
writeResults(
  'summary',
  {
    meta,
    rows: rows.map(([measure, target, measured, met, source]) => ({
      measure,
      target,
      measured,
      met,
      source,
    })),
  },
  [
    '# Benchmark summary',
    '',
    `Summary written ${meta.date}; each part's machine line is in its own file. ${match?.meta.java ? `Java: ${match.meta.java}.` : ''}`,
    `${describeMachine(meta)}`,
    '',
    markdownTable({ ...table, rows: rows.map((r) => [...r.slice(0, 4), `[${r[4]}](${r[4]})`]) }),
    '',
    '![time per article against topics](match.svg)',
    '',
    'Reproduce: `npm run bench` (all parts, tens of minutes), or one part: `npm run bench:match`,',
    '`bench:parse`, `bench:language`, `bench:coldstart`, `bench:stories`, `bench:cost`, `bench:relevance`, `bench:read-models`; `npm run load`. Targets are reported, never',
    'asserted: the tests do not time anything.',
  ].join('\n'),
);
