import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_KEYS } from '../../functions/adapters/aws/table-layout.ts';
import { secretEnvName } from '../../functions/adapters/local/local-secrets.ts';
import { buildApp, readFeeds, readSubscribers } from '../../infra/app.ts';
import { NewswatchStack } from '../../infra/newswatch-stack.ts';
import { INGEST_SEPARATE_MODULES, packageOf } from '../../infra/separate-modules.ts';

/** The tests' own copy of the sample seeds: the stack under test is built from these. */
const SEEDS = new URL('../fixtures/seeds/', import.meta.url);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

let outdir: string;
let synthError: Error | undefined;
let template: Template;
let json: { Resources: Record<string, Resource> };

const resourcesOf = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
const ingestFunction = () => {
  const found = resourcesOf('AWS::Lambda::Function').find(([id]) => id.startsWith('IngestFunction'));
  if (!found) throw new Error('ingest function not in template');
  return found;
};
const policyStatementsOfRole = (roleLogicalId: string): Statement[] =>
  resourcesOf('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleLogicalId))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const asList = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

beforeAll(() => {
  // Prepare: synthesise the real app, AwsSolutions checks included, into a fresh folder.
  outdir = mkdtempSync(join(tmpdir(), 'newswatch-synth-'));
  const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
  const { app, stack } = buildApp(new App({ outdir, context }), SEEDS);
  try {
    app.synth();
  } catch (e) {
    // cdk-nag findings fail the synth; the checks test below reports them.
    synthError = e as Error;
  }
  template = Template.fromStack(stack);
  json = template.toJSON() as typeof json;
});

describe('Stack: Newswatch (articles bucket)', () => {
  it('should block public access, enforce SSL, encrypt and version the bucket', () => {
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'articles/' }),
    });
    const policies = resourcesOf('AWS::S3::BucketPolicy');
    expect(policies.length).toBeGreaterThanOrEqual(2);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('should notify the ingest queue of new objects under incoming/ only', () => {
    // Assess
    const [[, notifications]] = resourcesOf('Custom::S3BucketNotifications') as [[string, Resource]];
    const config = notifications.Properties.NotificationConfiguration as {
      QueueConfigurations: Array<{ Events: string[]; Filter: unknown }>;
      LambdaFunctionConfigurations?: unknown;
    };
    expect(config.LambdaFunctionConfigurations).toBeUndefined();
    expect(config.QueueConfigurations).toHaveLength(1);
    expect(config.QueueConfigurations[0]).toMatchObject({
      Events: ['s3:ObjectCreated:*'],
      Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
    });
  });
});

describe('Stack: Newswatch (ingest queue)', () => {
  it('should encrypt every queue and give the ingest queue a dead-letter queue', () => {
    // Assess
    const queues = resourcesOf('AWS::SQS::Queue');
    expect(queues).toHaveLength(4);
    for (const [, q] of queues) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    for (const [, policy] of resourcesOf('AWS::SQS::QueuePolicy')) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
    expect(resourcesOf('AWS::SQS::QueuePolicy').length).toBe(4);
  });

  it('should hold messages of at least 64 KB and hide them for six function timeouts', () => {
    // Prepare
    const [, fn] = ingestFunction();
    const [[, queue]] = resourcesOf('AWS::SQS::Queue').filter(([, q]) => q.Properties.RedrivePolicy) as [
      [string, Resource],
    ];

    // Assess
    expect(queue.Properties.MaximumMessageSize).toBeGreaterThanOrEqual(64 * 1024);
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (fn.Properties.Timeout as number));
  });

  it('should alarm on any message in the dead-letter queue and on function errors', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
    });
  });
});

