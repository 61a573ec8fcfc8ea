import { Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnGlobalTable, ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type Feed, feedListJson, OTHER_FEEDS } from '../../functions/core/feeds/feed.ts';
import { NewswatchFunction } from './newswatch-function.ts';

/**
 * Room the feed list may take in the poll function's environment. Lambda allows 4 KB for all
 * of a function's variables; the others (names, ARNs, Powertools settings) take well under 1 KB.
 */
export const MAX_FEEDS_ENVIRONMENT_BYTES = 3_000;

/** What polling feeds needs. */
export interface FeedsProps {
  feeds: readonly Feed[];
  table: ITableV2;
  bucket: Bucket;
  /** Where documents are written: `incoming/feeds/`, under the prefix the ingest queue hears of. */
  prefix: string;
  /** Largest document accepted: the ingest function's limit for one file. */
  maxObjectBytes: number;
  /** Feeds with their own failure metrics and alarm (each a billed custom metric); the rest share one. */
  feedMetricsMax: number;
  /** Failed polls in a row after which a feed's alarm goes off. */
  failuresToAlarm: number;
  /** The operations dashboard, which gets a feeds graph. */
  dashboard?: Dashboard;
}

/** A Powertools (EMF) metric of the poll function. */
const feedMetric = (
  metricName: string,
  statistic: string,
  period: Duration,
  dimensions = {},
  label?: string,
) =>
  new Metric({
    namespace: 'Newswatch',
    metricName,
    dimensionsMap: { service: 'newswatch', ...dimensions },
    statistic,
    period,
    ...(label ? { label } : {}),
  });

/**
 * Feed polling: the poll function on a five-minute schedule, allowed to write under
 * `incoming/feeds/` only (where S3 tells the ingest queue of each new document), its state in
 * the table (`FEED#<id>`), an alarm on its errors and one per feed that keeps failing.
 */
export class Feeds extends Construct {
  readonly pollFunction: NewswatchFunction;
  /** The feed-failure alarms, by `feed` dimension value. */
  readonly failureAlarms = new Map<string, Alarm>();

  constructor(scope: Construct, id: string, props: FeedsProps) {
    super(scope, id);
    const feedsJson = feedListJson(props.feeds);
    if (Buffer.byteLength(feedsJson) > MAX_FEEDS_ENVIRONMENT_BYTES) {
      throw new Error(
        `the ${props.feeds.length} feeds take ${Buffer.byteLength(feedsJson)} bytes of the poll function's environment, over the ${MAX_FEEDS_ENVIRONMENT_BYTES} it has room for (Lambda allows 4 KB in all): shorten the ids or URLs, or poll fewer feeds`,
      );
    }
    const metricIds = props.feeds.slice(0, props.feedMetricsMax).map((f) => f.id);
    this.pollFunction = new NewswatchFunction(this, 'PollFeeds', {
      entry: 'functions/poll-feeds/handler.ts',
      description: 'Polls RSS and Atom feeds and drops new documents under incoming/feeds/',
      // Four feeds at a time, each within 15 s: a run of dozens of feeds ends well within this.
      timeout: Duration.minutes(2),
      memorySize: 256,
      environment: {
        FEEDS: feedsJson,
        FEED_METRICS: JSON.stringify(metricIds),
        BUCKET_NAME: props.bucket.bucketName,
        FEEDS_PREFIX: props.prefix,
        MAX_OBJECT_BYTES: String(props.maxObjectBytes),
      },
    }).bindTable(props.table, 'RW');
    const fn = this.pollFunction.fn;
    // Writes only new objects under incoming/feeds/: it reads nothing from the bucket and can
    // neither overwrite an upload nor reach quarantine/.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [props.bucket.arnForObjects(`${props.prefix}*`)],
      }),
    );
    new Rule(this, 'Schedule', {
      description: 'Poll the newswatch feeds that are due',
      schedule: Schedule.rate(Duration.minutes(5)),
      // No retries: the next run is five minutes away and polls whatever is still due.
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });
    this.pollFunction.alarmOnErrors(
      this,
      'PollFeedsErrorsAlarm',
      'Polling feeds keeps failing on our side (the table or the bucket, or a bug): feeds are not being read.',
      Duration.minutes(15),
      2,
    );
    const dimensions = props.feeds.length > metricIds.length ? [...metricIds, OTHER_FEEDS] : metricIds;
    for (const feed of dimensions) {
      const other = feed === OTHER_FEEDS;
      this.failureAlarms.set(
        feed,
        new Alarm(this, `FeedFailing-${other ? 'other' : feed}`, {
          alarmDescription: other
            ? `A feed without its own metric has failed ${props.failuresToAlarm} polls in a row: see the poll-feeds logs ("feed poll failed") for which and why.`
            : `Feed ${feed} has failed ${props.failuresToAlarm} polls in a row: see the poll-feeds logs (feedId ${feed}) for why; it is polled less often until it answers.`,
          // Every run reports each failing feed's streak; none is reported once it answers again.
          metric: feedMetric('FeedFailingStreak', Stats.MAXIMUM, Duration.minutes(15), { feed }),
          threshold: props.failuresToAlarm,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    props.dashboard?.addWidgets(
      new GraphWidget({
        title: 'Feeds (per 5 minutes)',
        left: [
          feedMetric('FeedsPolled', Stats.SUM, Duration.minutes(5), {}, 'fetched'),
          feedMetric('FeedFilesWritten', Stats.SUM, Duration.minutes(5), {}, 'new documents'),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Feed failures by feed',
        left: [
          new MathExpression({
            expression: `SEARCH('{Newswatch,feed,service} MetricName="FeedFailures"', 'Sum', 300)`,
            label: '',
            period: Duration.minutes(5),
          }),
        ],
        width: 12,
      }),
    );

    const stack = Stack.of(this);
    const bucketArn = `<${stack.getLogicalId(props.bucket.node.defaultChild as CfnBucket)}.Arn>`;
    const tableArn = `<${stack.getLogicalId(props.table.node.defaultChild as CfnGlobalTable)}.Arn>`;
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${props.prefix}*]`,
      reason: 'Writes each new feed document under its own key below incoming/feeds/, and nowhere else.',
    });
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`,
      reason:
        'CDK grants item access on the indexes of the newswatch table this way; feed state uses no index.',
    });
  }
}
