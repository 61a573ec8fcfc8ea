import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { EVERY_FORMAT } from '../fixtures/formats/every-format.ts';
import { eventLog, makeWorkspace, waitFor, type Workspace } from './helpers.ts';

describe('Local runtime: a file of every format dropped into the inbox', () => {
  let ws: Workspace;
  let runtime: LocalRuntime | undefined;
  const log = eventLog();

  beforeAll(async () => {
    // Prepare: a runtime without the seed articles, then one sample of each format at once.
    ws = makeWorkspace();
    runtime = await startLocalRuntime({
      paths: ws.paths,
      port: 0,
      seed: false,
      settleMs: 150,
      onEvent: log.onEvent,
    });
    mkdirSync(join(ws.paths.inbox, 'formats'), { recursive: true });

    // Act
    for (const [name, file] of Object.entries(EVERY_FORMAT))
      writeFileSync(join(ws.paths.inbox, 'formats', name), file.bytes);
    await waitFor(
      'every file ingested',
      () => (log.of('ingested').length >= Object.keys(EVERY_FORMAT).length ? true : undefined),
      60_000,
    );
    await runtime.idle();
  }, 90_000);

  afterAll(async () => {
    await runtime?.stop();
    ws.remove();
  });

  it.each(Object.entries(EVERY_FORMAT))(
    'should read %s as its format and store what it holds',
    async (name, expected) => {
      // Act
      const key = `inbox/formats/${name}`;
      const snap = await (runtime as LocalRuntime).snapshot();
      const outcome = log.of('ingested').find((e) => e.outcome.key === key)?.outcome;

      // Assess
      if (expected.items) {
        expect(outcome).toMatchObject({ status: 'container', format: expected.format });
        const items = outcome?.status === 'container' ? outcome.items : [];
        expect(items.map((i) => [i.key, i.status])).toEqual(
          expected.items.map(({ item }) => [`${key}#${item}`, 'stored']),
        );
        for (const { item, summaryOnly } of expected.items) {
          const article = snap.articles.find((a) => a.sourceKey === `${key}#${item}`);
          expect(article, item).toMatchObject({ format: expected.format, container: { key, item } });
          expect(article?.summaryOnly ?? false, item).toBe(summaryOnly);
        }
      } else {
        expect(outcome).toMatchObject({ status: 'stored' });
        expect(snap.articles.find((a) => a.sourceKey === key)).toMatchObject({
          format: expected.format,
          ...expected.article,
        });
      }
      expect(snap.errors.filter((e) => e.key.startsWith(key))).toEqual([]);
    },
  );
});
