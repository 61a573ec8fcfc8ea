/**
 * Matcher benchmark: newswatch's indexed matcher, evaluating every topic (the naive
 * baseline) and Apache Lucene's Monitor on the same ~5 KB articles and the same topics, at
 * 1k, 10k, 100k and 1M topics. Lucene runs in several configurations (presearchers, and
 * matching on both cores); ours also runs as two worker threads sharing the articles.
 * Prints tables and writes bench/results/match.{json,md,svg}.
 * `npm run bench:match` (`-- --smoke` for CI: 1,000 topics, 30 articles). BENCH_TOPICS
 * (comma-separated sizes) and BENCH_LUCENE=0 narrow a run, BENCH_LUCENE_PRESEARCHERS
 * (comma-separated, e.g. `term,multipass:3:0`) sets the presearchers tried; BENCH_SCOPED=0.2
 * holds a fifth of the topics to one sentence, to price the sentence scope. Beside the compile
 * time: the index snapshot's write and load times, its size, the heap after loading it and
 * the first article matched on the loaded index (whose topics are parsed on first use).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MatchableArticle } from '../functions/core/topics/article-view.ts';
import type { TopicDefinition } from '../functions/core/topics/topic.ts';
import { compileTopics, matchArticle, matchArticleExhaustive } from '../functions/core/topics/matcher.ts';
import { readIndexSnapshot, writeIndexSnapshot } from '../functions/core/topics/snapshot.ts';
import { logLogChart } from './chart.ts';
import {
  describeMachine,
  machine,
  markdownTable,
  printTable,
  quantile,
  resultsDir,
  smoke,
  type Table,
  versionOf,
  writeResults,
} from './common.ts';
import { buildArticles, buildTopics, buildVocabulary } from './match-corpus.ts';
import type { WorkerInput, WorkerMessage } from './match-worker.ts';
import {
  type Agreement,
  bestConfig,
  buildHarness,
  compareMatches,
  configLabel,
  findJavaHome,
  type HarnessResult,
  type LuceneConfig,
  runHarness,
  TERM_FILTERED,
  translateTopics,
  writeHarnessInput,
} from './peers/lucene.ts';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const meta = machine();
const sizes = (process.env.BENCH_TOPICS ?? (smoke ? '1000' : '1000,10000,100000,1000000'))
  .split(',')
  .map(Number);
/** Share of topics that also filter on countries, which Lucene cannot evaluate. */
const COUNTRY_SHARE = 0.05;
/** Share of topics held to one sentence (`sentence:( … )`); 0 unless BENCH_SCOPED sets it. */
const SCOPED_SHARE = Number(process.env.BENCH_SCOPED ?? '0');
const vocab = buildVocabulary();
const articles = buildArticles(vocab, smoke ? 30 : 200);
const meanBytes =
  articles.reduce((n, a) => n + a.title.length + a.paragraphs.join('\n\n').length, 0) / articles.length;
const naiveSample = (n: number) => (smoke ? 5 : n >= 1_000_000 ? 3 : n >= 100_000 ? 10 : 40);
/** The machine's two cores: Lucene's matcher threads, and our worker threads. */
const CORES = 2;
/**
 * Presearchers, each first matched on the calling thread. Multipass indexes each topic under
 * up to 2 or 3 routes through its conjunctions, so an article must hold a term of every route;
 * minimum weight 0 lets a route take any word (the default weightor gives every word more
 * than 1.7) but never a prefix, which the presearcher cannot index (weight 0).
 */
const PRESEARCHERS = (process.env.BENCH_LUCENE_PRESEARCHERS ?? 'term,multipass:2:0,multipass:3:0').split(',');
/** Then the better presearcher with an article's candidates matched on both cores. */
const MATCHERS = [`parallel:${CORES}`, `partition:${CORES}`];

