import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnGlobalTable, ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Subscription, SubscriptionFilter, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { filterPolicyOf, isGated, type Subscriber } from '../../functions/core/alerts/subscribers.ts';
import { webhookEndpointProblem } from '../../functions/core/alerts/webhook-endpoints.ts';
import { NewswatchFunction } from './newswatch-function.ts';

/** The subscribers this construct can deliver to. */
export interface AlertsProps {
  subscribers: readonly Subscriber[];
  /**
   * Concurrent deliveries of one webhook subscriber's queue (its event source's
   * maxConcurrency; 2, the least SQS allows, by default). See docs/scaling.md.
   */
  webhookMaxConcurrency?: number;
  /** Table where webhook endpoint state (disabled, given-up deliveries) is kept. */
  table: ITableV2;
  /** The articles bucket, named in digests as where each file is. */
  bucketName: string;
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
  /** Each subscriber's dead-letter queue. */
  readonly deadLetterQueues: Array<{ subscriberId: string; queue: Queue }> = [];

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
    const webhookTargets: Record<
      string,
      { subscriberId: string; url?: string; urlSecret?: string; format: string; secretName: string }
    > = {};
    const webhookQueues: Queue[] = [];
    for (const s of props.subscribers) {
      const deadLetters = new Queue(this, `${s.id}-DeadLetters`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      this.deadLetterQueues.push({ subscriberId: s.id, queue: deadLetters });
      new Alarm(this, `${s.id}-DeadLettersAlarm`, {
        alarmDescription: `Alerts for subscriber ${s.id} could not be delivered: see its dead-letter queue.`,
        metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      const filterPolicy = toSubscriptionFilters(filterPolicyOf(s));
      if ('email' in s) {
        Validations.of(deadLetters).acknowledge({
          id: 'AwsSolutions-SQS3',
          reason: 'This queue is the redrive dead-letter queue of an SNS subscription; its depth is alarmed.',
        });
        new Subscription(this, `${s.id}-Subscription`, {
          topic: this.topic,
          protocol: SubscriptionProtocol.EMAIL,
          endpoint: s.email,
          filterPolicy,
          deadLetterQueue: deadLetters,
        });
        continue;
      }
      // Webhooks: SNS → this subscriber's queue (raw alert documents) → the delivery function.
      const queue = new Queue(this, `${s.id}-Deliveries`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(6 * 30),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetters, maxReceiveCount: 8 },
      });
      // A delivery SNS cannot make to the queue goes to the same dead-letter queue.
      this.topic.addSubscription(
        new SqsSubscription(queue, { rawMessageDelivery: true, filterPolicy, deadLetterQueue: deadLetters }),
      );
      webhookQueues.push(queue);
      // The same rule as the subscribers file's check, for subscribers given in code: a URL
      // that is a credential must never reach the template or the function's environment.
      const problem = webhookEndpointProblem(s.webhook);
      if (problem) throw new Error(`subscriber ${s.id}: ${problem.message}`);
      webhookTargets[queue.queueName] = {
        subscriberId: s.id,
        ...(s.webhook.urlSecret !== undefined ? { urlSecret: s.webhook.urlSecret } : { url: s.webhook.url }),
        format: s.webhook.format,
        secretName: s.webhook.secretName,
      };
    }
    if (webhookQueues.length > 0) {
      const deliver = new NewswatchFunction(this, 'DeliverWebhook', {
        entry: 'functions/deliver-webhook/handler.ts',
        description: 'Posts signed alerts to webhook subscribers',
        timeout: Duration.seconds(30),
        memorySize: 256,
        environment: { WEBHOOK_TARGETS: Stack.of(this).toJsonString(webhookTargets) },
      }).bindTable(props.table, 'RW');
      // Each receiver sees at most maxConcurrency × batchSize requests at once (records of a
      // batch are posted in parallel); the function's concurrency is the sum over the queues.
      for (const queue of webhookQueues) {
        deliver.fn.addEventSource(
          new SqsEventSource(queue, {
            batchSize: 10,
            reportBatchItemFailures: true,
            maxConcurrency: props.webhookMaxConcurrency ?? 2,
          }),
        );
      }
      // Signing secrets and the secrets that hold endpoint URLs, read at delivery time.
      const secretNames = [
        ...new Set(
          props.subscribers.flatMap((s) =>
            'webhook' in s
              ? [s.webhook.secretName, ...(s.webhook.urlSecret ? [s.webhook.urlSecret] : [])]
              : [],
          ),
        ),
      ];
      deliver.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: secretNames.map((n) =>
            Stack.of(this).formatArn({
              service: 'secretsmanager',
              resource: 'secret',
              resourceName: `${n}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ),
        }),
      );
      for (const name of secretNames) {
        Validations.of(deliver.fn).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${name}-*]`,
          reason:
            'Secrets Manager ARNs end in a random suffix, so each webhook secret (signing secret or endpoint URL) is granted as <name>-*.',
        });
      }
      const tableArn = `<${Stack.of(this).getLogicalId(props.table.node.defaultChild as CfnGlobalTable)}.Arn>`;
      Validations.of(deliver.fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`,
        reason: 'CDK grants item reads on the indexes of the newswatch table this way; no index is scanned.',
      });
      this.deliverFunction = deliver;
    }

    const digestSubscribers = props.subscribers
      .filter((s) => s.mode === 'digest')
      .map((s) => ({
        id: s.id,
        topics: s.topics,
        minScore: s.minScore,
        ...(s.languages ? { languages: s.languages } : {}),
      }));
    if (digestSubscribers.length > 0) {
      const digest = new NewswatchFunction(this, 'Digest', {
        entry: 'functions/digest/handler.ts',
        description: "Sends each digest subscriber one message with the previous day's alerts",
        timeout: Duration.minutes(5),
        environment: {
          DIGEST_SUBSCRIBERS: JSON.stringify(digestSubscribers),
          BUCKET_NAME: props.bucketName,
          ALERTS_TOPIC_ARN: this.topic.topicArn,
        },
      }).bindTable(props.table, 'RW');
      this.grantPublish(digest.fn);
      // Just after midnight UTC: the day before is complete.
      new Rule(this, 'DigestSchedule', {
        description: 'Daily newswatch digests',
        schedule: Schedule.cron({ minute: '15', hour: '0' }),
        targets: [new LambdaFunction(digest.fn, { retryAttempts: 2 })],
      });
      // A run that still fails after EventBridge's retries would lose the day's digests quietly.
      digest.alarmOnErrors(
        this,
        'DigestErrorsAlarm',
        "The digest function failed after its retries: that day's digests were not sent.",
        Duration.hours(1),
      );
      const tableArn = `<${Stack.of(this).getLogicalId(props.table.node.defaultChild as CfnGlobalTable)}.Arn>`;
      Validations.of(digest.fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`,
        reason:
          "The digest reads the day's match runs from the table index; CDK grants index reads this way.",
      });
      this.digestFunction = digest;
    }

