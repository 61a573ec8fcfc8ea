import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../../core/alerts/alert.ts';
import { composeSnsMessage } from '../../core/alerts/compose.ts';
import { packSnsBatches } from '../../core/alerts/sns-budget.ts';
import type { AlertPublisher } from '../../core/pipeline/matching.ts';

/**
 * Publishes alerts to the SNS alerts topic with PublishBatch as `MessageStructure: json`
 * (email text for email, the JSON document for machines) with the attributes subscriptions
 * filter on. Batches hold at most ten messages and at most the SNS size budget in all
 * (sns-budget.ts); a message over the budget on its own is reported failed with
 * SnsPayloadTooLarge and never sent. Throttling is retried by the SDK; entries SNS refuses
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
    const { batches, tooLarge } = packSnsBatches(alerts.map(composeSnsMessage));
    const failed: Array<{ id: string; reason: string }> = tooLarge.map((t) => ({
      id: t.payload.id,
      reason: t.error.message,
    }));
    for (const [i, messages] of batches.entries()) {
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
        for (const m of batches.slice(i).flat()) failed.push({ id: m.id, reason });
        break;
      }
    }
    return { failed };
  }
}
