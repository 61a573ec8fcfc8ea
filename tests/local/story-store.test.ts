import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAND_READ_LIMIT, DynamoDbStoryStore } from '../../functions/adapters/aws/dynamodb-story-store.ts';
import { keys } from '../../functions/adapters/aws/table-layout.ts';
import { type LocalTable, openLocalTable } from '../../functions/adapters/local/local-dynamodb.ts';
import { bandKeysOf, signatureOf } from '../../functions/core/stories/near-duplicate.ts';
import type { StoryJoin } from '../../functions/core/stories/story.ts';

const BODY = Array.from({ length: 80 }, (_, i) => `word${i % 37} thing${i % 11} other${i}`).join(' ');
const signature = signatureOf(BODY) as Uint32Array;
const bandKeys = bandKeysOf(signature);
const id = (n: number) => n.toString(16).padStart(32, '0');
const joinOf = (articleId: string, storyId: string): StoryJoin => ({
  storyId,
  articleId,
  title: 'T',
  source: 'Outlet',
  at: '2026-12-01T00:00:00Z',
});

describe('Class: DynamoDbStoryStore (one item per band key, on the local table)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-stories-'));
  let dynamo: LocalTable;
  let store: DynamoDbStoryStore;

  beforeAll(async () => {
    dynamo = await openLocalTable(join(dir, 'data'));
    store = new DynamoDbStoryStore(dynamo.doc, dynamo.tableName);
  });

  afterAll(async () => {
    await dynamo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should find an indexed article with its story and signature, and its own story on a retry', async () => {
    // Prepare: the first article starts its story and is indexed.
    const first = id(1);
    const empty = await store.lookup(first, bandKeys);
    await store.join(joinOf(first, first), { signature, bandKeys, bands: empty.bands });

    // Act
    const other = await store.lookup(id(2), bandKeys);
    const retry = await store.lookup(first, bandKeys);

    // Assess
    expect(empty).toEqual({ candidates: [], bands: new Map(bandKeys.map((k) => [k, new Map()])) });
    expect(other.self).toBeUndefined();
    expect(other.candidates).toEqual([{ articleId: first, storyId: first, signature }]);
    expect(other.bands.get(bandKeys[0] as string)).toEqual(new Map([[first, first]]));
    expect(retry).toMatchObject({ self: { storyId: first }, candidates: [] });
  });

  it("should keep an article's story when a band written at the same moment left it out", async () => {
    // Prepare: an article indexed under a band, then the band overwritten by another article's
    // write made from a read taken before the first was indexed.
    const lost = id(10);
    const racer = id(11);
    const read = await store.lookup(lost, ['m2:99:race']);
    await store.join(joinOf(lost, lost), { signature, bandKeys: ['m2:99:race'], bands: read.bands });
    await store.join(joinOf(racer, racer), { signature, bandKeys: ['m2:99:race'], bands: read.bands });

    // Act
    const retry = await store.lookup(lost, ['m2:99:race']);

    // Assess: the band lists the racer only, yet the retry finds its own story by its link.
    expect(retry.bands.get('m2:99:race')).toEqual(new Map([[racer, racer]]));
    expect(retry.self).toEqual({ storyId: lost });
  });

  it(`should list at most ${BAND_READ_LIMIT} articles in one band`, async () => {
    // Prepare
    const band = 'm2:98:full';
    for (let n = 0; n < BAND_READ_LIMIT + 3; n++) {
      const article = id(100 + n);
      const { bands } = await store.lookup(article, [band]);
      await store.join(joinOf(article, id(100)), { signature, bandKeys: [band], bands });
    }

    // Act
    const item = await dynamo.doc.send(new GetCommand({ TableName: dynamo.tableName, Key: keys.band(band) }));
    const found = await store.lookup(id(999), [band]);

    // Assess: the first ones are listed; the later ones are still linked to their story.
    expect(Object.keys(item.Item?.members as object)).toHaveLength(BAND_READ_LIMIT);
    expect(found.candidates).toHaveLength(BAND_READ_LIMIT);
    expect(found.candidates.map((c) => c.articleId)).not.toContain(id(100 + BAND_READ_LIMIT));
    expect(await store.storyOf(id(100 + BAND_READ_LIMIT))).toBe(id(100));
  });

  it("should give each of a story's topics to the first article that claims it, in one update per article", async () => {
    // Prepare
    const story = id(700);
    const at = '2026-12-01T00:00:00Z';

    // Act: the first article claims two topics, a later one two (one of them taken), then the
    // first again (a retry).
    const first = await store.claimTopics(story, ['aid', 'masks'], id(700), at);
    const later = await store.claimTopics(story, ['masks', 'vaccines'], id(701), at);
    const retry = await store.claimTopics(story, ['aid', 'masks'], id(700), at);

    // Assess
    expect(first).toEqual(
      new Map([
        ['aid', 'first'],
        ['masks', 'first'],
      ]),
    );
    expect(later).toEqual(
      new Map([
        ['masks', 'update'],
        ['vaccines', 'first'],
      ]),
    );
    expect(retry).toEqual(first);
    expect(await store.claimTopics(story, [], id(702), at)).toEqual(new Map());
  });

  it('should leave out a listed article whose link is not written yet', async () => {
    // Prepare: a band item naming an article that has no link (its batch is still landing).
    await dynamo.doc.send(
      new PutCommand({
        TableName: dynamo.tableName,
        Item: { ...keys.band('m2:97:early'), type: 'band', members: { [id(500)]: id(500) } },
      }),
    );

    // Act
    const found = await store.lookup(id(501), ['m2:97:early']);

    // Assess
    expect(found.candidates).toEqual([]);
    expect(found.bands.get('m2:97:early')).toEqual(new Map([[id(500), id(500)]]));
  });
});
