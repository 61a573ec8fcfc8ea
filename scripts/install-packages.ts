/**
 * Installs the npm packages a command needs when they are missing, saying what it installs
 * and how far it is. `npm start` needs only the packages newswatch runs with (`dependencies`
 * and what they pull in); `npm test` needs the development tools as well (CDK, vitest,
 * linters). Run with Node 24, before any package is there, so it imports nothing but Node:
 *
 *   node scripts/install-packages.ts run    # the runtime's packages (npm ci --omit=dev)
 *   node scripts/install-packages.ts all    # every package (npm ci)
 *   node scripts/install-packages.ts run "npm start" --started <status file> <epoch seconds>
 *                                           # follows an npm ci --omit=dev already running,
 *                                           # which writes its exit code to the status file
 *
 * Nothing is installed when every package the lock file wants for this platform is in
 * node_modules at its locked version. Progress is counted from the lock file: the packages
 * npm has unpacked so far out of those it will install, every few seconds (in place on a
 * terminal), then the install scripts, then the total time.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One entry of package-lock.json's `packages`. */
export interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  link?: boolean;
  hasInstallScript?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The platform packages are chosen for: Node's `process.platform`, `process.arch`, and glibc or musl on Linux. */
export interface Platform {
  os: string;
  cpu: string;
  libc?: 'glibc' | 'musl';
}

/** Which packages a command needs: the runtime's, or all of them. */
export type Scope = 'run' | 'all';

/** A lock file's package path (`node_modules/@aws-sdk/client-s3`) with what the lock says of it. */
export interface WantedPackage {
  path: string;
  version: string | undefined;
  dev: boolean;
  hasInstallScript: boolean;
}

/** Whether an os/cpu/libc list of a lock entry allows this value (`!darwin` excludes). */
const allows = (list: readonly string[] | undefined, value: string | undefined): boolean => {
  if (!list || list.length === 0) return true;
  if (value === undefined) return false;
  if (list.includes(`!${value}`)) return false;
  const positive = list.filter((v) => !v.startsWith('!'));
  return positive.length === 0 || positive.includes(value);
};

/** Whether a package is built for this platform. */
const fits = (e: LockEntry, platform: Platform): boolean =>
  allows(e.os, platform.os) &&
  allows(e.cpu, platform.cpu) &&
  (platform.os !== 'linux' || allows(e.libc, platform.libc));

/**
 * The lock path a package at `from` gets for `name`, the way Node resolves it: its own
 * node_modules first, then each parent's, up to the top.
 */
const resolveIn = (
  packages: Readonly<Record<string, LockEntry>>,
  from: string,
  name: string,
): string | undefined => {
  for (let base = from; ;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return undefined;
    const up = base.lastIndexOf('/node_modules/');
    base = up === -1 ? '' : base.slice(0, up);
  }
};

/**
 * The packages `npm ci` installs from a lock file on this platform, found as npm finds them:
 * from the project's dependencies (and, for `all`, its devDependencies), through each
 * package's dependencies, optional ones and required peers. An optional package built for
 * another system is left out, and so is what only it needs.
 */
export const wantedPackages = (
  packages: Readonly<Record<string, LockEntry>>,
  scope: Scope,
  platform: Platform,
): WantedPackage[] => {
  const found = new Set<string>();
  const visit = (from: string, deps: Record<string, string> | undefined, optional: boolean) => {
    for (const name of Object.keys(deps ?? {})) {
      const path = resolveIn(packages, from, name);
      const entry = path === undefined ? undefined : packages[path];
      if (path === undefined || entry === undefined || found.has(path) || entry.link) continue;
      if (optional && !fits(entry, platform)) continue;
      found.add(path);
      walk(path, entry);
    }
  };
  const walk = (path: string, e: LockEntry) => {
    visit(path, e.dependencies, false);
    visit(path, e.optionalDependencies, true);
    const peers = Object.fromEntries(
      Object.entries(e.peerDependencies ?? {}).filter(
        ([n]) => e.peerDependenciesMeta?.[n]?.optional !== true,
      ),
    );
    visit(path, peers, false);
  };
  const root = packages[''] ?? {};
  walk('', root);
  if (scope === 'all') visit('', root.devDependencies, false);
  return [...found].sort().map((path) => {
    const e = packages[path] as LockEntry;
    return { path, version: e.version, dev: e.dev === true, hasInstallScript: e.hasInstallScript === true };
  });
};

/** Whether a package of the lock is in place at its version under `root`. */
export const isInstalled = (root: string, p: WantedPackage): boolean => {
  const manifest = join(root, p.path, 'package.json');
  if (!existsSync(manifest)) return false;
  if (p.version === undefined) return true;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version === p.version;
  } catch {
    return false;
  }
};

/** The platform this Node runs on. */
export const thisPlatform = (): Platform => {
  if (process.platform !== 'linux') return { os: process.platform, cpu: process.arch };
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return { os: process.platform, cpu: process.arch, libc: header?.glibcVersionRuntime ? 'glibc' : 'musl' };
};