    const gated = props.subscribers.filter(isGated);
    if (gated.length > 0) {
      this.gatedSubscribersJson = JSON.stringify(gated);
      const release = new NewswatchFunction(this, 'ReleaseHeld', {
        entry: 'functions/release-held/handler.ts',
        description: 'Sends alerts held by cooldowns, daily limits or quiet hours once the hold ends',
        timeout: Duration.minutes(2),
        environment: { GATED_SUBSCRIBERS: this.gatedSubscribersJson, ALERTS_TOPIC_ARN: this.topic.topicArn },
      }).bindTable(props.table, 'RWD');
      this.grantPublish(release.fn);
      // Every five minutes: a held alert goes out at most five minutes after its hold ends.
      new Rule(this, 'ReleaseHeldSchedule', {
        description: 'Release newswatch alerts held by fatigue controls',
        schedule: Schedule.rate(Duration.minutes(5)),
        targets: [new LambdaFunction(release.fn, { retryAttempts: 2 })],
      });
      // A failed run is redone five minutes later; failing runs in a row mean held alerts wait.
      release.alarmOnErrors(
        this,
        'ReleaseHeldErrorsAlarm',
        'Releasing held alerts keeps failing: alerts past their hold are not being sent.',
        Duration.minutes(15),
        2,
      );
      const tableArn = `<${Stack.of(this).getLogicalId(props.table.node.defaultChild as CfnGlobalTable)}.Arn>`;
      Validations.of(release.fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`,
        reason: 'CDK grants item access on the indexes of the newswatch table this way; no index is scanned.',
      });
      this.releaseFunction = release;
    }
  }

  /** The subscribers with fatigue controls, as the ingest and release functions read them. */
  gatedSubscribersJson?: string;

  /** The function that sends held alerts when their hold ends, when some subscriber set controls. */
  releaseFunction?: NewswatchFunction;

  /** The webhook delivery function, when there are webhook subscribers. */
  deliverFunction?: NewswatchFunction;

  /** The daily digest function, when some subscriber asked for digests. */
  digestFunction?: NewswatchFunction;

  /** Lets a function publish alerts (and use the topic's key to do so). */
  grantPublish(grantee: IGrantable & IConstruct): void {
    this.topic.grantPublish(grantee);
    Validations.of(grantee).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Publishing to the KMS-encrypted alerts topic needs GenerateDataKey* on the topic key only.',
    });
  }
}