const withLucene = process.env.BENCH_LUCENE !== '0';
const javaHome = withLucene ? findJavaHome() : undefined;
if (javaHome) {
  console.log(`building the Lucene Monitor harness (Maven, JDK ${javaHome})…`);
  buildHarness(javaHome);
}
const java = javaHome ? versionOf(join(javaHome, 'bin', 'java'), ['-version']) : undefined;
const maven = javaHome ? versionOf('mvn', ['-v'], { ...process.env, JAVA_HOME: javaHome }) : undefined;
const work = mkdtempSync(join(tmpdir(), 'newswatch-match-'));

interface Ours {
  buildMs: number;
  heapMB: number;
  p50: number;
  p99: number;
  perSecond: number;
  candidates: number;
  matches: number;
  naiveP50: number;
  naiveArticles: number;
  speedup: number;
  snapshot: Snapshot;
}
/** The index snapshot of the same topics (medians of {@link SNAPSHOT_RUNS} writes and loads). */
interface Snapshot {
  writeMs: number;
  loadMs: number;
  bytes: number;
  /** Heap the loaded index holds, before any article. */
  heapMB: number;
  /** The first article on a freshly loaded index: its candidates' queries are parsed then. */
  firstMatchMs: number;
  /** Load and first article: how long a new container takes to match, once it has the bytes. */
  readyMs: number;
}
interface TwoCores {
  workers: number;
  buildMs: number;
  p50: number;
  p99: number;
  perSecond: number;
}
interface Peer {
  config: string;
  presearcher: string;
  matcher: string;
  threads: number;
  translated: number;
  skipped: number;
  skippedReasons: Record<string, number>;
  failed: number;
  buildMs: number;
  heapMB: number;
  p50: number;
  p99: number;
  perSecond: number;
  queriesRun: number;
  matches: number;
  agreement: { both: number; onlyNewswatch: number; onlyLucene: number; examples: Agreement['onlyLucene'] };
}
interface Row {
  topics: number;
  newswatch: Ours;
  /** Ours on both cores: each worker thread matches half of the articles. */
  newswatchCores?: TwoCores;
  /** The best Lucene configuration (lowest p50 with our matches), else the first one run. */
  lucene?: Peer;
  luceneConfigs?: Peer[];
}
const rows: Row[] = [];
const SNAPSHOT_RUNS = smoke ? 1 : 3;

/**
 * Writes the index as a snapshot and loads it again, {@link SNAPSHOT_RUNS} times; checks that
 * the loaded index matches every article as the compiled one.
 */
const measureSnapshot = (compiled: ReturnType<typeof compileTopics>, expected: string): Snapshot => {
  const runs: Snapshot[] = [];
  for (let run = 0; run < SNAPSHOT_RUNS; run++) {
    let t = performance.now();
    const bytes = writeIndexSnapshot(compiled, { version: 'bench', lists: {} });
    const writeMs = performance.now() - t;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    t = performance.now();
    const loaded = readIndexSnapshot(bytes, 'bench');
    const loadMs = performance.now() - t;
    gc();
    const heapMB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    t = performance.now();
    matchArticle(loaded.index, articles[0] as MatchableArticle);
    const firstMatchMs = performance.now() - t;
    runs.push({ writeMs, loadMs, bytes: bytes.length, heapMB, firstMatchMs, readyMs: loadMs + firstMatchMs });
    if (run === 0 && JSON.stringify(articles.map((a) => matchArticle(loaded.index, a))) !== expected)
      throw new Error('the loaded index snapshot matched otherwise than the compiled index');
  }
  const mid = (k: keyof Snapshot) =>
    quantile(
      runs.map((r) => r[k]),
      0.5,
    );
  return {
    writeMs: mid('writeMs'),
    loadMs: mid('loadMs'),
    bytes: mid('bytes'),
    heapMB: mid('heapMB'),
    firstMatchMs: mid('firstMatchMs'),
    readyMs: mid('readyMs'),
  };
};

/**
 * Ours as we would run it on both cores: one worker thread per core, each with its own
 * compiled index of the same topics, each matching its half of the articles (after a warm-up
 * pass over all of them, as on one thread). Throughput is all articles over the wall time of the timed passes.
 */
