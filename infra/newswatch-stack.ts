import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
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
import { Alerts } from './constructs/alerts.ts';
import { NewswatchFunction } from './constructs/newswatch-function.ts';

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
}

/** Prefix S3 notifies about; nothing else in the bucket triggers ingest. */
export const INCOMING_PREFIX = 'incoming/';
/** Where rejected files are copied. */
export const QUARANTINE_PREFIX = 'quarantine/';

/**
 * The newswatch ingest path: the articles bucket notifies an SQS queue of each new object
 * under incoming/; the ingest function reads it, stores the article in DynamoDB, and
 * failures that survive retries land in a dead-letter queue with an alarm.
 */
export class NewswatchStack extends Stack {
  constructor(scope: Construct, id: string, props: NewswatchStackProps = {}) {
    super(scope, id, props);
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
      environment: {
        BUCKET_NAME: bucket.bucketName,
        INCOMING_PREFIX,
        QUARANTINE_PREFIX,
        MAX_OBJECT_BYTES: String(props.maxObjectBytes ?? 262_144),
      },
    }).bindTable(table, 'RW');
    const alerts = new Alerts(this, 'Alerts', {
      subscribers: props.subscribers ?? [],
      table,
      bucketName: bucket.bucketName,
    });
    ingest.fn.addEnvironment('ALERTS_TOPIC_ARN', alerts.topic.topicArn);
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

    new CfnOutput(this, 'BucketName', {
      value: bucket.bucketName,
      description: 'Drop article files under incoming/',
    });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'IngestDeadLetterQueueUrl', { value: deadLetters.queueUrl });
    new CfnOutput(this, 'AlertsTopicArn', {
      value: alerts.topic.topicArn,
      description: 'Subscribe more endpoints here',
    });
  }
}
