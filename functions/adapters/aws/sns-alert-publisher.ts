import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../../core/alerts/alert.ts';
import { composeSnsMessage } from '../../core/alerts/compose.ts';
import type { AlertPublisher } from '../../core/pipeline/matching.ts';

/** SNS accepts at most ten entries in one PublishBatch call. */
const BATCH = 10;

/**
 * Publishes alerts to the SNS alerts topic with PublishBatch, ten at a time, as
 * `MessageStructure: json` (email text for email, the JSON document for machines) with the
 * attributes subscriptions filter on. Throttling is retried by the SDK; entries SNS refuses
 * are reported as failed so the caller retries only those.
 */
export class SnsAlertPublisher implements AlertPublisher {
  private readonly sns: SNSClient;
  private readonly topicArn: string;

  constructor(sns: SNSClient, topicArn: string) {
    this.sns = sns;
    this.topicArn = topicArn;
  }

  async publish(alerts: Alert[]): Promise<{ failed: Array<{ id: string; reason: string }> }> {
    const failed: Array<{ id: string; reason: string }> = [];
    for (let i = 0; i < alerts.length; i += BATCH) {
      const messages = alerts.slice(i, i + BATCH).map(composeSnsMessage);
      try {
        const res = await this.sns.send(
          new PublishBatchCommand({
            TopicArn: this.topicArn,
            PublishBatchRequestEntries: messages.map((m) => ({
              Id: m.id,
              Subject: m.subject,
              Message: m.message,
              MessageStructure: 'json',
              MessageAttributes: m.attributes,
            })),
          }),
        );
        for (const f of res.Failed ?? [])
          failed.push({ id: f.Id ?? '', reason: `${f.Code}: ${f.Message ?? ''}` });
      } catch (error) {
        // The batches before this one went out: report only this batch and the rest as failed.
        const reason = (error as Error).message;
        for (const m of alerts.slice(i).map((a) => a.id)) failed.push({ id: m, reason });
        break;
      }
    }
    return { failed };
  }
}
