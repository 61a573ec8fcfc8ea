import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import {
  expectedOutcomes,
  loadFiles,
  peakRss,
  reportLoad,
  requestsBetween,
  trackProgress,
} from '../load/load-files.ts';
import { eventLog, makeWorkspace, waitFor } from './helpers.ts';

// A small run in every test pass; `npm run load` sets LOAD_FILES=10000 and LOAD_REPORT=1.
const N = Number(process.env.LOAD_FILES ?? 300);

describe('Load: files dropped into the inbox of the local runtime', () => {
  const ws = makeWorkspace();
  let runtime: LocalRuntime | undefined;

  afterAll(async () => {
    await runtime?.stop();
    ws.remove();
  });

  it(
    `should account for all ${N} files and publish one alert per match`,
    async () => {
      // Prepare
      const log = eventLog();
      runtime = await startLocalRuntime({
        paths: ws.paths,
        seed: false,
        settleMs: 100,
        onEvent: log.onEvent,
      });
      const files = loadFiles(N);
      mkdirSync(ws.paths.inbox, { recursive: true });
      const requestsBefore = runtime.local.tableRequests();
      const started = performance.now();

      // Act: the files are dropped while it runs, as a person or a sync tool would.
      let outcomesSeen = 0;
      const stopProgress = trackProgress('local load', N, () => outcomesSeen);
      for (const f of files) writeFileSync(join(ws.paths.inbox, f.name), f.bytes);
      await waitFor(
        `${N} outcomes`,
        () => {
          outcomesSeen = log.of('ingested').length + log.of('ingest-failed').length;
          return outcomesSeen >= N ? true : undefined;
        },
        Math.max(60_000, N * 250),
      );
      await runtime.idle();
      const seconds = (performance.now() - started) / 1000;
      const requests = requestsBetween(requestsBefore, runtime.local.tableRequests());
      const progress = stopProgress();

      // Assess: files in = articles + duplicates + errors; alerts published = matches.
      const outcomes: Record<string, number> = {};
      let matches = 0;
      for (const { outcome } of log.of('ingested')) {
        outcomes[outcome.status] = (outcomes[outcome.status] ?? 0) + 1;
        if (outcome.status === 'stored') matches += outcome.matches.length;
      }
      const alertIds = log.of('alert').map((e) => e.alert.id);
      reportLoad({
        path: 'local runtime (SQLite table, inbox watcher)',
        files: N,
        seconds,
        filesPerSecond: N / seconds,
        outcomes,
        matches,
        alertsSent: alertIds.length,
        alertsReceived: new Set(alertIds).size,
        progress,
        peakRss: peakRss(),
        requests,
      });
      expect(log.of('ingest-failed')).toEqual([]);
      expect(requests.PutItem).toBeGreaterThan(0);
      expect(outcomes).toEqual(expectedOutcomes(files));
      expect(matches).toBeGreaterThan(N);
      expect(alertIds).toHaveLength(matches);
      expect(new Set(alertIds).size).toBe(matches);
      const snap = await runtime.snapshot();
      expect(snap.articles).toHaveLength(expectedOutcomes(files).stored);
    },
    Math.max(120_000, Number(process.env.LOAD_FILES ?? 300) * 300),
  );
});
