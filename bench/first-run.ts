/**
 * A newcomer's first run: a fresh clone of this repository, `npm start`, and the time until
 * the first ALERT line is on the console (the seed articles copied into the inbox raise it).
 * The clone has no .tools/node24 and no node_modules, so the time includes installing Node
 * 24 and the npm packages; the npm cache is warm (a warm-up run fills it first). Each run
 * is a new clone under the temporary folder, removed afterwards.
 *
 *   npm run bench:first-run                        # 3 runs of HEAD
 *   npm run bench:first-run -- --runs 5
 *   npm run bench:first-run -- --compare <commit>  # HEAD and another commit, runs alternated
 *
 * It takes minutes, so `npm run bench` does not run it. Only committed work is measured.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  describeMachine,
  machine,
  markdownTable,
  median,
  printTable,
  type Table,
  writeResults,
} from './common.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    compare: { type: 'string' },
    timeout: { type: 'string', default: '240' },
    'no-warmup': { type: 'boolean', default: false },
  },
});
const runs = Number(args.runs);
const timeoutS = Number(args.timeout);
if (!Number.isInteger(runs) || runs < 1 || !(timeoutS > 0)) {
  console.error('--runs is a whole number above 0, --timeout a number of seconds');
  process.exit(2);
}

const root = new URL('..', import.meta.url).pathname;
const git = (...a: string[]) => execFileSync('git', ['-C', root, ...a], { encoding: 'utf8' }).trim();
const head = git('rev-parse', 'HEAD');
if (git('status', '--porcelain', '--untracked-files=no') !== '')
  console.warn('first-run: the working tree has uncommitted changes; only the commit HEAD is measured');
const refs = [
  { name: 'HEAD', commit: head, subject: git('log', '-1', '--format=%s', head) },
  ...(args.compare
    ? [
        {
          name: args.compare,
          commit: git('rev-parse', args.compare),
          subject: git('log', '-1', '--format=%s', args.compare),
        },
      ]
    : []),
];

/** Seconds from `npm start` to each step's line; undefined for a step the run did not print. */
interface Run {
  ref: string;
  nodeInstalled?: number;
  packagesInstalled?: number;
  ready?: number;
  firstAlert?: number;
  packages?: number;
  load: number;
  error?: string;
}

/** The steps, each recognised by the first line that says it is done. */
const STEPS: Array<{ key: 'nodeInstalled' | 'packagesInstalled' | 'ready' | 'firstAlert'; line: RegExp }> = [
  { key: 'nodeInstalled', line: /^use-node24: Node \S+ installed in/ },
  { key: 'packagesInstalled', line: /packages installed in|added \d+ packages/ },
  { key: 'ready', line: /^ready in / },
  { key: 'firstAlert', line: /^ALERT\b/ },
];

/** The machine's environment as a newcomer's shell has it: no Node 24 of ours on PATH, nothing set by npm. */
const newcomerEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(npm_|NEWSWATCH_|PORT$|NODE_OPTIONS$|FORCE_COLOR$|INIT_CWD$)/.test(k)) env[k] = v;
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((p) => !p.includes(`${join('.tools', 'node24')}`))
    .join(delimiter);
  return env;
};

const firstRun = (ref: (typeof refs)[number]): Promise<Run> =>
  new Promise((resolve) => {
    const dir = mkdtempSync(join(tmpdir(), 'newswatch-first-run-'));
    execFileSync('git', ['clone', '-q', root, dir]);
    execFileSync('git', ['-C', dir, 'checkout', '-q', ref.commit]);
    const run: Run = { ref: ref.name, load: loadavg()[0] ?? 0 };
    const began = performance.now();
    // Port 0: any free port, since other programs on this machine may hold 4400.
    const child = spawn('npm', ['start', '--', '--port', '0'], {
      cwd: dir,
      env: newcomerEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) run.error = error;
      const pid = child.pid;
      if (pid !== undefined) {
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      const kill = setTimeout(() => {
        if (pid !== undefined)
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // already gone
          }
      }, 15_000);
      const cleanUp = () => {
        clearTimeout(kill);
        rmSync(dir, { recursive: true, force: true });
        if (run.error) console.error(`${run.error}; the last lines:\n${output.slice(-15).join('\n')}`);
        resolve(run);
      };
      if (child.exitCode !== null || child.signalCode !== null) cleanUp();
      else child.on('close', cleanUp);
    };
    const timer = setTimeout(() => finish(`no ALERT line within ${timeoutS} s`), timeoutS * 1000);
    const onLine = (line: string) => {
      const at = (performance.now() - began) / 1000;
      output.push(`${at.toFixed(1).padStart(6)} s  ${line}`);
      const count = /installing (?:the )?(\d+) npm packages/.exec(line);
      if (count) run.packages = Number(count[1]);
      for (const step of STEPS) if (run[step.key] === undefined && step.line.test(line)) run[step.key] = at;
      if (run.firstAlert !== undefined) finish();
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split(/\r|\n/);
        rest = lines.pop() ?? '';
        for (const l of lines) if (l.trim() !== '') onLine(l);
      });
    }
    child.on('close', (code) => finish(`npm start exited (${code}) before an ALERT line`));
  });