const matchOnWorkers = async (
  topics: readonly TopicDefinition[],
  all: readonly MatchableArticle[],
  workers: number,
): Promise<TwoCores & { matches: string[][] }> => {
  const share = Math.ceil(all.length / workers);
  const threads = Array.from({ length: workers }, (_, w) => {
    const input: WorkerInput = {
      topics,
      articles: all,
      from: w * share,
      to: Math.min(all.length, (w + 1) * share),
    };
    return new Worker(new URL('./match-worker.ts', import.meta.url), { workerData: input });
  });
  const next = (w: Worker) =>
    new Promise<WorkerMessage>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  const ready = await Promise.all(threads.map(next));
  const started = performance.now();
  const done = threads.map(next);
  for (const w of threads) w.postMessage('go');
  const results = await Promise.all(done);
  const wallMs = performance.now() - started;
  await Promise.all(threads.map((w) => w.terminate()));
  const times: number[] = [];
  const matches: string[][] = [];
  for (const r of results) {
    if (r.type !== 'done') throw new Error('a matcher worker answered out of turn');
    times.push(...r.times);
    matches.push(...r.matches);
  }
  return {
    workers,
    buildMs: Math.max(...ready.map((r) => (r.type === 'ready' ? r.buildMs : 0))),
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    perSecond: (all.length / wallMs) * 1000,
    matches,
  };
};

/** Lucene configurations to run at a size: all of them, or fewer where a run would take too long. */
const luceneRuns = (n: number): { presearchers: string[]; matchers: string[]; note?: string } => {
  const previous = rows.at(-1)?.lucene;
  if (n >= 1_000_000)
    return {
      presearchers: [...new Set(['term', previous?.presearcher ?? 'term'])],
      matchers: previous && previous.matcher !== 'simple' ? [previous.matcher] : [],
      note: 'at 1M topics only TermFilteredPresearcher and the best configuration of the size before (each run takes many minutes)',
    };
  if (smoke)
    return n === Math.min(...sizes)
      ? {
          presearchers: PRESEARCHERS.slice(0, 2),
          matchers: MATCHERS.slice(-1),
          note: `smoke run: ${[...PRESEARCHERS.slice(2), ...MATCHERS.slice(0, -1)].join(', ')} only in full runs`,
        }
      : {
          presearchers: ['term'],
          matchers: [],
          note: 'smoke run: other configurations only at the smallest size',
        };
  return { presearchers: PRESEARCHERS, matchers: MATCHERS };
};

