import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { WebhookFailure, WebhookStateStore } from '../../core/pipeline/deliver-webhook.ts';

/** Webhook endpoint state in the newswatch table: `WEBHOOK#<subscriber>` / `STATE` and `FAILURE#<alert>`. */
export class DynamoDbWebhookState implements WebhookStateStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  async isDisabled(subscriberId: string): Promise<boolean> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `WEBHOOK#${subscriberId}`, sk: 'STATE' } }),
    );
    return res.Item?.disabled === true;
  }

  async disable(subscriberId: string, reason: string, at: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `WEBHOOK#${subscriberId}`,
          sk: 'STATE',
          type: 'webhook-state',
          disabled: true,
          reason,
          at,
        },
      }),
    );
  }

  async recordFailure(failure: WebhookFailure): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `WEBHOOK#${failure.subscriberId}`,
          sk: `FAILURE#${failure.alertId}`,
          type: 'webhook-failure',
          ...failure,
        },
      }),
    );
  }

  /** Deliveries given up for a subscriber. */
  async listFailures(subscriberId: string): Promise<WebhookFailure[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :f)',
        ExpressionAttributeValues: { ':pk': `WEBHOOK#${subscriberId}`, ':f': 'FAILURE#' },
      }),
    );
    return (res.Items ?? []) as WebhookFailure[];
  }
}
