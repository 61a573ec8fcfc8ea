/**
 * Runs every benchmark, each in its own Node process, then writes the summary table
 * (bench/results/summary.md) against the targets. `npm run bench` for the full run (tens of
 * minutes: the matcher goes to 1M topics and runs Lucene Monitor beside it), `npm run
 * bench -- --smoke` for a quick run of every part (CI), `npm run bench -- match cost` for
 * some parts.
 */
import { spawnSync } from 'node:child_process';
import { smoke } from './common.ts';

const PARTS: Record<string, string[]> = {
  parse: ['bench/parse.ts'],
  language: ['bench/language.ts'],
  coldstart: ['bench/coldstart.ts'],
  match: ['--expose-gc', '--max-old-space-size=12288', 'bench/match.ts'],
  stories: ['bench/stories.ts'],
  inbox: ['bench/inbox.ts'],
  cost: ['bench/cost.ts'], // after parse: it reads the CPU time per article from parse.json
  relevance: ['bench/relevance.ts'],
  dashboard: ['bench/dashboard.ts'],
  'read-models': ['--expose-gc', 'bench/read-models.ts'],
};
const asked = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const unknown = asked.filter((a) => !(a in PARTS));
if (unknown.length) {
  console.error(`unknown part(s): ${unknown.join(', ')}; parts: ${Object.keys(PARTS).join(', ')}`);
  process.exit(2);
}
const failed: string[] = [];
for (const [name, args] of Object.entries(PARTS)) {
  if (asked.length && !asked.includes(name)) continue;
  console.log(`\n=== ${name}${smoke ? ' (smoke)' : ''} ===`);
  const started = performance.now();
  const r = spawnSync(process.execPath, [...args, ...(smoke ? ['--smoke'] : [])], { stdio: 'inherit' });
  console.log(
    `=== ${name}: ${r.status === 0 ? 'done' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(0)} s ===`,
  );
  if (r.status !== 0) failed.push(name);
}
const summary = spawnSync(process.execPath, ['bench/summary.ts', ...(smoke ? ['--smoke'] : [])], {
  stdio: 'inherit',
});
if (summary.status !== 0) failed.push('summary');
if (failed.length) {
  console.error(`\nbenchmark parts failed: ${failed.join(', ')}`);
  process.exit(1);
}
