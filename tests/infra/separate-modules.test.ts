import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_BANNER,
  bundleSeparately,
  bundleWorkers,
  INGEST_SEPARATE_MODULES,
  INGEST_WORKERS,
  packageOf,
} from '../../infra/separate-modules.ts';

/**
 * The article formats as the ingest function runs them: bundled as the stack bundles it, the
 * document libraries left out and bundled on their own beside it, the PDF worker beside it too,
 * run in a fresh Node process from that folder only (no project node_modules within reach).
 */
const SPANISH = [
  'Lluvias en el norte',
  '',
  'Los agricultores del norte de la región perdieron casi toda la cosecha tras varias semanas de lluvias intensas.',
].join('\n');

describe('Bundling: the document libraries beside the ingest bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-separate-'));
  let sizes: Record<string, number>;
  let workerSizes: Record<string, number>;

  beforeAll(async () => {
    // Prepare: an entry that reads every sample document, bundled with the same options.
    const samples = join(process.cwd(), 'tests/fixtures/formats');
    await build({
      stdin: {
        contents: [
          "import { readFileSync } from 'node:fs';",
          "import { readArticleFile } from './functions/core/articles/read-file.ts';",
          `const names = ${JSON.stringify(['news-page.html', 'newsletter.eml', 'article.pdf', 'press-release.docx'])};`,
          'const out = [];',
          'for (const name of names) {',
          `  const bytes = new Uint8Array(readFileSync(${JSON.stringify(samples)} + '/' + name));`,
          "  const r = await readArticleFile({ key: 'incoming/' + name, bytes, receivedAt: '2026-12-01T00:00:00Z' });",
          "  out.push(r.kind === 'article' ? { format: r.article.format, title: r.article.title } : r);",
          '}',
          // A text that states no language: the identifier's tables load from beside the bundle.
          `const text = new TextEncoder().encode(${JSON.stringify(SPANISH)});`,
          "const t = await readArticleFile({ key: 'incoming/lluvias.txt', bytes: text, receivedAt: '2026-12-01T00:00:00Z' });",
          "out.push(t.kind === 'article' ? { format: t.article.format, language: t.article.language } : t);",
          'console.log(JSON.stringify(out));',
        ].join('\n'),
        resolveDir: process.cwd(),
        sourcefile: 'entry.ts',
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      mainFields: ['module', 'main'],
      banner: { js: BUNDLE_BANNER },
      external: [...INGEST_SEPARATE_MODULES],
      outfile: join(dir, 'index.mjs'),
      logLevel: 'error',
    });
    sizes = await bundleSeparately(dir, INGEST_SEPARATE_MODULES);
    workerSizes = await bundleWorkers(dir, INGEST_WORKERS, INGEST_SEPARATE_MODULES);
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should keep the libraries out of the bundle and put each in node_modules beside it', () => {
    // Assess
    expect(statSync(join(dir, 'index.mjs')).size).toBeLessThan(400 * 1024);
    for (const name of INGEST_SEPARATE_MODULES) {
      expect(sizes[name], name).toBeGreaterThan(1000);
      const { pkg, subpath } = packageOf(name);
      const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as {
        exports: Record<string, string>;
      };
      expect(manifest.exports[subpath ? `./${subpath}` : '.']).toBe(`./${subpath ?? 'index'}.mjs`);
    }
  });

  it('should bundle the PDF worker beside it, pdf.js left to the separate module', () => {
    // Assess
    expect(Object.keys(workerSizes)).toEqual(['pdf-worker.mjs']);
    expect(statSync(join(dir, 'pdf-worker.mjs')).size).toBeLessThan(64 * 1024);
    expect(readFileSync(join(dir, 'pdf-worker.mjs'), 'utf8')).toMatch(/from\s*"unpdf"/);
  });

  it('should read a page, a mail, a PDF and a Word document with the libraries loaded from there', () => {
    // Act
    const out = execFileSync(process.execPath, [join(dir, 'index.mjs')], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });

    // Assess
    expect(JSON.parse(out)).toEqual([
      { format: 'html', title: 'Japan sends ventilators and masks to Georgia’s hospitals' },
      { format: 'eml', title: 'Health brief: aid for Tbilisi and Yerevan — 27 November' },
      { format: 'pdf', title: 'Hospitals in western Georgia receive Japanese equipment' },
      { format: 'docx', title: 'Azerbaijan sends a field hospital to western Georgia' },
      { format: 'text', language: 'es' },
    ]);
  });
});