describe('Stack: Newswatch (ingest function)', () => {
  it('should run on Node.js 24, ARM64, with active tracing and JSON logs', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: {
        Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps', MAX_OBJECT_BYTES: '262144' }),
      },
    });
  });

  it('should take SQS batches and report partial batch failures', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('should ship every function as a minified ESM bundle with a source map', () => {
    // Prepare
    const assets = readdirSync(outdir).filter(
      (d) => d.startsWith('asset.') && readdirSync(join(outdir, d)).includes('index.mjs'),
    );

    // Assess: ingest and the daily digest (the seeds have a digest subscriber).
    expect(assets).toHaveLength(
      resourcesOf('AWS::Lambda::Function').filter(([id]) => !id.startsWith('BucketNotificationsHandler'))
        .length,
    );
    for (const asset of assets) {
      const dir = join(outdir, asset);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith("import{createRequire}from'module';")).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      expect(statSync(join(dir, 'index.mjs.map')).size).toBeGreaterThan(0);
      // Minified: few, long lines.
      expect(code.split('\n').length).toBeLessThan(200);
    }
  });

  it('should ship the document libraries and the PDF worker beside the ingest bundle, not in it', () => {
    // Prepare
    const [, fn] = ingestFunction();
    const key = JSON.stringify((fn.Properties.Code as { S3Key: unknown }).S3Key);
    const asset = join(outdir, `asset.${/([0-9a-f]{64})\.zip/.exec(key)?.[1]}`);

    // Assess
    for (const name of INGEST_SEPARATE_MODULES) {
      const { pkg, subpath } = packageOf(name);
      const file = join(asset, 'node_modules', pkg, `${subpath ?? 'index'}.mjs`);
      expect(statSync(file).size, name).toBeGreaterThan(1000);
    }
    expect(statSync(join(asset, 'index.mjs')).size).toBeLessThan(1.5 * 1024 * 1024);
    expect(readFileSync(join(asset, 'index.mjs'), 'utf8')).toContain('import("mammoth")');
    // pdf.js is loaded by the PDF worker process only, never by the function itself.
    expect(readFileSync(join(asset, 'index.mjs'), 'utf8')).not.toContain('"unpdf"');
    expect(readFileSync(join(asset, 'pdf-worker.mjs'), 'utf8')).toMatch(/from\s*"unpdf"/);
  });

  it('should let the function read incoming/ and write quarantine/ only, never incoming/', () => {
    // Prepare
    const [, fn] = ingestFunction();
    const role = JSON.stringify(fn.Properties.Role).match(
      /"(IngestFunctionServiceRole[A-Za-z0-9]+)"/,
    )?.[1] as string;
    const statements = policyStatementsOfRole(role);

    // Assess
    const writes = statements.filter((s) => asList(s.Action).some((a) => /^s3:(Put|Delete|\*)/.test(a)));
    expect(writes.length).toBeGreaterThan(0);
    for (const s of writes) expect(JSON.stringify(s.Resource)).toMatch(/\/quarantine\/\*"/);
    for (const s of writes) expect(JSON.stringify(s.Resource)).not.toMatch(/incoming/);
    for (const s of statements) {
      expect(asList(s.Action)).not.toContain('*');
      expect(asList(s.Action).filter((a) => /^(s3|dynamodb):\*$/.test(a))).toEqual([]);
      expect(asList(s.Action)).not.toContain('dynamodb:DeleteItem');
      expect(asList(s.Action)).not.toContain('dynamodb:Scan');
      if (s.Resource === '*') expect(asList(s.Action).every((a) => a.startsWith('xray:'))).toBe(true);
    }
  });
});

describe('Stack: Newswatch (table)', () => {
  it('should be on-demand with point-in-time recovery and the keys the store uses', () => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: TABLE_KEYS.gsi1.name,
          KeySchema: [
            { AttributeName: TABLE_KEYS.gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE_KEYS.gsi1.sortKey, KeyType: 'RANGE' },
          ],
        }),
      ],
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });
});

