import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { Charset, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { BUNDLE_BANNER } from '../separate-modules.ts';

/** What differs between newswatch functions; everything else is fixed here. */
export interface NewswatchFunctionProps {
  /** Path of the handler file, from the repository root (e.g. `functions/ingest/handler.ts`). */
  entry: string;
  description: string;
  timeout?: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  logRetention?: RetentionDays;
  /**
   * Packages the function imports only for some inputs: left out of its bundle and bundled
   * each on its own beside it (`infra/separate-modules.ts`), so cold starts do not load them.
   */
  separateModules?: readonly string[];
  /**
   * Worker threads the function starts: each entry (a path from the repository root) bundled
   * into its file name beside the function's bundle, the separate modules imported from there.
   */
  workers?: Readonly<Record<string, string>>;
}

/**
 * A Lambda function with the defaults every newswatch function shares: Node.js 24 on
 * ARM64, an ESM bundle built by the local esbuild (minified, with source maps), X-Ray
 * tracing, JSON logs into a log group with a retention, and the Powertools settings.
 */
export class NewswatchFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: NewswatchFunctionProps) {
    super(scope, id);
    const separate = props.separateModules ?? [];
    const workers = Object.entries(props.workers ?? {}).flatMap(([file, entry]) => [
      '--worker',
      `${file}=${entry}`,
    ]);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'newswatch',
        POWERTOOLS_METRICS_NAMESPACE: 'Newswatch',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        // Names in other scripts (the place gazetteer's) stay UTF-8, not 6-byte \u escapes.
        charset: Charset.UTF8,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // The AWS SDK's ESM build still calls require() for Node built-ins.
        banner: BUNDLE_BANNER,
        // Nothing is left to the runtime (the AWS SDK is bundled too) but the separate modules.
        externalModules: [...separate],
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            separate.length + workers.length === 0
              ? []
              : [
                  [
                    process.execPath,
                    join(inputDir, 'infra', 'separate-modules.ts'),
                    outputDir,
                    ...workers,
                    ...separate,
                  ]
                    .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
                    .join(' '),
                ],
        },
      },
    });
    // The Lambda service role policy only grants writing to this function's log group.
    const role = this.fn.role;
    if (role) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'AWSLambdaBasicExecutionRole only allows CloudWatch Logs writes; the function logs to its own log group.',
      });
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
      });
    }
  }

  /**
   * Names the table in TABLE_NAME and grants the item operations the data layer uses:
   * reads (`RO`), reads plus conditional puts and updates (`RW`), or those plus deletes (`RWD`,
   * for the function that removes held alerts once sent). Never scans.
   */
  bindTable(table: ITableV2, access: 'RO' | 'RW' | 'RWD'): this {
    this.fn.addEnvironment('TABLE_NAME', table.tableName);
    const read = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'];
    const write = ['dynamodb:PutItem', 'dynamodb:UpdateItem'];
    // RWD: also DeleteItem, for the one function that removes what it has handed on.
    table.grant(
      this.fn,
      ...read,
      ...(access === 'RO' ? [] : write),
      ...(access === 'RWD' ? ['dynamodb:DeleteItem'] : []),
    );
    return this;
  }

  /** An alarm when the function reports errors in `evaluationPeriods` periods in a row. */
  alarmOnErrors(
    scope: Construct,
    id: string,
    alarmDescription: string,
    period: Duration,
    evaluationPeriods = 1,
  ): Alarm {
    return new Alarm(scope, id, {
      alarmDescription,
      metric: this.fn.metricErrors({ period }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
