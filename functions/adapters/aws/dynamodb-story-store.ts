import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { decodeSignature, encodeSignature, type StoryCandidate } from '../../core/stories/near-duplicate.ts';
import type {
  StoryIndexEntry,
  StoryJoin,
  StoryRecord,
  StoryRole,
  StoryStore,
} from '../../core/stories/story.ts';
import { isConditionFailure } from './dynamodb-errors.ts';
import { withoutKeys } from './table-layout.ts';

/** At most this many articles of one band are read per lookup: a story copied a thousand times stays cheap. */
export const BAND_READ_LIMIT = 25;
/** A story lists at most this many article ids (the count of copies keeps growing); keeps the item small. */
export const STORY_ARTICLE_CAP = 500;

const storyKey = (storyId: string) => ({ pk: `STORY#${storyId}`, sk: 'STORY' });

/**
 * {@link StoryStore} on DynamoDB: one item per band key and article (`BAND#<key>` /
 * `ARTICLE#<id>`, holding the signature), one per story (`STORY#<id>` / `STORY`, with string
 * sets of article ids and outlets, so re-adding is harmless), one per article
 * (`ARTICLE#<id>` / `STORY`) and one per story and topic (`STORY#<id>` / `TOPIC#<topic>`).
 */
export class DynamoDbStoryStore implements StoryStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  async candidates(bandKeys: readonly string[]): Promise<StoryCandidate[]> {
    const found = new Map<string, StoryCandidate>();
    // The bands are read at once (one round trip, not sixteen) and merged in band order.
    const pages = await Promise.all(
      bandKeys.map((key) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `BAND#${key}` },
            Limit: BAND_READ_LIMIT,
          }),
        ),
      ),
    );
    for (const res of pages) {
      for (const item of res.Items ?? []) {
        const signature = decodeSignature(String(item.signature));
        const articleId = String(item.articleId);
        if (signature && !found.has(articleId))
          found.set(articleId, { articleId, storyId: String(item.storyId), signature });
      }
    }
    return [...found.values()];
  }

  async index(entry: StoryIndexEntry): Promise<void> {
    const signature = encodeSignature(entry.signature);
    // Idempotent puts, written at once; a failure rejects and the whole entry is retried.
    await Promise.all(
      entry.bandKeys.map((key) =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: `BAND#${key}`,
              sk: `ARTICLE#${entry.articleId}`,
              type: 'band',
              articleId: entry.articleId,
              storyId: entry.storyId,
              signature,
            },
          }),
        ),
      ),
    );
  }

  async join(entry: StoryJoin): Promise<void> {
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
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `ARTICLE#${entry.articleId}`,
          sk: 'STORY',
          type: 'article-story',
          articleId: entry.articleId,
          storyId: entry.storyId,
          ...(entry.of ? { of: entry.of, similarity: entry.similarity } : {}),
        },
      }),
    );
  }

  async storyOf(articleId: string): Promise<string | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `ARTICLE#${articleId}`, sk: 'STORY' } }),
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

  async claimTopic(storyId: string, topicId: string, articleId: string, at: string): Promise<StoryRole> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `STORY#${storyId}`,
            sk: `TOPIC#${topicId}`,
            type: 'story-topic',
            storyId,
            topicId,
            articleId,
            at,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR articleId = :article',
          ExpressionAttributeValues: { ':article': articleId },
        }),
      );
      return 'first';
    } catch (e) {
      if (isConditionFailure(e)) return 'update';
      throw e;
    }
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