describe('Stack: Newswatch (alerts)', () => {
  it('should encrypt the alerts topic with a rotating key, require TLS and sign with SHA256', () => {
    // Assess
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.anyValue(),
      SignatureVersion: '2',
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const [[, policy]] = resourcesOf('AWS::SNS::TopicPolicy') as [[string, Resource]];
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });

  it('should subscribe each email subscriber with its filter policy and a dead-letter queue with an alarm', () => {
    // Assess
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'health-desk@example.org',
      FilterPolicy: {
        kind: ['alert'],
        topicId: ['international-health-aid', 'vaccine-supply-deals', 'health-disinformation'],
        score: [{ numeric: ['>=', 0.5] }],
      },
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'caucasus-editor@example.org',
      FilterPolicy: { kind: ['digest'], subscriber: ['caucasus-editor'] },
    });
    expect(resourcesOf('AWS::SNS::Subscription')).toHaveLength(2);
    const alarms = resourcesOf('AWS::CloudWatch::Alarm').filter(([, a]) =>
      String(a.Properties.AlarmDescription).startsWith('Alerts for subscriber'),
    );
    expect(alarms).toHaveLength(2);
  });

  it('should let the ingest function publish to the alerts topic and name it in its environment', () => {
    // Prepare
    const [, fn] = ingestFunction();
    const role = JSON.stringify(fn.Properties.Role).match(
      /"(IngestFunctionServiceRole[A-Za-z0-9]+)"/,
    )?.[1] as string;
    const statements = policyStatementsOfRole(role);

    // Assess
    const publish = statements.filter((s) => asList(s.Action).includes('sns:Publish'));
    expect(publish).toHaveLength(1);
    expect(JSON.stringify(publish[0]?.Resource)).toMatch(/AlertsTopic/);
    expect(JSON.stringify(fn.Properties.Environment)).toMatch(/"ALERTS_TOPIC_ARN":\{"Ref":"AlertsTopic/);
  });
});

describe('Stack: Newswatch (daily digest)', () => {
  it('should run the digest function every day just after midnight UTC for the digest subscribers', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(15 0 * * ? *)',
      State: 'ENABLED',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          DIGEST_SUBSCRIBERS: JSON.stringify([
            {
              id: 'caucasus-editor',
              topics: ['south-caucasus-diplomacy', 'korea-foreign-relations'],
              minScore: 0.3,
            },
          ]),
        }),
      },
    });
  });
});

describe('Stack: Newswatch (webhook subscribers)', () => {
  const synthWithWebhook = () => {
    const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
    const hooksOut = mkdtempSync(join(tmpdir(), 'newswatch-hooks-'));
    const app = new App({ outdir: hooksOut, context });
    const stack = new NewswatchStack(app, 'Hooks', {
      subscribers: [
        {
          id: 'partner',
          webhook: { urlSecret: 'newswatch/partner-url', format: 'slack', secretName: 'newswatch/partner' },
          topics: ['international-health-aid'],
          minScore: 0.4,
          mode: 'immediate',
          updates: false,
        },
      ],
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    return { hooks: Template.fromStack(stack), templatePath: join(hooksOut, 'Hooks.template.json') };
  };

  it('should route a webhook subscriber through its own filtered queue to the signed delivery function', () => {
    // Act
    const { hooks, templatePath } = synthWithWebhook();

    // Assess
    hooks.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
      FilterPolicy: {
        kind: ['alert'],
        topicId: ['international-health-aid'],
        score: [{ numeric: ['>=', 0.4] }],
      },
    });
    hooks.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 8 },
      SqsManagedSseEnabled: true,
    });
    hooks.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Posts signed alerts to webhook subscribers',
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ WEBHOOK_TARGETS: Match.anyValue() }) },
    });
    hooks.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    const mappings = Object.values(hooks.findResources('AWS::Lambda::EventSourceMapping')) as Resource[];
    expect(mappings).toHaveLength(2);
    for (const m of mappings)
      expect(m.Properties.ScalingConfig).toEqual({ MaximumConcurrency: expect.any(Number) });
    const policies = JSON.stringify(hooks.findResources('AWS::IAM::Policy'));
    expect(policies).toContain(':secret:newswatch/partner-*');
    expect(policies).toContain(':secret:newswatch/partner-url-*');
    expect(policies).not.toMatch(/"secretsmanager:GetSecretValue"[^\]]*"Resource":"\*"/);
    expect(
      execFileSync(join(process.cwd(), '.tools/venv/bin/cfn-lint'), [templatePath], { encoding: 'utf8' }),
    ).toBe('');
  });
});

