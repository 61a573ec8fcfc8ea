import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES, type TestTable } from './helpers/tables.ts';

/**
 * What the stores rely on from DynamoDB, asked of every table they run on: the answers
 * expected here are moto's, so the local table is held to the same semantics.
 */
describe.each(TABLES)('DynamoDB semantics the stores rely on, on %s', (_name, open) => {
  let t: TestTable;
  const name = () => t.tableName;
  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'applied',
      (e: Error) => e.name,
    );

  beforeAll(async () => {
    t = await open();
  });
  afterAll(() => t.close());

  it('should evaluate conditions as DynamoDB does, a missing attribute included', async () => {
    // Prepare
    await t.doc.send(
      new PutCommand({
        TableName: name(),
        Item: { pk: 'C#1', sk: 'X', state: 'held', n: 3, tags: new Set(['a', 'b']) },
      }),
    );
    const tryUpdate = (ConditionExpression: string, values: Record<string, unknown> = {}) =>
      outcome(
        t.doc.send(
          new UpdateCommand({
            TableName: name(),
            Key: { pk: 'C#1', sk: 'X' },
            UpdateExpression: 'SET touched = :t',
            ConditionExpression,
            ...(ConditionExpression.includes('#s') ? { ExpressionAttributeNames: { '#s': 'state' } } : {}),
            ExpressionAttributeValues: { ':t': 1, ...values },
          }),
        ),
      );

    // Act
    const results = {
      missingNotEqual: await tryUpdate('absent <> :v', { ':v': 'x' }),
      missingLess: await tryUpdate('absent < :v', { ':v': 'x' }),
      typeMismatch: await tryUpdate('n = :v', { ':v': '3' }),
      sizeOfSet: await tryUpdate('size(tags) < :two', { ':two': 2 }),
      between: await tryUpdate('n BETWEEN :lo AND :hi', { ':lo': 1, ':hi': 3 }),
      inList: await tryUpdate('#s IN (:a, :b)', { ':a': 'done', ':b': 'held' }),
      notAndOr: await tryUpdate('NOT (#s = :held) OR (n >= :three AND attribute_exists(tags))', {
        ':held': 'held',
        ':three': 3,
      }),
      beginsWith: await tryUpdate('begins_with(#s, :h)', { ':h': 'he' }),
      containsInSet: await tryUpdate('contains(tags, :c)', { ':c': 'c' }),
      onNoItem: await outcome(
        t.doc.send(
          new UpdateCommand({
            TableName: name(),
            Key: { pk: 'C#none', sk: 'X' },
            UpdateExpression: 'SET a = :a',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':a': 1 },
          }),
        ),
      ),
    };

    // Assess
    expect(results).toEqual({
      missingNotEqual: 'applied',
      missingLess: 'ConditionalCheckFailedException',
      typeMismatch: 'ConditionalCheckFailedException',
      sizeOfSet: 'ConditionalCheckFailedException',
      between: 'applied',
      inList: 'applied',
      notAndOr: 'applied',
      beginsWith: 'applied',
      containsInSet: 'ConditionalCheckFailedException',
      onNoItem: 'ConditionalCheckFailedException',
    });
    expect(
      (await t.doc.send(new GetCommand({ TableName: name(), Key: { pk: 'C#none', sk: 'X' } }))).Item,
    ).toBeUndefined();
  });

  it('should apply SET, REMOVE, ADD and DELETE from the item as it was, and return what was asked', async () => {
    // Prepare
    await t.doc.send(
      new PutCommand({
        TableName: name(),
        Item: { pk: 'U#1', sk: 'X', a: 1, b: 'keep', gone: true, set: new Set(['x', 'y']) },
      }),
    );

    // Act
    const updated = await t.doc.send(
      new UpdateCommand({
        TableName: name(),
        Key: { pk: 'U#1', sk: 'X' },
        UpdateExpression:
          'SET a = a + :one, firstSeen = if_not_exists(firstSeen, :f) REMOVE gone ADD n :one, #s :more DELETE extra :x',
        ExpressionAttributeNames: { '#s': 'set' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':f': 'first',
          ':more': new Set(['z']),
          ':x': new Set(['x']),
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    const second = await t.doc.send(
      new UpdateCommand({
        TableName: name(),
        Key: { pk: 'U#1', sk: 'X' },
        UpdateExpression: 'DELETE #s :xy ADD n :one',
        ExpressionAttributeNames: { '#s': 'set' },
        ExpressionAttributeValues: { ':one': 1, ':xy': new Set(['x', 'y', 'z']) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const created = await t.doc.send(
      new UpdateCommand({
        TableName: name(),
        Key: { pk: 'U#2', sk: 'X' },
        UpdateExpression: 'ADD sent :one SET #t = :t',
        ExpressionAttributeNames: { '#t': 'type' },
        ExpressionAttributeValues: { ':one': 1, ':t': 'gate-day' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const keyUpdate = await outcome(
      t.doc.send(
        new UpdateCommand({
          TableName: name(),
          Key: { pk: 'U#1', sk: 'X' },
          UpdateExpression: 'SET sk = :s',
          ExpressionAttributeValues: { ':s': 'Y' },
        }),
      ),
    );

    // Assess
    expect(updated.Attributes).toEqual({ a: 1, gone: true, set: new Set(['x', 'y']) });
    expect(second.Attributes).toEqual({ pk: 'U#1', sk: 'X', a: 2, b: 'keep', firstSeen: 'first', n: 2 });
    expect(created.Attributes).toEqual({ pk: 'U#2', sk: 'X', sent: 1, type: 'gate-day' });
    expect(keyUpdate).toBe('ValidationException');
  });

  it('should page a query in key order on the table and on the index, with Limit, filter and direction', async () => {
    // Prepare: 12 items under one key, also under one index key, in shuffled order.
    const order = [7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 4, 6];
    await t.doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [name()]: order.map((i) => ({
            PutRequest: {
              Item: {
                pk: 'Q#1',
                sk: `ITEM#${String(i).padStart(2, '0')}`,
                gsi1pk: 'QI#1',
                gsi1sk: `2026-12-${String(12 - i).padStart(2, '0')}`,
                even: i % 2 === 0,
              },
            },
          })),
        },
      }),
    );
    const all = async (input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) => {
      const pages: string[][] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await t.doc.send(
          new QueryCommand({ TableName: name(), ...input, ExclusiveStartKey: start }),
        );
        pages.push((res.Items ?? []).map((i) => String(i.sk)));
        start = res.LastEvaluatedKey;
      } while (start);
      return pages.flat();
    };

    // Act
    const prefix = await all({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': 'Q#1', ':p': 'ITEM#0' },
      Limit: 4,
    });
    const backwards = await all({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':pk': 'Q#1', ':a': 'ITEM#03', ':b': 'ITEM#06' },
      ScanIndexForward: false,
      Limit: 3,
    });
    const onIndex = await all({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk > :d',
      FilterExpression: 'even = :t',
      ExpressionAttributeValues: { ':pk': 'QI#1', ':d': '2026-12-04', ':t': true },
      Limit: 2,
    });
    const fetched = await t.doc.send(
      new BatchGetCommand({
        RequestItems: {
          [name()]: {
            Keys: [
              { pk: 'Q#1', sk: 'ITEM#03' },
              { pk: 'Q#1', sk: 'ITEM#99' },
            ],
          },
        },
      }),
    );

    // Assess
    expect(prefix).toEqual([
      'ITEM#00',
      'ITEM#01',
      'ITEM#02',
      'ITEM#03',
      'ITEM#04',
      'ITEM#05',
      'ITEM#06',
      'ITEM#07',
      'ITEM#08',
      'ITEM#09',
    ]);
    expect(backwards).toEqual(['ITEM#06', 'ITEM#05', 'ITEM#04', 'ITEM#03']);
    // Index order is by date: item 8 is the 4th, then 7, 6, … 0 the 12th; only even items pass.
    expect(onIndex).toEqual(['ITEM#06', 'ITEM#04', 'ITEM#02', 'ITEM#00']);
    expect(fetched.Responses?.[name()]?.map((i) => String(i.sk))).toEqual(['ITEM#03']);
  });

  it('should refuse names and values an expression does not use, and a reserved word as a name', async () => {
    // Act
    const unusedName = await outcome(
      t.doc.send(
        new PutCommand({
          TableName: name(),
          Item: { pk: 'V#1', sk: 'X' },
          ConditionExpression: 'attribute_not_exists(pk)',
          ExpressionAttributeNames: { '#s': 'state' },
        }),
      ),
    );
    const unusedValue = await outcome(
      t.doc.send(
        new UpdateCommand({
          TableName: name(),
          Key: { pk: 'V#1', sk: 'X' },
          UpdateExpression: 'SET a = :a',
          ExpressionAttributeValues: { ':a': 1, ':b': 2 },
        }),
      ),
    );
    const reservedWord = await outcome(
      t.doc.send(
        new UpdateCommand({
          TableName: name(),
          Key: { pk: 'V#1', sk: 'X' },
          UpdateExpression: 'SET state = :a',
          ExpressionAttributeValues: { ':a': 1 },
        }),
      ),
    );

    // Assess
    expect([unusedName, unusedValue, reservedWord]).toEqual([
      'ValidationException',
      'ValidationException',
      'ValidationException',
    ]);
  });

  it('should refuse an item over 400 KB and a wrong key, and delete only when the condition holds', async () => {
    // Act
    const big = await outcome(
      t.doc.send(
        new PutCommand({ TableName: name(), Item: { pk: 'B#1', sk: 'X', text: 'é'.repeat(210_000) } }),
      ),
    );
    const noSortKey = await outcome(t.doc.send(new GetCommand({ TableName: name(), Key: { pk: 'B#1' } })));
    await t.doc.send(new PutCommand({ TableName: name(), Item: { pk: 'D#1', sk: 'X', state: 'held' } }));
    const refused = await outcome(
      t.doc.send(
        new DeleteCommand({
          TableName: name(),
          Key: { pk: 'D#1', sk: 'X' },
          ConditionExpression: '#s = :done',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':done': 'done' },
        }),
      ),
    );
    const deleted = await t.doc.send(
      new DeleteCommand({ TableName: name(), Key: { pk: 'D#1', sk: 'X' }, ReturnValues: 'ALL_OLD' }),
    );
    const scanned = await t.doc.send(
      new ScanCommand({
        TableName: name(),
        FilterExpression: 'begins_with(pk, :d) OR begins_with(pk, :b)',
        ExpressionAttributeValues: { ':d': 'D#', ':b': 'B#' },
      }),
    );

    // Assess
    expect(big).toBe('ValidationException');
    expect(noSortKey).toBe('ValidationException');
    expect(refused).toBe('ConditionalCheckFailedException');
    expect(deleted.Attributes).toEqual({ pk: 'D#1', sk: 'X', state: 'held' });
    expect(scanned.Items).toEqual([]);
  });
});
