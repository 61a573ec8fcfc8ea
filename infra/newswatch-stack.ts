import {
  Aspects,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import {
  AttributeType,
  Billing,
  type CfnGlobalTable,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  EventType,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Subscriber } from '../functions/core/alerts/subscribers.ts';
import type { Feed } from '../functions/core/feeds/feed.ts';
import { Alerts } from './constructs/alerts.ts';
import { Feeds } from './constructs/feeds.ts';
import { NewswatchFunction } from './constructs/newswatch-function.ts';
import { NotifyOperations, Operations } from './constructs/operations.ts';
import { INGEST_SEPARATE_MODULES, INGEST_WORKERS } from './separate-modules.ts';

/** Settings a deployment may change (cdk.json context or `-c key=value`). */
export interface NewswatchStackProps extends StackProps {
  /** Largest article file the ingest function reads, in bytes. */
  maxObjectBytes?: number;
  /** Deliveries of one message before it goes to the dead-letter queue. */
  maxReceiveCount?: number;
  /** Keep the bucket and table when the stack is deleted (default true). */
  retainData?: boolean;
  /** Who gets alerts (seeds/subscribers.yaml). */
  subscribers?: readonly Subscriber[];
  /** Watched topic ids (seeds/topics), in file order: the first ones get their own match metric. */
  topicIds?: readonly string[];
  /** Most topics with their own match metric and flood alarm (each a billed custom metric). */
  topicMetricsMax?: number;
  /** Matches of one topic in one hour above which its flood alarm goes off. */
  topicFloodPerHour?: number;
  /** Address told about every alarm (an SNS email subscription); none when absent. */
  opsEmail?: string;
  /** Hours without a stored article before the heartbeat alarm goes off. */
  heartbeatHours?: number;
  /** Concurrent ingest executions at most (the ingest event source's maxConcurrency). */
  ingestMaxConcurrency?: number;
  /** Concurrent deliveries at most per webhook subscriber queue. */
  webhookMaxConcurrency?: number;
  /** Feeds to poll (seeds/feeds.yaml); no poll function without any. */
  feeds?: readonly Feed[];
  /** Most feeds with their own failure metrics and alarm (each a billed custom metric). */
  feedMetricsMax?: number;
  /** Failed polls of one feed in a row after which its alarm goes off. */
  feedFailuresToAlarm?: number;
}

/** Defaults of the operations settings; docs/scaling.md gives the reasoning for the concurrencies. */
export const OPERATIONS_DEFAULTS = {
  heartbeatHours: 6,
  topicMetricsMax: 50,
  topicFloodPerHour: 100,
  ingestMaxConcurrency: 10,
  webhookMaxConcurrency: 2,
  feedMetricsMax: 20,
  feedFailuresToAlarm: 3,
} as const;

/** An integer setting within bounds, or a synth error that names it. */
const integerSetting = (name: string, value: number, min: number, max: number): number => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got ${value})`);
  }
  return value;
};

/** Prefix S3 notifies about; nothing else in the bucket triggers ingest. */
export const INCOMING_PREFIX = 'incoming/';
/** Where rejected files are copied. */
export const QUARANTINE_PREFIX = 'quarantine/';
/** Where fetched feed documents are dropped: under incoming/, so they are ingested like uploads. */
export const FEEDS_PREFIX = `${INCOMING_PREFIX}feeds/`;

/**
 * Room the feeds' topic lists may take in the ingest function's environment (Lambda allows
 * 4 KB for all of its variables; the topic metric ids and gated subscribers share it).
 */
export const MAX_FEED_TOPICS_ENVIRONMENT_BYTES = 1_000;

/** `FEED_TOPICS` for the ingest function: feed id → the topics its items are matched against. */
const feedTopicsJson = (feeds: readonly Feed[]): string | undefined => {
  const limited = feeds.filter((f) => f.topics && f.topics.length > 0);
  if (limited.length === 0) return undefined;
  const json = JSON.stringify(Object.fromEntries(limited.map((f) => [f.id, f.topics])));
  if (Buffer.byteLength(json) > MAX_FEED_TOPICS_ENVIRONMENT_BYTES) {
    throw new Error(
      `the topics: lists of ${limited.length} feeds take ${Buffer.byteLength(json)} bytes of the ingest function's environment, over the ${MAX_FEED_TOPICS_ENVIRONMENT_BYTES} they have room for: shorten them, or leave topics: out of some feeds`,
    );
  }
  return json;
};