for (const n of sizes) {
  console.log(`\n${n.toLocaleString('en')} topics`);
  let topics = buildTopics(vocab, n, 3, COUNTRY_SHARE, SCOPED_SHARE);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let compiled: ReturnType<typeof compileTopics> | undefined = compileTopics(topics);
  const buildMs = performance.now() - t0;
  gc();
  const heapMB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  const { index, errors } = compiled;
  if (errors.length)
    throw new Error(`${errors.length} topics failed to compile: ${errors[0]?.error.message}`);

  const snapshot = measureSnapshot(compiled, JSON.stringify(articles.map((a) => matchArticle(index, a))));
  console.log(
    `  index snapshot: ${(snapshot.bytes / 1024 / 1024).toFixed(1)} MB, write ${snapshot.writeMs.toFixed(0)} ms, load ${snapshot.loadMs.toFixed(0)} ms, first article ${snapshot.firstMatchMs.toFixed(0)} ms (compile ${buildMs.toFixed(0)} ms)`,
  );
  for (const a of articles) matchArticle(index, a); // warm-up pass, as the JVM gets one
  const times: number[] = [];
  const ourMatches: string[][] = [];
  let candidates = 0;
  const started = performance.now();
  for (const a of articles) {
    const t = performance.now();
    const r = matchArticle(index, a);
    times.push(performance.now() - t);
    candidates += r.candidates.length;
    ourMatches.push(r.matches.map((m) => m.topicId));
  }
  const total = performance.now() - started;
  const naive: number[] = [];
  for (const a of articles.slice(0, naiveSample(n))) {
    const t = performance.now();
    matchArticleExhaustive(index, a);
    naive.push(performance.now() - t);
  }
  const p50 = quantile(times, 0.5);
  const naiveP50 = quantile(naive, 0.5);
  const newswatch: Ours = {
    buildMs,
    heapMB,
    p50,
    p99: quantile(times, 0.99),
    perSecond: (articles.length / total) * 1000,
    candidates: candidates / articles.length,
    matches: ourMatches.reduce((k, m) => k + m.length, 0) / articles.length,
    naiveP50,
    naiveArticles: naive.length,
    speedup: naiveP50 / p50,
    snapshot,
  };
  console.log(
    `  newswatch: build ${(buildMs / 1000).toFixed(2)} s, p50 ${p50.toFixed(3)} ms, every topic ${naiveP50.toFixed(1)} ms`,
  );

  const cores = await matchOnWorkers(topics, articles, CORES);
  if (JSON.stringify(cores.matches) !== JSON.stringify(ourMatches))
    throw new Error('the matcher gave other matches on worker threads than on one thread');
  const { matches: _sameMatches, ...newswatchCores } = cores;
  console.log(
    `  newswatch on ${CORES} worker threads: p50 ${cores.p50.toFixed(3)} ms, ${cores.perSecond.toFixed(0)} articles/s (one thread: ${newswatch.perSecond.toFixed(0)})`,
  );

  let lucene: Peer | undefined;
  let luceneConfigs: Peer[] | undefined;
  if (javaHome) {
    const translation = translateTopics(topics);
    // Let go of our index and topics before the JVM needs the memory.
    // eslint-disable-next-line no-useless-assignment -- frees memory, read by nobody
    compiled = undefined;
    // eslint-disable-next-line no-useless-assignment -- frees memory, read by nobody
    topics = [];
    gc();
    const input = join(work, `input-${n}.json`);
    // The JIT is warm after one pass of the heavier work at 1M topics; three passes would take half an hour.
    writeHarnessInput(input, translation.topics, articles, smoke || n >= 1_000_000 ? 1 : 3);
    const translatable = new Set(translation.topics.map((t) => t.id));
    const skippedReasons: Record<string, number> = {};
    for (const s of translation.skipped) {
      const kind = s.reason.startsWith('country:') ? 'country:XX' : 'countries>=N';
      skippedReasons[kind] = (skippedReasons[kind] ?? 0) + 1;
    }
    const runConfig = (config: LuceneConfig): Peer => {
      const r: HarnessResult = runHarness(javaHome, input, join(work, `output-${n}.json`), config);
      const agreement = compareMatches(ourMatches, r.matches, translatable);
      const peer: Peer = {
        config: configLabel(config),
        presearcher: config.presearcher,
        matcher: config.matcher,
        threads: r.threads,
        translated: translation.topics.length,
        skipped: translation.skipped.length,
        skippedReasons,
        failed: r.failed.length,
        buildMs: r.buildMs,
        heapMB: r.heapMB,
        p50: r.p50,
        p99: r.p99,
        perSecond: r.articlesPerSecond,
        queriesRun: r.queriesRun.reduce((a, b) => a + b, 0) / r.queriesRun.length,
        matches: r.matches.reduce((k, m) => k + m.length, 0) / r.matches.length,
        agreement: {
          both: agreement.both,
          onlyNewswatch: agreement.onlyNewswatch.length,
          onlyLucene: agreement.onlyLucene.length,
          examples: [...agreement.onlyNewswatch, ...agreement.onlyLucene].slice(0, 20),
        },
      };
      console.log(
        `  Lucene Monitor ${peer.config}: build ${(r.buildMs / 1000).toFixed(2)} s, p50 ${r.p50.toFixed(3)} ms, ${r.articlesPerSecond.toFixed(0)} articles/s; agreement ${agreement.both} both, ${agreement.onlyNewswatch.length} only newswatch, ${agreement.onlyLucene.length} only Lucene`,
      );
      return peer;
    };
    const plan = luceneRuns(n);
    if (plan.note) console.log(`  Lucene Monitor: ${plan.note}`);
    luceneConfigs = plan.presearchers.map((presearcher) => runConfig({ ...TERM_FILTERED, presearcher }));
    const presearcher = (bestConfig(luceneConfigs) ?? luceneConfigs[0])?.presearcher ?? 'term';
    for (const matcher of plan.matchers) luceneConfigs.push(runConfig({ presearcher, matcher }));
    rmSync(input);
    lucene = bestConfig(luceneConfigs) ?? luceneConfigs[0];
    if (lucene) console.log(`  best Lucene configuration: ${lucene.config}`);
  }
  rows.push({ topics: n, newswatch, newswatchCores, ...(lucene ? { lucene, luceneConfigs } : {}) });
  gc();
}
rmSync(work, { recursive: true, force: true });

