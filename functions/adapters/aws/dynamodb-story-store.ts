import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decodeSignature, encodeSignature, type StoryCandidate } from '../../core/stories/near-duplicate.ts';
import type {
  StoryIndexEntry,
  StoryJoin,
  StoryLookup,
  StoryRecord,
  StoryRole,
  StoryStore,
} from '../../core/stories/story.ts';
import { batchGetItems, batchPutItems } from './dynamodb-batch.ts';
import { isConditionFailure } from './dynamodb-errors.ts';
import { keys, withoutKeys } from './table-layout.ts';

/** A band item lists at most this many articles: a story copied a thousand times stays cheap to look up. */
export const BAND_READ_LIMIT = 25;
/** A story lists at most this many article ids (the count of copies keeps growing); keeps the item small. */
export const STORY_ARTICLE_CAP = 500;

const storyKey = (storyId: string) => ({ pk: `STORY#${storyId}`, sk: 'STORY' });

/** The attribute of a story's topic claims item that names the article holding one topic. */
const TOPIC_CLAIM_PREFIX = 'TOPIC#';
/** Topics claimed per UpdateItem (its expression is limited to 4 KB). */
const CLAIMS_PER_UPDATE = 50;

/** The article ids and story ids a band item lists. */
const membersOf = (item: Record<string, unknown> | undefined): Map<string, string> =>
  new Map(Object.entries((item?.members ?? {}) as Record<string, string>));

/**
 * {@link StoryStore} on DynamoDB: one item per band key (`BAND#<key>` / `BAND`, whose
 * `members` map lists up to {@link BAND_READ_LIMIT} article ids with their story ids), one per
 * story (`STORY#<id>` / `STORY`, with string sets of article ids and outlets, so re-adding is
 * harmless), one per article (`ARTICLE#<id>` / `STORY`, its story and its signature) and one
 * per story for its topic claims (`STORY#<id>` / `TOPICS`: attribute `TOPIC#<topic>` names the
 * first article of the story that matched the topic; all of an article's topics in one update).
 *
 * A lookup is one BatchGetItem of the 16 band items and the article's own link, then one of
 * the links of the articles they list (for their signatures); indexing is one BatchWriteItem
 * of the link and the band items that lack the article, each written whole from what the
 * lookup read. Two articles indexed at the same moment under one band key may each write that
 * band without the other: the one left out stays findable through its other bands, and its
 * own retry finds it by its link.
 */
