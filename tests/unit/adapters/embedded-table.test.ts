import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

  it('should order strings by code point, as DynamoDB and SQLite order keys', () => {
    // Prepare: a character above U+FFFF (two UTF-16 units) and one just below it.
    const words = ['\u{1F600}', '\uffff', 'z', '\ue000', 'A'];

    // Act
    const sorted = [...words].sort(compareStrings);

    // Assess
    expect(sorted).toEqual(['A', 'z', '\ue000', '\uffff', '\u{1F600}']);
  });
});
