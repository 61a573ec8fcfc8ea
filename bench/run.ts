/**
 * Benchmarks: article parsing throughput, the ingest pipeline core with in-memory ports,
 * and the size and import time of the bundled ingest function (a Lambda cold-start proxy).
 * Prints tables and writes bench/results/latest.json and latest.md. Never part of the tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { MemoryArticleStore, MemoryObjectSource } from '../functions/adapters/memory/memory-ports.ts';
import { parseArticle } from '../functions/core/articles/parse-article.ts';
import { ingestObject } from '../functions/core/pipeline/ingest-object.ts';
import { buildCorpus } from './corpus.ts';

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const fmt = (n: number, d = 1) => n.toFixed(d);
const rows: Array<{ name: string; value: string; unit: string }> = [];
const record = (name: string, value: number, unit: string, digits = 1) =>
  rows.push({ name, value: fmt(value, digits), unit });

// Parsing: decode + detect + parse + normalise + fingerprint.
const corpus = buildCorpus(2_000);
const totalBytes = corpus.reduce((n, f) => n + f.bytes.length, 0);
for (const f of corpus.slice(0, 200)) parseArticle({ ...f, receivedAt: '2026-01-01T00:00:00Z' }); // warm-up
const perArticle: number[] = [];
const started = performance.now();
for (const f of corpus) {
  const t = performance.now();
  const r = parseArticle({ ...f, receivedAt: '2026-01-01T00:00:00Z' });
  perArticle.push(performance.now() - t);
  if (!r.ok) throw new Error(`${f.key}: ${r.error.message}`);
}
const elapsed = (performance.now() - started) / 1000;
perArticle.sort((a, b) => a - b);
record('corpus articles', corpus.length, 'files', 0);
record('corpus mean size', totalBytes / corpus.length / 1024, 'KiB');
record('parse throughput', totalBytes / 1024 / 1024 / elapsed, 'MB/s');
record('parse p50', quantile(perArticle, 0.5) * 1000, 'µs');
record('parse p99', quantile(perArticle, 0.99) * 1000, 'µs');

// The pipeline core end to end with in-memory ports.
const objects = new MemoryObjectSource(new Map(corpus.map((f) => [f.key, f.bytes])));
const ports = {
  objects,
  articles: new MemoryArticleStore(),
  clock: { now: () => new Date() },
  limits: { maxBytes: 262_144 },
};
const cpuStart = process.cpuUsage();
for (const f of corpus) {
  await ingestObject(
    { key: f.key, size: f.bytes.length, etag: f.key, eventTime: '2026-01-01T00:00:00Z' },
    ports,
  );
}
const cpu = process.cpuUsage(cpuStart);
record('pipeline core CPU per article', (cpu.user + cpu.system) / corpus.length, 'µs');

// Bundle size and import time in a fresh Node process, against an empty handler.
const out = mkdtempSync(join(tmpdir(), 'newswatch-bench-'));
const banner = "import{createRequire}from'module';const require=createRequire(import.meta.url);";
const bundle = async (entry: string | { contents: string }, name: string) => {
  const outfile = join(out, `${name}.mjs`);
  await build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: process.cwd(), loader: 'ts' } }),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: banner },
    outfile,
    logLevel: 'silent',
  });
  return outfile;
};
const importTime = (file: string): number => {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`;
    times.push(
      Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })),
    );
  }
  return times.sort((a, b) => a - b)[3] as number;
};
const ingestBundle = await bundle('functions/ingest/handler.ts', 'ingest');
const emptyBundle = await bundle({ contents: 'export const handler = async () => ({});' }, 'empty');
const clientsBundle = await bundle(
  {
    contents: `import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
const s3 = new S3Client({ region: 'eu-west-1' });
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
export const handler = async () => ({ s3: !!s3, doc: !!doc });`,
  },
  'sdk-clients',
);
for (const [name, file] of [
  ['ingest', ingestBundle],
  ['SDK clients only (S3, DynamoDB)', clientsBundle],
  ['empty handler', emptyBundle],
] as const) {
  record(`bundle size: ${name}`, statSync(file).size / 1024, 'KiB', 0);
  record(`import time: ${name}`, importTime(file), 'ms');
}

const meta = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  date: new Date().toISOString(),
};
const width = Math.max(...rows.map((r) => r.name.length));
console.log(`newswatch bench — Node ${meta.node}, ${meta.cpu} (${meta.cores} cores)\n`);
for (const r of rows) console.log(`${r.name.padEnd(width)}  ${r.value.padStart(10)} ${r.unit}`);
const md = [
  `# Benchmark results`,
  '',
  `Node ${meta.node} · ${meta.cpu} · ${meta.cores} cores · ${meta.date}`,
  '',
  '| measure | value | unit |',
  '| --- | ---: | --- |',
  ...rows.map((r) => `| ${r.name} | ${r.value} | ${r.unit} |`),
  '',
].join('\n');
const results = new URL('./results/', import.meta.url);
writeFileSync(new URL('latest.json', results), `${JSON.stringify({ meta, rows }, null, 2)}\n`);
writeFileSync(new URL('latest.md', results), md);