const s = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(1));
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

const meta = machine();
const loadBefore = uptime();
console.log(`first-run: ${loadBefore}`);
if (!args['no-warmup']) {
  for (const ref of refs) {
    console.log(`first-run: warm-up run of ${ref.name} (fills the npm cache; not counted)…`);
    const w = await firstRun(ref);
    console.log(`  first ALERT at ${s(w.firstAlert)} s${w.error ? ` (${w.error})` : ''}`);
  }
}
const results: Run[] = [];
for (let i = 0; i < runs; i++)
  for (const ref of refs) {
    const r = await firstRun(ref);
    results.push(r);
    console.log(
      `run ${i + 1} of ${ref.name}: Node 24 ${s(r.nodeInstalled)} s, packages ${s(r.packagesInstalled)} s, ready ${s(r.ready)} s, first ALERT ${s(r.firstAlert)} s (load ${r.load.toFixed(2)})${r.error ? `: ${r.error}` : ''}`,
    );
  }
const loadAfter = uptime();

const medians = refs.map((ref) => {
  const mine = results.filter((r) => r.ref === ref.name);
  const m = (k: 'nodeInstalled' | 'packagesInstalled' | 'ready' | 'firstAlert') => {
    const xs = mine.map((r) => r[k]).filter((x): x is number => x !== undefined);
    return xs.length === mine.length ? median(xs) : undefined;
  };
  return {
    ref: ref.name,
    commit: ref.commit,
    subject: ref.subject,
    packages: mine.find((r) => r.packages !== undefined)?.packages,
    nodeInstalled: m('nodeInstalled'),
    packagesInstalled: m('packagesInstalled'),
    ready: m('ready'),
    firstAlert: m('firstAlert'),
    failed: mine.filter((r) => r.error).length,
  };
});

const table: Table = {
  title: `Fresh clone → first ALERT line, seconds from \`npm start\` (median of ${runs}, warm npm cache, Node 24 installed too)`,
  header: [
    'commit',
    'packages',
    'Node 24 installed',
    'packages installed',
    'runtime ready',
    'first ALERT',
    'failed',
  ],
  rows: medians.map((m) => [
    `${m.ref === 'HEAD' ? '' : `${m.ref} `}${m.commit.slice(0, 10)} ${m.subject.slice(0, 50)}`,
    String(m.packages ?? '–'),
    s(m.nodeInstalled),
    s(m.packagesInstalled),
    s(m.ready),
    s(m.firstAlert),
    String(m.failed),
  ]),
  left: [0],
};
const runsTable: Table = {
  title: 'Each run',
  header: [
    'commit',
    'load (1 min)',
    'Node 24 installed',
    'packages installed',
    'runtime ready',
    'first ALERT',
  ],
  rows: results.map((r) => [
    r.ref,
    r.load.toFixed(2),
    s(r.nodeInstalled),
    s(r.packagesInstalled),
    s(r.ready),
    r.error ? `failed: ${r.error}` : s(r.firstAlert),
  ]),
  left: [0],
};
printTable(table);
printTable(runsTable);

const command = `npm run bench:first-run --${args.runs !== '3' ? ` --runs ${args.runs}` : ''}${args.compare ? ` --compare ${args.compare}` : ''}`;
const md = [
  '# First run: fresh clone → first alert',
  '',
  describeMachine(meta),
  '',
  markdownTable(table),
  '',
  markdownTable(runsTable),
  '',
  `Command: \`${command}\`. Load (\`uptime\`) before: \`${loadBefore}\`; after: \`${loadAfter}\` (the`,
  'machine is shared with other work: 2 cores).',
  '',
  'Each run clones the repository afresh into the temporary folder (no `node_modules`, no',
  "`.tools/node24`) and runs `npm start -- --port 0` with the machine's own Node on PATH, as a",
  'newcomer would; the times are when the console first says Node 24 is installed, the npm',
  'packages are installed, the runtime is ready, and the first `ALERT` line (the seed articles',
  'copied into the inbox raise it). The npm cache is warm: a warm-up run of each commit, not',
  'counted, fills it first; downloads are not part of the figure. Target: first ALERT ≤ 30 s.',
  'This takes minutes, so `npm run bench` does not run it.',
].join('\n');
writeResults('first-run', { machine: meta, command, loadBefore, loadAfter, medians, runs: results }, md);
if (results.some((r) => r.error)) process.exitCode = 1;
