import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../../core/alerts/alert.ts';
import type { CooldownClaim, GateStore, HeldAlert, HoldReason } from '../../core/alerts/fatigue.ts';
import { appliedUnlessConditionFails, isConditionFailure } from './dynamodb-errors.ts';

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

  claimAlert(
    subscriberId: string,
    alertId: string,
    now: string,
    leaseUntil: string,
    token: string,
  ): Promise<boolean> {
    // Free, or claimed by a run whose lease has run out (or by this same claim, repeated after a
    // lost answer); never once it is done.
    return appliedUnlessConditionFails(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `GATE#${subscriberId}`, sk: `ALERT#${alertId}` },
          UpdateExpression: 'SET #type = :type, #s = :claimed, leaseUntil = :lease, claimToken = :token',
          ConditionExpression:
            'attribute_not_exists(pk) OR (#s = :claimed AND (leaseUntil < :now OR claimToken = :token))',
          ExpressionAttributeNames: { '#s': 'state', '#type': 'type' },
          ExpressionAttributeValues: {
            ':type': 'gate-alert',
            ':claimed': 'claimed',
            ':lease': leaseUntil,
            ':now': now,
            ':token': token,
          },
        }),
      ),
    );
  }

  async finishAlert(subscriberId: string, alertId: string, outcome: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `GATE#${subscriberId}`, sk: `ALERT#${alertId}` },
        UpdateExpression: 'SET #s = :done, outcome = :outcome REMOVE leaseUntil',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':done': 'done', ':outcome': outcome },
      }),
    );
  }

  async unclaimAlert(subscriberId: string, alertId: string): Promise<void> {
    // An expired lease: the next try claims it at once.
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `GATE#${subscriberId}`, sk: `ALERT#${alertId}` },
          UpdateExpression: 'SET leaseUntil = :past',
          ConditionExpression: '#s = :claimed',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':past': '0000', ':claimed': 'claimed' },
        }),
      )
      .catch((e: unknown) => {
        if (!isConditionFailure(e)) throw e;
      });
  }

  async claimCooldown(
    subscriberId: string,
    topicId: string,
    now: string,
    cutoff: string,
  ): Promise<CooldownClaim> {
    const key = { pk: `GATE#${subscriberId}`, sk: `TOPIC#${topicId}` };
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET lastSentAt = :now, #type = :type',
          ConditionExpression: 'attribute_not_exists(lastSentAt) OR lastSentAt <= :cutoff',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':now': now, ':type': 'gate-topic', ':cutoff': cutoff },
          ReturnValues: 'UPDATED_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const previous = res.Attributes?.lastSentAt as string | undefined;
      return { taken: true, ...(previous !== undefined ? { previous } : {}) };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      // DynamoDB answers with the item; dynalite does not, so it is read then.
      const old = (e as { Item?: { lastSentAt?: { S?: string } } }).Item;
      const lastSentAt = old
        ? old.lastSentAt?.S
        : ((
            await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))
          ).Item?.lastSentAt as string | undefined);
      return { taken: false, ...(lastSentAt !== undefined ? { lastSentAt } : {}) };
    }
  }

  async undoCooldown(
    subscriberId: string,
    topicId: string,
    now: string,
    previous: string | undefined,
  ): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `GATE#${subscriberId}`, sk: `TOPIC#${topicId}` },
          UpdateExpression: previous ? 'SET lastSentAt = :previous' : 'REMOVE lastSentAt',
          ConditionExpression: 'lastSentAt = :now',
          ExpressionAttributeValues: { ':now': now, ...(previous ? { ':previous': previous } : {}) },
        }),
      )
      .catch((e: unknown) => {
        if (!isConditionFailure(e)) throw e;
      });
  }

  async undoDaily(subscriberId: string, day: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `GATE#${subscriberId}`, sk: `DAY#${day}` },
          UpdateExpression: 'ADD sent :minus',
          ConditionExpression: 'sent > :zero',
          ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
        }),
      )
      .catch((e: unknown) => {
        if (!isConditionFailure(e)) throw e;
      });
  }

  claimDaily(subscriberId: string, day: string, max: number): Promise<boolean> {
    return appliedUnlessConditionFails(() =>
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
          sk: `ALERT#${held.alert.id}`,
          type: 'held',
          state: 'held',
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
      // One partition per subscriber: what it has held, filtered to what is due and free.
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: '#until <= :now AND (#s = :held OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#until': 'until', '#s': 'state' },
          ExpressionAttributeValues: { ':pk': `HELD#${subscriberId}`, ':now': now, ':held': 'held' },
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
    return out.sort((a, b) => a.until.localeCompare(b.until) || a.alert.id.localeCompare(b.alert.id));
  }

  claimRelease(subscriberId: string, alertId: string, now: string, leaseUntil: string): Promise<boolean> {
    return appliedUnlessConditionFails(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `HELD#${subscriberId}`, sk: `ALERT#${alertId}` },
          UpdateExpression: 'SET #s = :releasing, leaseUntil = :lease',
          ConditionExpression: '#until <= :now AND (#s = :held OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#s': 'state', '#until': 'until' },
          ExpressionAttributeValues: {
            ':releasing': 'releasing',
            ':held': 'held',
            ':lease': leaseUntil,
            ':now': now,
          },
        }),
      ),
    );
  }

  async release(subscriberId: string, held: readonly HeldAlert[]): Promise<void> {
    for (const h of held) {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `HELD#${subscriberId}`, sk: `ALERT#${h.alert.id}` },
        }),
      );
    }
  }
}
