/**
 * Near-duplicate stories: precision and recall on constructed pairs, and the cost of the
 * story lookup per new article as the number of stored articles grows.
 *   node bench/stories.ts [--stored 10000,100000] [--probes 1000] [--pairs 500] [--smoke]
 * Prints tables and writes bench/results/stories.{md,json} (a smoke run: a temporary folder).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { MemoryStoryStore } from '../functions/adapters/memory/memory-ports.ts';
import { BAND_READ_LIMIT } from '../functions/adapters/aws/dynamodb-story-store.ts';
import type { Article } from '../functions/core/articles/article.ts';
import {
  BANDS,
  bandKeysOf,
  MIN_STORY_SHINGLES,
  NEAR_DUPLICATE_THRESHOLD,
  ROWS,
  SHINGLE_WORDS,
  SIGNATURE_SIZE,
  shingleHashes,
  signatureOf,
  similarity,
} from '../functions/core/stories/near-duplicate.ts';
import { assignStory } from '../functions/core/stories/story.ts';
import { quantile, resultsDir, smoke } from './common.ts';
import { prng } from './corpus.ts';
import { EDITS, randomStories, type StoryText, storyPairs } from './story-variants.ts';

const { values } = parseArgs({
  options: {
    stored: { type: 'string', default: smoke ? '1000' : '10000,100000' },
    probes: { type: 'string', default: smoke ? '100' : '1000' },
    pairs: { type: 'string', default: smoke ? '50' : '500' },
    smoke: { type: 'boolean', default: false },
  },
});

const body = (s: StoryText) => s.paragraphs.join('\n\n');
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

// 1. Precision and recall on constructed pairs.
const pairs = storyPairs(Number(values.pairs));
const byKind = new Map<string, { n: number; found: number; sims: number[] }>();
let tp = 0;
let fp = 0;
let fn = 0;
for (const p of pairs) {
  const a = signatureOf(body(p.a)) as Uint32Array;
  const b = signatureOf(body(p.b)) as Uint32Array;
  const bands = new Set(bandKeysOf(a));
  const sim = similarity(a, b);
  // As the pipeline decides: long enough to join stories, a shared band, then the threshold.
  const longEnough = [p.a, p.b].every((x) => shingleHashes(body(x)).size >= MIN_STORY_SHINGLES);
  const found = longEnough && bandKeysOf(b).some((k) => bands.has(k)) && sim >= NEAR_DUPLICATE_THRESHOLD;
  const row = byKind.get(p.kind) ?? { n: 0, found: 0, sims: [] };
  row.n++;
  if (found) row.found++;
  row.sims.push(sim);
  byKind.set(p.kind, row);
  if (found && p.same) tp++;
  else if (found) fp++;
  else if (p.same) fn++;
}
const precision = tp / (tp + fp);
const recall = tp / (tp + fn);

// 2. Lookup cost with N stored articles.
const article = (s: StoryText, id: string): Article => ({
  id,
  sourceKey: `incoming/${s.source}/${id}.json`,
  format: 'json',
  title: s.title,
  titleSource: 'file',
  date: '2026-11-20',
  dateSource: 'file',
  source: s.source,
  paragraphs: s.paragraphs,
  wordCount: 0,
  contentHash: id,
  byteLength: 0,
});
const clock = { now: () => new Date('2026-11-23T00:00:00Z') };
const lookups: Array<Record<string, number>> = [];
for (const stored of values.stored.split(',').map(Number)) {
  const store = new MemoryStoryStore(BAND_READ_LIMIT);
  const bases = randomStories(stored, 11 + stored);
  const fresh = randomStories(Number(values.probes), 7_777);
  const fillStart = performance.now();
  for (let i = 0; i < bases.length; i++)
    await assignStory(article(bases[i] as StoryText, `s${i}`), store, clock);
  const fillMs = performance.now() - fillStart;
  const rand = prng(5);
  const probes = Number(values.probes);
  const times: number[] = [];
  const reads: number[] = [];
  let joined = 0;
  let merged = 0;
  const edits = Object.values(EDITS);
  for (let i = 0; i < probes; i++) {
    // Half are copies of stored stories (edited), half are new stories.
    const copy = i % 2 === 0;
    const base = copy ? (bases[Math.floor(rand() * bases.length)] as StoryText) : (fresh[i] as StoryText);
    const probe = copy
      ? (edits[i % edits.length] as (s: StoryText, r: () => number) => StoryText)(base, rand)
      : base;
    const before = store.itemsRead;
    const t = performance.now();
    const assigned = await assignStory(article(probe, `p${i}`), store, clock);
    times.push(performance.now() - t);
    reads.push(store.itemsRead - before);
    if (!assigned.started && copy) joined++;
    if (!assigned.started && !copy) merged++;
  }
  lookups.push({
    stored,
    fillSeconds: Math.round(fillMs / 100) / 10,
    p50Ms: Math.round(quantile(times, 0.5) * 1000) / 1000,
    p99Ms: Math.round(quantile(times, 0.99) * 1000) / 1000,
    meanItemsRead: Math.round((reads.reduce((a, b) => a + b, 0) / reads.length) * 10) / 10,
    p99ItemsRead: quantile(reads, 0.99),
    copiesJoined: joined,
    newStoriesMerged: merged,
    probes,
  });
  console.log(`stored ${stored}: done`);
}

const kindRows = [...byKind].map(([kind, r]) => {
  const sims = [...r.sims].sort((a, b) => a - b);
  return `| ${kind} | ${r.n} | ${pct(r.found / r.n)} | ${sims[0]?.toFixed(2)} | ${quantile(sims, 0.5).toFixed(2)} | ${sims.at(-1)?.toFixed(2)} |`;
});
const md = [
  '# Near-duplicate stories',
  '',
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}; MinHash ${SIGNATURE_SIZE} hashes over ${SHINGLE_WORDS}-word shingles, ${BANDS} bands × ${ROWS} rows, same story at estimated Jaccard ≥ ${NEAR_DUPLICATE_THRESHOLD} (bodies of at least ${MIN_STORY_SHINGLES} shingles). \`node bench/stories.ts\`.`,
  '',
  `## Constructed pairs (${pairs.length}): precision ${pct(precision)}, recall ${pct(recall)}`,
  '',
  '| pair | count | taken for the same story | similarity min | p50 | max |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...kindRows,
  '',
  `## Lookup per new article (in-memory band index; on DynamoDB each band is one Query of at most ${BAND_READ_LIMIT} items)`,
  '',
  '| stored articles | p50 ms | p99 ms | band items read, mean | p99 | edited copies found | new stories merged by mistake |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...lookups.map(
    (l) =>
      `| ${l.stored} | ${l.p50Ms} | ${l.p99Ms} | ${l.meanItemsRead} | ${l.p99ItemsRead} | ${l.copiesJoined} / ${(l.probes ?? 0) / 2} | ${l.newStoriesMerged} / ${(l.probes ?? 0) / 2} |`,
  ),
  '',
].join('\n');
console.log(md);
writeFileSync(join(resultsDir, 'stories.md'), md);
writeFileSync(
  join(resultsDir, 'stories.json'),
  `${JSON.stringify({ node: process.version, cpu: cpus()[0]?.model, precision, recall, kinds: Object.fromEntries(byKind), lookups }, null, 2)}\n`,
);
