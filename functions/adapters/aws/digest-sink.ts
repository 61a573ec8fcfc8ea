import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Digest, composeDigestSnsMessage } from '../../core/alerts/digest.ts';
import type { DigestSink } from '../../core/pipeline/digests.ts';
import { appliedUnlessConditionFails } from './dynamodb-errors.ts';

/** How long one run holds a digest while publishing it. */
const DIGEST_CLAIM_MS = 5 * 60_000;

/**
 * Digests recorded in the table (`DIGEST#<subscriber>` / `DAY#<day>`, publishing then sent),
 * so a day's digest goes out once however many runs there are. Subclasses say how to publish.
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
    return { pk: `DIGEST#${d.subscriberId}`, sk: `DAY#${d.day}` };
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
            'SET #type = :type, id = :id, alerts = :n, #s = :publishing, claimedUntil = :until, claimToken = :token',
          ConditionExpression:
            'attribute_not_exists(pk) OR (#s = :publishing AND (claimedUntil < :now OR claimToken = :token))',
          ExpressionAttributeNames: { '#s': 'state', '#type': 'type' },
          ExpressionAttributeValues: {
            ':type': 'digest',
            ':id': d.id,
            ':n': d.alerts.length,
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
