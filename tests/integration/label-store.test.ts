import { spawnSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { DynamoDbLabelStore } from '../../functions/adapters/aws/dynamodb-label-store.ts';
import type { RelevanceLabel } from '../../functions/core/topics/labels.ts';
import { createTable, emulatorClients, emulatorEnv } from './helpers/emulator.ts';

const label = (
  article: string,
  value: 0 | 1,
  at: string,
  topic = 'international-health-aid',
): RelevanceLabel => ({
  topic,
  article,
  label: value,
  reason: `reason for ${article}`,
  by: 'desk',
  at,
});

describe('Class: DynamoDbLabelStore (moto)', () => {
  it("should keep one label per topic and article, the later replacing the earlier, and list a topic's labels", async () => {
    // Prepare
    const c = emulatorClients(inject('motoEndpoint'));
    const table = `labels-${Date.now()}`;
    await createTable(c.dynamodb, table);
    const store = new DynamoDbLabelStore(c.doc, table);

    // Act
    await store.putLabel(label('a1', 0, '2026-12-01T10:00:00Z'));
    await store.putLabel(label('a1', 1, '2026-12-01T11:00:00Z'));
    await store.putLabel(label('a2', 0, '2026-12-01T10:00:00Z'));
    await store.putLabel(label('a1', 1, '2026-12-01T10:00:00Z', 'vaccine-supply-deals'));

    // Assess
    const aid = await store.listLabels('international-health-aid');
    expect(aid.map((l) => [l.article, l.label]).sort()).toEqual([
      ['a1', 1],
      ['a2', 0],
    ]);
    expect(aid.find((l) => l.article === 'a1')).toEqual(label('a1', 1, '2026-12-01T11:00:00Z'));
    expect((await store.listLabels()).length).toBe(3);
  });

  it('should be written by `newswatch topics label --table` and read by `topics eval --table`', async () => {
    // Prepare: a deployed table with the seed topics in it, and no articles.
    const c = emulatorClients(inject('motoEndpoint'));
    const table = `labels-cli-${Date.now()}`;
    await createTable(c.dynamodb, table);
    const env = emulatorEnv(inject('motoEndpoint'));
    expect(
      spawnSync(
        process.execPath,
        ['scripts/topics.ts', 'sync', '--table', table, '--folder', 'tests/fixtures/seeds/topics'],
        { env },
      ).status,
    ).toBe(0);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/newswatch.js', ...args], { encoding: 'utf8', env });

    // Act
    const labelled = cli(
      'topics',
      'label',
      'abc123',
      'international-health-aid',
      'relevant',
      '--reason',
      'masks given',
      '--table',
      table,
    );
    const evaluated = cli(
      '--json',
      'topics',
      'eval',
      '--topic',
      'international-health-aid',
      '--table',
      table,
    );

    // Assess: the label is stored; its article is not in the table, so it is counted as missing.
    expect(labelled.status).toBe(0);
    expect(await new DynamoDbLabelStore(c.doc, table).listLabels('international-health-aid')).toEqual([
      expect.objectContaining({ article: 'abc123', label: 1, reason: 'masks given' }),
    ]);
    expect(evaluated.status).toBe(0);
    expect(JSON.parse(evaluated.stdout)).toMatchObject({
      labels: 1,
      missing: 1,
      topics: [{ topicId: 'international-health-aid', labelled: 0 }],
    });
  });
});