describe('Stack: Newswatch (webhook URLs that are credentials)', () => {
  const URLS = {
    slack: 'https://hooks.slack.com/services/T0NEWSWATCH/B0NEWSWATCH/slackSecretPart1234',
    discord: 'https://discord.com/api/webhooks/1234567890/discordSecretPart1234',
    teams: 'https://contoso.webhook.office.com/webhookb2/aaaa/IncomingWebhook/bbbb/teamsSecretPart1234',
  };
  const GENERIC = 'https://hooks.example.org/newswatch-generic-endpoint';

  /** A copy of the seeds with the given subscribers file. */
  const seedsWith = (subscribersYaml: string): URL => {
    const root = mkdtempSync(join(tmpdir(), 'newswatch-seeds-'));
    cpSync('tests/fixtures/seeds/topics', join(root, 'topics'), { recursive: true });
    writeFileSync(join(root, 'subscribers.yaml'), subscribersYaml);
    return pathToFileURL(`${root}/`);
  };

  it('should refuse, at synth, a Slack URL written in the subscribers file, without repeating it', () => {
    // Prepare
    const root = seedsWith(
      `subscribers:\n  - id: chat\n    topics: ["*"]\n    webhook:\n      format: slack\n      url: ${URLS.slack}\n      secretName: newswatch/chat\n`,
    );

    // Act
    let error: Error | undefined;
    try {
      readSubscribers(root);
    } catch (e) {
      error = e as Error;
    }

    // Assess
    expect(error?.message).toContain('name that secret with urlSecret');
    expect(error?.message).not.toContain('slackSecretPart1234');
  });

  it('should keep Slack, Discord and Teams URLs out of the template, every environment and the assets', () => {
    // Prepare: a subscribers file naming the URL secrets, and the URLs themselves where the
    // local runtime would find them (environment), which the CDK app must not read.
    const root = seedsWith(
      [
        'subscribers:',
        ...(['slack', 'discord', 'teams'] as const).flatMap((f) => [
          `  - id: ${f}-desk`,
          '    topics: ["*"]',
          `    webhook: { format: ${f}, urlSecret: newswatch/${f}-url, secretName: newswatch/${f}-signing }`,
        ]),
        '  - id: generic-partner',
        '    topics: ["*"]',
        `    webhook: { url: "${GENERIC}", secretName: newswatch/generic-signing }`,
        '',
      ].join('\n'),
    );
    for (const [f, url] of Object.entries(URLS)) process.env[secretEnvName(`newswatch/${f}-url`)] = url;
    const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
    const out = mkdtempSync(join(tmpdir(), 'newswatch-url-secrets-'));
    const app = new App({ outdir: out, context });
    const stack = new NewswatchStack(app, 'UrlSecrets', { subscribers: readSubscribers(root) });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    app.synth();
    const synthesised = Template.fromStack(stack).toJSON() as { Resources: Record<string, Resource> };
    const everyFile = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? everyFile(join(dir, e.name)) : [join(dir, e.name)],
      );
    const cloudAssembly = everyFile(out)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const environments = Object.values(synthesised.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => JSON.stringify(r.Properties.Environment ?? {}));
    for (const f of Object.keys(URLS)) delete process.env[secretEnvName(`newswatch/${f}-url`)];

    // Assess: the generic URL is there (so the search can find a URL), the credentials are not.
    const template = JSON.stringify(synthesised);
    expect(template).toContain(GENERIC);
    expect(environments.length).toBeGreaterThan(1);
    for (const url of Object.values(URLS)) {
      const secretPart = url.split('/').at(-1) as string;
      expect(template).not.toContain(secretPart);
      for (const environment of environments) expect(environment).not.toContain(secretPart);
      expect(cloudAssembly).not.toContain(secretPart);
    }
    expect(template).toMatch(/"urlSecret\\?":\\?"newswatch\/slack-url/);
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    for (const f of Object.keys(URLS)) expect(policies).toContain(`:secret:newswatch/${f}-url-*`);
  });
});

