import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type LocalDynamo,
  openLocalTable,
  startLocalDynamo,
} from '../../functions/adapters/local/local-dynamodb.ts';
import { waitFor } from './helpers.ts';

/** The part of a LevelDB iterator this test watches (not in the package's public types). */
interface RawIterator {
  _close(): Promise<void>;
}
type IteratorFactory = (this: Level, options: unknown) => RawIterator;

describe('Local table: dynalite over LevelDB files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-dynamo-'));
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    dynamo = await startLocalDynamo(join(dir, 'data'));
    const items = Array.from({ length: 40 }, (_, i) => ({
      pk: 'BAND#busy',
      sk: `ARTICLE#${String(i).padStart(3, '0')}`,
      type: 'band',
    }));
    for (let i = 0; i < items.length; i += 25)
      await dynamo.doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [dynamo.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await dynamo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should close every LevelDB iterator a query or scan opens, also one stopped by its Limit', async () => {
    // Prepare: note each iterator LevelDB hands out until it is closed. An open iterator pins
    // the files it started on, so a long run that leaks them fills the disk.
    const open = new Set<RawIterator>();
    let opened = 0;
    const proto = Level.prototype as unknown as { _iterator: IteratorFactory };
    const original = proto._iterator;
    vi.spyOn(proto, '_iterator').mockImplementation(function (this: Level, options: unknown) {
      const iterator = original.call(this, options);
      const close = iterator._close.bind(iterator);
      opened += 1;
      open.add(iterator);
      iterator._close = () => {
        open.delete(iterator);
        return close();
      };
      return iterator;
    });

    // Act: queries that stop at their Limit, queries read to the end, a paged scan.
    const query = (Limit?: number) =>
      dynamo.doc.send(
        new QueryCommand({
          TableName: dynamo.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'BAND#busy' },
          ...(Limit ? { Limit } : {}),
        }),
      );
    const limited = await Promise.all(Array.from({ length: 20 }, () => query(5)));
    const whole = await Promise.all(Array.from({ length: 5 }, () => query()));
    const scanned = await dynamo.doc.send(new ScanCommand({ TableName: dynamo.tableName, Limit: 10 }));

    // Assess
    expect(limited.every((r) => r.Items?.length === 5 && r.LastEvaluatedKey)).toBe(true);
    expect(whole.every((r) => r.Items?.length === 40)).toBe(true);
    expect(scanned.Items).toHaveLength(10);
    expect(opened).toBeGreaterThanOrEqual(26);
    await waitFor('every iterator closed', () => (open.size === 0 ? true : undefined), 5_000).catch(() => {
      throw new Error(`${open.size} of ${opened} LevelDB iterators were left open`);
    });
  });
});

describe('Local table: a data folder written by dynalite is copied into the SQLite file once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should copy every item, keep the old files aside, and not copy again', async () => {
    // Prepare: 60 items in a LevelDB data folder, as newswatch kept its table before.
    const data = join(dir, 'data');
    const old = await startLocalDynamo(data);
    const items = Array.from({ length: 60 }, (_, i) => ({
      pk: `ARTICLE#${String(i).padStart(3, '0')}`,
      sk: 'ARTICLE',
      gsi1pk: 'MONTH#2026-12',
      gsi1sk: `2026-12-01#${i}`,
      sources: new Set([`incoming/${i}.txt`]),
    }));
    for (let i = 0; i < items.length; i += 25)
      await old.doc.send(
        new BatchWriteCommand({
          RequestItems: { [old.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    await old.close();

    // Act
    const first = await openLocalTable(data);
    const byMonth = await first.doc.send(
      new QueryCommand({
        TableName: first.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :m',
        ExpressionAttributeValues: { ':m': 'MONTH#2026-12' },
      }),
    );
    await first.close();
    const again = await openLocalTable(data);
    const count = again.table.count();
    await again.close();

    // Assess
    expect(first.migrated?.items).toBe(60);
    expect(byMonth.Items).toHaveLength(60);
    expect(byMonth.Items?.find((i) => i.pk === 'ARTICLE#007')?.sources).toEqual(new Set(['incoming/7.txt']));
    expect(existsSync(join(data, 'leveldb-before-sqlite', 'CURRENT'))).toBe(true);
    expect(existsSync(join(data, 'CURRENT'))).toBe(false);
    expect(again.migrated).toBeUndefined();
    expect(count).toBe(60);
  });
});
