import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AlertDocument } from '../../core/alerts/compose.ts';
import { appliedUnlessConditionFails } from '../aws/dynamodb-errors.ts';
import { TABLE_KEYS } from '../aws/table-layout.ts';

/** How an alert reaches a recipient on one machine. */
export type DeliveryChannel = 'console' | 'email' | 'webhook';

/** Where a delivery stands: recorded and not yet done, done, or given up. */
export type DeliveryState = 'pending' | 'delivered' | 'failed';

/**
 * One alert for one recipient, recorded before it is attempted and marked delivered only
 * after it was: what survives the process between the alert and its delivery, in place of
 * the queue that holds webhook deliveries on AWS.
 */
export interface DeliveryRecord {
  alertId: string;
  /** The subscriber id, or `console`. */
  recipient: string;
  channel: DeliveryChannel;
  state: DeliveryState;
  /** The try to make next, counted from 1. */
  attempt: number;
  /** When the next try is due. */
  dueAt: string;
  /** When the delivery was recorded. */
  recordedAt: string;
  /** What a webhook delivery sends (the alert document; its id is the `webhook-id`). */
  document?: AlertDocument;
  deliveredAt?: string;
  /** Why the last try failed, or why the delivery was given up. */
  reason?: string;
}

/** A delivery to record: where it goes and what it sends. */
export type NewDelivery = Pick<DeliveryRecord, 'alertId' | 'recipient' | 'channel' | 'document'>;

/** Where deliveries are recorded (the local table; a map in tests). */
export interface DeliveryJournal {
  get(alertId: string, recipient: string): Promise<DeliveryRecord | undefined>;
  /**
   * Records a delivery before it is attempted (`pending`, first try due `at`), or, for what
   * is done as it is recorded (a console line), as `delivered`. A delivery recorded already is
   * left as it is and returned, so a second publish of an alert never sends it again.
   */
  open(delivery: NewDelivery, at: string, state?: 'pending' | 'delivered'): Promise<DeliveryRecord>;
  /**
   * Claims a pending delivery for try `attempt` until `until`: true for one process only, false
   * when it is not pending, has moved on to another try, or another process holds it.
   */
  claim(alertId: string, recipient: string, attempt: number, now: string, until: string): Promise<boolean>;
  /** The try failed and another is due at `dueAt`; the claim is given back. */
  retryLater(
    alertId: string,
    recipient: string,
    attempt: number,
    dueAt: string,
    reason: string,
  ): Promise<void>;
  /** The recipient has it. Only ever written after a delivery succeeded. */
  delivered(alertId: string, recipient: string, at: string): Promise<void>;
  /** Given up: never tried again. */
  failed(alertId: string, recipient: string, reason: string, at: string): Promise<void>;
  /** Every pending webhook delivery, soonest due first. */
  pendingWebhooks(): Promise<DeliveryRecord[]>;
}

/** The index partition of pending webhook deliveries. */
const OUTBOX = 'OUTBOX';

const deliveryKey = (alertId: string, recipient: string) => ({
  pk: `DELIVERY#${alertId}`,
  sk: `TO#${recipient}`,
});

/** Pending webhook deliveries are indexed by when they are due; the index entry goes when they are done. */
const outboxEntry = (dueAt: string, alertId: string, recipient: string) => ({
  [TABLE_KEYS.gsi1.partitionKey]: OUTBOX,
  [TABLE_KEYS.gsi1.sortKey]: `${dueAt}#${alertId}#${recipient}`,
});

/** A stored item as a record; items written before deliveries had states were written once delivered. */
const recordOf = (item: Record<string, unknown>): DeliveryRecord => ({
  alertId: item.alertId as string,
  recipient: item.recipient as string,
  channel:
    (item.channel as DeliveryChannel | undefined) ?? (item.recipient === 'console' ? 'console' : 'email'),
  state: (item.state as DeliveryState | undefined) ?? 'delivered',
  attempt: (item.attempt as number | undefined) ?? 1,
  dueAt: (item.dueAt as string | undefined) ?? (item.at as string),
  recordedAt: (item.recordedAt as string | undefined) ?? (item.at as string),
  ...(item.document ? { document: item.document as AlertDocument } : {}),
  ...(item.deliveredAt || item.state === undefined
    ? { deliveredAt: (item.deliveredAt ?? item.at) as string }
    : {}),
  ...(item.reason ? { reason: item.reason as string } : {}),
});

/**
 * {@link DeliveryJournal} in the local table: `DELIVERY#<alert id>` / `TO#<recipient>`, with
 * pending webhook deliveries also in `gsi1` under `OUTBOX` (sorted by when they are due), so
 * a start finds them with one query. Every change is a single conditional write.
 */
