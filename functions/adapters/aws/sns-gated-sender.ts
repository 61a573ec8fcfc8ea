import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../../core/alerts/alert.ts';
import { snsMessageStructure } from '../../core/alerts/compose.ts';
import { composeGatedMessage, type HoldReason } from '../../core/alerts/fatigue.ts';
import type { EmailSubscriber } from '../../core/alerts/subscriber-rules.ts';

/**
 * Sends a gated subscriber its message through the alerts topic, addressed to it alone
 * (`kind=gated`, `subscriber=<id>`: its subscription's filter policy).
 */
export const snsGatedSender =
  (sns: SNSClient, topicArn: string) =>
  async (subscriber: EmailSubscriber, alerts: readonly Alert[], reason?: HoldReason): Promise<void> => {
    const m = composeGatedMessage(alerts, reason);
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: m.subject,
        Message: snsMessageStructure(m.text, JSON.stringify(m.document)),
        MessageStructure: 'json',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'gated' },
          subscriber: { DataType: 'String', StringValue: subscriber.id },
        },
      }),
    );
  };
