import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbTopicStore } from '../../functions/adapters/aws/dynamodb-topic-store.ts';
import {
  CachedMatcher,
  summariseTopicFigures,
  topicSetVersion,
} from '../../functions/core/pipeline/matching.ts';
import { readIndexSnapshot } from '../../functions/core/topics/snapshot.ts';
import { createIngestHandler } from '../../functions/ingest/handler.ts';
import { seedTopicSet } from './helpers/alerting.ts';
import {
  createIngestResources,
  emulatorClients,
  emulatorIngestPorts,
  emulatorEnv,
  lambdaContext,
  putObject,
  receiveMessages,
  scanTable,
  sqsEvent,
} from './helpers/emulator.ts';

const seedTopics = seedTopicSet;

describe('Integration: matching during ingest (moto)', () => {
  const c = emulatorClients(inject('motoEndpoint'));
  let resources: Awaited<ReturnType<typeof createIngestResources>>;
  let topics: DynamoDbTopicStore;
  let articles: DynamoDbArticleStore;
  let invoke: (
    messages: Awaited<ReturnType<typeof receiveMessages>>,
  ) => ReturnType<ReturnType<typeof createIngestHandler>>;

  beforeAll(async () => {
    // Prepare: the seed topics stored in the table, and the handler wired to the emulator.
    resources = await createIngestResources(c);
    topics = new DynamoDbTopicStore(c.doc, resources.table);
    await topics.replaceTopicSet(seedTopics(), '2026-11-23T00:00:00Z');
    const ports = emulatorIngestPorts(c, resources);
    articles = ports.articles;
    const handler = createIngestHandler({
      config: { bucket: resources.bucket, incomingPrefix: 'incoming/' },
      ports: { ...ports, matching: { matcher: new CachedMatcher(topics, ports.clock), store: topics } },
    });
    invoke = (messages) => handler(sqsEvent(messages, resources.queueArn), lambdaContext());
    for (const f of readdirSync('tests/fixtures/seeds/articles')) {
      await putObject(
        c,
        resources.bucket,
        `incoming/${f}`,
        readFileSync(`tests/fixtures/seeds/articles/${f}`),
      );
    }
  });

  it('should round-trip the topic set through the table', async () => {
    // Act
    const stored = await topics.load();

    // Assess
    expect(stored.version).toBe(seedTopics().version);
    expect(topicSetVersion(stored.topics, stored.lists)).toBe(stored.version);
  });

  it('should store the match of 000 with international-health-aid once, with its explanation', async () => {
    // Prepare
    const messages = await receiveMessages(c, resources.queueUrl, 3);

    // Act
    const first = await invoke(messages);
    const again = await invoke(messages);

    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    const article = await articles.getArticleBySourceKey('incoming/000_9c9c4874b48bb81e.txt');
    const matches = await topics.listMatchesOfArticle(article?.id as string);
    const aid = matches.find((m) => m.topicId === 'international-health-aid');
    expect(aid?.score).toBeGreaterThanOrEqual(0.8);
    expect(aid).toMatchObject({
      analyserVersion: 'a3',
      topicSetVersion: seedTopics().version,
      articleDate: '2020-07-26',
    });
    expect(aid?.explanation.snippet).toContain('**');
    const items = await scanTable(c, resources.table);
    expect(items.filter((i) => i.type === 'match' && i.topicId === 'international-health-aid')).toHaveLength(
      1,
    );
    expect(
      await topics.listMatchesOfTopic('international-health-aid', '2020-07-01', '2020-07-31'),
    ).toHaveLength(1);
  });

  it('should print per-topic figures with topics:figures', async () => {
    // Prepare
    const { spawnSync } = await import('node:child_process');
    const env = emulatorEnv(inject('motoEndpoint'));

    // Act
    const run = spawnSync(
      process.execPath,
      ['scripts/topics.ts', 'figures', '--table', resources.table, '--days', '1'],
      {
        encoding: 'utf8',
        env,
      },
    );

    // Assess
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^international-health-aid +\d+ +[1-9]\d* +\d\.\d{3}$/m);
    expect(run.stdout).toMatch(/^health-disinformation +0 +0 +0\.000 {2}never fired$/m);
  });

  it('should preview with topics:backfill which stored articles a topic would match', async () => {
    // Prepare
    const { spawnSync } = await import('node:child_process');
    const env = emulatorEnv(inject('motoEndpoint'));
    const args = [
      'scripts/topics.ts',
      'backfill',
      '--topic',
      'international-health-aid',
      '--table',
      resources.table,
      '--folder',
      'tests/fixtures/seeds/topics',
    ];

    // Act
    const run = spawnSync(process.execPath, [...args, '--from', '2020-07-01', '--to', '2020-07-31'], {
      encoding: 'utf8',
      env,
    });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(
      'international-health-aid: 1 of 2 stored articles dated 2020-07-01 to 2020-07-31 match',
    );
    expect(run.stdout).toMatch(/^0\.92 {2}2020-07-26 {2}A ceremony has been held/m);
    expect(run.stdout).toContain('incoming/000_9c9c4874b48bb81e.txt');
  });

  it('should keep per-topic figures from the match runs', async () => {
    // Act
    const runs = await topics.listMatchRuns(new Date().toISOString().slice(0, 10));
    const figures = summariseTopicFigures(
      runs,
      seedTopics().topics.map((t) => t.id),
    );

    // Assess
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const aid = figures.find((f) => f.topicId === 'international-health-aid');
    expect(aid?.matches).toBeGreaterThanOrEqual(1);
    expect(aid?.candidates).toBeGreaterThanOrEqual(aid?.matches ?? 0);
    expect(figures.find((f) => f.topicId === 'health-disinformation')).toMatchObject({ matches: 0 });
  });
});