describe('Stack: Newswatch (subscribers with fatigue controls)', () => {
  it('should address a gated subscriber alone and release held alerts on a five-minute schedule', () => {
    // Prepare
    const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
    const gatedOut = mkdtempSync(join(tmpdir(), 'newswatch-gated-'));
    const app = new App({ outdir: gatedOut, context });
    const stack = new NewswatchStack(app, 'Gated', {
      subscribers: [
        {
          id: 'calm',
          email: 'calm@example.org',
          topics: ['international-health-aid'],
          minScore: 0,
          mode: 'immediate',
          updates: false,
          cooldownMinutes: 60,
          quietHours: { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin' },
        },
      ],
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    app.synth();
    const gated = Template.fromStack(stack);

    // Assess
    gated.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      FilterPolicy: { kind: ['gated'], subscriber: ['calm'] },
    });
    gated.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Sends alerts held by cooldowns, daily limits or quiet hours once the hold ends',
      Environment: {
        Variables: Match.objectLike({ GATED_SUBSCRIBERS: Match.stringLikeRegexp('"cooldownMinutes":60') }),
      },
    });
    gated.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Reads new article files from the bucket, stores articles and records errors',
      Environment: { Variables: Match.objectLike({ GATED_SUBSCRIBERS: Match.anyValue() }) },
    });
    gated.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    const report = JSON.parse(readFileSync(join(gatedOut, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ conclusion?: string }>;
    };
    expect(report.pluginReports.map((r) => r.conclusion)).not.toContain('failure');
  });
});

describe('Stack: Newswatch (operations)', () => {
  /** The dashboard body as the text CloudWatch gets, with references left as their JSON. */
  const dashboardBody = (t: { Resources: Record<string, Resource> }): string => {
    const dashboards = Object.values(t.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = dashboards[0]?.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
    return typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('');
  };
  const opsTopicRef = (t: { Resources: Record<string, Resource> }) => {
    const topics = Object.entries(t.Resources).filter(
      ([, r]) => r.Type === 'AWS::SNS::Topic' && r.Properties.DisplayName === 'newswatch operations',
    );
    expect(topics).toHaveLength(1);
    return { Ref: topics[0]?.[0] };
  };

  it('should make every alarm notify the operations topic when it goes off and when it recovers', () => {
    // Prepare
    const ops = opsTopicRef(json);
    const alarms = resourcesOf('AWS::CloudWatch::Alarm');

    // Assess
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([ops]);
      expect(alarm.Properties.OKActions, id).toEqual([ops]);
    }
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'newswatch operations',
      KmsMasterKeyId: Match.anyValue(),
      SignatureVersion: '2',
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    expect(
      resourcesOf('AWS::SNS::Subscription').filter(([, r]) => r.Properties.Protocol === 'email'),
    ).toHaveLength(2);
  });

  it('should raise the heartbeat alarm after six hours without a stored article, missing data counting as none', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Newswatch',
      MetricName: 'ArticlesIngested',
      Dimensions: [{ Name: 'service', Value: 'newswatch' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('should have a dashboard with ingest rate, rejects by kind, matches per topic, delivery, dead letters and latency', () => {
    // Act
    const body = dashboardBody(json);

    // Assess
    for (const title of [
      'Ingest rate',
      'Rejected files by kind',
      'Matches per topic',
      'Alert delivery',
      'Dead-letter queue depths',
      'Latency',
    ]) {
      expect(body).toContain(`"title":"${title}`);
    }
    expect(body).toContain('MetricName=\\"ArticlesRejected\\"');
    expect(body).toContain('{Newswatch,service,topic} MetricName=\\"TopicMatches\\"');
    expect(body).toContain('"NumberOfNotificationsFailed"');
    expect(body).toContain('"ApproximateAgeOfOldestMessage"');
    expect(body.match(/"ApproximateNumberOfMessagesVisible"/g)).toHaveLength(3);
  });

  it('should cap every SQS event source with maxConcurrency', () => {
    // Assess
    const mappings = resourcesOf('AWS::Lambda::EventSourceMapping');
    expect(mappings.length).toBeGreaterThan(0);
    for (const [id, m] of mappings) {
      expect(m.Properties.ScalingConfig, id).toEqual({ MaximumConcurrency: 10 });
    }
  });

  it('should give each seed topic a match metric and a flood alarm, and the ingest function the list', () => {
    // Prepare
    const [, fn] = ingestFunction();
    const ids = JSON.parse(
      (fn.Properties.Environment as { Variables: { TOPIC_METRICS: string } }).Variables.TOPIC_METRICS,
    ) as string[];
    const floods = resourcesOf('AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.MetricName === 'TopicMatches',
    );

    // Assess
    expect(ids).toContain('international-health-aid');
    expect(
      floods.map(([, a]) => (a.Properties.Dimensions as Array<{ Value: string }>)[1]?.Value).sort(),
    ).toEqual([...ids, '(other)'].sort());
    for (const [, a] of floods) {
      expect(a.Properties).toMatchObject({
        Threshold: 100,
        Period: 3600,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('should subscribe the ops address from context and cap the topics with their own metric', () => {
    // Prepare
    const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
    const out = mkdtempSync(join(tmpdir(), 'newswatch-ops-'));
    const app = new App({
      outdir: out,
      context: { ...context, opsEmail: 'oncall@example.org', heartbeatHours: '3', topicMetricsMax: '2' },
    });
    const { stack } = buildApp(app, SEEDS);

    // Act
    app.synth();
    const ops = Template.fromStack(stack);
    const opsJson = ops.toJSON() as { Resources: Record<string, Resource> };

    // Assess
    ops.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.org',
      TopicArn: opsTopicRef(opsJson),
    });
    ops.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ArticlesIngested',
      EvaluationPeriods: 3,
    });
    const floods = Object.values(opsJson.Resources).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'TopicMatches',
    );
    expect(floods).toHaveLength(3);
    ops.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TOPIC_METRICS: JSON.stringify(['south-caucasus-diplomacy', 'korea-foreign-relations']),
        }),
      },
    });
  });

  it('should refuse operations settings out of range at synth', () => {
    // Act & Assess
    const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
    const attempt = (extra: Record<string, string>) => () =>
      buildApp(
        new App({ outdir: mkdtempSync(join(tmpdir(), 'newswatch-bad-')), context: { ...context, ...extra } }),
        SEEDS,
      );
    expect(attempt({ ingestMaxConcurrency: '1' })).toThrow(
      'ingestMaxConcurrency must be a whole number from 2 to 1000',
    );
    expect(attempt({ heartbeatHours: '48' })).toThrow('heartbeatHours must be a whole number from 1 to 24');
    expect(attempt({ opsEmail: 'not-an-address' })).toThrow('opsEmail must be an email address');
  });
});

