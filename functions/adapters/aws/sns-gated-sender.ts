import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../../core/alerts/alert.ts';
import { snsMessageStructure } from '../../core/alerts/compose.ts';
import { composeGatedMessage, type HoldReason } from '../../core/alerts/fatigue.ts';
import { assertSnsPayload } from '../../core/alerts/sns-budget.ts';
import type { EmailSubscriber } from '../../core/alerts/subscriber-rules.ts';

/**
 * Sends a gated subscriber its message through the alerts topic, addressed to it alone
 * (`kind=gated`, `subscriber=<id>`: its subscription's filter policy).
 */
export const snsGatedSender =
  (sns: SNSClient, topicArn: string) =>
  async (subscriber: EmailSubscriber, alerts: readonly Alert[], reason?: HoldReason): Promise<void> => {
    const m = composeGatedMessage(alerts, reason);
    const payload = {
      subject: m.snsSubject,
      message: snsMessageStructure(m.text, JSON.stringify(m.document)),
      attributes: {
        kind: { DataType: 'String', StringValue: 'gated' },
        subscriber: { DataType: 'String', StringValue: subscriber.id },
      },
    };
    // Held alerts are released in groups that fit (releaseChunks): this fails only by a bug.
    assertSnsPayload(payload, `the message to ${subscriber.id}`);
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: payload.subject,
        Message: payload.message,
        MessageStructure: 'json',
        MessageAttributes: payload.attributes,
      }),
    );
  };
