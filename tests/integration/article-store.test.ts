import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { storeArticle } from '../fixtures/store-article.ts';
import { TABLES, type TestTable } from './helpers/tables.ts';

const article = (id: string, date: string, sourceKey?: string) => storeArticle(id, date, sourceKey);

/** The same contract on every table the store runs on (see helpers/tables.ts). */
describe.each(TABLES)('Class: DynamoDbArticleStore on %s', (_name, open) => {
  let store: DynamoDbArticleStore;
  let table: TestTable;

  beforeAll(async () => {
    table = await open();
    store = new DynamoDbArticleStore(table.doc, table.tableName);
  });
  afterAll(() => table.close());

  it('should write an article once and name the key that wrote it on every later attempt', async () => {
    // Act
    const first = await store.putArticle(article('a1', '2024-01-31'), '2026-11-23T00:00:00Z');
    const second = await store.putArticle(
      article('a1', '2024-01-31', 'incoming/other.txt'),
      '2026-11-23T00:01:00Z',
    );

    // Assess
    expect(first).toEqual({ created: true });
    expect(second).toEqual({ created: false, existingSourceKey: 'incoming/a1.txt' });
    expect(await store.getArticle('a1')).toMatchObject({
      sourceKey: 'incoming/a1.txt',
      ingestedAt: '2026-11-23T00:00:00Z',
    });
  });

  it('should list articles by date across month boundaries, oldest first', async () => {
    // Prepare
    await store.putArticle(article('a2', '2024-02-01'), '2026-11-23T00:00:00Z');
    await store.putArticle(article('a3', '2024-03-15'), '2026-11-23T00:00:00Z');

    // Act
    const range = await store.listArticlesByDate('2024-01-31', '2024-02-29');

    // Assess
    expect(range.map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(await store.listArticlesByDate('2023-12-01', '2024-12-31')).toHaveLength(3);
  });

  it('should keep the newest event for a key and call an older one stale', async () => {
    // Prepare
    const base = { key: 'incoming/s.txt', etag: 'e', size: 1, updatedAt: '2026-11-23T00:00:00Z' } as const;

    // Act
    const newer = await store.recordSource({ ...base, status: 'stored', articleId: 'a1', sequencer: '00FF' });
    const older = await store.recordSource({
      ...base,
      status: 'rejected',
      errorKind: 'NotUtf8',
      sequencer: '0A',
    });
    const same = await store.recordSource({
      ...base,
      status: 'stored',
      articleId: 'a1',
      sequencer: '0000FF',
    });

    // Assess
    expect([newer, older, same]).toEqual(['recorded', 'stale', 'recorded']);
    expect(await store.getSource('incoming/s.txt')).toMatchObject({ status: 'stored', articleId: 'a1' });
    expect((await store.listSourcesOfArticle('a1')).map((s) => s.key)).toEqual(['incoming/s.txt']);
  });

  it('should record an error once per key and version', async () => {
    // Prepare
    const error = {
      key: 'incoming/bad.txt',
      etag: 'e1',
      size: 3,
      kind: 'EmptyFile' as const,
      message: 'the file is empty (0 bytes)',
      occurredAt: '2026-11-23T00:00:00Z',
    };

    // Act
    const results = [
      await store.recordError(error),
      await store.recordError(error),
      await store.recordError({ ...error, etag: 'e2' }),
    ];

    // Assess
    expect(results).toEqual(['recorded', 'exists', 'recorded']);
    expect((await store.listErrorsForKey('incoming/bad.txt')).map((e) => e.etag)).toEqual(['e1', 'e2']);
    expect(await store.listErrorsByMonth('2026-11')).toHaveLength(2);
  });
});