export class DynamoDbStoryStore implements StoryStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  async lookup(articleId: string, bandKeys: readonly string[]): Promise<StoryLookup> {
    const own = keys.articleStory(articleId);
    const items = await batchGetItems(this.doc, this.tableName, [own, ...bandKeys.map(keys.band)]);
    // The keys asked for have distinct partition keys.
    const byPk = new Map(items.map((i) => [String(i.pk), i]));
    const link = byPk.get(own.pk);
    let self = link ? { storyId: String(link.storyId) } : undefined;
    const bands = new Map<string, Map<string, string>>();
    // Other articles in band order, each once.
    const others = new Map<string, string>();
    for (const key of bandKeys) {
      const members = membersOf(byPk.get(keys.band(key).pk));
      bands.set(key, members);
      for (const [id, storyId] of members) {
        if (id === articleId) self ??= { storyId };
        else if (!others.has(id)) others.set(id, storyId);
      }
    }
    // A retry keeps its story: the others' signatures are not needed.
    if (self || others.size === 0) return { ...(self ? { self } : {}), candidates: [], bands };
    const links = await batchGetItems(
      this.doc,
      this.tableName,
      [...others.keys()].map((id) => keys.articleStory(id)),
    );
    const signatures = new Map(
      links.map((l) => [String(l.articleId), typeof l.signature === 'string' ? l.signature : '']),
    );
    const candidates: StoryCandidate[] = [];
    for (const [id, storyId] of others) {
      // An article indexed at this very moment may not have its link yet: it is left out.
      const signature = decodeSignature(signatures.get(id) ?? '');
      if (signature) candidates.push({ articleId: id, storyId, signature });
    }
    return { candidates, bands };
  }

  async join(entry: StoryJoin, index?: StoryIndexEntry): Promise<void> {
    const values = {
      ':type': 'story',
      ':id': entry.storyId,
      ':article': entry.articleId,
      ':title': entry.title,
      ':at': entry.at,
      ':sources': new Set([entry.source]),
      ':articles': new Set([entry.articleId]),
      ':cap': STORY_ARTICLE_CAP,
      ':gsi': `STORIES#${entry.at.slice(0, 7)}`,
      ':gsisk': `${entry.at}#${entry.storyId}`,
    };
    const set =
      'SET #type = :type, storyId = :id, firstArticleId = if_not_exists(firstArticleId, :article), ' +
      'firstSeenAt = if_not_exists(firstSeenAt, :at), title = if_not_exists(title, :title), ' +
      'latestArticleId = :article, latestAt = :at, gsi1pk = if_not_exists(gsi1pk, :gsi), gsi1sk = if_not_exists(gsi1sk, :gsisk)';
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: storyKey(entry.storyId),
          UpdateExpression: `${set} ADD sources :sources, articleIds :articles`,
          ConditionExpression: 'attribute_not_exists(articleIds) OR size(articleIds) < :cap',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      // A story past the cap keeps its outlets and latest version, without listing more ids.
      const { ':articles': _a, ':cap': _c, ...rest } = values;
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: storyKey(entry.storyId),
          UpdateExpression: `${set} ADD sources :sources`,
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: rest,
        }),
      );
    }
    const link = {
      ...keys.articleStory(entry.articleId),
      type: 'article-story',
      articleId: entry.articleId,
      storyId: entry.storyId,
      ...(entry.of ? { of: entry.of, similarity: entry.similarity } : {}),
      ...(index ? { signature: encodeSignature(index.signature) } : {}),
    };
    if (!index) {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: link }));
      return;
    }
    // Each band that does not list the article yet is written whole: what the lookup read, and
    // the article. A full band is left as it is.
    const bands = index.bandKeys.flatMap((key) => {
      const members = index.bands.get(key) ?? new Map<string, string>();
      if (members.has(entry.articleId) || members.size >= BAND_READ_LIMIT) return [];
      return [
        {
          ...keys.band(key),
          type: 'band',
          members: { ...Object.fromEntries(members), [entry.articleId]: entry.storyId },
        },
      ];
    });
    await batchPutItems(this.doc, this.tableName, [link, ...bands]);
  }

  async storyOf(articleId: string): Promise<string | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.articleStory(articleId) }),
    );
    return res.Item ? String(res.Item.storyId) : undefined;
  }

  async addSource(storyId: string, source: string, at: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: storyKey(storyId),
          UpdateExpression: 'SET latestAt = :at ADD sources :s',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':s': new Set([source]), ':at': at },
        }),
      )
      .catch((e: unknown) => {
        if (!isConditionFailure(e)) throw e;
      });
  }

  async get(storyId: string): Promise<StoryRecord | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: storyKey(storyId) }));
    return res.Item ? storyFromItem(res.Item) : undefined;
  }

  async claimTopics(
    storyId: string,
    topicIds: readonly string[],
    articleId: string,
    at: string,
  ): Promise<Map<string, StoryRole>> {
    const roles = new Map<string, StoryRole>();
    for (let i = 0; i < topicIds.length; i += CLAIMS_PER_UPDATE) {
      const chunk = topicIds.slice(i, i + CLAIMS_PER_UPDATE);
      // Each topic keeps the first article that claimed it; the answer says who holds each.
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.storyTopics(storyId),
          UpdateExpression: `SET #type = :type, storyId = :story, firstClaimAt = if_not_exists(firstClaimAt, :at), ${chunk
            .map((_, n) => `#t${n} = if_not_exists(#t${n}, :article)`)
            .join(', ')}`,
          ExpressionAttributeNames: {
            '#type': 'type',
            ...Object.fromEntries(chunk.map((t, n) => [`#t${n}`, `${TOPIC_CLAIM_PREFIX}${t}`])),
          },
          ExpressionAttributeValues: {
            ':type': 'story-topics',
            ':story': storyId,
            ':article': articleId,
            ':at': at,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      for (const t of chunk) {
        roles.set(t, res.Attributes?.[`${TOPIC_CLAIM_PREFIX}${t}`] === articleId ? 'first' : 'update');
      }
    }
    return roles;
  }
}

/** A story item as a {@link StoryRecord} (string sets become sorted arrays). */
export const storyFromItem = (item: Record<string, unknown>): StoryRecord => {
  const rest = withoutKeys(item);
  const list = (v: unknown) =>
    v instanceof Set ? [...(v as Set<string>)].sort() : Array.isArray(v) ? (v as string[]) : [];
  return {
    ...(rest as unknown as StoryRecord),
    articleIds: list(rest.articleIds),
    sources: list(rest.sources),
  };
};
