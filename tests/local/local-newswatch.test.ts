import { copyFileSync, readdirSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalNewswatch, openLocalNewswatch } from '../../local/local-newswatch.ts';
import { eventLog, makeWorkspace, type Workspace } from './helpers.ts';

const SEED = 'tests/fixtures/seeds/articles/000_9c9c4874b48bb81e.txt';

describe('Class: LocalNewswatch', () => {
  let ws: Workspace;
  let local: LocalNewswatch;
  const log = eventLog();

  beforeAll(async () => {
    ws = makeWorkspace();
    local = await openLocalNewswatch({ paths: ws.paths, onEvent: log.onEvent });
    await local.reloadTopics();
    local.reloadSubscribers();
  });

  afterAll(async () => {
    await local.close();
    ws.remove();
  });

  it('should send at start the alerts a stopped run left unsent, once', async () => {
    // Prepare: the article stored and matched, its alerts left pending (as after a crash before publishing).
    const path = join(ws.dir, 'seed.txt');
    copyFileSync(SEED, path);
    const alerts = local.ports.alerts;
    Object.assign(local.ports, { alerts: undefined });
    await local.ingestFile(path);
    Object.assign(local.ports, { alerts });
    const pendingBefore = (await local.catalog.snapshot()).matches.filter((m) => m.alertState === 'pending');
    log.clear();

    // Act
    const sent = await local.resumeUnsentAlerts();
    const again = await local.resumeUnsentAlerts();

    // Assess
    expect(pendingBefore).toHaveLength(3);
    expect(sent).toBe(3);
    expect(again).toBe(0);
    expect(log.of('alert')).toHaveLength(3);
    expect(readdirSync(join(ws.paths.home, 'outbox'))).toHaveLength(1);
    const states = (await local.catalog.snapshot()).matches.map((m) => m.alertState);
    expect(new Set(states)).toEqual(new Set(['sent']));
  });

  it('should record a file that vanished before it could be read as ObjectGone', async () => {
    // Act
    const outcome = await local.ingestFile(join(ws.paths.inbox, 'vanished.txt'));

    // Assess
    expect(outcome).toMatchObject({
      status: 'rejected',
      key: 'inbox/vanished.txt',
      error: { kind: 'ObjectGone' },
    });
    expect(await local.articles.getSource('inbox/vanished.txt')).toMatchObject({
      status: 'rejected',
      errorKind: 'ObjectGone',
    });
  });

  it('should refuse a file over the size limit without reading it', async () => {
    // Prepare: a sparse file far over the limit (reading it would fail outright).
    const path = join(ws.dir, 'huge.txt');
    writeFileSync(path, '');
    const { truncateSync } = await import('node:fs');
    truncateSync(path, 3 * 1024 ** 3);

    // Act
    const outcome = await local.ingestFile(path);

    // Assess
    expect(outcome).toMatchObject({ status: 'rejected', error: { kind: 'TooLarge' } });
  });

  it('should ingest a new version of a file even when its modification time is older', async () => {
    // Prepare: a file ingested, then replaced by a copy that keeps an older time (cp -p, an archive).
    const path = join(ws.dir, 'versions.txt');
    writeFileSync(path, 'Officials in Baku and Tbilisi agreed on a new rail timetable on Monday.\n');
    const first = await local.ingestFile(path);
    writeFileSync(path, 'Officials in Baku and Yerevan opened talks on a border crossing on Tuesday.\n');
    utimesSync(path, new Date('2020-01-01'), new Date('2020-01-01'));

    // Act
    const second = await local.ingestFile(path);
    const third = await local.ingestFile(path);

    // Assess
    expect(first.status).toBe('stored');
    expect(second.status).toBe('stored');
    expect(third.status).toBe('unchanged');
    expect(existsSync(path)).toBe(true);
  });
});
