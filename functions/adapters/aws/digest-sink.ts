import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Digest, composeDigestSnsMessage } from '../../core/alerts/digest.ts';
import type { DigestSink } from '../../core/pipeline/digests.ts';
import { isConditionFailure } from './dynamodb-errors.ts';

/**
 * Digests recorded in the table (`DIGEST#<subscriber>` / `DAY#<day>`, pending then sent) and
 * published to the alerts topic with `kind=digest` and the subscriber's id as attributes.
 */
export class SnsDigestSink implements DigestSink {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly sns: SNSClient;
  private readonly topicArn: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string, sns: SNSClient, topicArn: string) {
    this.doc = doc;
    this.tableName = tableName;
    this.sns = sns;
    this.topicArn = topicArn;
  }

  private key(d: Digest) {
    return { pk: `DIGEST#${d.subscriberId}`, sk: `DAY#${d.day}` };
  }

  async claim(d: Digest): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key(d), type: 'digest', id: d.id, alerts: d.alerts.length, state: 'pending' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const res = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: this.key(d), ConsistentRead: true }),
      );
      return res.Item?.state !== 'sent';
    }
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

  async markSent(d: Digest, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(d),
        UpdateExpression: 'SET #s = :sent, sentAt = :at',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':sent': 'sent', ':at': at },
      }),
    );
  }
}
