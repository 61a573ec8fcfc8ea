/**
 * Matcher benchmark: newswatch's indexed matcher, evaluating every topic (the naive
 * baseline) and Apache Lucene's Monitor on the same ~5 KB articles and the same topics, at
 * 1k, 10k, 100k and 1M topics. Prints tables and writes bench/results/match.{json,md,svg}.
 * `npm run bench:match` (`-- --smoke` for CI: 1,000 topics, 30 articles). BENCH_TOPICS
 * (comma-separated sizes) and BENCH_LUCENE=0 narrow a run; BENCH_SCOPED=0.2 holds a fifth of
 * the topics to one sentence, to price the sentence scope.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileTopics, matchArticle, matchArticleExhaustive } from '../functions/core/topics/matcher.ts';
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
import {
  type Agreement,
  buildHarness,
  compareMatches,
  findJavaHome,
  type HarnessResult,
  runHarness,
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
}
interface Peer {
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
const rows: Array<{ topics: number; newswatch: Ours; lucene?: Peer }> = [];

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
  };
  console.log(
    `  newswatch: build ${(buildMs / 1000).toFixed(2)} s, p50 ${p50.toFixed(3)} ms, every topic ${naiveP50.toFixed(1)} ms`,
  );

  let lucene: Peer | undefined;
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
    const r: HarnessResult = runHarness(javaHome, input, join(work, `output-${n}.json`));
    rmSync(input);
    const translatable = new Set(translation.topics.map((t) => t.id));
    const agreement = compareMatches(ourMatches, r.matches, translatable);
    const skippedReasons: Record<string, number> = {};
    for (const s of translation.skipped) {
      const kind = s.reason.startsWith('country:') ? 'country:XX' : 'countries>=N';
      skippedReasons[kind] = (skippedReasons[kind] ?? 0) + 1;
    }
    lucene = {
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
      `  Lucene Monitor: build ${(r.buildMs / 1000).toFixed(2)} s, p50 ${r.p50.toFixed(3)} ms; agreement ${agreement.both} both, ${agreement.onlyNewswatch.length} only newswatch, ${agreement.onlyLucene.length} only Lucene`,
    );
  }
  rows.push({ topics: n, newswatch, ...(lucene ? { lucene } : {}) });
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
const peerRows = rows.filter((r) => r.lucene);
const peer: Table = {
  title: `newswatch against Lucene Monitor ${peerRows.length ? '10.3.0' : '(not run)'} — same articles, same translatable topics`,
  header: [
    'topics',
    'translated (skipped)',
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
  rows: peerRows.map(({ topics, newswatch: o, lucene: l }) => {
    const p = l as Peer;
    return [
      topics.toLocaleString('en'),
      `${p.translated.toLocaleString('en')} (${p.skipped.toLocaleString('en')})`,
      f(p.buildMs / 1000, 2),
      f(p.heapMB, 0),
      f(p.p50, 3),
      f(p.p99, 3),
      f(p.perSecond, 0),
      f(p.queriesRun, 1),
      f(o.p50, 3),
      `${f(p.p50 / o.p50, 1)}×`,
      p.agreement.both.toLocaleString('en'),
      `${p.agreement.onlyNewswatch}`,
      `${p.agreement.onlyLucene}`,
    ];
  }),
};
printTable(scaling);
if (peerRows.length) printTable(peer);

const chartPath = join(resultsDir, 'match.svg');
writeFileSync(
  chartPath,
  logLogChart({
    title: 'Time per ~5 KB article against the number of topics (p50, log–log)',
    subtitle: `${meta.cpu}, one core · Node ${meta.node}${java ? ` · ${java}` : ''}`,
    xLabel: 'watched topics',
    yLabel: 'ms per article (p50)',
    series: [
      { name: 'newswatch', colour: '#1f6feb', points: rows.map((r) => [r.topics, r.newswatch.p50]) },
      {
        name: 'Lucene Monitor',
        colour: '#d9480f',
        points: peerRows.map((r) => [r.topics, (r.lucene as Peer).p50]),
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
const targets = at100k
  ? [
      `| p50 per article at 100k topics | ≤ 2 ms | ${f(at100k.newswatch.p50, 2)} ms |`,
      `| speed-up over evaluating every topic | ≥ 20× | ${f(at100k.newswatch.speedup, 0)}× |`,
      `| faster than Lucene Monitor at 100k | yes | ${at100k.lucene ? `${f(at100k.lucene.p50 / at100k.newswatch.p50, 1)}× (Lucene p50 ${f(at100k.lucene.p50, 2)} ms)` : 'not run'} |`,
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
    '## Against Lucene Monitor',
    '',
    peerRows.length ? markdownTable(peer) : 'Not run (BENCH_LUCENE=0).',
    '',
    'Lucene Monitor (TermFilteredPresearcher, in-memory) gets the translatable topics: words',
    '(Porter-stemmed field), phrases and prefixes (unstemmed field), AND, OR, NOT, lists and',
    'NEAR (span queries) translate exactly; `country:` and `countries>=` need our gazetteer and',
    'are skipped. Matches are compared article by article on the translated topics. See',
    '[bench/peers/lucene-monitor/README.md](../peers/lucene-monitor/README.md).',
    '',
    ...(targets.length
      ? ['## Targets', '', '| target | wanted | measured |', '| --- | --- | --- |', ...targets, '']
      : []),
  ].join('\n'),
);
