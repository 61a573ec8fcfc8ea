/**
 * The dashboard at 10k and 100k stored articles: the article list of the service layer (cold,
 * with its per-snapshot index built, and warm; filtered, searched, a deep page, the export),
 * the API route over HTTP, and the first paint of the articles page and the overview in
 * headless Chromium.
 *   node bench/dashboard.ts [--articles 10000,100000] [--runs 5] [--smoke]
 * Prints tables and writes bench/results/dashboard.{md,json} (a smoke run: a temporary folder).
 *
 * The articles are synthesised records: the service rows run over them as a snapshot (what an
 * export and a query's preview read); for the API and page rows they are written into
 * the SQLite table of a real local runtime as the stores write them, and its dashboard reads
 * them through the table's views (bench/read-models.ts times every view).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import type { CatalogSnapshot } from '../functions/adapters/local/local-catalog.ts';
import { openLocalTable } from '../functions/adapters/local/local-dynamodb.ts';
import { startDashboard } from '../local/dashboard/server.ts';
import { articlesCsv } from '../local/export.ts';
import { openLocalNewswatch } from '../local/local-newswatch.ts';
import { articleFacets, exportArticles, listArticles } from '../local/services.ts';
import {
  describeMachine,
  machine,
  markdownTable,
  median,
  printTable,
  smoke,
  type Table,
  writeResults,
} from './common.ts';
import { itemsOf, synthesise, writeItems } from './synthetic-catalog.ts';

const { values } = parseArgs({
  options: {
    articles: { type: 'string', default: smoke ? '2000' : '10000,100000' },
    runs: { type: 'string', default: smoke ? '2' : '5' },
    smoke: { type: 'boolean', default: false },
  },
});
const sizes = values.articles.split(',').map(Number);
const runs = Number(values.runs);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Milliseconds `fn` takes, `times` times. */
const timed = async (times: number, fn: () => unknown): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
};

const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

interface Row {
  articles: number;
  measure: string;
  medianMs: number;
  detail: string;
}
const rows: Row[] = [];
const add = (articles: number, measure: string, samples: number[], detail = '') => {
  rows.push({ articles, measure, medianMs: median(samples), detail });
  console.log(`${articles} articles · ${measure}: ${ms(median(samples))} ms ${detail}`);
};

const home = mkdtempSync(join(tmpdir(), 'newswatch-bench-dashboard-'));
/** A local newswatch whose table holds the snapshot's items. */
const localWith = async (snap: CatalogSnapshot) => {
  const dir = mkdtempSync(join(home, 'n-'));
  const table = await openLocalTable(join(dir, 'home', 'data'));
  await writeItems(table.doc, table.tableName, itemsOf(snap));
  await table.close();
  return openLocalNewswatch({
    paths: {
      home: join(dir, 'home'),
      inbox: join(dir, 'inbox'),
      topics: join(dir, 'topics'),
      subscribers: join(dir, 'subscribers.yaml'),
      labels: join(dir, 'labels'),
      seedArticles: join(dir, 'none'),
    },
  });
};
const browser = existsSync(CHROMIUM)
  ? await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  : undefined;
if (!browser) console.log(`no Chromium at ${CHROMIUM}: first paint not measured`);

