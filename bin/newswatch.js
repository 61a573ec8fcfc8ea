#!/usr/bin/env node
// The `newswatch` command. The code is TypeScript run by Node 24 as it is. Started by another
// Node (the machine's own, through npx), it finds the project's Node 24 — installing it once
// into .tools/node24 with scripts/use-node24.sh — and runs itself again with it.
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath, URL } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const script = fileURLToPath(new URL('../scripts/use-node24.sh', import.meta.url));
  // use-node24.sh says what it installs on stderr; stdout carries the path of Node 24.
  const found = spawnSync('bash', ['-c', '. "$1" >&2 && command -v node', 'use-node24', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const node = found.status === 0 ? found.stdout.trim() : '';
  if (!node) {
    console.error(
      `newswatch needs Node 24 (this is Node ${process.version}) and could not install it; in the repository, run: . scripts/use-node24.sh`,
    );
    process.exit(3);
  }
  // The runtime gets the memory settings `npm start` gives it (scripts/start.sh).
  const start = process.argv[2] === 'start';
  const child = spawn(
    node,
    [...(start ? ['--max-semi-space-size=4'] : []), fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: start ? { MALLOC_ARENA_MAX: '2', ...process.env } : process.env },
  );
  // Ctrl-C reaches both processes: this one waits for the command to stop cleanly. A signal
  // sent to this process alone is passed on.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) =>
    process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 3)),
  );
} else {
  const { runCli } = await import('../local/cli/main.ts');
  process.exitCode = await runCli(process.argv.slice(2));
}
