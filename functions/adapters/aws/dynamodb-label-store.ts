import { type DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LabelStore } from '../../core/pipeline/ports.ts';
import { checkLabel, type RelevanceLabel } from '../../core/topics/labels.ts';
import { keys } from './table-layout.ts';

/**
 * Relevance labels in the newswatch table: one item per topic and article
 * (`LABELS#<topic>` / `ARTICLE#<article>`), so a topic's labels are one Query.
 */
export class DynamoDbLabelStore implements LabelStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  async putLabel(label: RelevanceLabel): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.label(label.topic, label.article), type: 'label', ...label },
      }),
    );
  }

  async listLabels(topicId?: string): Promise<RelevanceLabel[]> {
    const out: RelevanceLabel[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      // One topic is one partition; all topics is an operator's export, a filtered scan.
      const res = await this.doc.send(
        topicId
          ? new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': keys.label(topicId, '').pk },
              ExclusiveStartKey: start,
            })
          : new ScanCommand({
              TableName: this.tableName,
              FilterExpression: '#type = :label',
              ExpressionAttributeNames: { '#type': 'type' },
              ExpressionAttributeValues: { ':label': 'label' },
              ExclusiveStartKey: start,
            }),
      );
      for (const item of res.Items ?? []) {
        const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
        const checked = checkLabel(rest);
        if (checked.ok) out.push(checked.label);
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