const f = (v: number, d: number) => v.toFixed(d);
const scaling: Table = {
  title: `Matcher scaling — ${articles.length} articles of ~${Math.round(meanBytes)} bytes, one core`,
  header: [
    'topics',
    'build s',
    'heap MB',
    'p50 ms',
    'p99 ms',
    'articles/s',
    'candidates/article',
    'matches/article',
    'every-topic p50 ms',
    'speed-up',
  ],
  rows: rows.map(({ topics, newswatch: r }) => [
    topics.toLocaleString('en'),
    f(r.buildMs / 1000, 2),
    f(r.heapMB, 0),
    f(r.p50, 3),
    f(r.p99, 3),
    f(r.perSecond, 0),
    f(r.candidates, 1),
    f(r.matches, 2),
    `${f(r.naiveP50, 1)} (${r.naiveArticles})`,
    `${f(r.speedup, 0)}×`,
  ]),
};
const snapshots: Table = {
  title: `Index snapshot — compiling the topics against loading their snapshot (medians of ${SNAPSHOT_RUNS})`,
  header: [
    'topics',
    'compile s',
    'snapshot MB',
    'write ms',
    'load ms',
    'heap after load MB',
    'first article ms',
    'load + first article ms',
  ],
  rows: rows.map(({ topics, newswatch: { buildMs, snapshot: s } }) => [
    topics.toLocaleString('en'),
    f(buildMs / 1000, 2),
    f(s.bytes / 1024 / 1024, 1),
    f(s.writeMs, 0),
    f(s.loadMs, 0),
    f(s.heapMB, 0),
    f(s.firstMatchMs, 0),
    f(s.readyMs, 0),
  ]),
};
const peerRows = rows.filter((r): r is Row & { lucene: Peer; luceneConfigs: Peer[] } => !!r.lucene);
const agreementCells = (p: Peer) => [
  p.agreement.both.toLocaleString('en'),
  `${p.agreement.onlyNewswatch}`,
  `${p.agreement.onlyLucene}`,
];
const configs: Table = {
  title: `Lucene Monitor ${peerRows.length ? '10.3.0' : '(not run)'} configurations — same articles, same translated topics`,
  header: [
    'topics',
    'configuration',
    'threads',
    'build s',
    'heap MB',
    'p50 ms',
    'p99 ms',
    'articles/s',
    'queries run/article',
    'matches both',
    'only newswatch',
    'only Lucene',
  ],
  rows: peerRows.flatMap(({ topics, lucene, luceneConfigs }) =>
    luceneConfigs.map((p) => [
      topics.toLocaleString('en'),
      p === lucene ? `**${p.config}** (best)` : p.config,
      `${Math.max(1, p.threads)}`,
      f(p.buildMs / 1000, 2),
      f(p.heapMB, 0),
      f(p.p50, 3),
      f(p.p99, 3),
      f(p.perSecond, 0),
      f(p.queriesRun, 1),
      ...agreementCells(p),
    ]),
  ),
};
const peer: Table = {
  title: `newswatch against the best Lucene Monitor ${peerRows.length ? '10.3.0' : '(not run)'} configuration — same articles, same translatable topics`,
  header: [
    'topics',
    'translated (skipped)',
    'best Lucene configuration',
    'Lucene build s',
    'Lucene heap MB',
    'Lucene p50 ms',
    'Lucene p99 ms',
    'Lucene articles/s',
    'queries run/article',
    'newswatch p50 ms',
    'Lucene ÷ newswatch p50',
    'matches both',
    'only newswatch',
    'only Lucene',
  ],
  rows: peerRows.map(({ topics, newswatch: o, lucene: p }) => [
    topics.toLocaleString('en'),
    `${p.translated.toLocaleString('en')} (${p.skipped.toLocaleString('en')})`,
    p.config,
    f(p.buildMs / 1000, 2),
    f(p.heapMB, 0),
    f(p.p50, 3),
    f(p.p99, 3),
    f(p.perSecond, 0),
    f(p.queriesRun, 1),
    f(o.p50, 3),
    `${f(p.p50 / o.p50, 1)}×`,
    ...agreementCells(p),
  ]),
};
/** The fastest Lucene configuration that uses both cores and gives our matches. */
const luceneOnCores = (r: Row) => bestConfig((r.luceneConfigs ?? []).filter((p) => p.threads >= CORES));
const cores: Table = {
  title: `Both cores — throughput over the ${articles.length} articles`,
  header: [
    'topics',
    'newswatch 1 thread articles/s',
    `newswatch ${CORES} workers articles/s`,
    `newswatch ${CORES} workers p50 ms`,
    `newswatch ${CORES} workers p99 ms`,
    `Lucene on ${CORES} threads`,
    'Lucene articles/s',
    'Lucene p50 ms',
  ],
  rows: rows.map((r) => {
    const c = r.newswatchCores as TwoCores;
    const l = luceneOnCores(r);
    return [
      r.topics.toLocaleString('en'),
      f(r.newswatch.perSecond, 0),
      f(c.perSecond, 0),
      f(c.p50, 3),
      f(c.p99, 3),
      l?.config ?? 'not run',
      l ? f(l.perSecond, 0) : '',
      l ? f(l.p50, 3) : '',
    ];
  }),
};
printTable(scaling);
printTable(snapshots);
printTable(cores);
if (peerRows.length) {
  printTable(configs);
  printTable(peer);
}

