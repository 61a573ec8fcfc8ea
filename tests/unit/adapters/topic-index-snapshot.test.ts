import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DynamoDbTopicStore,
  INDEX_PART_BYTES,
} from '../../../functions/adapters/aws/dynamodb-topic-store.ts';
import { keys } from '../../../functions/adapters/aws/table-layout.ts';
import { EmbeddedTable, NEWSWATCH_SCHEMA } from '../../../functions/adapters/local/embedded-table.ts';
import {
  CachedMatcher,
  snapshotOfTopicSet,
  type TopicSet,
  topicSetVersion,
} from '../../../functions/core/pipeline/matching.ts';
import { matchArticle } from '../../../functions/core/topics/matcher.ts';
import { compilerFingerprint } from '../../../functions/core/topics/snapshot.ts';
import type { TopicDefinition } from '../../../functions/core/topics/topic.ts';

/** Enough topics for a snapshot of several parts. */
const setOf = (count: number, word = 'aid'): TopicSet => {
  const topics: TopicDefinition[] = Array.from({ length: count }, (_, i) => ({
    id: `t${i}`,
    name: `Topic ${i}`,
    query: `(masks OR "medical kit${i}" OR vaccin${i % 97}*) AND ${word}${i % 13} NOT sport${i}`,
    minScore: 0,
    enabled: true,
  }));
  const lists = { kit: ['masks', 'es: mascarillas'] };
  return { version: topicSetVersion(topics, lists), topics, lists };
};
const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
const indexOf = async (matcher: CachedMatcher) => {
  const current = await matcher.current();
  if (!current) throw new Error('no topic set stored');
  return current.index;
};

describe('Class: DynamoDbTopicStore (index snapshots)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-topic-index-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const open = (name: string) => {
    const table = new EmbeddedTable(join(dir, `${name}.sqlite`), 'newswatch', NEWSWATCH_SCHEMA);
    return { table, store: new DynamoDbTopicStore(table.asDocumentClient(), 'newswatch') };
  };

  it('should store the snapshot in parts beside the set, and give it back whole for its version only', async () => {
    // Prepare
    const { table, store } = open('parts');
    const set = setOf(4000);
    const snapshot = snapshotOfTopicSet(set);

    // Act
    const synced = await store.syncTopicSet(set, clock.now().toISOString());
    const again = await store.syncTopicSet(set, clock.now().toISOString());
    const loaded = await store.loadIndexSnapshot(set.version);
    const other = await store.loadIndexSnapshot('other');
    await table.close();

    // Assess
    expect(snapshot.length).toBeGreaterThan(2 * INDEX_PART_BYTES);
    expect(synced).toMatchObject({ changed: true, snapshotWritten: true });
    expect(again).toMatchObject({ changed: false, snapshotWritten: false });
    expect(loaded).toEqual(snapshot);
    expect(other).toBeUndefined();
  });

  it('should have containers load the snapshot, and a new set delete the parts of the one before', async () => {
    // Prepare
    const { table, store } = open('replace');
    const first = setOf(3000);
    const second = setOf(3000, 'ban');
    const matcher = new CachedMatcher(store, clock);
    const a = { title: 'Masks', paragraphs: ['Medical kit7 and masks were sent as aid7 and ban7.'] };
    await store.syncTopicSet(first, clock.now().toISOString());

    // Act
    const before = matchArticle(await indexOf(matcher), a);
    const fromSnapshot = matcher.lastBuild?.from;
    await store.syncTopicSet(second, clock.now().toISOString());
    matcher.refresh();
    const after = matchArticle(await indexOf(matcher), a);
    const oldPart = await table
      .asDocumentClient()
      .send(new GetCommand({ TableName: 'newswatch', Key: keys.topicIndexPart(first.version, 0) }));
    await table.close();

    // Assess
    expect(fromSnapshot).toBe('snapshot');
    expect(matcher.lastBuild).toMatchObject({ version: second.version, from: 'snapshot' });
    expect(before.matches.map((m) => m.topicId)).toContain('t7');
    expect(after.matches.map((m) => m.topicId)).toContain('t7');
    expect(oldPart.Item).toBeUndefined();
  });

  it('should store a snapshot for a set held without one', async () => {
    // Prepare
    const { table, store } = open('held');
    const set = setOf(10);
    await store.replaceTopicSet(set, clock.now().toISOString());
    const without = await store.loadIndexSnapshot(set.version);

    // Act
    const synced = await store.syncTopicSet(set, clock.now().toISOString());
    const loaded = await store.loadIndexSnapshot(set.version);
    await table.close();

    // Assess
    expect(without).toBeUndefined();
    expect(synced).toMatchObject({ changed: false, snapshotWritten: true });
    expect(loaded).toEqual(snapshotOfTopicSet(set));
  });

  it('should store the snapshot again for a set whose snapshot another matcher wrote, and not again after', async () => {
    // Prepare: the set synced, then its version item naming a snapshot of another matcher.
    const { table, store } = open('other-matcher');
    const set = setOf(10);
    await store.syncTopicSet(set, clock.now().toISOString());
    const doc = table.asDocumentClient();
    const synced = await doc.send(new GetCommand({ TableName: 'newswatch', Key: keys.topicSetVersion() }));
    const version = synced.Item as Record<string, unknown> & { index: Record<string, unknown> };
    await doc.send(
      new PutCommand({
        TableName: 'newswatch',
        Item: { ...version, index: { ...version.index, compiler: 'another' } },
      }),
    );

    // Act
    const again = await store.syncTopicSet(set, clock.now().toISOString());
    const once = await store.syncTopicSet(set, clock.now().toISOString());
    const item = await doc.send(new GetCommand({ TableName: 'newswatch', Key: keys.topicSetVersion() }));
    await table.close();

    // Assess
    expect(again).toMatchObject({ changed: false, snapshotWritten: true });
    expect(once).toMatchObject({ changed: false, snapshotWritten: false });
    expect(item.Item?.index).toMatchObject({ compiler: compilerFingerprint() });
  });
});
