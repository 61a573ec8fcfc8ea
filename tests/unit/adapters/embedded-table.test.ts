import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EmbeddedTable,
  NEWSWATCH_SCHEMA,
  UNSENT_ALERT_STATES,
} from '../../../functions/adapters/local/embedded-table.ts';
import { compareStrings } from '../../../functions/adapters/local/table-expressions.ts';

describe('Class: EmbeddedTable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-embedded-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should find unsent alerts through their own index, and forget one once it is sent', async () => {
    // Prepare: 200 matches, 3 of them unsent.
    const table = new EmbeddedTable(join(dir, 'unsent.sqlite'), 'newswatch', NEWSWATCH_SCHEMA);
    const doc = table.asDocumentClient();
    for (let i = 0; i < 200; i++) {
      const alertState = i === 5 ? 'pending' : i === 7 || i === 9 ? 'publishing' : 'sent';
      await doc.send(
        new PutCommand({ TableName: 'newswatch', Item: { pk: `ARTICLE#${i}`, sk: 'MATCH#t', alertState } }),
      );
    }

    // Act
    const before = table.itemsWith('alertState', UNSENT_ALERT_STATES).map((i) => i.pk);
    await doc.send(
      new UpdateCommand({
        TableName: 'newswatch',
        Key: { pk: 'ARTICLE#7', sk: 'MATCH#t' },
        UpdateExpression: 'SET alertState = :sent',
        ExpressionAttributeValues: { ':sent': 'sent' },
      }),
    );
    const after = table.itemsWith('alertState', UNSENT_ALERT_STATES).map((i) => i.pk);
    const plan = (table as unknown as { db: { prepare(sql: string): { all(): { detail: string }[] } } }).db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT body FROM items WHERE json_extract(body, '$.alertState') IN ('pending', 'publishing')`,
      )
      .all()
      .map((r) => r.detail)
      .join('; ');
    await table.close();

    // Assess
    expect(before.sort()).toEqual(['ARTICLE#5', 'ARTICLE#7', 'ARTICLE#9']);
    expect(after.sort()).toEqual(['ARTICLE#5', 'ARTICLE#9']);
    expect(plan).toContain('USING INDEX items_alertState');
    expect(() => table.itemsWith('state', ['held'])).toThrow(/no index of state/);
  });

  it('should read a view in its order, paged, counted and grouped, from its index alone', async () => {
    // Prepare: items of two kinds; a view of one of them, by topic then time.
    const schema = {
      ...NEWSWATCH_SCHEMA,
      views: [
        { name: 'by_topic', of: [{ attribute: 'type', equals: 'match' }], on: ['topicId', 'at', 'n'] },
        {
          name: 'crowded',
          of: [
            { attribute: 'type', equals: 'story' },
            { attribute: 'ids', sizeAtLeast: 2 },
          ],
          on: ['at'],
        },
      ],
    };
    const table = new EmbeddedTable(join(dir, 'views.sqlite'), 'newswatch', schema);
    const doc = table.asDocumentClient();
    for (let i = 0; i < 30; i++)
      await doc.send(
        new PutCommand({
          TableName: 'newswatch',
          Item: {
            pk: `A#${i}`,
            sk: 'M',
            type: i % 3 === 0 ? 'other' : 'match',
            topicId: `t${i % 2}`,
            at: `2026-01-${String(i + 1).padStart(2, '0')}`,
            n: i,
          },
        }),
      );
    for (const [i, ids] of [
      [1, ['a']],
      [2, ['a', 'b']],
      [3, ['a', 'b', 'c']],
    ] as const)
      await doc.send(
        new PutCommand({
          TableName: 'newswatch',
          Item: { pk: `S#${i}`, sk: 'S', type: 'story', at: `t${i}`, ids: new Set(ids) },
        }),
      );

    // Act
    const newest = table.readView('by_topic', {
      equal: ['t1'],
      descending: true,
      limit: 3,
      select: ['at', 'n'],
    });
    const page = table.readView('by_topic', {
      equal: ['t0'],
      from: '2026-01-05',
      to: '2026-01-20',
      offset: 1,
      limit: 2,
    });
    const groups = table.countView('by_topic', {}, 1);
    const ranged = table.countView('by_topic', { equal: ['t1'], from: '2026-01-10' });
    const crowded = table.readView('crowded', { select: ['at'] }).map((r) => r.at);
    const plan = (table as unknown as { db: { prepare(sql: string): { all(): { detail: string }[] } } }).db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT count(*) FROM items INDEXED BY view_by_topic WHERE json_extract(body, '$.type') = 'match'`,
      )
      .all()
      .map((r) => r.detail)
      .join('; ');
    await table.close();

    // Assess: every third item is of the other kind and not in the view.
    expect(newest).toEqual([
      { at: '2026-01-30', n: 29 },
      { at: '2026-01-26', n: 25 },
      { at: '2026-01-24', n: 23 },
    ]);
    expect(page.map((i) => i.n)).toEqual([8, 10]);
    expect(page[0]).toMatchObject({ pk: 'A#8', type: 'match' });
    expect(groups).toEqual([
      { values: ['t0'], count: 10, last: '2026-01-29' },
      { values: ['t1'], count: 10, last: '2026-01-30' },
    ]);
    expect(ranged).toEqual([{ values: [], count: 7, last: 't1' }]);
    expect(crowded).toEqual(['t2', 't3']);
    expect(plan).toContain('USING COVERING INDEX view_by_topic');
    expect(() => table.readView('nothing')).toThrow(/no view nothing/);
  });

  it('should keep a text index at each write and find exactly the items holding every word', async () => {
    // Prepare: notes indexed by their text; other items are not.
    const schema = {
      ...NEWSWATCH_SCHEMA,
      texts: [
        {
          name: 'notes',
          of: [{ attribute: 'type', equals: 'note' }],
          text: (item: Record<string, unknown>) => String(item.text).toLowerCase(),
        },
      ],
    };
    const table = new EmbeddedTable(join(dir, 'texts.sqlite'), 'newswatch', schema);
    const doc = table.asDocumentClient();
    const put = (pk: string, type: string, text: string) =>
      doc.send(new PutCommand({ TableName: 'newswatch', Item: { pk, sk: 'NOTE', type, text } }));
    await put('a', 'note', 'Glacier harbour at dawn');
    await put('b', 'note', 'the harbour of glaciers');
    await put('c', 'other', 'glacier harbour');
    await put('d', 'note', 'a star * and [brackets] ?');
    await put('e', 'note', 'Gl acier: lacier, gxlxaxcxixexr');
    await put('f', 'note', 'he said "quoted" and near(x) or not');
    const found = (...words: string[]) => {
      const { where, params } = table.textSql('notes', words, 'i.rowid');
      return table
        .select(`SELECT i.pk FROM items AS i WHERE ${where} ORDER BY i.pk`, params)
        .map((r) => String(r[0]));
    };

    // Act
    const before = {
      glacier: found('glacier'),
      both: found('harbour', 'glacier'),
      part: found('lacie'),
      short: found('of'),
      shortAndLong: found('a', 'harbour'),
      star: found('*'),
      wildcard: found('g*r'),
      brackets: found('[brackets]'),
      none: found('glacier', 'storm'),
      quotes: found('"quoted"'),
      syntax: found('near(x)', 'or', 'not'),
      quoteAlone: found('"'),
    };
    await put('a', 'note', 'storm over the glacier');
    await put('b', 'other', 'the harbour of glaciers');
    await doc.send(
      new UpdateCommand({
        TableName: 'newswatch',
        Key: { pk: 'c', sk: 'NOTE' },
        UpdateExpression: 'SET #type = :note',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':note': 'note' },
      }),
    );
    await doc.send(new DeleteCommand({ TableName: 'newswatch', Key: { pk: 'e', sk: 'NOTE' } }));
    const after = { glacier: found('glacier'), storm: found('glacier', 'storm'), part: found('lacie') };
    await table.close();

    // Assess
    expect(before).toEqual({
      glacier: ['a', 'b'],
      both: ['a', 'b'],
      part: ['a', 'b', 'e'],
      short: ['b'],
      shortAndLong: ['a', 'b'],
      star: ['d'],
      wildcard: [],
      brackets: ['d'],
      none: [],
      quotes: ['f'],
      syntax: ['f'],
      quoteAlone: ['f'],
    });
    expect(after).toEqual({ glacier: ['a', 'c'], storm: ['a'], part: ['a', 'c'] });
    expect(() => table.textSql('nothing', ['x'], 'i.rowid')).toThrow(/no text index nothing/);
  });

  it('should index the texts of items stored before their text index was declared', async () => {
    // Prepare: a file written without the index.
    const file = join(dir, 'texts-later.sqlite');
    const plain = new EmbeddedTable(file, 'newswatch', NEWSWATCH_SCHEMA);
    for (const [pk, text] of [
      ['x', 'first glacier'],
      ['y', 'second harbour'],
    ])
      await plain
        .asDocumentClient()
        .send(new PutCommand({ TableName: 'newswatch', Item: { pk, sk: 'NOTE', type: 'note', text } }));
    await plain.close();

    // Act: opened with it.
    const table = new EmbeddedTable(file, 'newswatch', {
      ...NEWSWATCH_SCHEMA,
      texts: [
        {
          name: 'notes',
          of: [{ attribute: 'type', equals: 'note' }],
          text: (item: Record<string, unknown>) => String(item.text),
        },
      ],
    });
    const { where, params } = table.textSql('notes', ['harbour'], 'i.rowid');
    const found = table.select(`SELECT i.pk FROM items AS i WHERE ${where}`, params);
    await table.close();

    // Assess
    expect(found).toEqual([['y']]);
  });

  it('should make again a text index made otherwise by an older version', async () => {
    // Prepare: a file whose index has another definition and a stale text.
    const file = join(dir, 'texts-older.sqlite');
    const notes = {
      name: 'notes',
      of: [{ attribute: 'type', equals: 'note' }],
      text: (item: Record<string, unknown>) => String(item.text),
    };
    const older = new EmbeddedTable(file, 'newswatch', { ...NEWSWATCH_SCHEMA, texts: [notes] });
    await older.asDocumentClient().send(
      new PutCommand({
        TableName: 'newswatch',
        Item: { pk: 'x', sk: 'NOTE', type: 'note', text: 'harbour' },
      }),
    );
    await older.close();
    const raw = new DatabaseSync(file);
    raw.exec(`DROP TABLE text_notes; CREATE VIRTUAL TABLE text_notes USING fts5(text, detail = none);
      INSERT INTO text_notes (rowid, text) VALUES (1, 'glacier')`);
    raw.close();

    // Act
    const table = new EmbeddedTable(file, 'newswatch', { ...NEWSWATCH_SCHEMA, texts: [notes] });
    const found = (word: string) => {
      const { where, params } = table.textSql('notes', [word], 'i.rowid');
      return table.select(`SELECT i.pk FROM items AS i WHERE ${where}`, params);
    };
    const harbour = found('harbour');
    const glacier = found('glacier');
    await table.close();

    // Assess
    expect({ harbour, glacier }).toEqual({ harbour: [['x']], glacier: [] });
  });

  it('should keep a tally by group at each write, rewrite and delete, and count a file written before it', async () => {
    // Prepare: items written before the tally was declared.
    const file = join(dir, 'tally.sqlite');
    const put = (
      doc: ReturnType<EmbeddedTable['asDocumentClient']>,
      pk: string,
      type: string,
      tags: string[],
    ) => doc.send(new PutCommand({ TableName: 'newswatch', Item: { pk, sk: 'T', type, tags } }));
    const plain = new EmbeddedTable(file, 'newswatch', NEWSWATCH_SCHEMA);
    await put(plain.asDocumentClient(), 'a', 'tagged', ['x', 'y', 'x']);
    await plain.close();
    const schema = {
      ...NEWSWATCH_SCHEMA,
      tallies: [
        {
          name: 'tags',
          of: [{ attribute: 'type', equals: 'tagged' }],
          groups: (item: Record<string, unknown>) => item.tags as string[],
        },
      ],
    };
    const counts = (t: EmbeddedTable) =>
      Object.fromEntries(t.tally('tags').map(({ group, count }) => [group, count]));

    // Act
    const table = new EmbeddedTable(file, 'newswatch', schema);
    const doc = table.asDocumentClient();
    const opened = counts(table);
    await put(doc, 'b', 'tagged', ['y', 'z']);
    await put(doc, 'c', 'other', ['x']);
    const written = counts(table);
    await put(doc, 'a', 'tagged', ['z']);
    await doc.send(
      new UpdateCommand({
        TableName: 'newswatch',
        Key: { pk: 'c', sk: 'T' },
        UpdateExpression: 'SET #type = :t',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':t': 'tagged' },
      }),
    );
    const rewritten = counts(table);
    await doc.send(new DeleteCommand({ TableName: 'newswatch', Key: { pk: 'b', sk: 'T' } }));
    await doc.send(new DeleteCommand({ TableName: 'newswatch', Key: { pk: 'c', sk: 'T' } }));
    const deleted = counts(table);
    await table.close();

    // Assess
    expect(opened).toEqual({ x: 1, y: 1 });
    expect(written).toEqual({ x: 1, y: 2, z: 1 });
    expect(rewritten).toEqual({ x: 1, y: 1, z: 2 });
    expect(deleted).toEqual({ z: 1 });
    expect(() => table.tally('nothing')).toThrow(/no tally nothing/);
  });

  it('should refuse a read of an attribute its view does not hold', () => {
    // Prepare
    const table = new EmbeddedTable(join(dir, 'held.sqlite'), 'newswatch', NEWSWATCH_SCHEMA);

    // Act & Assess
    try {
      expect(() => table.readView('articles', { select: ['paragraphs'] })).toThrow(
        /does not hold paragraphs/,
      );
      expect(() => table.readView('articles', { equal: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] })).toThrow(
        /has 7 attributes/,
      );
    } finally {
      void table.close();
    }
  });

  it('should leave one file behind when closed, the log copied into it', async () => {
    // Prepare
    const file = join(dir, 'closed.sqlite');
    const table = new EmbeddedTable(file, 'newswatch', NEWSWATCH_SCHEMA);
    await table
      .asDocumentClient()
      .send(new PutCommand({ TableName: 'newswatch', Item: { pk: 'A', sk: 'B' } }));

    // Act
    await table.close();
    const reopened = new EmbeddedTable(file, 'newswatch', NEWSWATCH_SCHEMA);
    const count = reopened.count();
    await reopened.close();

    // Assess
    expect(existsSync(`${file}-wal`) ? 'log left' : 'one file').toBe('one file');
    expect(count).toBe(1);
  });

  it('should count the requests it serves by DynamoDB operation, refused ones included', async () => {
    // Prepare
    const table = new EmbeddedTable(join(dir, 'requests.sqlite'), 'newswatch', NEWSWATCH_SCHEMA);
    const doc = table.asDocumentClient();
    const put = () =>
      doc.send(
        new PutCommand({
          TableName: 'newswatch',
          Item: { pk: 'ARTICLE#1', sk: 'META' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );

    // Act: a put, the same put refused, two gets and a query.
    await put();
    const refused = await put().then(
      () => 'stored',
      (e: Error) => e.name,
    );
    for (let i = 0; i < 2; i++)
      await doc.send(new GetCommand({ TableName: 'newswatch', Key: { pk: 'ARTICLE#1', sk: 'META' } }));
    await doc.send(
      new QueryCommand({
        TableName: 'newswatch',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'ARTICLE#1' },
      }),
    );
    const counted = table.requests();
    await table.close();

    // Assess
    expect(refused).toBe('ConditionalCheckFailedException');
    expect(counted).toEqual({ PutItem: 2, GetItem: 2, Query: 1 });
  });

  it('should fail the rest of a turn at once while another process holds the write lock, and write once it lets go', async () => {
    // Prepare: another connection to the file holds its write lock.
    const file = join(dir, 'locked.sqlite');
    const table = new EmbeddedTable(file, 'newswatch', NEWSWATCH_SCHEMA, { busyMs: 50 });
    const doc = table.asDocumentClient();
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE');
    const put = (pk: string) =>
      doc.send(new PutCommand({ TableName: 'newswatch', Item: { pk, sk: 'META' } })).then(
        () => 'stored',
        (e: Error) => e,
      );

    // Act: two writes in one turn, then one after the lock is let go.
    const refused = await Promise.all([put('ARTICLE#1'), put('ARTICLE#2')]);
    other.exec('COMMIT');
    other.close();
    await new Promise((r) => setImmediate(r));
    const later = await put('ARTICLE#3');
    const stored = table.itemsUnder('ARTICLE#', 'META', 10).map((i) => i.pk);
    await table.close();

    // Assess: the second write did not wait for the lock again; nothing of the turn was kept.
    expect(refused[0]).toBeInstanceOf(Error);
    expect((refused[0] as Error).message).toMatch(/locked/);
    expect(refused[1]).toBe(refused[0]);
    expect(later).toBe('stored');
    expect(stored).toEqual(['ARTICLE#3']);
  });

  it('should fail the writes SQLite undid when it ends a transaction itself, with its error, and keep the next ones', async () => {
    // Prepare: the second write meets an error after which SQLite rolls the whole transaction
    // back (as it may on an I/O error or a full disk).
    const table = new EmbeddedTable(join(dir, 'undone.sqlite'), 'newswatch', NEWSWATCH_SCHEMA);
    const doc = table.asDocumentClient();
    const inner = table as unknown as { db: DatabaseSync; write: (item: Record<string, unknown>) => void };
    const write = inner.write.bind(table);
    inner.write = (item) => {
      if (item.pk === 'ARTICLE#2') {
        inner.db.exec('ROLLBACK');
        throw new Error('disk I/O error');
      }
      write(item);
    };
    const put = (pk: string) =>
      doc.send(new PutCommand({ TableName: 'newswatch', Item: { pk, sk: 'META' } })).then(
        () => 'stored',
        (e: Error) => e.message,
      );

    // Act: three writes in one turn.
    const answers = await Promise.all([put('ARTICLE#1'), put('ARTICLE#2'), put('ARTICLE#3')]);
    const stored = table.itemsUnder('ARTICLE#', 'META', 10).map((i) => i.pk);
    await table.close();

    // Assess: what was undone is reported failed with the error; what is answered stored is stored.
    expect(answers).toEqual(['disk I/O error', 'disk I/O error', 'stored']);
    expect(stored).toEqual(['ARTICLE#3']);
  });

  it('should commit the turn before a synchronous read, and say the table changed when a commit fails', async () => {
    // Prepare: the first commit fails.
    const table = new EmbeddedTable(join(dir, 'phantom.sqlite'), 'newswatch', NEWSWATCH_SCHEMA);
    const doc = table.asDocumentClient();
    const inner = table as unknown as { db: DatabaseSync };
    const exec = inner.db.exec.bind(inner.db);
    let failCommit = true;
    inner.db.exec = (sql: string) => {
      if (sql === 'COMMIT' && failCommit) {
        failCommit = false;
        throw new Error('disk I/O error');
      }
      exec(sql);
    };
    const error = {
      pk: 'ERROR#x',
      sk: 'ERROR',
      type: 'error',
      occurredAt: '2026-11-20',
      key: 'k',
      etag: 'e',
    };
    const before = table.version();

    // Act: a write, and in the same turn a read of the view it would appear in.
    const put = doc.send(new PutCommand({ TableName: 'newswatch', Item: error })).then(
      () => 'stored',
      (e: Error) => e.message,
    );
    await Promise.resolve();
    const seen = table.readView('errors').length;
    const answer = await put;
    const after = table.version();
    await doc.send(new PutCommand({ TableName: 'newswatch', Item: error }));
    const seenOnceCommitted = table.readView('errors').length;
    await table.close();

    // Assess
    expect(answer).toBe('disk I/O error');
    expect(seen).toBe(0);
    expect(after).not.toBe(before);
    expect(seenOnceCommitted).toBe(1);
  });

  it('should order strings by code point, as DynamoDB and SQLite order keys', () => {
    // Prepare: a character above U+FFFF (two UTF-16 units) and one just below it.
    const words = ['\u{1F600}', '\uffff', 'z', '\ue000', 'A'];

    // Act
    const sorted = [...words].sort(compareStrings);

    // Assess
    expect(sorted).toEqual(['A', 'z', '\ue000', '\uffff', '\u{1F600}']);
  });
});
