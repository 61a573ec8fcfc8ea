import { existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { eventLog, makeWorkspace, waitFor } from './helpers.ts';

/** Change events the kernel queues for a watcher before it drops the rest (Linux). */
const queuedEventLimit = (): number => {
  const file = '/proc/sys/fs/inotify/max_queued_events';
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 16_384;
};

const article = (n: number) =>
  JSON.stringify({
    title: `Burst article ${n}`,
    date: '2026-11-20',
    source: 'Test Wire',
    body: `Relief workers counted ${n} crates of supplies at the border crossing this morning.`,
  });

describe('Local runtime: files the inbox watcher never reported', () => {
  const ws = makeWorkspace();
  let runtime: LocalRuntime | undefined;

  /** Starts the runtime, listing the inbox every second; gives its events. */
  const start = async () => {
    const log = eventLog();
    runtime = await startLocalRuntime({
      paths: ws.paths,
      seed: false,
      settleMs: 100,
      rescanMs: 1_000,
      onEvent: log.onEvent,
    });
    return log;
  };

  afterAll(async () => {
    await runtime?.stop();
    ws.remove();
  });

  it('should still ingest files dropped in a burst that overflows the change events', async () => {
    // Prepare
    const log = await start();
    mkdirSync(ws.paths.inbox, { recursive: true });

    // Act: more files than the kernel queues events for (each gives two: created, written),
    // written while the runtime cannot read its events, with the articles last: events are
    // dropped, and the watcher's own reading of the folder or the listing every second has
    // to find them. The first ones have hidden names, never ingested, so only the articles count.
    const burst = Math.ceil(queuedEventLimit() / 2) + 500;
    for (let i = 0; i < burst; i++) writeFileSync(join(ws.paths.inbox, `.noise-${i}`), '');
    for (let i = 0; i < 3; i++) writeFileSync(join(ws.paths.inbox, `burst-${i}.json`), article(i));

    // Assess: each article ingested once, whichever noticed it.
    await waitFor(
      'the three articles',
      () => (log.of('ingested').filter((e) => e.outcome.status === 'stored').length >= 3 ? true : undefined),
      30_000,
    );
    await runtime?.idle();
    const stored = log
      .of('ingested')
      .filter((e) => e.outcome.status === 'stored')
      .map((e) => e.path.split('/').pop());
    expect(stored.sort()).toEqual(['burst-0.json', 'burst-1.json', 'burst-2.json']);
  });

  it('should ingest a file changed where the watcher cannot see it', async () => {
    // Prepare: an inbox file with a second name outside the inbox (a hard link): writes through
    // that name change the file without any event on the inbox.
    await runtime?.stop();
    const log = await start();
    const inInbox = join(ws.paths.inbox, 'linked.json');
    const outside = join(ws.dir, 'linked-elsewhere.json');
    writeFileSync(inInbox, article(100));
    linkSync(inInbox, outside);
    await waitFor('the first version', () => log.of('ingested').find((e) => e.path === inInbox));

    // Act
    writeFileSync(outside, article(200));

    // Assess: the new version is ingested as a new article.
    const second = await waitFor(
      'the changed version',
      () => log.of('ingested').filter((e) => e.path === inInbox && e.outcome.status === 'stored')[1],
      15_000,
    );
    expect(second.outcome.status === 'stored' && second.outcome.title).toBe('Burst article 200');
  });
});
