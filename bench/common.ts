/**
 * What every benchmark shares: the smoke switch, the machine description, quantiles, and
 * printing and writing a result table. Full runs write to bench/results/; smoke runs
 * (`--smoke`, a few seconds per part, used by CI) write to a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

export const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';

export const resultsDir = smoke
  ? join(tmpdir(), 'newswatch-bench-smoke')
  : new URL('./results/', import.meta.url).pathname;
mkdirSync(resultsDir, { recursive: true });

export interface Machine {
  node: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  date: string;
  smoke: boolean;
}

export const machine = (): Machine => ({
  node: process.version,
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 1024 ** 3),
  os: `${process.platform} ${process.arch}`,
  date: new Date().toISOString(),
  smoke,
});

export const describeMachine = (m: Machine): string =>
  `Node ${m.node} · ${m.cpu} · ${m.cores} cores · ${m.memoryGiB} GiB · ${m.os} · ${m.date}${m.smoke ? ' · SMOKE RUN' : ''}`;

/** The q-quantile of samples (nearest rank). */
export const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/**
 * Runs a command and returns the first line it prints (on either stream: `java -version`
 * writes to stderr), without colour codes; undefined when it cannot run.
 */
export const versionOf = (cmd: string, args: string[], env?: NodeJS.ProcessEnv): string | undefined => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  // eslint-disable-next-line no-control-regex -- ANSI colour sequences
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '');
  return text
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim();
};

export interface Table {
  title: string;
  header: string[];
  rows: string[][];
  /** Columns aligned left (the others are right-aligned numbers). */
  left?: number[];
}

/** Prints a table to the console with aligned columns. */
export const printTable = (t: Table): void => {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const pad = (v: string, i: number) =>
    t.left?.includes(i) ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number);
  console.log(`\n${t.title}\n`);
  console.log(t.header.map(pad).join('  '));
  for (const r of t.rows) console.log(r.map(pad).join('  '));
};

/** The table as Markdown. */
export const markdownTable = (t: Table): string =>
  [
    `| ${t.header.join(' | ')} |`,
    `| ${t.header.map((_, i) => (t.left?.includes(i) ? '---' : '---:')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/** Writes `<name>.json` and `<name>.md` to the results folder; returns their paths. */
export const writeResults = (name: string, json: unknown, md: string): { json: string; md: string } => {
  const paths = { json: join(resultsDir, `${name}.json`), md: join(resultsDir, `${name}.md`) };
  writeFileSync(paths.json, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(paths.md, md.endsWith('\n') ? md : `${md}\n`);
  console.log(`\nwrote ${paths.md} and ${paths.json}`);
  return paths;
};
