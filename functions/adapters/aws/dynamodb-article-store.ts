import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Article } from '../../core/articles/article.ts';
import type {
  ArticleStore,
  IngestErrorRecord,
  PutArticleResult,
  SourceRecord,
} from '../../core/pipeline/ports.ts';
import { comparableSequencer, keys, monthsBetween, TABLE_KEYS } from './table-layout.ts';
import { isConditionFailure } from './dynamodb-errors.ts';

/** An article as stored, with the time it was first ingested. */
export type StoredArticle = Article & { ingestedAt: string };

const strip = <T extends Record<string, unknown>>(item: T | undefined): T | undefined => {
  if (!item) return undefined;
  const { pk, sk, gsi1pk, gsi1sk, type, ...rest } = item;
  return rest as T;
};

/**
 * {@link ArticleStore} on DynamoDB, through the document client. Uses only conditional
 * puts, gets and queries, so it runs the same on DynamoDB, moto and dynalite.
 */
export class DynamoDbArticleStore implements ArticleStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  async putArticle(article: Article, ingestedAt: string): Promise<PutArticleResult> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.article(article.id),
            ...keys.articleByMonth(article.date, article.id),
            type: 'article',
            ...article,
            ingestedAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const existing = await this.getArticle(article.id);
      return { created: false, existingSourceKey: existing?.sourceKey ?? article.sourceKey };
    }
  }

  async recordSource(record: SourceRecord): Promise<'recorded' | 'stale'> {
    const byArticle = record.articleId ? keys.sourceByArticle(record.articleId, record.key) : {};
    const item = { ...keys.source(record.key), ...byArticle, type: 'source', ...record };
    const sequenced = record.sequencer !== undefined;
    if (sequenced) item.sequencer = comparableSequencer(record.sequencer as string);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          // An event older than the one recorded must not overwrite it (S3 does not order deliveries).
          ...(sequenced
            ? {
                ConditionExpression:
                  'attribute_not_exists(pk) OR attribute_not_exists(sequencer) OR sequencer <= :seq',
                ExpressionAttributeValues: { ':seq': item.sequencer },
              }
            : {}),
        }),
      );
      return 'recorded';
    } catch (e) {
      if (isConditionFailure(e)) return 'stale';
      throw e;
    }
  }

  async recordError(record: IngestErrorRecord): Promise<'recorded' | 'exists'> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.error(record.key, record.etag),
            ...keys.errorByMonth(record.occurredAt, record.key),
            type: 'error',
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (e) {
      if (isConditionFailure(e)) return 'exists';
      throw e;
    }
  }

  /** The article with this id. */
  async getArticle(id: string): Promise<StoredArticle | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.article(id), ConsistentRead: true }),
    );
    return strip(res.Item) as StoredArticle | undefined;
  }

  async newerEventRecorded(key: string, sequencer: string): Promise<boolean> {
    const current = await this.getSource(key);
    return !!current?.sequencer && current.sequencer > comparableSequencer(sequencer);
  }

  /** What is known of one source key. */
  async getSource(key: string): Promise<SourceRecord | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.source(key), ConsistentRead: true }),
    );
    return strip(res.Item) as SourceRecord | undefined;
  }

  /** The article a source key holds (its own, or the one it duplicates). */
  async getArticleBySourceKey(key: string): Promise<StoredArticle | undefined> {
    const source = await this.getSource(key);
    return source?.articleId ? this.getArticle(source.articleId) : undefined;
  }

  /** Every source key that carried this article's text. */
  async listSourcesOfArticle(articleId: string): Promise<SourceRecord[]> {
    const { gsi1pk } = keys.sourceByArticle(articleId, '');
    return this.queryAll<SourceRecord>({
      TableName: this.tableName,
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': gsi1pk },
    });
  }

  /** Errors recorded for one source key, oldest version first. */
  async listErrorsForKey(key: string): Promise<IngestErrorRecord[]> {
    return this.queryAll<IngestErrorRecord>({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :err)',
      ExpressionAttributeValues: { ':pk': keys.source(key).pk, ':err': 'ERROR#' },
    });
  }

  /** Articles dated from `from` to `to` (inclusive, `YYYY-MM-DD`), oldest first. */
  async listArticlesByDate(from: string, to: string): Promise<StoredArticle[]> {
    const out: StoredArticle[] = [];
    for (const month of monthsBetween(from, to)) {
      out.push(
        ...(await this.queryAll<StoredArticle>({
          TableName: this.tableName,
          IndexName: TABLE_KEYS.gsi1.name,
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `MONTH#${month}`, ':from': from, ':to': `${to}#\uffff` },
        })),
      );
    }
    return out;
  }

  /** Errors recorded in one month (`YYYY-MM`), oldest first. */
  async listErrorsByMonth(month: string): Promise<IngestErrorRecord[]> {
    return this.queryAll<IngestErrorRecord>({
      TableName: this.tableName,
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `ERRORS#${month}` },
    });
  }

  private async queryAll<T>(input: QueryCommandInput): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      for (const item of res.Items ?? []) items.push(strip(item) as T);
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
