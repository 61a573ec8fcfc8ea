import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbGateStore } from '../../functions/adapters/aws/dynamodb-gate-store.ts';
import { DynamoDbTopicStore } from '../../functions/adapters/aws/dynamodb-topic-store.ts';
import {
  MemoryArticleStore,
  MemoryGateStore,
  MemoryTopicStore,
} from '../../functions/adapters/memory/memory-ports.ts';
import type { GateStore } from '../../functions/core/alerts/fatigue.ts';
import type { MatchStore } from '../../functions/core/pipeline/matching.ts';
import type { ArticleStore } from '../../functions/core/pipeline/ports.ts';
import { storeArticle } from '../fixtures/store-article.ts';
import { storedMatch } from '../fixtures/stored-match.ts';
import { TABLES, type TestTable } from './helpers/tables.ts';

/** The store ports as one implementation provides them. */
interface Stores {
  articles: ArticleStore;
  matches: MatchStore;
  gates: GateStore;
  close(): Promise<void>;
}

const onTable = (open: () => Promise<TestTable>) => async (): Promise<Stores> => {
  const t = await open();
  return {
    articles: new DynamoDbArticleStore(t.doc, t.tableName),
    matches: new DynamoDbTopicStore(t.doc, t.tableName),
    gates: new DynamoDbGateStore(t.doc, t.tableName),
    close: () => t.close(),
  };
};

/** Every implementation of the ports: in memory (the unit tests' ports), and the DynamoDB adapters on each table. */
const IMPLEMENTATIONS: [string, () => Promise<Stores>][] = [
  [
    'memory',
    () =>
      Promise.resolve({
        articles: new MemoryArticleStore(),
        matches: new MemoryTopicStore(),
        gates: new MemoryGateStore(),
        close: () => Promise.resolve(),
      }),
  ],
  ...TABLES.map(([name, open]): [string, () => Promise<Stores>] => [
    `DynamoDB adapters on ${name}`,
    onTable(open),
  ]),
];

const article = (id: string, sourceKey?: string) => storeArticle(id, '2026-12-01', sourceKey);

/**
 * One contract for the store ports, held by every implementation: what exactly-once ingest,
 * alerts and fatigue controls rely on means the same in memory, on DynamoDB and on one machine.
 */