describe('Stack: Newswatch (feeds)', () => {
  const feedOf = (alarm: Resource) =>
    (alarm.Properties.Dimensions as Array<{ Name: string; Value: string }>).find((d) => d.Name === 'feed')
      ?.Value;
  const pollFunction = () => {
    const found = resourcesOf('AWS::Lambda::Function').find(([id]) => id.startsWith('FeedsPollFeeds'));
    if (!found) throw new Error('poll function not in template');
    return found;
  };

  it('should poll the seed feeds every five minutes, with the same size limit as ingest', () => {
    // Prepare
    const [id, fn] = pollFunction();
    const variables = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;

    // Assess
    expect(variables).toMatchObject({ FEEDS_PREFIX: 'incoming/feeds/', MAX_OBJECT_BYTES: '262144' });
    expect((JSON.parse(variables.FEEDS as string) as Array<{ id: string }>).map((f) => f.id)).toEqual(
      readFeeds(SEEDS).map((f) => f.id),
    );
    const rules = resourcesOf('AWS::Events::Rule').filter(([, r]) =>
      JSON.stringify(r.Properties.Targets).includes(id),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]?.[1].Properties).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
    });
  });

  it('should let the poll function write new objects under incoming/feeds/ and nothing else in the bucket', () => {
    // Prepare
    const [, fn] = pollFunction();
    const role = JSON.stringify(fn.Properties.Role).match(
      /"(FeedsPollFeeds[A-Za-z0-9]*ServiceRole[A-Za-z0-9]+)"/,
    )?.[1];
    const statements = policyStatementsOfRole(role as string);

    // Assess
    const s3 = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('s3:')));
    expect(s3).toHaveLength(1);
    expect(asList(s3[0]?.Action as string[])).toEqual(['s3:PutObject']);
    expect(JSON.stringify(s3[0]?.Resource)).toMatch(/"\/incoming\/feeds\/\*"\]/);
    for (const s of statements) {
      expect(asList(s.Action)).not.toContain('dynamodb:DeleteItem');
      expect(asList(s.Action)).not.toContain('dynamodb:Scan');
      expect(asList(s.Action).filter((a) => /^(s3|dynamodb):\*$/.test(a))).toEqual([]);
    }
  });

  it('should alarm, to the operations topic, on each seed feed that has failed three polls in a row', () => {
    // Prepare
    const alarms = resourcesOf('AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.MetricName === 'FeedFailingStreak',
    );

    // Assess
    expect(alarms.map(([, a]) => feedOf(a)).sort()).toEqual(
      readFeeds(SEEDS)
        .map((f) => f.id)
        .sort(),
    );
    for (const [, a] of alarms) {
      expect(a.Properties).toMatchObject({
        Namespace: 'Newswatch',
        Statistic: 'Maximum',
        Threshold: 3,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [expect.objectContaining({ Ref: expect.stringMatching(/^OperationsTopic/) })],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: pollFunction()[0] } }],
      EvaluationPeriods: 2,
    });
  });

  it('should expire feed documents after 90 days, and show feeds on the operations dashboard', () => {
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'expire-feed-documents', Prefix: 'incoming/feeds/', ExpirationInDays: 90 }),
        ]),
      },
    });
    const dashboards = resourcesOf('AWS::CloudWatch::Dashboard');
    expect(JSON.stringify(dashboards)).toContain('Feed failures by feed');
  });

  it('should share one failure metric and alarm among the feeds past the cap, and refuse a list too long for the environment', () => {
    // Prepare
    const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
    const many = Array.from({ length: 5 }, (_, i) => ({
      id: `feed-${i}`,
      url: `https://news-${i}.example.org/rss`,
      every: '30m',
    }));
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'newswatch-feeds-')), context });
    const stack = new NewswatchStack(app, 'Feeds', {
      feeds: many,
      feedMetricsMax: 2,
      feedFailuresToAlarm: 5,
    });

    // Act
    const feedsTemplate = Template.fromStack(stack).toJSON() as { Resources: Record<string, Resource> };

    // Assess
    const alarms = Object.values(feedsTemplate.Resources).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'FeedFailingStreak',
    );
    expect(alarms.map(feedOf)).toEqual(['feed-0', 'feed-1', '(other)']);
    for (const a of alarms) expect(a.Properties.Threshold).toBe(5);
    const tooMany = Array.from({ length: 40 }, (_, i) => ({
      id: `a-rather-long-feed-identifier-${i}`,
      url: `https://news-${i}.example.org/a/rather/long/path/to/the/feed.xml`,
      every: '30m',
    }));
    expect(
      () =>
        new NewswatchStack(
          new App({ outdir: mkdtempSync(join(tmpdir(), 'newswatch-feeds-')), context }),
          'Many',
          {
            feeds: tooMany,
          },
        ),
    ).toThrow(/the 40 feeds take \d+ bytes of the poll function's environment, over the 3000/);
  });

  it("should give the ingest function each feed's topics: list, and refuse lists too long for its environment", () => {
    // Prepare
    const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
    const feeds = [
      { id: 'health', url: 'https://health.example.org/rss', every: '30m', topics: ['a-topic', 'b-topic'] },
      { id: 'all', url: 'https://all.example.org/rss', every: '30m' },
    ];
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'newswatch-feeds-')), context });

    // Act
    const resources = (
      Template.fromStack(new NewswatchStack(app, 'FeedTopics', { feeds })).toJSON() as {
        Resources: Record<string, Resource>;
      }
    ).Resources;

    // Assess
    const ingest = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('Ingest'),
    )?.[1];
    const variables = (ingest?.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(JSON.parse(variables.FEED_TOPICS as string)).toEqual({ health: ['a-topic', 'b-topic'] });
    const long = Array.from({ length: 12 }, (_, i) => ({
      id: `feed-${i}`,
      url: `https://news-${i}.example.org/rss`,
      every: '30m',
      topics: ['international-health-aid', 'vaccine-supply-deals', 'global-health-cooperation'],
    }));
    expect(
      () =>
        new NewswatchStack(
          new App({ outdir: mkdtempSync(join(tmpdir(), 'newswatch-feeds-')), context }),
          'LongTopics',
          { feeds: long },
        ),
    ).toThrow(
      /the topics: lists of 12 feeds take \d+ bytes of the ingest function's environment, over the 1000/,
    );
  });

  it('should have no poll function when there are no feeds', () => {
    // Prepare
    const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'newswatch-nofeeds-')), context });

    // Act
    const stack = new NewswatchStack(app, 'NoFeeds', {});

    // Assess
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    expect(Object.keys(functions).filter((id) => id.startsWith('FeedsPollFeeds'))).toEqual([]);
  });
});