describe('Command: topics:sync (moto)', () => {
  it('should store the seed topics in a table once, and say so when they are already there', async () => {
    // Prepare
    const { spawnSync } = await import('node:child_process');
    const c = emulatorClients(inject('motoEndpoint'));
    const { table } = await createIngestResources(c);
    const env = emulatorEnv(inject('motoEndpoint'));
    const sync = () =>
      spawnSync(
        process.execPath,
        ['scripts/topics.ts', 'sync', '--table', table, '--folder', 'tests/fixtures/seeds/topics'],
        { encoding: 'utf8', env },
      );

    // Act
    const first = sync();
    const second = sync();

    // Assess
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(
        `${table}: topic set a3-[0-9a-f]{16} stored with its index snapshot \\(20 items written, 0 deleted\\)`,
      ),
    );
    expect(second.stdout).toContain('already holds topic set');
    expect(second.stdout).not.toContain('index snapshot stored');
    const store = new DynamoDbTopicStore(c.doc, table);
    const stored = await store.load();
    expect(stored.topics).toHaveLength(7);
    const snapshot = await store.loadIndexSnapshot(stored.version);
    expect(snapshot && readIndexSnapshot(snapshot, stored.version).index.topics).toHaveLength(7);
  });

  it('should find the table from the stack outputs with --stack', async () => {
    // Prepare: a stack whose TableName output names a fresh table.
    const { spawnSync } = await import('node:child_process');
    const { CloudFormationClient, CreateStackCommand } = await import('@aws-sdk/client-cloudformation');
    const endpoint = inject('motoEndpoint');
    const c = emulatorClients(endpoint);
    const { table } = await createIngestResources(c);
    const stackName = `nw-${table}`;
    const cfn = new CloudFormationClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: JSON.stringify({
          Resources: { Marker: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `marker-${table}` } } },
          Outputs: { TableName: { Value: table } },
        }),
      }),
    );
    const env = emulatorEnv(endpoint);

    // Act
    const run = spawnSync(
      process.execPath,
      ['scripts/topics.ts', 'sync', '--stack', stackName, '--folder', 'tests/fixtures/seeds/topics'],
      {
        encoding: 'utf8',
        env,
      },
    );

    // Assess
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`${table}: topic set`);
    expect((await new DynamoDbTopicStore(c.doc, table).load()).topics).toHaveLength(7);
  });
});
