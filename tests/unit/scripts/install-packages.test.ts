import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isInstalled,
  type LockEntry,
  type Platform,
  wantedPackages,
} from '../../../scripts/install-packages.ts';

const linux: Platform = { os: 'linux', cpu: 'x64', libc: 'glibc' };
const paths = (packages: Record<string, LockEntry>, scope: 'run' | 'all', platform = linux) =>
  wantedPackages(packages, scope, platform).map((p) => p.path);

/** A lock with a runtime package, a dev tool, platform builds, a nested version and peers. */
const LOCK: Record<string, LockEntry> = {
  '': { dependencies: { app: '1' }, devDependencies: { tool: '1' } },
  'node_modules/app': {
    version: '1.0.0',
    dependencies: { shared: '^2' },
    optionalDependencies: { 'app-linux-x64': '1', 'app-darwin-arm64': '1', 'app-linux-x64-musl': '1' },
  },
  'node_modules/app/node_modules/shared': { version: '2.0.0' },
  'node_modules/app-linux-x64': {
    version: '1.0.0',
    optional: true,
    os: ['linux'],
    cpu: ['x64'],
    libc: ['glibc'],
  },
  'node_modules/app-linux-x64-musl': {
    version: '1.0.0',
    optional: true,
    os: ['linux'],
    cpu: ['x64'],
    libc: ['musl'],
  },
  'node_modules/app-darwin-arm64': {
    version: '1.0.0',
    optional: true,
    os: ['darwin'],
    cpu: ['arm64'],
    dependencies: { 'darwin-helper': '1' },
  },
  'node_modules/darwin-helper': { version: '1.0.0', optional: true },
  'node_modules/tool': {
    version: '3.0.0',
    dev: true,
    dependencies: { shared: '^1' },
    peerDependencies: { peer: '1', 'maybe-peer': '1' },
    peerDependenciesMeta: { 'maybe-peer': { optional: true } },
  },
  'node_modules/shared': { version: '1.0.0', dev: true },
  'node_modules/peer': { version: '1.0.0', dev: true },
  'node_modules/maybe-peer': { version: '1.0.0', dev: true, optional: true },
};

describe('Script: install-packages', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("should want only the runtime's packages for `run`, each resolved where Node finds it", () => {
    // Act
    const run = paths(LOCK, 'run');

    // Assess
    expect(run).toEqual([
      'node_modules/app',
      'node_modules/app-linux-x64',
      'node_modules/app/node_modules/shared',
    ]);
  });

  it('should add the development tools and their required peers for `all`, but no optional peer', () => {
    // Act
    const all = paths(LOCK, 'all');

    // Assess
    expect(all).toEqual([
      'node_modules/app',
      'node_modules/app-linux-x64',
      'node_modules/app/node_modules/shared',
      'node_modules/peer',
      'node_modules/shared',
      'node_modules/tool',
    ]);
    expect(wantedPackages(LOCK, 'all', linux).filter((p) => p.dev)).toHaveLength(3);
  });

  it("should choose another system's build, and what only that build needs, on that system", () => {
    // Act
    const mac = paths(LOCK, 'run', { os: 'darwin', cpu: 'arm64' });
    const musl = paths(LOCK, 'run', { os: 'linux', cpu: 'x64', libc: 'musl' });

    // Assess
    expect(mac).toEqual([
      'node_modules/app',
      'node_modules/app-darwin-arm64',
      'node_modules/app/node_modules/shared',
      'node_modules/darwin-helper',
    ]);
    expect(musl).toContain('node_modules/app-linux-x64-musl');
    expect(musl).not.toContain('node_modules/app-linux-x64');
  });

  it('should count a package as installed only at its locked version', () => {
    // Prepare
    dir = mkdtempSync(join(tmpdir(), 'install-packages-'));
    const put = (path: string, version: string) => {
      mkdirSync(join(dir as string, path), { recursive: true });
      writeFileSync(join(dir as string, path, 'package.json'), JSON.stringify({ version }));
    };
    put('node_modules/app', '1.0.0');
    put('node_modules/app/node_modules/shared', '1.9.0');
    const [app, , shared] = wantedPackages(LOCK, 'run', linux);

    // Act / Assess
    expect(isInstalled(dir, app as never)).toBe(true);
    expect(isInstalled(dir, shared as never)).toBe(false);
    expect(
      isInstalled(dir, {
        path: 'node_modules/app-linux-x64',
        version: '1.0.0',
        dev: false,
        hasInstallScript: false,
      }),
    ).toBe(false);
  });

  it("should want for `run` exactly the packages the project's lock file marks as not dev, for this platform", () => {
    // Prepare
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, LockEntry>;
    };
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies: Record<string, string>;
    };

    // Act
    const run = wantedPackages(lock.packages, 'run', linux).map((p) => p.path);

    // Assess: npm's own `dev` flags, less the builds for other systems.
    const notDev = Object.entries(lock.packages)
      .filter(([path, e]) => path !== '' && e.dev !== true)
      .filter(([, e]) => !e.os || e.os.includes('linux'))
      .filter(([, e]) => !e.cpu || e.cpu.includes('x64'))
      .map(([path]) => path)
      .sort();
    expect(run).toEqual(notDev);
    for (const name of Object.keys(manifest.dependencies)) expect(run).toContain(`node_modules/${name}`);
  });
});