try {
  for (const n of sizes) {
    const built = performance.now();
    const snap = synthesise(n);
    console.log(
      `\n${n} articles, ${snap.matches.length} matches synthesised in ${ms(performance.now() - built)} ms`,
    );

    // Service layer. The first list of a snapshot builds its index (the runtime keeps a snapshot 2 s).
    add(
      n,
      'service: first list of a new snapshot (index built)',
      await timed(1, () => listArticles(snap, { limit: 50 })),
    );
    add(n, 'service: list, newest 50', await timed(runs * 4, () => listArticles(snap, { limit: 50 })));
    add(
      n,
      'service: list, topic + outlet + min score, by score',
      await timed(runs * 4, () =>
        listArticles(snap, {
          topic: 'international-health-aid',
          outlet: 'Trend',
          minScore: 0.3,
          sort: 'score',
          limit: 50,
        }),
      ),
    );
    add(
      n,
      'service: list, last page',
      await timed(runs * 4, () => listArticles(snap, { offset: n - 50, limit: 50 })),
    );
    add(
      n,
      'service: first word search (text folded)',
      await timed(1, () => listArticles(snap, { q: 'glacier harbour', limit: 50 })),
    );
    add(
      n,
      'service: word search',
      await timed(runs * 4, () => listArticles(snap, { q: 'glacier harbour', limit: 50 })),
    );
    add(n, 'service: facets', await timed(runs * 4, () => articleFacets(snap)));
    let csvBytes = 0;
    add(
      n,
      'service: CSV export of every article',
      await timed(runs, () => {
        csvBytes = Buffer.byteLength(articlesCsv(exportArticles(snap)));
      }),
      `(${(csvBytes / 1024 / 1024).toFixed(1)} MiB)`,
    );

    // The API route over HTTP, on the real dashboard server.
    const local = await localWith(snap);
    const dashboard = await startDashboard(local, { port: 0, snapshot: () => Promise.resolve(snap) });
    try {
      let bytes = 0;
      add(
        n,
        'API: GET /api/articles?limit=50',
        await timed(runs * 4, async () => {
          bytes = (await (await fetch(`${dashboard.url}/api/articles?limit=50`)).arrayBuffer()).byteLength;
        }),
        `(${(bytes / 1024).toFixed(0)} KiB)`,
      );
      add(
        n,
        'API: GET /api/articles filtered, by score',
        await timed(runs * 4, () =>
          fetch(
            `${dashboard.url}/api/articles?topic=vaccine-supply-deals&language=en&sort=score&limit=50`,
          ).then((r) => r.arrayBuffer()),
        ),
      );

      // First paint in Chromium: from navigation to the first article drawn / the chart drawn.
      if (browser) {
        for (const [route, selector, label] of [
          ['#/articles', '#article-list > li', 'articles page'],
          ['#/', '#chart', 'overview with the chart'],
        ] as const) {
          const paints: number[] = [];
          const fcp: number[] = [];
          for (let r = 0; r < runs; r++) {
            const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
            const t = performance.now();
            await page.goto(`${dashboard.url}/${route}`);
            await page.locator(selector).first().waitFor();
            paints.push(performance.now() - t);
            fcp.push(
              Number(
                await page.evaluate(
                  "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1",
                ),
              ),
            );
            await page.close();
          }
          add(n, `page: ${label} drawn`, paints, `(first contentful paint ${ms(median(fcp))} ms)`);
        }
      }
    } finally {
      await dashboard.close();
      await local.close();
    }
  }
} finally {
  await browser?.close();
  rmSync(home, { recursive: true, force: true });
}

const table: Table = {
  title: `Dashboard, synthesised articles (median of ${runs}–${runs * 4} runs; first-of-snapshot rows once)`,
  header: ['articles', 'measure', 'median ms', ''],
  rows: rows.map((r) => [String(r.articles), r.measure, ms(r.medianMs), r.detail]),
  left: [1, 3],
};
printTable(table);
const m = machine();
writeResults(
  'dashboard',
  { machine: m, runs, rows },
  [
    '# Dashboard',
    '',
    describeMachine(m),
    '',
    'Command: `npm run bench:dashboard` (`node bench/dashboard.ts`). The articles are synthesised:',
    "the service rows run over them as one snapshot (what an export and a query's preview read; the",
    "scan behind it is not in these rows), the API and page rows over a local runtime's SQLite table",
    "holding them, read through the table's views ([read-models.md](read-models.md) times every view).",
    'Page rows: from navigation to the first article (or the chart) drawn, in headless Chromium;',
    'the page asks for one page of 50 articles, never the whole list.',
    '',
    markdownTable(table),
  ].join('\n'),
);
