import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MemoryArticleStore,
  MemoryObjectSource,
  MemoryTopicStore,
} from '../../../functions/adapters/memory/memory-ports.ts';
import { ingestObject } from '../../../functions/core/pipeline/ingest-object.ts';
import {
  CachedMatcher,
  compileTopicSet,
  type MatchRun,
  snapshotOfTopicSet,
  summariseTopicFigures,
  TOPIC_VERSION_CHECK_MS,
  type TopicSet,
  topicSetVersion,
} from '../../../functions/core/pipeline/matching.ts';
import type { IngestPorts, ObjectRef } from '../../../functions/core/pipeline/ports.ts';
import { matchArticle } from '../../../functions/core/topics/matcher.ts';
import type { TopicDefinition } from '../../../functions/core/topics/topic.ts';

const SEED = readFileSync('tests/fixtures/seeds/articles/000_9c9c4874b48bb81e.txt');
const topics: TopicDefinition[] = [
  {
    id: 'masks',
    name: 'Masks',
    query: '@kit AND (aid OR delivered OR transfer)',
    minScore: 0.2,
    enabled: true,
  },
  { id: 'sport', name: 'Sport', query: 'football OR tennis', minScore: 0.2, enabled: true },
];
const lists = { kit: ['masks', 'medical masks', 'disinfectant*'] };
const set = (): TopicSet => ({ version: topicSetVersion(topics, lists), topics, lists });

const setup = () => {
  let now = new Date('2026-11-23T12:00:00Z').getTime();
  const clock = { now: () => new Date(now), advance: (ms: number) => (now += ms) };
  const objects = new MemoryObjectSource(
    new Map([
      ['incoming/a.txt', SEED],
      ['incoming/copy.txt', SEED],
    ]),
  );
  const articles = new MemoryArticleStore();
  const topicStore = new MemoryTopicStore(set());
  let loads = 0;
  const load = topicStore.load.bind(topicStore);
  topicStore.load = () => {
    loads++;
    return load();
  };
  const ports: IngestPorts = {
    objects,
    articles,
    clock,
    limits: { maxBytes: 100_000 },
    matching: { matcher: new CachedMatcher(topicStore, clock), store: topicStore },
  };
  const ref = (key: string): ObjectRef => ({
    key,
    size: SEED.length,
    etag: 'e',
    eventTime: '2026-11-23T11:00:00Z',
  });
  return { clock, ports, topicStore, ref, loads: () => loads };
};

describe('Function: ingestObject with matching', () => {
  it('should store each match once with the analyser and topic set versions, and a match run', async () => {
    // Prepare
    const { ports, topicStore, ref } = setup();

    // Act
    const first = await ingestObject(ref('incoming/a.txt'), ports);
    const again = await ingestObject(ref('incoming/a.txt'), ports);
    const copy = await ingestObject(ref('incoming/copy.txt'), ports);

    // Assess
    expect(first).toMatchObject({ status: 'stored', matches: [{ topicId: 'masks' }] });
    expect(again).toMatchObject({ status: 'stored', matches: [{ topicId: 'masks' }] });
    expect(copy.status).toBe('duplicate');
    expect([...topicStore.matches.values()]).toMatchObject([
      { topicId: 'masks', analyserVersion: 'a3', topicSetVersion: set().version, articleDate: '2020-07-26' },
    ]);
    const match = [...topicStore.matches.values()][0];
    expect(match?.explanation.terms.map((t) => t.term)).toEqual(
      expect.arrayContaining(['masks', 'medical masks']),
    );
    expect(topicStore.runs[0]).toMatchObject({ candidates: ['masks'], matched: ['masks'] });
  });

  it('should compile the topics once and again only when their version changes', async () => {
    // Prepare
    const { ports, topicStore, ref, clock, loads } = setup();
    await ingestObject(ref('incoming/a.txt'), ports);

    // Act: same version after the check interval, then a new version.
    clock.advance(TOPIC_VERSION_CHECK_MS + 1);
    await ingestObject(ref('incoming/a.txt'), ports);
    const loadsBefore = loads();
    const changed = [{ ...(topics[0] as TopicDefinition), query: 'football' }];
    topicStore.set = { version: topicSetVersion(changed, lists), topics: changed, lists };
    await ingestObject(ref('incoming/a.txt'), ports);
    const withinInterval = loads();
    clock.advance(TOPIC_VERSION_CHECK_MS + 1);
    const outcome = await ingestObject(ref('incoming/a.txt'), ports);

    // Assess
    expect(loadsBefore).toBe(1);
    expect(withinInterval).toBe(1);
    expect(loads()).toBe(2);
    expect(outcome).toMatchObject({ status: 'stored', matches: [] });
  });

  it('should store articles without matching when no topics are stored', async () => {
    // Prepare
    const { ports, topicStore, ref } = setup();
    topicStore.set = undefined;

    // Act & Assess
    expect(await ingestObject(ref('incoming/a.txt'), ports)).toMatchObject({ status: 'stored', matches: [] });
  });
});

