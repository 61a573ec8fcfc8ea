/**
 * Matcher benchmark: the indexed matcher against evaluating every topic, at 1k, 10k and
 * 100k topics, on ~5 KB articles. Prints a table and writes bench/results/match.json and
 * match.md. Run with `npm run bench:match` (one core: the work is single-threaded).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { compileTopics, matchArticle, matchArticleExhaustive } from '../functions/core/topics/matcher.ts';
import { buildArticles, buildTopics, buildVocabulary } from './match-corpus.ts';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};
const sizes = (process.env.BENCH_TOPICS ?? '1000,10000,100000').split(',').map(Number);
const vocab = buildVocabulary();
const articles = buildArticles(vocab, 200);
const meanBytes =
  articles.reduce((n, a) => n + a.title.length + a.paragraphs.join('\n\n').length, 0) / articles.length;

interface Row {
  topics: number;
  buildMs: number;
  heapMB: number;
  p50: number;
  p99: number;
  perSecond: number;
  candidates: number;
  matches: number;
  naiveP50: number;
  speedup: number;
}
const rows: Row[] = [];
for (const n of sizes) {
  const topics = buildTopics(vocab, n);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const { index, errors } = compileTopics(topics);
  const buildMs = performance.now() - t0;
  gc();
  const heapMB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  if (errors.length)
    throw new Error(`${errors.length} topics failed to compile: ${errors[0]?.error.message}`);

  for (const a of articles.slice(0, 20)) matchArticle(index, a); // warm-up
  const times: number[] = [];
  let candidates = 0;
  let matches = 0;
  const started = performance.now();
  for (const a of articles) {
    const t = performance.now();
    const r = matchArticle(index, a);
    times.push(performance.now() - t);
    candidates += r.candidates.length;
    matches += r.matches.length;
  }
  const total = performance.now() - started;

  const naiveArticles = process.env.BENCH_NAIVE === '0' ? [] : articles.slice(0, n >= 100_000 ? 10 : 40);
  const naive: number[] = [];
  for (const a of naiveArticles) {
    const t = performance.now();
    matchArticleExhaustive(index, a);
    naive.push(performance.now() - t);
  }
  const p50 = quantile(times, 0.5);
  const naiveP50 = quantile(naive, 0.5);
  rows.push({
    topics: n,
    buildMs,
    heapMB,
    p50,
    p99: quantile(times, 0.99),
    perSecond: (articles.length / total) * 1000,
    candidates: candidates / articles.length,
    matches: matches / articles.length,
    naiveP50,
    speedup: naiveP50 / p50,
  });
}

const meta = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  date: new Date().toISOString(),
  articleBytes: Math.round(meanBytes),
  articles: articles.length,
};
const header = [
  'topics',
  'build ms',
  'heap MB',
  'p50 ms',
  'p99 ms',
  'articles/s',
  'candidates/article',
  'matches/article',
  'every-topic p50 ms',
  'speed-up',
];
const cells = rows.map((r) => [
  r.topics.toLocaleString('en'),
  r.buildMs.toFixed(0),
  r.heapMB.toFixed(1),
  r.p50.toFixed(3),
  r.p99.toFixed(3),
  r.perSecond.toFixed(0),
  r.candidates.toFixed(1),
  r.matches.toFixed(2),
  r.naiveP50.toFixed(2),
  `${r.speedup.toFixed(0)}×`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
console.log(`newswatch matcher — Node ${meta.node}, ${meta.cpu}, articles of ~${meta.articleBytes} bytes\n`);
console.log(header.map((h, i) => h.padStart(widths[i] as number)).join('  '));
for (const c of cells) console.log(c.map((v, i) => v.padStart(widths[i] as number)).join('  '));
const md = [
  '# Matcher benchmark',
  '',
  `Node ${meta.node} · ${meta.cpu} · one core used · ${meta.articles} articles of ~${meta.articleBytes} bytes · ${meta.date}`,
  '',
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---:').join(' | ')} |`,
  ...cells.map((c) => `| ${c.join(' | ')} |`),
  '',
  '"every-topic" evaluates each topic against the article analysed once (no presearch).',
  '',
].join('\n');
writeFileSync(
  new URL('./results/match.json', import.meta.url),
  `${JSON.stringify({ meta, rows }, null, 2)}\n`,
);
writeFileSync(new URL('./results/match.md', import.meta.url), md);
