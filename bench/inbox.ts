/**
 * The local inbox's periodic listing (the safety net for change events the kernel drops): the
 * cost of one listing that looks at every file, against the remembering lister's steady state,
 * with many files stored.
 *   node bench/inbox.ts [--files 50000] [--smoke]
 * Prints a table and writes bench/results/inbox.{md,json} (a smoke run: a temporary folder).
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FULL_LISTING_EVERY,
  INBOX_RESCAN_MS,
  InboxLister,
  listInbox,
} from '../functions/adapters/local/inbox.ts';
import {
  describeMachine,
  machine,
  markdownTable,
  median,
  printTable,
  smoke,
  writeResults,
} from './common.ts';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: smoke ? '2000' : '50000' },
    smoke: { type: 'boolean', default: false },
  },
});
const files = Number(values.files);
const RUNS = smoke ? 3 : 7;

// An inbox like a long-running one: files dropped by hand at the top, most under feed folders.
const inbox = mkdtempSync(join(tmpdir(), 'newswatch-bench-inbox-'));
const folders = [inbox, ...Array.from({ length: 40 }, (_, i) => join(inbox, 'feeds', `feed-${i}`))];
for (const f of folders) mkdirSync(f, { recursive: true });
for (let i = 0; i < files; i++)
  writeFileSync(join(folders[i % folders.length] as string, `article-${i}.json`), `{"title":"${i}"}`);
const past = new Date(Date.now() - 60_000);
for (const f of [...folders, join(inbox, 'feeds')]) utimesSync(f, past, past);

/** Wall and CPU milliseconds of one call, median over the runs. */
const measure = async (run: () => Promise<Map<string, string>>) => {
  const wall: number[] = [];
  const cpu: number[] = [];
  let seen = 0;
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    seen = (await run()).size;
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu), seen };
};

const everyFile = await measure(() => listInbox(inbox));
const lister = new InboxLister(inbox, Number.MAX_SAFE_INTEGER);
await lister.list();
const remembered = await measure(() => lister.list());
// One new file in a feed folder: that folder is read again, the others are not.
const withNew = await measure(async () => {
  writeFileSync(join(folders[1] as string, `new-${performance.now()}.json`), '{}');
  const listed = await lister.list();
  utimesSync(folders[1] as string, past, past);
  return listed;
});
rmSync(inbox, { recursive: true, force: true });

const share = (cpuMs: number) => `${((cpuMs / INBOX_RESCAN_MS) * 100).toFixed(2)} %`;
const rows = [
  { what: 'every file looked at (a full listing)', ...everyFile },
  { what: 'remembered, nothing new', ...remembered },
  { what: 'remembered, one new file in a feed folder', ...withNew },
];
// As the runtime runs it: one full listing in FULL_EVERY, the others remembered.
const FULL_EVERY = FULL_LISTING_EVERY;
const average = {
  what: `as run: one full listing in ${FULL_EVERY}, on average`,
  wallMs: (everyFile.wallMs + (FULL_EVERY - 1) * remembered.wallMs) / FULL_EVERY,
  cpuMs: (everyFile.cpuMs + (FULL_EVERY - 1) * remembered.cpuMs) / FULL_EVERY,
  seen: everyFile.seen,
};
rows.push(average);
const table = {
  title: `Listing an inbox of ${files.toLocaleString('en')} files in ${folders.length} folders (median of ${RUNS})`,
  header: [
    'listing',
    'files',
    'wall ms',
    'CPU ms',
    `share of a core at one listing per ${INBOX_RESCAN_MS / 1000} s`,
  ],
  rows: rows.map((r) => [
    r.what,
    r.seen.toLocaleString('en'),
    r.wallMs.toFixed(1),
    r.cpuMs.toFixed(1),
    share(r.cpuMs),
  ]),
  left: [0],
};
printTable(table);
const m = machine();
writeResults(
  'inbox',
  { machine: m, files, folders: folders.length, runs: RUNS, rescanMs: INBOX_RESCAN_MS, rows },
  [
    '# Inbox listing',
    '',
    describeMachine(m),
    '',
    `The local runtime lists its inbox every ${INBOX_RESCAN_MS / 1000} s to catch files the watcher missed. The lister remembers what it saw: a folder whose modification time has not moved is not read again, and a file already seen is not looked at again; one listing in ten looks at every file (\`InboxLister\` in \`functions/adapters/local/inbox.ts\`). Its cost grows with the folders and the new files, not with the files stored.`,
    '',
    markdownTable(table),
  ].join('\n'),
);
