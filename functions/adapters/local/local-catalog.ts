import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { MatchRecord } from '../../core/pipeline/matching.ts';
import type { IngestErrorRecord, SourceRecord } from '../../core/pipeline/ports.ts';
import type { StoredArticle } from '../aws/dynamodb-article-store.ts';
import { storyFromItem } from '../aws/dynamodb-story-store.ts';
import { withoutKeys } from '../aws/table-layout.ts';
import type { HoldReason } from '../../core/alerts/fatigue.ts';
import type { DeliveryFacts } from '../../core/alerts/recipients.ts';
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
  /** What is recorded about each subscriber's copy of each alert (deliveries and fatigue controls). */
  deliveries?: DeliveryFactsByAlert;
}

/** Per alert id, per subscriber id: its delivery record and what the fatigue controls did. */
export type DeliveryFactsByAlert = Map<
  string,
  Map<
    string,
    {
      delivery?: { state: 'pending' | 'delivered' | 'failed'; attempt?: number; reason?: string };
      gate?: { outcome: 'sent' | HoldReason; released: boolean };
    }
  >
>;

/** The facts of one alert, as {@link recipientsOf} reads them. */
export const deliveryFactsOf = (snap: CatalogSnapshot, alertId: string): DeliveryFacts => {
  const of = snap.deliveries?.get(alertId);
  return {
    delivery: (id) => of?.get(id)?.delivery,
    gate: (id) => of?.get(id)?.gate,
  };
};

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
      deliveries: new Map(),
    };
    const deliveries = snap.deliveries as DeliveryFactsByAlert;
    const factsOf = (alertId: string, subscriberId: string) => {
      let byAlert = deliveries.get(alertId);
      if (!byAlert) deliveries.set(alertId, (byAlert = new Map() as NonNullable<typeof byAlert>));
      let facts = byAlert.get(subscriberId);
      if (!facts) byAlert.set(subscriberId, (facts = {}));
      return facts;
    };
    const held = new Set<string>();
    const gates: Array<{ subscriberId: string; alertId: string; outcome: 'sent' | HoldReason }> = [];
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
        else if (pk.startsWith('DELIVERY#') && sk.startsWith('TO#')) {
          factsOf(String(item.alertId), String(item.recipient)).delivery = {
            // Deliveries recorded before they had states were recorded once delivered.
            state: (item.state as 'pending' | 'delivered' | 'failed' | undefined) ?? 'delivered',
            attempt: Number(item.attempt ?? 1),
            ...(typeof item.reason === 'string' ? { reason: item.reason } : {}),
          };
        } else if (pk.startsWith('GATE#') && sk.startsWith('ALERT#') && item.state === 'done')
          gates.push({
            subscriberId: pk.slice('GATE#'.length),
            alertId: sk.slice('ALERT#'.length),
            outcome: item.outcome as 'sent' | HoldReason,
          });
        else if (pk.startsWith('HELD#') && sk.startsWith('ALERT#'))
          held.add(`${pk.slice(5)}\u0000${sk.slice(6)}`);
      }
      start = res.LastEvaluatedKey;
    } while (start);
    for (const g of gates)
      factsOf(g.alertId, g.subscriberId).gate = {
        outcome: g.outcome,
        released: g.outcome !== 'sent' && !held.has(`${g.subscriberId}\u0000${g.alertId}`),
      };
    return snap;
  }
}
