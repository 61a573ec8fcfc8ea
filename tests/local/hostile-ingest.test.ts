import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbStoryStore } from '../../functions/adapters/aws/dynamodb-story-store.ts';
import { DynamoDbTopicStore } from '../../functions/adapters/aws/dynamodb-topic-store.ts';
import { type LocalTable, openLocalTable } from '../../functions/adapters/local/local-dynamodb.ts';
import { readTopicFolder } from '../../functions/adapters/local/topic-folder.ts';
import {
  MemoryAlertPublisher,
  MemoryObjectSource,
  MemoryTopicStore,
} from '../../functions/adapters/memory/memory-ports.ts';
import { DEFAULT_MAX_ARTICLE_BYTES } from '../../functions/core/articles/parse-article.ts';
import { ingestObject } from '../../functions/core/pipeline/ingest-object.ts';
import { CachedMatcher, topicSetVersion } from '../../functions/core/pipeline/matching.ts';
import type { IngestPorts } from '../../functions/core/pipeline/ports.ts';
import { hostileFiles } from '../fixtures/crafted-files.ts';

/**
 * Crafted files at the size limit, through the ingest core into the local table: it enforces
 * DynamoDB's 400 KB item limit as DynamoDB counts it, so an article or match too large to store would fail
 * its write here and the file would end with no outcome.
 */
describe('Ingest: crafted files within the size limit, into a real table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-hostile-'));
  let dynamo: LocalTable;
  const seeds = readTopicFolder('tests/fixtures/seeds/topics').loaded;
  const topics = new MemoryTopicStore({
    version: topicSetVersion(seeds.topics, seeds.rawLists),
    topics: seeds.topics,
    lists: seeds.rawLists,
  });

  const portsFor = (files: Map<string, Uint8Array>): IngestPorts => {
    const clock = { now: () => new Date('2026-11-23T12:00:00Z') };
    const matches = new DynamoDbTopicStore(dynamo.doc, dynamo.tableName);
    return {
      objects: new MemoryObjectSource(files),
      articles: new DynamoDbArticleStore(dynamo.doc, dynamo.tableName),
      clock,
      limits: { maxBytes: DEFAULT_MAX_ARTICLE_BYTES },
      matching: { matcher: new CachedMatcher(topics, clock), store: matches },
      stories: new DynamoDbStoryStore(dynamo.doc, dynamo.tableName),
      alerts: { publisher: new MemoryAlertPublisher(), locate: (k) => `s3://articles/${k}` },
    };
  };
  const ingest = (ports: IngestPorts, key: string, bytes: Uint8Array) =>
    ingestObject({ key, size: bytes.length, etag: `etag-${key}`, eventTime: '2026-11-23T11:59:00Z' }, ports);

  beforeAll(async () => {
    dynamo = await openLocalTable(join(dir, 'data'));
  });
  afterAll(async () => {
    await dynamo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should end every crafted file as stored or rejected, with matches that fit their items', async () => {
    // Prepare
    const files = hostileFiles(DEFAULT_MAX_ARTICLE_BYTES);
    const ports = portsFor(new Map(files.map((f) => [f.key, f.bytes])));

    // Act
    const outcomes = [];
    for (const f of files) outcomes.push({ name: f.name, outcome: await ingest(ports, f.key, f.bytes) });

    // Assess: nothing thrown; the expected refusals are typed; the floods that match are stored.
    const byName = new Map(outcomes.map((o) => [o.name, o.outcome]));
    for (const f of files) expect(f.bytes.length).toBeLessThanOrEqual(DEFAULT_MAX_ARTICLE_BYTES);
    expect(byName.get('nested JSON, unclosed')).toMatchObject({
      status: 'rejected',
      error: { kind: 'InvalidArticle' },
    });
    expect(byName.get('UTF-16 CJK')).toMatchObject({ status: 'rejected', error: { kind: 'TooLarge' } });
    expect(byName.get('entity expansion (billion laughs)')).toMatchObject({
      status: 'rejected',
      error: { kind: 'UnsupportedFormat' },
    });
    expect(byName.get('nested XML, closed')).toMatchObject({
      status: 'rejected',
      error: { kind: 'InvalidArticle' },
    });
    for (const name of ['PDF stream bomb', 'PDF long string', 'Word element flood'])
      expect(byName.get(name), name).toMatchObject({ status: 'rejected', error: { kind: 'TooLarge' } });
    const flood = byName.get('two forms of one stem');
    expect(flood).toMatchObject({ status: 'stored' });
    expect(flood?.status === 'stored' && flood.matches.length).toBeGreaterThan(0);
    const places = byName.get('country and body flood');
    expect(places?.status === 'stored' && places.matches.length).toBeGreaterThan(0);
    const author = byName.get('huge author');
    expect(author).toMatchObject({ status: 'stored' });
    for (const { outcome } of outcomes) expect(['stored', 'duplicate', 'rejected']).toContain(outcome.status);
  }, 120_000);

  it('should end any mix of hostile fragments within the size limit with an outcome', async () => {
    // Prepare: files built from the fragments that hurt each step, in any order and amount.
    const fragment = fc.constantFrom(
      'Mr. ',
      'A. ',
      '[',
      '{"a":',
      '"',
      '\\',
      'aid ',
      'travel travellers flights banned pandemic. ',
      'WHO UNICEF China Serbia donated masks. ',
      '\n\n',
      '\r',
      '👩‍⚕️',
      'é',
      '\u202e',
      '\u0000',
      'x'.repeat(1000),
    );
    const file = fc
      .tuple(fc.array(fc.tuple(fragment, fc.integer({ min: 1, max: 4000 })), { minLength: 1, maxLength: 6 }))
      .map(([parts]) => {
        const text = parts.map(([f, n]) => f.repeat(n)).join('');
        return new TextEncoder().encode(text).slice(0, DEFAULT_MAX_ARTICLE_BYTES);
      });
    const ports = portsFor(new Map());
    let n = 0;

    // Act + Assess
    await fc.assert(
      fc.asyncProperty(file, fc.boolean(), async (bytes, asJson) => {
        const key = `incoming/crafted-${n++}${asJson ? '.json' : '.txt'}`;
        (ports.objects as MemoryObjectSource).objects.set(key, bytes);
        const outcome = await ingest(ports, key, bytes);
        expect(['stored', 'duplicate', 'rejected']).toContain(outcome.status);
      }),
      { numRuns: 40 },
    );
  }, 180_000);
});
