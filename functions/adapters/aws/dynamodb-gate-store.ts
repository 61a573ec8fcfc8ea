import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../../core/alerts/alert.ts';
import type { GateStore, HeldAlert, HoldReason } from '../../core/alerts/fatigue.ts';
import { isConditionFailure } from './dynamodb-errors.ts';

const conditional = async (run: () => Promise<unknown>): Promise<boolean> => {
  try {
    await run();
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
};

/**
 * {@link GateStore} on DynamoDB. Per subscriber: `GATE#<id>` / `ALERT#<alertId>` (dealt with),
 * `GATE#<id>` / `TOPIC#<topicId>` (`lastSentAt`), `GATE#<id>` / `DAY#<local day>` (`sent`), and
 * held alerts under `HELD#<id>` / `<until>#<alertId>`, so the due ones are one query.
 */
export class DynamoDbGateStore implements GateStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  claimAlert(subscriberId: string, alertId: string, at: string): Promise<boolean> {
    // A claim given back after a failed send (`released`) can be taken again; no delete needed.
    return conditional(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `GATE#${subscriberId}`,
            sk: `ALERT#${alertId}`,
            type: 'gate-alert',
            at,
            state: 'claimed',
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #s = :released',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':released': 'released' },
        }),
      ),
    );
  }

  async unclaimAlert(subscriberId: string, alertId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `GATE#${subscriberId}`, sk: `ALERT#${alertId}` },
        UpdateExpression: 'SET #s = :released',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':released': 'released' },
      }),
    );
  }

  async lastSent(subscriberId: string, topicId: string): Promise<string | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `GATE#${subscriberId}`, sk: `TOPIC#${topicId}` },
        ConsistentRead: true,
      }),
    );
    return res.Item?.lastSentAt as string | undefined;
  }

  claimCooldown(
    subscriberId: string,
    topicId: string,
    previous: string | undefined,
    now: string,
  ): Promise<boolean> {
    return conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `GATE#${subscriberId}`, sk: `TOPIC#${topicId}` },
          UpdateExpression: 'SET lastSentAt = :now, #type = :type',
          ConditionExpression: previous ? 'lastSentAt = :previous' : 'attribute_not_exists(lastSentAt)',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':now': now,
            ':type': 'gate-topic',
            ...(previous ? { ':previous': previous } : {}),
          },
        }),
      ),
    );
  }

  claimDaily(subscriberId: string, day: string, max: number): Promise<boolean> {
    return conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `GATE#${subscriberId}`, sk: `DAY#${day}` },
          UpdateExpression: 'SET #type = :type ADD sent :one',
          ConditionExpression: 'attribute_not_exists(sent) OR sent < :max',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':one': 1, ':max': max, ':type': 'gate-day' },
        }),
      ),
    );
  }

  async hold(subscriberId: string, held: HeldAlert): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `HELD#${subscriberId}`,
          sk: `${held.until}#${held.alert.id}`,
          type: 'held',
          alert: held.alert,
          until: held.until,
          reason: held.reason,
        },
      }),
    );
  }

  async due(subscriberId: string, now: string): Promise<HeldAlert[]> {
    const out: HeldAlert[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk <= :now',
          ExpressionAttributeValues: { ':pk': `HELD#${subscriberId}`, ':now': `${now}#\uffff` },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) {
        out.push({
          alert: item.alert as Alert,
          until: String(item.until),
          reason: item.reason as HoldReason,
        });
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async release(subscriberId: string, held: readonly HeldAlert[]): Promise<void> {
    for (const h of held) {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `HELD#${subscriberId}`, sk: `${h.until}#${h.alert.id}` },
        }),
      );
    }
  }
}