describe('Class: CachedMatcher (index snapshots)', () => {
  it('should load the stored snapshot of the version instead of reading and compiling the topics', async () => {
    // Prepare
    const { ports, topicStore, ref, loads } = setup();
    topicStore.snapshots.set(set().version, snapshotOfTopicSet(set()));

    // Act
    const outcome = await ingestObject(ref('incoming/a.txt'), ports);

    // Assess
    expect(outcome).toMatchObject({ status: 'stored', matches: [{ topicId: 'masks' }] });
    expect(loads()).toBe(0);
    expect(ports.matching?.matcher.lastBuild).toMatchObject({ version: set().version, from: 'snapshot' });
  });

  it.each([
    ['of another topic set', () => snapshotOfTopicSet({ ...set(), version: 'other' }), 'topic set other'],
    ['damaged', () => snapshotOfTopicSet(set()).map((b, i) => (i === 200 ? b ^ 1 : b)), 'damaged'],
  ])('should compile the topics when the stored snapshot is %s', async (_, snapshot, problem) => {
    // Prepare
    const { ports, topicStore, ref, loads } = setup();
    topicStore.snapshots.set(set().version, snapshot());

    // Act
    const outcome = await ingestObject(ref('incoming/a.txt'), ports);

    // Assess
    expect(outcome).toMatchObject({ status: 'stored', matches: [{ topicId: 'masks' }] });
    expect(loads()).toBe(1);
    expect(ports.matching?.matcher.lastBuild).toMatchObject({
      from: 'compiled',
      snapshotProblem: expect.stringContaining(problem),
    });
  });
});

describe('Class: CachedMatcher (a failed read of the snapshot)', () => {
  it('should compile the topics when the stored snapshot cannot be read', async () => {
    // Prepare
    const { ports, topicStore, ref, loads } = setup();
    topicStore.loadIndexSnapshot = () => Promise.reject(new Error('Throughput exceeded'));

    // Act
    const outcome = await ingestObject(ref('incoming/a.txt'), ports);

    // Assess
    expect(outcome).toMatchObject({ status: 'stored', matches: [{ topicId: 'masks' }] });
    expect(loads()).toBe(1);
    expect(ports.matching?.matcher.lastBuild).toMatchObject({
      from: 'compiled',
      snapshotProblem: 'the index snapshot could not be read: Throughput exceeded',
    });
  });
});

describe('Function: compileTopicSet', () => {
  it('should give the same index whatever order the topics were read in', () => {
    // Prepare
    const topics: TopicDefinition[] = ['b', 'c', 'a', 'd'].map((id) => ({
      id,
      name: id,
      query: id === 'd' ? 'NOT sport' : 'masks',
      minScore: 0,
      enabled: true,
    }));
    const article = { title: 'Masks', paragraphs: ['Masks were sent.'] };
    const of = (order: TopicDefinition[]) =>
      matchArticle(compileTopicSet({ version: 'v', topics: order, lists: {} }).index, article);

    // Act
    const read = [of(topics), of([...topics].reverse())];

    // Assess
    expect(read[0]).toEqual(read[1]);
    expect(read[0]?.candidates).toEqual(['d', 'a', 'b', 'c']);
  });
});

describe('Function: topicSetVersion', () => {
  it('should not depend on the order of topics and lists, and change with any definition', () => {
    // Act & Assess
    expect(topicSetVersion([...topics].reverse(), lists)).toBe(topicSetVersion(topics, lists));
    expect(topicSetVersion(topics, { kit: ['masks'] })).not.toBe(topicSetVersion(topics, lists));
    expect(topicSetVersion(topics, lists)).toMatch(/^a3-[0-9a-f]{16}$/);
  });
});

describe('Function: summariseTopicFigures', () => {
  it('should count candidates and matches per topic and list topics that never came up', () => {
    // Prepare
    const run = (candidates: string[], matched: string[]): MatchRun => ({
      articleId: 'a',
      articleDate: '2026-11-23',
      analyserVersion: 'a1',
      topicSetVersion: 'v',
      candidates,
      matched,
      ranAt: '2026-11-23T00:00:00Z',
    });

    // Act
    const figures = summariseTopicFigures(
      [run(['noisy', 'good'], ['good']), run(['noisy', 'good'], ['good']), run(['noisy'], [])],
      ['good', 'noisy', 'silent'],
    );

    // Assess
    expect(figures).toEqual([
      { topicId: 'good', candidates: 2, matches: 2, matchRate: 1 },
      { topicId: 'noisy', candidates: 3, matches: 0, matchRate: 0 },
      { topicId: 'silent', candidates: 0, matches: 0, matchRate: 0 },
    ]);
  });
});
