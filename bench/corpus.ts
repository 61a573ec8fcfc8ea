import { readdirSync, readFileSync } from 'node:fs';

/** Small deterministic PRNG (mulberry32), so every run measures the same corpus. */
export const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/**
 * A corpus of realistic article files built from the seed articles: paragraphs drawn
 * from every seed, 3 to 14 of them, in the text format (with and without by-line and
 * footer) and as JSON, each made distinct by a numbered lead.
 */
export const buildCorpus = (count: number): Array<{ key: string; bytes: Uint8Array }> => {
  const dir = new URL('../seeds/articles/', import.meta.url);
  const paragraphs = readdirSync(dir)
    .flatMap((f) =>
      readFileSync(new URL(f, dir), 'utf8')
        .split(/\n\s*\n/)
        .slice(1),
    )
    .map((p) => p.trim())
    .filter((p) => p.length > 80);
  const rand = prng(42);
  const pick = () => paragraphs[Math.floor(rand() * paragraphs.length)] as string;
  const enc = new TextEncoder();
  const files: Array<{ key: string; bytes: Uint8Array }> = [];
  for (let i = 0; i < count; i++) {
    const body = [
      `Report ${i}: officials met in Baku on aid.`,
      ...Array.from({ length: 3 + Math.floor(rand() * 12) }, pick),
    ];
    const day = String(1 + (i % 28)).padStart(2, '0');
    if (i % 4 === 3) {
      const json = {
        title: `Report ${i}`,
        body: body.join('\n\n'),
        date: `2024-05-${day}`,
        author: 'Desk',
        source: 'Bench',
      };
      files.push({ key: `incoming/bench-${i}.json`, bytes: enc.encode(JSON.stringify(json)) });
    } else {
      const byline = i % 2 ? ' By Ayya Lmahamad' : '';
      const footer = i % 3 ? '\n\n--\n\nFollow us on Twitter @Bench' : '';
      files.push({
        key: `incoming/bench-${i}.txt`,
        bytes: enc.encode(`date 2024-05-${day}${byline}\n\n${body.join('\n\n')}${footer}`),
      });
    }
  }
  return files;
};
