import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Digest, composeDigestSnsMessage } from '../../core/alerts/digest.ts';
import type { DigestSink, DigestsSoFar } from '../../core/pipeline/digests.ts';
import { appliedUnlessConditionFails } from './dynamodb-errors.ts';

/** How long one run holds a digest while publishing it. */
const DIGEST_CLAIM_MS = 5 * 60_000;

/**
 * Digests recorded in the table (`DIGEST#<subscriber>` / `DAY#<day>`, and `DAY#<day>#<part>`
 * for the later parts of a day; publishing then sent), so each part of a day's digest goes out
 * once however many runs there are. A part sent before its day ended keeps the ids of the
 * alerts it carried, so the next part carries only the others; one sent after the day ended
 * is `complete` and needs no ids. Subclasses say how to publish.
 */
export abstract class DynamoDbDigestLedger implements DigestSink {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  abstract publish(d: Digest): Promise<void>;

  private key(d: Digest) {
    const part = d.part ?? 1;
    return { pk: `DIGEST#${d.subscriberId}`, sk: `DAY#${d.day}${part > 1 ? `#${part}` : ''}` };
  }

  async soFar(subscriberId: string, day: string, now: string): Promise<DigestsSoFar> {
    const items: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :day)',
          ExpressionAttributeValues: { ':pk': `DIGEST#${subscriberId}`, ':day': `DAY#${day}` },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    const carried = new Set<string>();
    let lastSent = 0;
    let abandoned: number | undefined;
    let busy = false;
    for (const item of items) {
      const part = (item.part as number | undefined) ?? 1;
      if (item.state === 'sent') {
        // A digest recorded without its alert ids carried the whole day (sent after it ended, or before parts).
        const ids = item.alertIds as string[] | undefined;
        if (item.complete === true || !ids) return { carried: 'all', nextPart: part + 1, busy: false };
        for (const id of ids) carried.add(id);
        lastSent = Math.max(lastSent, part);
      } else if (
        (item.claimedUntil as string | undefined) !== undefined &&
        (item.claimedUntil as string) >= now
      ) {
        busy = true;
      } else {
        // A run that died while publishing: its part is sent again, by the next claim.
        abandoned = Math.min(abandoned ?? part, part);
      }
    }
    return { carried, nextPart: abandoned ?? lastSent + 1, busy };
  }

  async claim(d: Digest): Promise<boolean> {
    const now = new Date();
    const until = new Date(now.getTime() + DIGEST_CLAIM_MS).toISOString();
    // One run holds the digest while it publishes; a run that died frees it when the lease ends.
    // The token lets the SDK's repeat of this same request (its answer lost) succeed.
    return appliedUnlessConditionFails(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(d),
          UpdateExpression:
            'SET #type = :type, id = :id, alerts = :n, part = :part, complete = :complete, alertIds = :ids, #s = :publishing, claimedUntil = :until, claimToken = :token',
          ConditionExpression:
            'attribute_not_exists(pk) OR (#s = :publishing AND (claimedUntil < :now OR claimToken = :token))',
          ExpressionAttributeNames: { '#s': 'state', '#type': 'type' },
          ExpressionAttributeValues: {
            ':type': 'digest',
            ':id': d.id,
            ':n': d.alerts.length,
            ':part': d.part ?? 1,
            ':complete': d.partial !== true,
            // Only a part sent before its day ended needs them: the next part leaves these out.
            ':ids': d.partial === true ? d.alerts.map((a) => a.id) : [],
            ':publishing': 'publishing',
            ':until': until,
            ':now': now.toISOString(),
            ':token': crypto.randomUUID(),
          },
        }),
      ),
    );
  }

  async markSent(d: Digest, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(d),
        UpdateExpression: 'SET #s = :sent, sentAt = :at REMOVE claimedUntil',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':sent': 'sent', ':at': at },
      }),
    );
  }
}

/** Digests published to the alerts topic with `kind=digest` and the subscriber's id as attributes. */
export class SnsDigestSink extends DynamoDbDigestLedger {
  private readonly sns: SNSClient;
  private readonly topicArn: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string, sns: SNSClient, topicArn: string) {
    super(doc, tableName);
    this.sns = sns;
    this.topicArn = topicArn;
  }

  async publish(d: Digest): Promise<void> {
    const m = composeDigestSnsMessage(d);
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: m.subject,
        Message: m.message,
        MessageStructure: 'json',
        MessageAttributes: m.attributes,
      }),
    );
  }
}
