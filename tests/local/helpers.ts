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
  cpSync('seeds/topics', join(dir, 'topics'), { recursive: true });
  cpSync('seeds/subscribers.yaml', join(dir, 'subscribers.yaml'));
  return {
    dir,
    paths: {
      home: join(dir, 'home'),
      inbox: join(dir, 'inbox'),
      topics: join(dir, 'topics'),
      subscribers: join(dir, 'subscribers.yaml'),
      seedArticles: join(process.cwd(), 'seeds', 'articles'),
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
