import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type {
  AlertClaim,
  AlertState,
  MatchRecord,
  MatchRun,
  MatchStore,
  PutMatchResult,
  TopicSet,
  TopicSource,
} from '../../core/pipeline/matching.ts';
import { snapshotOfTopicSet } from '../../core/pipeline/matching.ts';
import { compilerFingerprint, INDEX_SNAPSHOT_FORMAT } from '../../core/topics/snapshot.ts';
import type { TopicDefinition } from '../../core/topics/topic.ts';
import { batchGetItems, batchPutItems } from './dynamodb-batch.ts';
import { keys, TABLE_KEYS, withoutKeys } from './table-layout.ts';
import { appliedUnlessConditionFails, isConditionFailure } from './dynamodb-errors.ts';

const strip = withoutKeys;

/** Bytes of an index snapshot per item: an item holds 400 KB at most, its keys included. */
export const INDEX_PART_BYTES = 350_000;
/** Parts read by one BatchGetItem: well under the 16 MB one answer holds. */
const INDEX_PARTS_PER_READ = 32;

/** Where the version item says the index snapshot of its version is, its format and the matcher that wrote it. */
interface StoredIndex {
  parts: number;
  bytes: number;
  format: number;
  /** The {@link compilerFingerprint} of the matcher that wrote it. */
  compiler?: string;
}

/**
 * Topics, matches and match runs in the newswatch table. Topics and lists live in one
 * partition (`TOPICS`) with a version item that containers poll to know when to recompile.
 * The index snapshot of the set is cut into parts under `TOPIC-INDEX#<version>`, named by
 * the version item.
 */