const chartPath = join(resultsDir, 'match.svg');
writeFileSync(
  chartPath,
  logLogChart({
    title: 'Time per ~5 KB article against the number of topics (p50, log–log)',
    subtitle: `${meta.cpu}, newswatch on one core · Node ${meta.node}${java ? ` · ${java}` : ''}`,
    xLabel: 'watched topics',
    yLabel: 'ms per article (p50)',
    series: [
      { name: 'newswatch', colour: '#1f6feb', points: rows.map((r) => [r.topics, r.newswatch.p50]) },
      {
        name: 'Lucene Monitor, best configuration',
        colour: '#d9480f',
        points: peerRows.map((r) => [r.topics, r.lucene.p50]),
      },
      {
        name: 'every topic (naive)',
        colour: '#868e96',
        dashed: true,
        points: rows.map((r) => [r.topics, r.newswatch.naiveP50]),
      },
    ],
  }),
);
console.log(`\nwrote ${chartPath}`);

const at100k = rows.find((r) => r.topics === 100_000);
const lucene100k = at100k?.lucene;
const targets = at100k
  ? [
      `| p50 per article at 100k topics | ≤ 2 ms | ${f(at100k.newswatch.p50, 2)} ms |`,
      `| speed-up over evaluating every topic | ≥ 20× | ${f(at100k.newswatch.speedup, 0)}× |`,
      `| ready to match from the index snapshot at 100k (load + first article) | ≤ 1 s | ${f(at100k.newswatch.snapshot.readyMs, 0)} ms (compile ${f(at100k.newswatch.buildMs / 1000, 2)} s) |`,
      `| faster than the best Lucene Monitor configuration at 100k | yes | ${lucene100k ? `${f(lucene100k.p50 / at100k.newswatch.p50, 1)}× (Lucene ${lucene100k.config}, p50 ${f(lucene100k.p50, 2)} ms; newswatch on one core)` : 'not run'} |`,
      `| more articles/s than Lucene Monitor on both cores at 100k | yes | ${at100k.newswatchCores && luceneOnCores(at100k) ? `${f(at100k.newswatchCores.perSecond, 0)} against ${f((luceneOnCores(at100k) as Peer).perSecond, 0)} (Lucene ${(luceneOnCores(at100k) as Peer).config})` : 'not run'} |`,
    ]
  : [];
