import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCorpus } from '../../bench/corpus.ts';

/** Files of a load run: realistic articles, a share of exact copies and a share of bad files. */
export interface LoadFile {
  name: string;
  bytes: Uint8Array;
  /** What it must end as. */
  expected: 'stored' | 'duplicate' | 'rejected';
}

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

/** `count` files: every 40th a copy of the file before it, every 50th a PNG under a .txt name. */
export const loadFiles = (count: number): LoadFile[] => {
  const corpus = buildCorpus(count);
  return corpus.map((f, i): LoadFile => {
    const name = f.key.replace(/^incoming\//, `load-`);
    if (i % 50 === 49) return { name, bytes: PNG, expected: 'rejected' };
    if (i % 40 === 39) {
      // The file before it again, under another name of the same kind.
      const before = corpus[i - 1] as { key: string; bytes: Uint8Array };
      const copy = before.key.replace(/^incoming\//, 'load-').replace(/(\.\w+)$/, '-copy$1');
      return { name: copy, bytes: before.bytes, expected: 'duplicate' };
    }
    return { name, bytes: f.bytes, expected: 'stored' };
  });
};

/** How many of each outcome the files must give. */
export const expectedOutcomes = (files: readonly LoadFile[]) => ({
  stored: files.filter((f) => f.expected === 'stored').length,
  duplicate: files.filter((f) => f.expected === 'duplicate').length,
  rejected: files.filter((f) => f.expected === 'rejected').length,
});

/** A load run's figures, printed and (with LOAD_REPORT=1) written to bench/results/. */
export interface LoadReport {
  path: string;
  files: number;
  seconds: number;
  filesPerSecond: number;
  outcomes: Record<string, number>;
  matches: number;
  alertsSent: number;
  alertsReceived: number;
  /** Messages handed out again after a failed or timed-out invocation. */
  redelivered?: number;
  /** Files done at each progress mark: shows whether the rate holds as the table grows. */
  progress?: ProgressMark[];
  /** The most memory this process held (resident set), in bytes, over the run. */
  peakRss?: number;
  /** Table requests made during the run, by DynamoDB operation. */
  requests?: Record<string, number>;
}

/** Requests made between two counts, by operation (the operations with none left out). */
export const requestsBetween = (
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> =>
  Object.fromEntries(
    Object.entries(after)
      .map(([op, n]) => [op, n - (before[op] ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

/** The requests of a run in all, and for each stored article. */
const requestFigures = (report: LoadReport) => {
  const total = Object.values(report.requests ?? {}).reduce((n, k) => n + k, 0);
  const stored = report.outcomes.stored ?? 0;
  return {
    total,
    perStored: stored > 0 ? total / stored : 0,
    perMatch: report.matches / Math.max(1, stored),
  };
};

export interface ProgressMark {
  seconds: number;
  done: number;
  /** Files per second since the mark before. */
  rate: number;
  /** This process's resident set and JavaScript heap in use at the mark, in bytes. */
  rss: number;
  heapUsed: number;
}

/**
 * Notes (and prints) how many files are done every `everyMs` while a run goes on. Returns a
 * function that stops it and gives the marks.
 */
const mb = (bytes: number): string => (bytes / 1024 ** 2).toFixed(0);

/** The most memory this process has held so far (resident set), in bytes. */
export const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

export const trackProgress = (
  label: string,
  total: number,
  done: () => number,
  everyMs = 30_000,
): (() => ProgressMark[]) => {
  const started = performance.now();
  const marks: ProgressMark[] = [];
  let last = { seconds: 0, done: 0 };
  const timer = setInterval(() => {
    const mark = { seconds: (performance.now() - started) / 1000, done: done() };
    const rate = (mark.done - last.done) / (mark.seconds - last.seconds);
    const { rss, heapUsed } = process.memoryUsage();
    marks.push({ ...mark, rate, rss, heapUsed });
    last = mark;
    console.info(
      `${label}: ${mark.done}/${total} files after ${mark.seconds.toFixed(0)} s, ${rate.toFixed(1)} files/s, RSS ${mb(rss)} MB`,
    );
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    return marks;
  };
};

export const reportLoad = (report: LoadReport): void => {
  console.info(
    `${report.path}: ${report.files} files in ${report.seconds.toFixed(1)} s = ${report.filesPerSecond.toFixed(1)} files/s; ` +
      `outcomes ${JSON.stringify(report.outcomes)}; matches ${report.matches}, alerts sent ${report.alertsSent}, received ${report.alertsReceived}; redelivered ${report.redelivered ?? 0}` +
      (report.peakRss ? `; peak RSS ${mb(report.peakRss)} MB` : '') +
      (report.requests
        ? `; ${requestFigures(report).total} table requests, ${requestFigures(report).perStored.toFixed(1)} per stored article`
        : ''),
  );
  if (process.env.LOAD_REPORT !== '1') return;
  const name = report.path.startsWith('emulator') ? 'load-emulator' : 'load-local';
  const dir = new URL('../../bench/results/', import.meta.url).pathname;
  writeFileSync(
    join(dir, `${name}.json`),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, ...report }, null, 2)}\n`,
  );
  writeFileSync(
    join(dir, `${name}.md`),
    [
      `# Load: ${report.path}`,
      '',
      `Node ${process.version} · ${new Date().toISOString()} · \`npm run load\``,
      '',
      '| files in | seconds | files/s | stored | duplicate | rejected | other | matches | alerts sent | alerts received | redelivered | peak RSS |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${report.files} | ${report.seconds.toFixed(1)} | ${report.filesPerSecond.toFixed(1)} | ${report.outcomes.stored ?? 0} | ${report.outcomes.duplicate ?? 0} | ${report.outcomes.rejected ?? 0} | ${report.files - (report.outcomes.stored ?? 0) - (report.outcomes.duplicate ?? 0) - (report.outcomes.rejected ?? 0)} | ${report.matches} | ${report.alertsSent} | ${report.alertsReceived} | ${report.redelivered ?? 0} | ${report.peakRss ? `${mb(report.peakRss)} MB` : '–'} |`,
      '',
      "Peak RSS is this process's (the runtime and the test driving it); for the emulator, the emulators run in processes of their own.",
      '',
      ...(report.requests
        ? [
            `Table requests: ${requestFigures(report).total.toLocaleString('en')} in the run, **${requestFigures(report).perStored.toFixed(1)} per stored article** with ${requestFigures(report).perMatch.toFixed(1)} matches per stored article (duplicates', rejections' and the background checks' requests counted in, spread over the stored articles).`,
            '',
            '| operation | requests | per stored article |',
            '| --- | ---: | ---: |',
            ...Object.entries(report.requests).map(
              ([op, n]) =>
                `| ${op} | ${n.toLocaleString('en')} | ${(n / Math.max(1, report.outcomes.stored ?? 0)).toFixed(2)} |`,
            ),
            '',
          ]
        : []),
      ...(report.progress?.length
        ? [
            'Progress (files done, the rate since the mark before, and the memory held):',
            '',
            '| seconds | files done | files/s | RSS MB | heap used MB |',
            '| ---: | ---: | ---: | ---: | ---: |',
            ...report.progress.map(
              (m) =>
                `| ${m.seconds.toFixed(0)} | ${m.done} | ${m.rate.toFixed(1)} | ${m.rss ? mb(m.rss) : '–'} | ${m.heapUsed ? mb(m.heapUsed) : '–'} |`,
            ),
            '',
          ]
        : []),
    ].join('\n'),
  );
};
