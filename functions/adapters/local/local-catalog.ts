import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { MatchRecord } from '../../core/pipeline/matching.ts';
import type { IngestErrorRecord, SourceRecord } from '../../core/pipeline/ports.ts';
import type { StoredArticle } from '../aws/dynamodb-article-store.ts';
import { storyFromItem } from '../aws/dynamodb-story-store.ts';
import { withoutKeys } from '../aws/table-layout.ts';
import type { StoryRecord } from '../../core/stories/story.ts';

/** Everything one machine's table holds, by kind. */
export interface CatalogSnapshot {
  articles: StoredArticle[];
  matches: MatchRecord[];
  sources: SourceRecord[];
  errors: IngestErrorRecord[];
  stories: StoryRecord[];
  /** The story of each article that has one. */
  storyOf: Map<string, string>;
}

/**
 * Read models for the local runtime, the dashboard and the CLI: one scan of the local table.
 * On AWS nothing scans (the stores query by key); on one machine the table is small and a
 * person browsing it wants everything, whatever its dates.
 */
export class LocalCatalog {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  async snapshot(): Promise<CatalogSnapshot> {
    const snap: CatalogSnapshot = {
      articles: [],
      matches: [],
      sources: [],
      errors: [],
      stories: [],
      storyOf: new Map(),
    };
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: start }),
      );
      for (const item of res.Items ?? []) {
        const pk = String(item.pk);
        const sk = String(item.sk);
        const record = withoutKeys(item);
        if (pk.startsWith('ARTICLE#') && sk === 'ARTICLE')
          snap.articles.push(record as unknown as StoredArticle);
        else if (pk.startsWith('ARTICLE#') && sk.startsWith('MATCH#'))
          snap.matches.push(record as unknown as MatchRecord);
        else if (pk.startsWith('SOURCE#') && sk === 'SOURCE')
          snap.sources.push(record as unknown as SourceRecord);
        else if (pk.startsWith('STORY#') && sk === 'STORY') snap.stories.push(storyFromItem(item));
        else if (pk.startsWith('ARTICLE#') && sk === 'STORY')
          snap.storyOf.set(String(item.articleId), String(item.storyId));
        else if (pk.startsWith('SOURCE#') && sk.startsWith('ERROR#'))
          snap.errors.push(record as unknown as IngestErrorRecord);
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return snap;
  }
}
