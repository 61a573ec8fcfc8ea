import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Subscription, SubscriptionFilter, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { filterPolicyOf, type Subscriber } from '../../functions/core/alerts/subscribers.ts';

/** The subscribers this construct can deliver to. */
export interface AlertsProps {
  subscribers: readonly Subscriber[];
}

/** Turns an SNS filter policy (as published JSON) into CDK subscription filters. */
export const toSubscriptionFilters = (
  policy: Record<string, unknown[]>,
): Record<string, SubscriptionFilter> =>
  Object.fromEntries(
    Object.entries(policy).map(([attribute, conditions]) => {
      const numeric = conditions.find(
        (c): c is { numeric: [string, number] } => typeof c === 'object' && c !== null,
      );
      if (numeric)
        return [attribute, SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: numeric.numeric[1] })];
      return [attribute, SubscriptionFilter.stringFilter({ allowlist: conditions as string[] })];
    }),
  );

/**
 * The alerts topic (KMS-encrypted, TLS only, signature version 2) and one subscription per
 * email subscriber with its filter policy and a redrive dead-letter queue whose depth is
 * alarmed, so an alert SNS could not deliver is kept and noticed.
 */
export class Alerts extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'Encrypts newswatch alerts at rest in SNS',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = new Topic(this, 'Topic', {
      displayName: 'newswatch alerts',
      masterKey: this.key,
      enforceSSL: true,
      signatureVersion: '2',
    });
    for (const s of props.subscribers) {
      if (!('email' in s)) {
        throw new Error(
          `subscriber ${s.id}: webhook delivery is not deployable yet; remove it from seeds/subscribers.yaml or use email`,
        );
      }
      const deadLetters = new Queue(this, `${s.id}-DeadLetters`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(deadLetters).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is the redrive dead-letter queue of an SNS subscription; its depth is alarmed.',
      });
      new Subscription(this, `${s.id}-Subscription`, {
        topic: this.topic,
        protocol: SubscriptionProtocol.EMAIL,
        endpoint: s.email,
        filterPolicy: toSubscriptionFilters(filterPolicyOf(s)),
        deadLetterQueue: deadLetters,
      });
      new Alarm(this, `${s.id}-DeadLettersAlarm`, {
        alarmDescription: `Alerts for subscriber ${s.id} could not be delivered: see its dead-letter queue.`,
        metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
  }

  /** Lets a function publish alerts (and use the topic's key to do so). */
  grantPublish(grantee: IGrantable & IConstruct): void {
    this.topic.grantPublish(grantee);
    Validations.of(grantee).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Publishing to the KMS-encrypted alerts topic needs GenerateDataKey* on the topic key only.',
    });
  }
}
