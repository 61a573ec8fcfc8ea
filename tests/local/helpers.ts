import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalEvent, LocalPaths } from '../../local/local-newswatch.ts';

/** A throw-away workspace: its own home, inbox and a copy of the seed topics. */
export interface Workspace {
  dir: string;
  paths: LocalPaths;
  remove(): void;
}

/** Makes a workspace under the system's temporary folder; the subscribers file is copied too. */
export const makeWorkspace = (): Workspace => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-local-'));
  cpSync('tests/fixtures/seeds/topics', join(dir, 'topics'), { recursive: true });
  cpSync('tests/fixtures/seeds/subscribers.yaml', join(dir, 'subscribers.yaml'));
  return {
    dir,
    paths: {
      home: join(dir, 'home'),
      inbox: join(dir, 'inbox'),
      topics: join(dir, 'topics'),
      subscribers: join(dir, 'subscribers.yaml'),
      seedArticles: join(process.cwd(), 'tests', 'fixtures', 'seeds', 'articles'),
      labels: join(dir, 'labels'),
      // No feeds unless a test writes this file: nothing polls the shipped feeds from a test.
      feeds: join(dir, 'feeds.yaml'),
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
};

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export const waitFor = async <T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** Collects the events of a runtime. */
export const eventLog = () => {
  const events: LocalEvent[] = [];
  return {
    events,
    onEvent: (e: LocalEvent) => events.push(e),
    of: <K extends LocalEvent['type']>(type: K) =>
      events.filter((e): e is Extract<LocalEvent, { type: K }> => e.type === type),
    clear: () => events.splice(0),
  };
};

/** What a run of the `newswatch` command printed, and how it ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without colour settings (CI may set them): output must be plain because it is piped. */
export const plainEnv = (): NodeJS.ProcessEnv => {
  const { FORCE_COLOR: _f, NO_COLOR: _n, ...rest } = process.env;
  return { ...rest, CI: 'true' };
};

/**
 * Runs the `newswatch` command for the workspace as a user would (stdout and stderr are pipes,
 * so no colour); with no runtime running it opens the data folder itself.
 */
export const newswatch = (ws: Workspace, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        'bin/newswatch.js',
        '--home',
        ws.paths.home,
        '--inbox',
        ws.paths.inbox,
        '--topics',
        ws.paths.topics,
        '--subscribers',
        ws.paths.subscribers,
        '--feeds',
        ws.paths.feeds as string,
        ...args,
      ],
      {
        env: { ...plainEnv(), NEWSWATCH_LABELS: ws.paths.labels, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

/** Polls the dashboard's status until `ready` holds, or fails after `timeoutMs`. */
export const waitForStatus = async (
  url: string,
  ready: (s: { articles: number; alerts: number; errors: number }) => boolean,
  timeoutMs = 30_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await (await fetch(`${url}/api/status`)).json()) as {
      articles: number;
      alerts: number;
      errors: number;
    };
    if (ready(status)) return;
    if (Date.now() > deadline) throw new Error(`dashboard not ready: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