describe.each(IMPLEMENTATIONS)('Store ports on %s', (_name, open) => {
  let s: Stores;
  beforeAll(async () => {
    s = await open();
  });
  afterAll(() => s.close());

  it('should write an article once, name the key that wrote it, and keep the newest event of a key', async () => {
    // Act
    const first = await s.articles.putArticle(article('c1'), '2026-12-01T00:00:00Z');
    const again = await s.articles.putArticle(article('c1', 'incoming/copy.txt'), '2026-12-01T00:01:00Z');
    const source = (sequencer: string, status: 'stored' | 'rejected') => ({
      key: 'incoming/c1.txt',
      status,
      etag: `e${sequencer}`,
      size: 10,
      sequencer,
      updatedAt: '2026-12-01T00:00:00Z',
    });
    const newer = await s.articles.recordSource(source('0B', 'stored'));
    const older = await s.articles.recordSource(source('0A', 'rejected'));
    const olderSeen = await s.articles.newerEventRecorded('incoming/c1.txt', '0A');
    const error = {
      key: 'incoming/bad.bin',
      etag: 'x',
      size: 3,
      kind: 'InvalidArticle' as const,
      message: 'not an article',
      occurredAt: '2026-12-01T00:00:00Z',
    };
    const errors = [await s.articles.recordError(error), await s.articles.recordError(error)];

    // Assess
    expect(first).toEqual({ created: true });
    expect(again).toEqual({ created: false, existingSourceKey: 'incoming/c1.txt' });
    expect([newer, older, olderSeen]).toEqual(['recorded', 'stale', true]);
    expect(errors).toEqual(['recorded', 'exists']);
  });

  it('should give an alert to one claim at a time, take it back after a failure, and send it once', async () => {
    // Prepare
    const match = storedMatch('a1', '2026-12-01', 'topic-1', 0.9, { sent: false });
    const now = '2026-12-01T10:00:00.000Z';
    const until = '2026-12-01T10:01:00.000Z';
    const later = '2026-12-01T10:02:00.000Z';

    // Act
    const put = [await s.matches.putMatch(match), await s.matches.putMatch(match)];
    const claims = [
      await s.matches.claimAlert('a1', 'topic-1', now, until, 'run-1'),
      await s.matches.claimAlert('a1', 'topic-1', now, until, 'run-2'),
      await s.matches.claimAlert('a1', 'topic-1', now, until, 'run-1'),
    ];
    await s.matches.releaseAlert('a1', 'topic-1');
    const afterRelease = await s.matches.claimAlert('a1', 'topic-1', now, until, 'run-2');
    const afterLease = await s.matches.claimAlert(
      'a1',
      'topic-1',
      later,
      '2026-12-01T10:03:00.000Z',
      'run-3',
    );
    await s.matches.markAlertsSent([match], later);
    await s.matches.markAlertsSent([match], '2026-12-01T10:05:00.000Z');
    const afterSent = await s.matches.claimAlert('a1', 'topic-1', later, until, 'run-4');
    const putAgain = await s.matches.putMatch(match);

    // Assess
    expect(put).toEqual([{ created: true }, { created: false, alertState: 'pending' }]);
    expect(claims).toEqual(['claimed', 'held', 'claimed']);
    expect([afterRelease, afterLease, afterSent]).toEqual(['claimed', 'claimed', 'sent']);
    expect(putAgain).toEqual({ created: false, alertState: 'sent' });
  });

  it('should let one run through a cooldown and a daily cap, and undo both after a failed send', async () => {
    // Act
    const first = await s.gates.claimCooldown('sub', 'topic', '2026-12-01T10:00:00Z', '2026-12-01T09:00:00Z');
    const soon = await s.gates.claimCooldown('sub', 'topic', '2026-12-01T10:10:00Z', '2026-12-01T09:10:00Z');
    await s.gates.undoCooldown('sub', 'topic', '2026-12-01T10:00:00Z', undefined);
    const afterUndo = await s.gates.claimCooldown(
      'sub',
      'topic',
      '2026-12-01T10:20:00Z',
      '2026-12-01T09:20:00Z',
    );
    const daily = [
      await s.gates.claimDaily('sub', '2026-12-01', 2),
      await s.gates.claimDaily('sub', '2026-12-01', 2),
      await s.gates.claimDaily('sub', '2026-12-01', 2),
    ];
    await s.gates.undoDaily('sub', '2026-12-01');
    const afterUndoDaily = await s.gates.claimDaily('sub', '2026-12-01', 2);
    const claims = [
      await s.gates.claimAlert('sub', 'alert-1', '2026-12-01T10:00:00Z', '2026-12-01T10:01:00Z', 't1'),
      await s.gates.claimAlert('sub', 'alert-1', '2026-12-01T10:00:00Z', '2026-12-01T10:01:00Z', 't2'),
    ];
    await s.gates.finishAlert('sub', 'alert-1', 'sent');
    const afterFinish = await s.gates.claimAlert(
      'sub',
      'alert-1',
      '2026-12-01T11:00:00Z',
      '2026-12-01T11:01:00Z',
      't1',
    );

    // Assess
    expect(first).toEqual({ taken: true });
    expect(soon).toEqual({ taken: false, lastSentAt: '2026-12-01T10:00:00Z' });
    expect(afterUndo).toEqual({ taken: true });
    expect(daily).toEqual([true, true, false]);
    expect(afterUndoDaily).toBe(true);
    expect(claims).toEqual([true, false]);
    expect(afterFinish).toBe(false);
  });
});