/**
 * The newswatch ingest path: the articles bucket notifies an SQS queue of each new object
 * under incoming/; the ingest function reads it, stores the article in DynamoDB, and
 * failures that survive retries land in a dead-letter queue with an alarm.
 */
export class NewswatchStack extends Stack {
  constructor(scope: Construct, id: string, props: NewswatchStackProps = {}) {
    super(scope, id, props);
    const d = OPERATIONS_DEFAULTS;
    // SQS event sources accept a maxConcurrency from 2 to 1000.
    const ingestMaxConcurrency = integerSetting(
      'ingestMaxConcurrency',
      props.ingestMaxConcurrency ?? d.ingestMaxConcurrency,
      2,
      1000,
    );
    const webhookMaxConcurrency = integerSetting(
      'webhookMaxConcurrency',
      props.webhookMaxConcurrency ?? d.webhookMaxConcurrency,
      2,
      1000,
    );
    // An alarm evaluates at most a day of hourly periods.
    const heartbeatHours = integerSetting('heartbeatHours', props.heartbeatHours ?? d.heartbeatHours, 1, 24);
    const topicMetricsMax = integerSetting(
      'topicMetricsMax',
      props.topicMetricsMax ?? d.topicMetricsMax,
      0,
      500,
    );
    const topicFloodPerHour = integerSetting(
      'topicFloodPerHour',
      props.topicFloodPerHour ?? d.topicFloodPerHour,
      1,
      10_000_000,
    );
    const feedMetricsMax = integerSetting('feedMetricsMax', props.feedMetricsMax ?? d.feedMetricsMax, 0, 200);
    const feedFailuresToAlarm = integerSetting(
      'feedFailuresToAlarm',
      props.feedFailuresToAlarm ?? d.feedFailuresToAlarm,
      1,
      100,
    );
    if (props.opsEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.opsEmail)) {
      throw new Error(`opsEmail must be an email address (got "${props.opsEmail}")`);
    }
    const topicMetricIds = [...new Set(props.topicIds ?? [])].slice(0, topicMetricsMax);
    const retain = props.retainData ?? true;
    const dataRemoval = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const functionTimeout = Duration.seconds(30);

    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: dataRemoval,
    });

    const bucket = new Bucket(this, 'Articles', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'articles/',
      lifecycleRules: [
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'expire-quarantine', prefix: QUARANTINE_PREFIX, expiration: Duration.days(90) },
        // Copies of public feeds, read once by ingest; the articles in them stay in the table.
        { id: 'expire-feed-documents', prefix: FEEDS_PREFIX, expiration: Duration.days(90) },
      ],
      removalPolicy: dataRemoval,
    });

    const table = new TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: 'gsi1',
          partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
          sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
        },
      ],
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: retain,
      removalPolicy: dataRemoval,
    });

    const deadLetters = new Queue(this, 'IngestDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new Queue(this, 'IngestQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      maxMessageSizeBytes: 256 * 1024,
      // Six times the function timeout, so a batch still being retried is not handed out twice.
      visibilityTimeout: Duration.seconds(functionTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(queue), {
      prefix: INCOMING_PREFIX,
    });

    const ingest = new NewswatchFunction(this, 'Ingest', {
      entry: 'functions/ingest/handler.ts',
      description: 'Reads new article files from the bucket, stores articles and records errors',
      timeout: functionTimeout,
      separateModules: INGEST_SEPARATE_MODULES,
      workers: INGEST_WORKERS,
      environment: {
        BUCKET_NAME: bucket.bucketName,
        INCOMING_PREFIX,
        QUARANTINE_PREFIX,
        MAX_OBJECT_BYTES: String(props.maxObjectBytes ?? 262_144),
        TOPIC_METRICS: JSON.stringify(topicMetricIds),
      },
    }).bindTable(table, 'RW');
    const alerts = new Alerts(this, 'Alerts', {
      subscribers: props.subscribers ?? [],
      webhookMaxConcurrency,
      table,
      bucketName: bucket.bucketName,
    });
    ingest.fn.addEnvironment('ALERTS_TOPIC_ARN', alerts.topic.topicArn);
    const feedTopics = feedTopicsJson(props.feeds ?? []);
    if (feedTopics) ingest.fn.addEnvironment('FEED_TOPICS', feedTopics);
    if (alerts.gatedSubscribersJson)
      ingest.fn.addEnvironment('GATED_SUBSCRIBERS', alerts.gatedSubscribersJson);
    alerts.grantPublish(ingest.fn);
    // Read what arrives under incoming/, write only under quarantine/: the function can never
    // overwrite an incoming file or trigger itself. ListBucket (on incoming/ only) makes a
    // missing object answer 404 rather than 403.
    ingest.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging'],
        resources: [bucket.arnForObjects(`${INCOMING_PREFIX}*`)],
      }),
    );
    ingest.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${INCOMING_PREFIX}*` } },
      }),
    );
    ingest.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:PutObjectTagging'],
        resources: [bucket.arnForObjects(`${QUARANTINE_PREFIX}*`)],
      }),
    );
    ingest.fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        // What the on-demand table and its busiest index partition take (docs/scaling.md).
        maxConcurrency: ingestMaxConcurrency,
      }),
    );
    const bucketArn = `<${this.getLogicalId(bucket.node.defaultChild as CfnBucket)}.Arn>`;
    const tableArn = `<${this.getLogicalId(table.node.defaultChild as CfnGlobalTable)}.Arn>`;
    for (const [finding, reason] of [
      [
        `Resource::${bucketArn}/${INCOMING_PREFIX}*`,
        'Reads any object under incoming/, where uploads arrive.',
      ],
      [`Resource::${bucketArn}/${QUARANTINE_PREFIX}*`, 'Copies rejected files to any key under quarantine/.'],
      [
        `Resource::${tableArn}/index/*`,
        'Queries the indexes of the newswatch table (CDK grants index access this way).',
      ],
    ]) {
      Validations.of(ingest.fn).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: reason as string,
      });
    }
    // CDK's own custom resource that writes the bucket's notification configuration.
    const notificationsHandler = this.node.children.find((c) =>
      c.node.id.startsWith('BucketNotificationsHandler'),
    );
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'CDK-provided handler that sets the bucket notification at deploy time; it only writes its own logs.',
      });
    }

    new Alarm(this, 'IngestDeadLettersAlarm', {
      alarmDescription:
        'Article files failed ingest after every retry: inspect the ingest dead-letter queue.',
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    ingest.alarmOnErrors(
      this,
      'IngestErrorsAlarm',
      'The ingest function is failing (throttling, timeouts or a bug).',
      Duration.minutes(5),
    );

    const operations = new Operations(this, 'Operations', {
      ...(props.opsEmail ? { opsEmail: props.opsEmail } : {}),
      heartbeatHours,
      topicFloodPerHour,
      topicMetricIds,
      ingestFunction: ingest.fn,
      ingestQueue: queue,
      alertsTopic: alerts.topic,
      ...(alerts.deliverFunction ? { deliverFunction: alerts.deliverFunction.fn } : {}),
      deadLetterQueues: [
        { label: 'ingest', queue: deadLetters },
        ...alerts.deadLetterQueues.map(({ subscriberId, queue: q }) => ({ label: subscriberId, queue: q })),
      ],
    });
    if (props.feeds && props.feeds.length > 0) {
      new Feeds(this, 'Feeds', {
        feeds: props.feeds,
        table,
        bucket,
        prefix: FEEDS_PREFIX,
        maxObjectBytes: props.maxObjectBytes ?? 262_144,
        feedMetricsMax,
        failuresToAlarm: feedFailuresToAlarm,
        dashboard: operations.dashboard,
      });
    }
    Aspects.of(this).add(new NotifyOperations(operations.topic));

    new CfnOutput(this, 'BucketName', {
      value: bucket.bucketName,
      description: 'Drop article files under incoming/',
    });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'IngestDeadLetterQueueUrl', { value: deadLetters.queueUrl });
    new CfnOutput(this, 'OperationsTopicArn', {
      value: operations.topic.topicArn,
      description: 'Every alarm notifies this topic; subscribe more on-call endpoints here',
    });
    new CfnOutput(this, 'DashboardName', { value: operations.dashboard.dashboardName });
    new CfnOutput(this, 'AlertsTopicArn', {
      value: alerts.topic.topicArn,
      description: 'Subscribe more endpoints here',
    });
  }
}