export class DynamoDbDeliveryJournal implements DeliveryJournal {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  /** Tokens of this process's claims: a repeated claim request (its answer lost) finds its own. */
  private readonly tokens = new Map<string, string>();

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  async get(alertId: string, recipient: string): Promise<DeliveryRecord | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: deliveryKey(alertId, recipient),
        ConsistentRead: true,
      }),
    );
    return res.Item ? recordOf(res.Item) : undefined;
  }

  async open(
    delivery: NewDelivery,
    at: string,
    state: 'pending' | 'delivered' = 'pending',
  ): Promise<DeliveryRecord> {
    const record: DeliveryRecord = {
      ...delivery,
      state,
      attempt: 1,
      dueAt: at,
      recordedAt: at,
      ...(state === 'delivered' ? { deliveredAt: at } : {}),
    };
    const written = await appliedUnlessConditionFails(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...deliveryKey(delivery.alertId, delivery.recipient),
            type: 'delivery',
            ...record,
            at,
            ...(state === 'pending' && delivery.channel === 'webhook'
              ? outboxEntry(at, delivery.alertId, delivery.recipient)
              : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (written) return record;
    return (await this.get(delivery.alertId, delivery.recipient)) as DeliveryRecord;
  }

  async claim(
    alertId: string,
    recipient: string,
    attempt: number,
    now: string,
    until: string,
  ): Promise<boolean> {
    const id = `${alertId}/${recipient}/${attempt}`;
    const token = this.tokens.get(id) ?? randomUUID();
    this.tokens.set(id, token);
    return appliedUnlessConditionFails(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deliveryKey(alertId, recipient),
          UpdateExpression: 'SET claimedUntil = :until, claimToken = :token',
          ConditionExpression:
            '#s = :pending AND attempt = :attempt AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now OR claimToken = :token)',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':attempt': attempt,
            ':now': now,
            ':until': until,
            ':token': token,
          },
        }),
      ),
    );
  }

  async retryLater(
    alertId: string,
    recipient: string,
    attempt: number,
    dueAt: string,
    reason: string,
  ): Promise<void> {
    const entry = outboxEntry(dueAt, alertId, recipient);
    this.forgetTokens(alertId, recipient);
    // Still pending: a delivery that another process has ended meanwhile stays ended.
    await appliedUnlessConditionFails(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deliveryKey(alertId, recipient),
          UpdateExpression:
            'SET attempt = :attempt, dueAt = :due, reason = :reason, #ipk = :ipk, #isk = :isk REMOVE claimedUntil, claimToken',
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: {
            '#s': 'state',
            '#ipk': TABLE_KEYS.gsi1.partitionKey,
            '#isk': TABLE_KEYS.gsi1.sortKey,
          },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':attempt': attempt,
            ':due': dueAt,
            ':reason': reason,
            ':ipk': entry[TABLE_KEYS.gsi1.partitionKey],
            ':isk': entry[TABLE_KEYS.gsi1.sortKey],
          },
        }),
      ),
    );
  }

  async delivered(alertId: string, recipient: string, at: string): Promise<void> {
    await this.close(alertId, recipient, 'delivered', { deliveredAt: at });
  }

  async failed(alertId: string, recipient: string, reason: string, at: string): Promise<void> {
    await this.close(alertId, recipient, 'failed', { reason, failedAt: at });
  }

  /** Ends a delivery: its state set, its claim and its index entry removed. */
  private async close(
    alertId: string,
    recipient: string,
    state: 'delivered' | 'failed',
    fields: Record<string, string>,
  ): Promise<void> {
    this.forgetTokens(alertId, recipient);
    const names = Object.keys(fields);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: deliveryKey(alertId, recipient),
        UpdateExpression: `SET #s = :state, ${names.map((n) => `${n} = :${n}`).join(', ')} REMOVE claimedUntil, claimToken, #ipk, #isk`,
        ExpressionAttributeNames: {
          '#s': 'state',
          '#ipk': TABLE_KEYS.gsi1.partitionKey,
          '#isk': TABLE_KEYS.gsi1.sortKey,
        },
        ExpressionAttributeValues: {
          ':state': state,
          ...Object.fromEntries(names.map((n) => [`:${n}`, fields[n]])),
        },
      }),
    );
  }

  async pendingWebhooks(): Promise<DeliveryRecord[]> {
    const out: DeliveryRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_KEYS.gsi1.name,
          KeyConditionExpression: '#ipk = :outbox',
          ExpressionAttributeNames: { '#ipk': TABLE_KEYS.gsi1.partitionKey },
          ExpressionAttributeValues: { ':outbox': OUTBOX },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of res.Items ?? []) {
        const record = recordOf(item);
        if (record.state === 'pending' && record.channel === 'webhook') out.push(record);
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private forgetTokens(alertId: string, recipient: string): void {
    const prefix = `${alertId}/${recipient}/`;
    for (const id of this.tokens.keys()) if (id.startsWith(prefix)) this.tokens.delete(id);
  }
}
