#!/usr/bin/env node
// The `newswatch` command. The code is TypeScript run by Node 24 as it is, so older Node
// versions are told what to do instead of failing on the first type annotation.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `newswatch needs Node 24 (this is Node ${process.version}). In the repository, run: . scripts/use-node24.sh`,
  );
  process.exit(3);
}
const { runCli } = await import('../local/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
