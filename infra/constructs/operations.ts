import { Duration, type IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  type IMetric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { OTHER_TOPICS } from '../../functions/commons/config.ts';

/** The namespace and service dimension the functions' Powertools metrics are written under. */
const NAMESPACE = 'Newswatch';
const SERVICE = { service: 'newswatch' };

/** A Powertools (EMF) metric of the newswatch functions. */
const appMetric = (
  metricName: string,
  options: {
    statistic?: string;
    period?: Duration;
    label?: string;
    dimensions?: Record<string, string>;
  } = {},
): Metric =>
  new Metric({
    namespace: NAMESPACE,
    metricName,
    dimensionsMap: { ...SERVICE, ...options.dimensions },
    statistic: options.statistic ?? Stats.SUM,
    period: options.period ?? Duration.minutes(5),
    ...(options.label ? { label: options.label } : {}),
  });

/** What the operations view watches. */
export interface OperationsProps {
  /** Who is told about alarms (`-c opsEmail=…`); no subscription without it. */
  opsEmail?: string;
  /** Hours without a stored article after which the heartbeat alarm goes off. */
  heartbeatHours: number;
  /** Matches of one topic in one hour above which that topic is said to flood. */
  topicFloodPerHour: number;
  /** Topics with their own match metric (the rest count under {@link OTHER_TOPICS}). */
  topicMetricIds: readonly string[];
  ingestFunction: IFunction;
  ingestQueue: IQueue;
  alertsTopic: ITopic;
  deliverFunction?: IFunction;
  /** Every dead-letter queue, with what it holds. */
  deadLetterQueues: ReadonlyArray<{ label: string; queue: IQueue }>;
}

/**
 * Operations: the SNS topic every alarm notifies (KMS-encrypted, TLS only, with an email
 * subscription when an address is given), the heartbeat alarm ("no article stored for N
 * hours"), one flood alarm per topic with its own match metric, and the CloudWatch dashboard.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly heartbeat: Alarm;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const key = new Key(this, 'Key', {
      description: 'Encrypts newswatch operations notifications at rest in SNS',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch publishes alarm notifications into the encrypted topic with this key.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToNotify',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'newswatch operations',
      masterKey: key,
      enforceSSL: true,
      signatureVersion: '2',
    });
    if (props.opsEmail) {
      new Subscription(this, 'Email', {
        topic: this.topic,
        protocol: SubscriptionProtocol.EMAIL,
        endpoint: props.opsEmail,
      });
    }

    const stored = appMetric('ArticlesIngested', { period: Duration.hours(1) });
    this.heartbeat = new Alarm(this, 'HeartbeatAlarm', {
      alarmDescription: `No article has been stored for ${props.heartbeatHours} hours: check that files still arrive under incoming/ and that ingest runs.`,
      metric: stored,
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: props.heartbeatHours,
      datapointsToAlarm: props.heartbeatHours,
      // An hour with nothing stored writes no data point at all: that is what this alarm is for.
      treatMissingData: TreatMissingData.BREACHING,
    });

    for (const topic of [...props.topicMetricIds, OTHER_TOPICS]) {
      const other = topic === OTHER_TOPICS;
      new Alarm(this, `TopicFlood-${other ? 'other' : topic}`, {
        alarmDescription: other
          ? `Topics without their own match metric matched more than ${props.topicFloodPerHour} times in an hour: see the dashboard and the topics added since the last deploy.`
          : `Topic ${topic} matched more than ${props.topicFloodPerHour} times in an hour: a query that has become too broad, or a flood of copies.`,
        metric: appMetric('TopicMatches', { period: Duration.hours(1), dimensions: { topic } }),
        threshold: props.topicFloodPerHour,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }

    const queueDepth = (label: string, queue: IQueue): IMetric =>
      queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: Stats.MAXIMUM,
        label,
      });
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# newswatch\nAlarms notify the operations topic. Heartbeat: no stored article for ${props.heartbeatHours} h. Flood: more than ${props.topicFloodPerHour} matches of one topic in an hour.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Ingest rate (files per 5 minutes)',
        left: [
          appMetric('ArticlesIngested', { label: 'stored' }),
          appMetric('ArticlesDuplicate', { label: 'duplicate' }),
          appMetric('ArticlesRejected', { label: 'rejected' }),
          appMetric('IngestFailures', { label: 'failed (retried)' }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Rejected files by kind',
        left: [
          new MathExpression({
            expression: `SEARCH('{${NAMESPACE},kind,service} MetricName="ArticlesRejected"', 'Sum', 300)`,
            label: '',
            period: Duration.minutes(5),
          }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Matches per topic (per hour)',
        left: [
          new MathExpression({
            expression: `SEARCH('{${NAMESPACE},service,topic} MetricName="TopicMatches"', 'Sum', 3600)`,
            label: '',
            period: Duration.hours(1),
          }),
        ],
        leftAnnotations: [{ value: props.topicFloodPerHour, label: 'flood' }],
        width: 12,
      }),
      new GraphWidget({
        title: 'Alert delivery',
        left: [
          props.alertsTopic.metricNumberOfMessagesPublished({ label: 'alerts published' }),
          props.alertsTopic.metricNumberOfNotificationsDelivered({ label: 'SNS deliveries' }),
          props.alertsTopic.metricNumberOfNotificationsFailed({ label: 'SNS failures' }),
          appMetric('WebhooksDelivered', { label: 'webhooks delivered' }),
          appMetric('WebhooksNotDelivered', { label: 'webhooks given up or disabled' }),
          appMetric('WebhookRetries', { label: 'webhook retries' }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queue depths',
        left: props.deadLetterQueues.map(({ label, queue }) => queueDepth(label, queue)),
        width: 12,
      }),
      new GraphWidget({
        title: 'Latency',
        left: [
          appMetric('IngestLatency', { statistic: Stats.percentile(50), label: 'ingest one file p50 (ms)' }),
          appMetric('IngestLatency', { statistic: Stats.percentile(99), label: 'ingest one file p99 (ms)' }),
          props.ingestFunction.metricDuration({
            statistic: Stats.percentile(99),
            label: 'ingest batch p99 (ms)',
          }),
          ...(props.deliverFunction
            ? [
                props.deliverFunction.metricDuration({
                  statistic: Stats.percentile(99),
                  label: 'webhook batch p99 (ms)',
                }),
              ]
            : []),
        ],
        right: [
          props.ingestQueue.metricApproximateAgeOfOldestMessage({
            statistic: Stats.MAXIMUM,
            label: 'oldest waiting file (s)',
          }),
        ],
        width: 12,
      }),
    );
  }
}

/**
 * Makes every alarm in its scope notify the operations topic, when it goes off and when it
 * recovers, including alarms added later by other constructs.
 */
export class NotifyOperations implements IAspect {
  private readonly action: SnsAction;
  private readonly done = new WeakSet<Alarm>();

  constructor(topic: ITopic) {
    this.action = new SnsAction(topic);
  }

  visit(node: IConstruct): void {
    if (!(node instanceof Alarm) || this.done.has(node)) return;
    this.done.add(node);
    node.addAlarmAction(this.action);
    node.addOkAction(this.action);
  }
}
