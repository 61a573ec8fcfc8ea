import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FeedState, FeedStateStore } from '../../core/pipeline/ports.ts';
import { appliedUnlessConditionFails } from './dynamodb-errors.ts';
import { keys } from './table-layout.ts';

const STATE_FIELDS = [
  'feedId',
  'url',
  'etag',
  'lastModified',
  'lastPolledAt',
  'lastSuccessAt',
  'lastStatus',
  'lastHttpStatus',
  'lastError',
  'consecutiveFailures',
  'nextDueAt',
  'recentHashes',
  'lastWrittenKey',
  'lastWrittenAt',
  'filesWritten',
  'movedTo',
] as const;

/** A feed's state from its item; undefined for an item that holds only a claim (never polled to the end). */
export const feedStateFromItem = (item: Record<string, unknown> | undefined): FeedState | undefined => {
  if (!item || typeof item.url !== 'string' || typeof item.feedId !== 'string') return undefined;
  const state: Record<string, unknown> = {};
  for (const f of STATE_FIELDS) if (item[f] !== undefined) state[f] = item[f];
  return {
    ...(state as unknown as FeedState),
    consecutiveFailures: Number(item.consecutiveFailures ?? 0),
    filesWritten: Number(item.filesWritten ?? 0),
    recentHashes: Array.isArray(item.recentHashes) ? (item.recentHashes as string[]) : [],
    nextDueAt: typeof item.nextDueAt === 'string' ? item.nextDueAt : new Date(0).toISOString(),
  };
};

/**
 * Feed state in the newswatch table: one item per feed, `FEED#<id>` / `STATE`. A poll claims
 * the item with a conditional update of `leaseUntil` and ends with a put of the whole state,
 * which lets the claim go.
 */
export class DynamoDbFeedStateStore implements FeedStateStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  async get(feedId: string): Promise<FeedState | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.feedState(feedId), ConsistentRead: true }),
    );
    return feedStateFromItem(res.Item);
  }

  claim(feedId: string, now: string, until: string): Promise<boolean> {
    return appliedUnlessConditionFails(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.feedState(feedId),
          UpdateExpression: 'SET leaseUntil = :until, #type = :type',
          ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':until': until, ':now': now, ':type': 'feed-state' },
        }),
      ),
    );
  }

  async put(state: FeedState): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.feedState(state.feedId), type: 'feed-state', ...state },
      }),
    );
  }
}
