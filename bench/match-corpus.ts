import { createRequire } from 'node:module';
import type { MatchableArticle } from '../functions/core/topics/article-view.ts';
import type { TopicDefinition } from '../functions/core/topics/topic.ts';
import { prng } from './corpus.ts';

const require = createRequire(import.meta.url);

/**
 * A news-like vocabulary: 30,000 English words in a fixed random order that stands for
 * their frequency rank, so text drawn from it follows Zipf's law as real text does.
 */
export const buildVocabulary = (size = 30_000): string[] => {
  const all = (require('an-array-of-english-words') as string[]).filter((w) => /^[a-z]{3,12}$/.test(w));
  const rand = prng(7);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j] as string, all[i] as string];
  }
  return all.slice(0, size);
};

/** Draws word ranks with probability proportional to 1 / rank^s. */
export const zipf = (n: number, s: number, rand: () => number) => {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cumulative[r] = sum += 1 / (r + 1) ** s;
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
};

const COUNTRIES = [
  'South Korea',
  'Azerbaijan',
  'Armenia',
  'France',
  'Brazil',
  'Kenya',
  'Japan',
  'Germany',
  'India',
  'Egypt',
];

const COUNTRY_CODES = ['KR', 'AZ', 'AM', 'FR', 'BR', 'KE', 'JP', 'DE', 'IN', 'EG'];

/** Articles of about `bytes` bytes: a title, paragraphs of Zipf-distributed words, a few countries. */
export const buildArticles = (
  vocab: string[],
  count: number,
  bytes = 5_000,
  seed = 11,
): MatchableArticle[] => {
  const rand = prng(seed);
  const rank = zipf(vocab.length, 1.05, rand);
  const sentence = (words: number) => Array.from({ length: words }, () => vocab[rank()]).join(' ');
  return Array.from({ length: count }, () => {
    const paragraphs: string[] = [];
    let size = 0;
    while (size < bytes) {
      const p =
        `${sentence(60 + Math.floor(rand() * 60))} ${rand() < 0.3 ? (COUNTRIES[Math.floor(rand() * COUNTRIES.length)] as string) : ''}`.trim();
      paragraphs.push(p);
      size += p.length + 2;
    }
    return { title: sentence(8), paragraphs };
  });
};

/**
 * Topic queries as monitoring teams write them: 2 to 8 terms, mostly specific words
 * (ranks 200–30,000), with phrases, OR groups, NEAR, NOT and prefix wildcards; a share
 * `countryShare` also names a country or asks for two.
 */
export const buildTopics = (
  vocab: string[],
  count: number,
  seed = 3,
  countryShare = 0,
  scopedShare = 0,
): TopicDefinition[] => {
  const rand = prng(seed);
  const countryRand = prng(seed + 1);
  const scopeRand = prng(seed + 2);
  const pick = () => vocab[200 + Math.floor(rand() ** 1.5 * (vocab.length - 200))] as string;
  const term = (): string => {
    const r = rand();
    if (r < 0.15) return `"${pick()} ${pick()}"`;
    if (r < 0.25) {
      const w = pick();
      return `${w.slice(0, Math.max(4, w.length - 3))}*`;
    }
    return pick();
  };
  const group = () =>
    rand() < 0.4 ? `(${term()} OR ${term()}${rand() < 0.5 ? ` OR ${term()}` : ''})` : term();
  return Array.from({ length: count }, (_, i) => {
    const shape = rand();
    let query: string;
    if (shape < 0.5) query = Array.from({ length: 2 + Math.floor(rand() * 3) }, group).join(' AND ');
    else if (shape < 0.75)
      query = `(${group()} NEAR/${1 + Math.floor(rand() * 8)} ${group()}) AND ${group()}`;
    else query = `${group()} ${group()}`;
    if (rand() < 0.2) query += ` NOT ${term()}`;
    // A separate stream, so adding country filters leaves the rest of the topic set as it was.
    if (countryRand() < countryShare)
      query +=
        countryRand() < 0.5
          ? ` AND country:${COUNTRY_CODES[Math.floor(countryRand() * COUNTRY_CODES.length)]}`
          : ' AND countries>=2';
    // Again a stream of its own: the share whose conditions must hold in one sentence.
    if (scopeRand() < scopedShare) query = `sentence:(${query})`;
    return { id: `t${i}`, name: `Topic ${i}`, query, minScore: 0, enabled: true };
  });
};
