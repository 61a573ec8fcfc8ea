import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertPublishError, type AlertPublisher } from '../../functions/core/pipeline/matching.ts';
import type { FileResult } from '../../local/ingest-file.ts';
import { type LocalNewswatch, openLocalNewswatch } from '../../local/local-newswatch.ts';
import { loadFiles } from '../load/load-files.ts';
import { eventLog, makeWorkspace, type Workspace } from './helpers.ts';

const FORMATS = 'tests/fixtures/formats';

/** One machine's newswatch, ingesting on `threads` threads of its own (0: on this one). */
interface Run {
  ws: Workspace;
  local: LocalNewswatch;
  log: ReturnType<typeof eventLog>;
}

const open = async (threads: number, script?: URL): Promise<Run> => {
  const ws = makeWorkspace();
  const log = eventLog();
  const local = await openLocalNewswatch({ paths: ws.paths, onEvent: log.onEvent });
  await local.reloadTopics();
  local.reloadSubscribers();
  local.startIngestThreads(threads, script);
  mkdirSync(ws.paths.inbox, { recursive: true });
  return { ws, local, log };
};

/** The same files in each inbox: load articles (with copies and a picture), documents and feeds. */
const dropFiles = (inbox: string): string[] => {
  const names: string[] = [];
  for (const f of loadFiles(60)) {
    writeFileSync(join(inbox, f.name), f.bytes);
    names.push(f.name);
  }
  for (const name of readdirSync(FORMATS).sort()) {
    if (/\.(ts|md)$/.test(name)) continue;
    copyFileSync(join(FORMATS, name), join(inbox, name));
    names.push(name);
  }
  return names;
};

/** What the table holds, without the times it was written at. */
const tableOf = async (local: LocalNewswatch) => {
  const snap = await local.catalog.snapshot();
  return {
    articles: snap.articles.map((a) => [a.id, a.sourceKey, a.title, a.language]).sort(),
    matches: snap.matches.map((m) => [m.articleId, m.topicId, m.score, m.alertState]).sort(),
  };
};

describe('Local runtime: ingest threads', () => {
  const runs: Run[] = [];

  afterAll(async () => {
    for (const r of runs) {
      await r.local.close();
      r.ws.remove();
    }
  });

  it('should give the same outcomes, table and alerts on an ingest thread as on the main thread', async () => {
    // Prepare
    const [here, threaded] = [await open(0), await open(1)];
    runs.push(here, threaded);
    const names = dropFiles(here.ws.paths.inbox);
    dropFiles(threaded.ws.paths.inbox);

    // Act: each file in turn, in the same order, so stories form the same way.
    const outcomes: FileResult[][] = [[], []];
    for (const name of names) {
      outcomes[0]?.push(await here.local.ingestFile(join(here.ws.paths.inbox, name)));
      outcomes[1]?.push(await threaded.local.ingestFile(join(threaded.ws.paths.inbox, name)));
    }
    const again = await threaded.local.ingestFile(join(threaded.ws.paths.inbox, names[0] as string));

    // Assess
    const statuses = new Set(outcomes[0]?.map((o) => o.status));
    expect([...statuses].sort()).toEqual(['container', 'duplicate', 'rejected', 'stored']);
    // A refused file's copy lies under each run's own home.
    const relative = (r: Run, o: FileResult[]): unknown =>
      JSON.parse(JSON.stringify(o).replaceAll(r.ws.dir, '<dir>'));
    expect(relative(threaded, outcomes[1] ?? [])).toEqual(relative(here, outcomes[0] ?? []));
    expect(again.status).toBe('unchanged');
    expect(await tableOf(threaded.local)).toEqual(await tableOf(here.local));
    const sent = (r: Run) =>
      r.log
        .of('alert')
        .map((e) => e.alert.id)
        .sort();
    expect(sent(threaded).length).toBeGreaterThan(20);
    expect(sent(threaded)).toEqual(sent(here));
  }, 120_000);

  it.each([0, 1])(
    'should throw a failed publish as the error it is, and send once when tried again (%i threads)',
    async (threads) => {
      // Prepare: the publisher (on the main thread, whoever ingests) refuses every alert once.
      const run = await open(threads);
      runs.push(run);
      const publisher = run.local.ports.alerts?.publisher as AlertPublisher;
      const publish = publisher.publish.bind(publisher);
      publisher.publish = (alerts) =>
        Promise.resolve({ failed: alerts.map((a) => ({ id: a.id, reason: 'mail server down' })) });
      const path = join(run.ws.paths.inbox, 'seed.txt');
      copyFileSync('tests/fixtures/seeds/articles/000_9c9c4874b48bb81e.txt', path);

      // Act
      const failed = await run.local.ingestFile(path).catch((e: unknown) => e);
      publisher.publish = publish;
      const retried = await run.local.ingestFile(path);
      const twice = await run.local.ingestFile(path);

      // Assess
      expect(failed).toBeInstanceOf(AlertPublishError);
      expect((failed as Error).message).toMatch(/mail server down/);
      expect(retried.status).toBe('stored');
      expect(twice.status).toBe('unchanged');
      const ids = run.log.of('alert').map((e) => e.alert.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
    },
    60_000,
  );

  it('should ingest the other files a stopped thread had in hand, and refuse the one that stops its thread alone', async () => {
    // Prepare: a thread that stops when handed one of the files; five files in hand at once.
    const run = await open(1, new URL('../fixtures/stopping-ingest-worker.ts', import.meta.url));
    runs.push(run);
    const files = loadFiles(4);
    const paths = files.map((f) => join(run.ws.paths.inbox, f.name));
    files.forEach((f, i) => writeFileSync(paths[i] as string, f.bytes));
    const stopping = join(run.ws.paths.inbox, 'stops-its-thread.txt');
    writeFileSync(stopping, 'Aid talks\n\nThe ministers met on Tuesday to talk about aid.\n');

    // Act
    const outcomes = await Promise.all([...paths, stopping].map((p) => run.local.ingestFile(p)));
    const snap = await run.local.catalog.snapshot();

    // Assess: every file has its outcome; the one that stops its thread is refused and kept.
    const [refused] = outcomes.splice(-1);
    // (A file the stopped thread had finished is found ingested when read again.)
    expect(outcomes.map((o) => (o.status === 'unchanged' ? o.previously : o.status))).toEqual(
      files.map((f) => f.expected),
    );
    expect(snap.articles).toHaveLength(files.filter((f) => f.expected === 'stored').length);
    expect(refused?.status).toBe('rejected');
    expect(refused?.status === 'rejected' && refused.error.kind).toBe('ParserFailure');
    expect(refused?.status === 'rejected' && refused.quarantineKey).toBeTruthy();
    expect(snap.errors.map((e) => [e.key, e.kind])).toEqual([
      ['inbox/stops-its-thread.txt', 'ParserFailure'],
    ]);
  }, 60_000);
});