export class DynamoDbTopicStore implements TopicSource, MatchStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  /**
   * Match items this store created, by the record they were written from: while this run holds
   * their claim, marking them sent is a plain put of the same item (batched), not an update each.
   */
  private readonly created = new WeakMap<MatchRecord, Record<string, unknown>>();

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  async currentVersion(): Promise<string | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.topicSetVersion(), ConsistentRead: true }),
    );
    return res.Item?.version as string | undefined;
  }

  async loadIndexSnapshot(version: string): Promise<Uint8Array | undefined> {
    const stored = await this.storedIndex();
    const index = stored?.index;
    if (stored?.version !== version || !index) return undefined;
    const partKeys = Array.from({ length: index.parts }, (_, n) => keys.topicIndexPart(version, n));
    const reads: Array<Promise<Array<Record<string, unknown>>>> = [];
    for (let i = 0; i < partKeys.length; i += INDEX_PARTS_PER_READ)
      reads.push(
        batchGetItems(this.doc, this.tableName, partKeys.slice(i, i + INDEX_PARTS_PER_READ), {
          consistent: true,
        }),
      );
    const items = (await Promise.all(reads)).flat();
    const out = new Uint8Array(index.bytes);
    let filled = 0;
    for (const item of items) {
      const n = Number((item.sk as string).slice('PART#'.length));
      const bytes = item.bytes as Uint8Array;
      // A part missing or of another size: the snapshot is being replaced, compile instead.
      if (!(n >= 0 && n < index.parts && n * INDEX_PART_BYTES + bytes.length <= out.length)) return undefined;
      out.set(bytes, n * INDEX_PART_BYTES);
      filled += bytes.length;
    }
    return items.length === index.parts && filled === index.bytes ? out : undefined;
  }

  /**
   * Stores the index snapshot of the topic set version already stored, and names it in the
   * version item (for a set stored before its snapshot was); when another set was stored
   * meanwhile, the parts are deleted again and nothing is named.
   */
  async putIndexSnapshot(version: string, snapshot: Uint8Array): Promise<void> {
    const before = await this.storedIndex();
    const index = await this.putIndexParts(version, snapshot);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.topicSetVersion(),
          UpdateExpression: 'SET #index = :index',
          ConditionExpression: 'version = :version',
          ExpressionAttributeNames: { '#index': 'index' },
          ExpressionAttributeValues: { ':index': index, ':version': version },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      // Another set was stored meanwhile: no version item names these parts.
      await this.deleteIndexParts(version, index);
      return;
    }
    // Parts past the new snapshot's end, left by a longer one of the same version.
    if (before?.version === version && before.index)
      for (let n = index.parts; n < before.index.parts; n++)
        await this.doc.send(
          new DeleteCommand({ TableName: this.tableName, Key: keys.topicIndexPart(version, n) }),
        );
  }

  /** The stored version, and the index snapshot its version item names. */
  private async storedIndex(): Promise<{ version: string; index?: StoredIndex } | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.topicSetVersion(), ConsistentRead: true }),
    );
    return res.Item
      ? {
          version: res.Item.version as string,
          ...(res.Item.index ? { index: res.Item.index as StoredIndex } : {}),
        }
      : undefined;
  }

  /**
   * Stores a topic set with its index snapshot unless the table holds that version already;
   * a version held without a snapshot of this format, written by this matcher, gets one.
   */
  async syncTopicSet(
    set: TopicSet,
    updatedAt: string,
  ): Promise<{ changed: boolean; snapshotWritten: boolean; written: number; deleted: number }> {
    const stored = await this.storedIndex();
    if (stored?.version === set.version) {
      if (stored.index?.format === INDEX_SNAPSHOT_FORMAT && stored.index.compiler === compilerFingerprint())
        return { changed: false, snapshotWritten: false, written: 0, deleted: 0 };
      await this.putIndexSnapshot(set.version, snapshotOfTopicSet(set));
      return { changed: false, snapshotWritten: true, written: 0, deleted: 0 };
    }
    const counts = await this.replaceTopicSet(set, updatedAt, snapshotOfTopicSet(set));
    return { changed: true, snapshotWritten: true, ...counts };
  }

  /** Writes the parts of an index snapshot. */
  private async putIndexParts(version: string, snapshot: Uint8Array): Promise<StoredIndex> {
    const parts = Math.ceil(snapshot.length / INDEX_PART_BYTES);
    await batchPutItems(
      this.doc,
      this.tableName,
      Array.from({ length: parts }, (_, n) => ({
        ...keys.topicIndexPart(version, n),
        type: 'topic-index-part',
        bytes: snapshot.subarray(n * INDEX_PART_BYTES, (n + 1) * INDEX_PART_BYTES),
      })),
    );
    return { parts, bytes: snapshot.length, format: INDEX_SNAPSHOT_FORMAT, compiler: compilerFingerprint() };
  }

  /** Deletes the parts of the index snapshot a version item named. */
  private async deleteIndexParts(version: string, index: StoredIndex): Promise<void> {
    for (let n = 0; n < index.parts; n++)
      await this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: keys.topicIndexPart(version, n) }),
      );
  }

  async load(): Promise<TopicSet> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'TOPICS' },
      ConsistentRead: true,
    });
    const set: TopicSet = { version: '', topics: [], lists: {} };
    for (const item of items) {
      if (item.type === 'topic') set.topics.push(strip(item) as unknown as TopicDefinition);
      else if (item.type === 'list') set.lists[item.name as string] = item.items as string[];
      else if (item.type === 'topic-set') set.version = item.version as string;
    }
    return set;
  }

  /**
   * Makes the stored topic set equal to `set`: writes every topic and list, deletes the ones
   * no longer in it, and writes the version last so containers reload only a complete set.
   * With `snapshot` (its index snapshot), the snapshot's parts are written before the version
   * item that names them, and the previous version's parts are deleted after it.
   */
  async replaceTopicSet(
    set: TopicSet,
    updatedAt: string,
    snapshot?: Uint8Array,
  ): Promise<{ written: number; deleted: number }> {
    const before = await this.storedIndex();
    const existing = await this.load();
    let written = 0;
    let deleted = 0;
    for (const topic of set.topics) {
      await this.put({ ...keys.topic(topic.id), type: 'topic', ...topic });
      written++;
    }
    for (const [name, items] of Object.entries(set.lists)) {
      await this.put({ ...keys.list(name), type: 'list', name, items });
      written++;
    }
    const keep = new Set(set.topics.map((t) => t.id));
    for (const t of existing.topics) {
      if (!keep.has(t.id)) {
        await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: keys.topic(t.id) }));
        deleted++;
      }
    }
    for (const name of Object.keys(existing.lists)) {
      if (!(name in set.lists)) {
        await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: keys.list(name) }));
        deleted++;
      }
    }
    const index = snapshot ? await this.putIndexParts(set.version, snapshot) : undefined;
    await this.put({
      ...keys.topicSetVersion(),
      type: 'topic-set',
      version: set.version,
      topics: set.topics.length,
      updatedAt,
      ...(index ? { index } : {}),
    });
    if (before?.index && before.version !== set.version)
      await this.deleteIndexParts(before.version, before.index);
    return { written, deleted };
  }

  async putMatch(match: MatchRecord): Promise<PutMatchResult> {
    const item = {
      ...keys.match(match.articleId, match.topicId),
      ...keys.matchByTopic(match.topicId, match.articleDate, match.articleId),
      type: 'match',
      ...match,
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      if (match.alertState === 'publishing' && match.claimToken) this.created.set(match, item);
      return { created: true };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      // dynalite does not return the item on a failed condition: read it.
      return {
        created: false,
        alertState: (await this.alertState(match.articleId, match.topicId)) ?? 'pending',
      };
    }
  }

  async claimAlert(
    articleId: string,
    topicId: string,
    now: string,
    until: string,
    token: string,
  ): Promise<AlertClaim> {
    const claimed = await this.updateMatchIf(articleId, topicId, {
      UpdateExpression: 'SET alertState = :publishing, claimedUntil = :until, claimToken = :token',
      // Free, or held by a run whose lease ran out, or already held by this very claim: the SDK
      // repeats a request whose answer was lost, and the repeat must not find itself in the way.
      ConditionExpression:
        'alertState = :pending OR (alertState = :publishing AND (claimedUntil < :now OR claimToken = :token))',
      ExpressionAttributeValues: {
        ':publishing': 'publishing',
        ':pending': 'pending',
        ':until': until,
        ':now': now,
        ':token': token,
      },
    });
    if (claimed) return 'claimed';
    // Refused: sent already, or held by another run's unexpired claim. Which one decides
    // whether there is anything left to do. (No match at all: nothing to send either.)
    const state = await this.alertState(articleId, topicId);
    return state === undefined || state === 'sent' ? 'sent' : 'held';
  }

  private async alertState(articleId: string, topicId: string): Promise<AlertState | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.match(articleId, topicId),
        ConsistentRead: true,
        ProjectionExpression: 'alertState',
      }),
    );
    if (!res.Item) return undefined;
    return (res.Item.alertState as AlertState | undefined) ?? 'pending';
  }

  async releaseAlert(articleId: string, topicId: string): Promise<void> {
    await this.updateMatchIf(articleId, topicId, {
      UpdateExpression: 'SET alertState = :pending REMOVE claimedUntil, claimToken',
      ConditionExpression: 'alertState = :publishing',
      ExpressionAttributeValues: { ':pending': 'pending', ':publishing': 'publishing' },
    });
  }

  /**
   * A match this store created claimed, and whose alert this run has just published, is put
   * again whole in the `sent` state, with the others of the call in one BatchWriteItem: the
   * item is the one this run wrote, since other runs only ever change a match's alert state,
   * and `sent` is right whatever they did meanwhile (this run did publish it). Any other match
   * is updated on its own, conditionally (a no-op once it is sent).
   */
  async markAlertsSent(matches: readonly MatchRecord[], sentAt: string): Promise<void> {
    const puts: Array<Record<string, unknown>> = [];
    for (const m of matches) {
      const item = this.created.get(m);
      if (!item) {
        await this.updateMatchIf(m.articleId, m.topicId, {
          UpdateExpression: 'SET alertState = :sent, sentAt = :at REMOVE claimedUntil, claimToken',
          ConditionExpression: 'alertState <> :sent',
          ExpressionAttributeValues: { ':sent': 'sent', ':at': sentAt },
        });
        continue;
      }
      const { claimedUntil: _until, claimToken: _token, ...rest } = item;
      puts.push({ ...rest, alertState: 'sent', sentAt });
      this.created.delete(m);
    }
    await batchPutItems(this.doc, this.tableName, puts);
  }

  /** A conditional update of one match: true when applied, false when its condition did not hold. */
  private async updateMatchIf(
    articleId: string,
    topicId: string,
    update: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'
    >,
  ): Promise<boolean> {
    return appliedUnlessConditionFails(() =>
      this.doc.send(
        new UpdateCommand({ TableName: this.tableName, Key: keys.match(articleId, topicId), ...update }),
      ),
    );
  }

  async putMatchRun(run: MatchRun): Promise<void> {
    await this.put({
      ...keys.matchRun(run.articleId, run.analyserVersion, run.topicSetVersion),
      ...keys.matchRunByDay(run.ranAt, run.articleId),
      type: 'match-run',
      ...run,
    });
  }

  /** One match, or undefined. */
  async getMatch(articleId: string, topicId: string): Promise<MatchRecord | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.match(articleId, topicId),
        ConsistentRead: true,
      }),
    );
    return res.Item ? (strip(res.Item) as unknown as MatchRecord) : undefined;
  }

  /** The matches of one article, best first. */
  async listMatchesOfArticle(articleId: string): Promise<MatchRecord[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': `ARTICLE#${articleId}`, ':m': 'MATCH#' },
    });
    return items.map((i) => strip(i) as unknown as MatchRecord).sort((a, b) => b.score - a.score);
  }

  /** The matches of one topic for articles dated from `from` to `to` (inclusive), oldest first. */
  async listMatchesOfTopic(topicId: string, from: string, to: string): Promise<MatchRecord[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': `TOPIC#${topicId}`, ':from': from, ':to': `${to}#\uffff` },
    });
    return items.map((i) => strip(i) as unknown as MatchRecord);
  }

  /** Match runs of one day (`YYYY-MM-DD`, by when matching ran). */
  async listMatchRuns(day: string): Promise<MatchRun[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `RUNS#${day}` },
    });
    return items.map((i) => strip(i) as unknown as MatchRun);
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