describe('Stack: Newswatch (IAM)', () => {
  it('should grant no wildcard action and no "*" resource beyond the two documented exceptions', () => {
    // Prepare: every statement of every policy in the template.
    const statements = resourcesOf('AWS::IAM::Policy').flatMap(([id, p]) =>
      (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map((st) => ({ id, st })),
    );

    // Act
    const wildcardActions = statements.flatMap(({ id, st }) =>
      asList(st.Action)
        .filter((a) => a.includes('*'))
        .map((a) => `${id}: ${a}`),
    );
    const starResources = statements.filter(({ st }) =>
      asList(st.Resource as string | string[]).includes('*'),
    );

    // Assess: X-Ray takes no resource ARNs; SNS with a KMS key needs kms:GenerateDataKey* on that key.
    expect(statements.length).toBeGreaterThan(5);
    expect(wildcardActions.every((a) => a.endsWith(': kms:GenerateDataKey*'))).toBe(true);
    for (const { st } of starResources) {
      expect(asList(st.Action).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
    for (const { st } of statements.filter(({ st }) => asList(st.Action).includes('kms:GenerateDataKey*'))) {
      expect(JSON.stringify(st.Resource)).toContain('AlertsKey');
    }
  });
});

describe('Stack: Newswatch (checks)', () => {
  it('should pass the cdk-nag AwsSolutions checks with no unacknowledged finding', () => {
    // Prepare
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ conclusion?: string; violations?: unknown[] }>;
    };

    // Assess
    expect(synthError).toBeUndefined();
    const violations = report.pluginReports.flatMap((r) => r.violations ?? []);
    expect(violations).toEqual([]);
  });

  it('should pass cfn-lint', () => {
    // Prepare
    const cfnLint = join(process.cwd(), '.tools/venv/bin/cfn-lint');
    const templatePath = join(outdir, 'Newswatch.template.json');

    // Act
    let output: string;
    let status = 0;
    try {
      output = execFileSync(cfnLint, [templatePath], { encoding: 'utf8' });
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      status = err.status;
      output = `${err.stdout}${err.stderr}`;
    }

    // Assess
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it('should pass checkov, every skipped check with its reason', () => {
    // Prepare
    const checkov = join(process.cwd(), '.tools/venv-checkov/bin/checkov');
    const templatePath = join(outdir, 'Newswatch.template.json');

    // Act: exit code 1 on findings; the JSON report is printed either way.
    let stdout: string;
    try {
      stdout = execFileSync(
        checkov,
        ['-f', templatePath, '--framework', 'cloudformation', '--skip-download', '-o', 'json'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
      );
    } catch (e) {
      stdout = (e as { stdout: string }).stdout;
    }
    const report = JSON.parse(stdout) as {
      results: {
        failed_checks: Array<{ check_id: string; resource: string; check_name: string }>;
        skipped_checks: Array<{
          check_id: string;
          resource: string;
          check_result: { suppress_comment?: string };
        }>;
        passed_checks: unknown[];
      };
    };

    // Assess
    expect(report.results.failed_checks.map((f) => `${f.check_id} ${f.resource}: ${f.check_name}`)).toEqual(
      [],
    );
    expect(report.results.passed_checks.length).toBeGreaterThan(50);
    for (const s of report.results.skipped_checks)
      expect(s.check_result.suppress_comment?.length ?? 0, `${s.check_id} ${s.resource}`).toBeGreaterThan(30);
  });
});