writeResults(
  'match',
  {
    meta: {
      ...meta,
      java,
      maven,
      articleBytes: Math.round(meanBytes),
      articles: articles.length,
      countryShare: COUNTRY_SHARE,
      scopedShare: SCOPED_SHARE,
      cores: CORES,
    },
    rows,
  },
  [
    '# Matcher benchmark',
    '',
    describeMachine(meta),
    peerRows.length
      ? `${java ?? 'Java'} · ${maven ?? ''} · Lucene 10.3.0 (lucene-monitor)`
      : 'Lucene Monitor not run',
    '',
    `${articles.length} synthetic articles of ~${Math.round(meanBytes)} bytes (Zipf-distributed English words, countries in 30 % of paragraphs); topics of 2–8 terms with phrases, OR groups, NEAR, NOT and prefix wildcards, ${COUNTRY_SHARE * 100} % also filtering on countries. Both matchers get untimed warm-up passes over the articles (newswatch one, the JVM three, for its JIT); times are per article, analysis included.`,
    '',
    '![time per article against topics](match.svg)',
    '',
    '## Scaling',
    '',
    markdownTable(scaling),
    '',
    '"every-topic" evaluates every topic against the article analysed once (no presearch), on the',
    'number of articles in brackets.',
    '',
    '## Index snapshot',
    '',
    markdownTable(snapshots),
    '',
    'A new container loads the snapshot stored beside the topic set instead of compiling it: the',
    'presearch postings as typed arrays, each topic its definition, its query parsed the first',
    'time it is a candidate (so the first article pays for its candidates). The loaded index',
    "gives every article the compiled index's matches (checked). The time to read the bytes",
    'from the table is not included.',
    '',
    '## Against Lucene Monitor',
    '',
    peerRows.length ? markdownTable(peer) : 'Not run (BENCH_LUCENE=0).',
    '',
    'Lucene Monitor (in-memory) gets the translatable topics: words (Porter-stemmed field),',
    'phrases and prefixes (unstemmed field), AND, OR, NOT, lists and NEAR (span queries)',
    'translate exactly; `country:` and `countries>=` need our gazetteer and are skipped. Matches',
    'are compared article by article on the translated topics. The best configuration is the one',
    'with the lowest p50 among those whose matches are the same as ours; every configuration run',
    'is in the next table. See [bench/peers/lucene-monitor/README.md](../peers/lucene-monitor/README.md).',
    '',
    ...(peerRows.length
      ? [
          '## Lucene Monitor configurations',
          '',
          markdownTable(configs),
          '',
          `Each configuration is a fresh JVM on the same input file. \`term\` is TermFilteredPresearcher;`,
          '`multipass:P:W` is MultipassTermFilteredPresearcher with P passes and minimum weight W',
          '(each topic indexed under up to P routes through its conjunctions, an article must hold',
          'a term of every route; W = 0 lets a route take any word, never a prefix). The better',
          `presearcher at each size then matches each article's candidates on ${CORES} threads:`,
          '`parallel` is ParallelMatcher (the calling thread presearches and feeds a queue that the',
          'threads drain), `partition` is PartitionMatcher (the candidates are split in equal parts',
          'after presearch).',
          '',
        ]
      : []),
    '## Both cores',
    '',
    markdownTable(cores),
    '',
    `newswatch on ${CORES} cores runs as it would be deployed: ${CORES} worker threads (node:worker_threads),`,
    'each compiling its own index of the same topics and matching half of the same articles',
    '(one warm-up pass, then timed); articles/s is all articles over the wall time of the timed',
    "passes, p50 and p99 are over every article's time. The matches are checked to be the same",
    'as on one thread. An article is matched on one thread, so its time is not shorter than on',
    "one core; Lucene's multi-threaded matchers instead split one article's candidates.",
    '',
    ...(targets.length
      ? ['## Targets', '', '| target | wanted | measured |', '| --- | --- | --- |', ...targets, '']
      : []),
  ].join('\n'),
);