/** `12.3 s` */
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A package path's name: `node_modules/a/node_modules/@b/c` → `@b/c`. */
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

/** An `npm ci --omit=dev` started before Node 24 was there (scripts/start.sh), which writes its exit code to a file. */
export interface StartedInstall {
  statusFile: string;
  /** When it started (ms since the epoch). */
  since: number;
}

/**
 * Installs what `scope` needs when some of it is missing, or follows the install `started`
 * already; resolves to npm's exit code (0 when nothing was needed).
 */
export const installPackages = async (
  root: string,
  scope: Scope,
  label: string,
  started?: StartedInstall,
): Promise<number> => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const platform = thisPlatform();
  const needed = wantedPackages(lock.packages, scope, platform);
  if (!started && needed.every((p) => isInstalled(root, p))) return 0;
  // A checkout with the development tools installed keeps them: `npm start` there reinstalls all.
  const devThere =
    !started && wantedPackages(lock.packages, 'all', platform).some((p) => p.dev && isInstalled(root, p));
  const all = scope === 'all' || devThere;
  const installing = all ? wantedPackages(lock.packages, 'all', platform) : needed;
  const dev = installing.filter((p) => p.dev).length;
  const say = (line: string) => process.stderr.write(`${label}: ${line}\n`);
  const devCount = wantedPackages(lock.packages, 'all', platform).length - installing.length;
  say(
    started
      ? `npm ci --omit=dev is installing the ${installing.length} npm packages newswatch runs with, from package-lock.json (\`npm test\` adds the ${devCount} development tools)…`
      : all
        ? `installing ${installing.length} npm packages from package-lock.json (${installing.length - dev} newswatch runs with, ${dev} development tools: CDK, vitest, linters) with npm ci…`
        : `installing the ${installing.length} npm packages newswatch runs with, from package-lock.json (npm ci --omit=dev; \`npm test\` adds the ${devCount} development tools)…`,
  );
  if (!started && existsSync(join(root, 'node_modules')))
    say('npm ci empties node_modules first, so the count starts again from 0');
  const began = started ? started.since - performance.timeOrigin : performance.now();
  const npm = started
    ? undefined
    : spawn('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error', ...(all ? [] : ['--omit=dev'])], {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
  const terminal = process.stderr.isTTY === true;
  const scripts = [
    ...new Set(installing.filter((p) => p.hasInstallScript).map((p) => nameOf(p.path))),
    'patch-package',
  ];
  let announcedScripts = false;
  let printed = { unpacked: -1, at: 0 };
  const report = () => {
    const unpacked = installing.filter((p) => existsSync(join(root, p.path, 'package.json'))).length;
    const took = seconds(performance.now() - began);
    if (unpacked >= installing.length && !announcedScripts) {
      announcedScripts = true;
      if (terminal) process.stderr.write('\r\u001b[K');
      say(
        `${installing.length} packages unpacked (${took}); running their install scripts (${scripts.join(', ')})…`,
      );
      return;
    }
    if (announcedScripts) return;
    const line = `  ${unpacked} of ${installing.length} packages unpacked, ${took}`;
    if (terminal) process.stderr.write(`\r\u001b[K${line}`);
    else if (unpacked !== printed.unpacked || performance.now() - printed.at > 9_000) {
      // Piped: a line when the count moves, else every 10 s or so, to show it is still going.
      process.stderr.write(`${line}\n`);
      printed = { unpacked, at: performance.now() };
    }
  };
  const timer = setInterval(report, terminal ? 500 : 2000);
  const code = await new Promise<number>((resolve) => {
    if (npm) {
      npm.on('error', (e) => {
        say(`could not run npm: ${e.message}`);
        resolve(127);
      });
      npm.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
      return;
    }
    const statusFile = (started as StartedInstall).statusFile;
    const poll = setInterval(() => {
      if (!existsSync(statusFile)) return;
      const status = readFileSync(statusFile, 'utf8').trim();
      if (status === '') return;
      clearInterval(poll);
      resolve(Number(status));
    }, 200);
  });
  clearInterval(timer);
  if (terminal && !announcedScripts) process.stderr.write('\r\u001b[K');
  if (code !== 0) say(`npm ci failed (exit ${code}) after ${seconds(performance.now() - began)}`);
  else say(`${installing.length} packages installed in ${seconds(performance.now() - began)}`);
  return code;
};

if (import.meta.main) {
  const [scope, label = 'install', flag, statusFile, since] = process.argv.slice(2);
  if ((scope !== 'run' && scope !== 'all') || (flag !== undefined && (flag !== '--started' || !statusFile))) {
    console.error(
      'usage: node scripts/install-packages.ts run|all [label] [--started <status file> <epoch seconds>]',
    );
    process.exit(2);
  }
  const root = new URL('..', import.meta.url).pathname;
  const started = statusFile ? { statusFile, since: Number(since) * 1000 } : undefined;
  process.exitCode = await installPackages(root, scope, label, started);
}
