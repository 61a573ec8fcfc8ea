import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnsAlertPublisher } from '../../functions/adapters/aws/sns-alert-publisher.ts';
import { alertsIn, type Env, setUp, subscribeQueue, uploadSeeds } from './helpers/alerting.ts';
import { receiveMessages, scanTable } from './helpers/emulator.ts';

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validateAlert = ajv.compile(JSON.parse(readFileSync('docs/alert.schema.json', 'utf8')) as object);

describe('Integration: alerts through SNS to filtered subscriptions (moto)', () => {
  let env: Env;
  let healthAid: string;
  let cooperation: string;
  let armenia: string;
  let strongOnly: string;

  beforeAll(async () => {
    // Prepare: four subscribers with different filter policies, then the seeds, delivered twice.
    env = await setUp();
    healthAid = await subscribeQueue(env.c, env.sns, env.topicArn, `aid-${env.table}`, {
      topicId: ['international-health-aid'],
      kind: ['alert'],
    });
    cooperation = await subscribeQueue(env.c, env.sns, env.topicArn, `coop-${env.table}`, {
      topicId: ['south-caucasus-diplomacy'],
    });
    armenia = await subscribeQueue(env.c, env.sns, env.topicArn, `am-${env.table}`, { countries: ['AM'] });
    strongOnly = await subscribeQueue(env.c, env.sns, env.topicArn, `strong-${env.table}`, {
      score: [{ numeric: ['>=', 0.9] }],
    });
    const messages = await uploadSeeds(env);
    expect((await env.invoke(messages)).batchItemFailures).toEqual([]);
    expect((await env.invoke(messages)).batchItemFailures).toEqual([]);
  });

  it('should deliver the health-aid alert of 000 exactly once, as a schema-valid document', async () => {
    // Act
    const got = alertsIn(await receiveMessages(env.c, healthAid, 2, 3_000));

    // Assess
    expect(got).toHaveLength(1);
    expect(got[0]?.doc.topic.id).toBe('international-health-aid');
    expect(validateAlert(got[0]?.doc), JSON.stringify(validateAlert.errors)).toBe(true);
    expect(got[0]?.attributes.kind?.Value).toBe('alert');
  });

  it('should give each subscriber only what its filter policy asks for', async () => {
    // Act
    const coop = alertsIn(await receiveMessages(env.c, cooperation, 3, 3_000));
    const am = alertsIn(await receiveMessages(env.c, armenia, 3, 3_000));
    const strong = alertsIn(await receiveMessages(env.c, strongOnly, 10, 3_000));

    // Assess: both seeds match south-caucasus-diplomacy; only 003 names Armenia.
    expect(coop.map((a) => a.doc.topic.id)).toEqual(['south-caucasus-diplomacy', 'south-caucasus-diplomacy']);
    expect(new Set(coop.map((a) => a.doc.id)).size).toBe(2);
    expect(am.map((a) => a.doc.topic.id).sort()).toEqual([
      'global-health-cooperation',
      'south-caucasus-diplomacy',
    ]);
    const stored = await scanTable(env.c, env.table);
    const strongMatches = stored
      .filter((i) => i.type === 'match' && (i.score as number) >= 0.9)
      .map((i) => i.alertId);
    const allMatches = stored.filter((i) => i.type === 'match');
    expect(strongMatches.length).toBeGreaterThan(0);
    expect(strong).toHaveLength(strongMatches.length);
    expect(strongMatches.length).toBeLessThan(allMatches.length);
    expect(strong.map((a) => a.doc.id).sort()).toEqual([...strongMatches].sort());
  });
});

describe('Integration: exactly one alert despite failures (moto)', () => {
  it('should send once when publishing failed after the match was written, after the retry', async () => {
    // Prepare: the first PublishBatch call fails outright.
    let failures = 1;
    const env = await setUp((sns) =>
      sns.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'PublishBatchCommand' && failures > 0) {
            failures--;
            throw Object.assign(new Error('Internal failure'), {
              name: 'InternalErrorException',
              $fault: 'server',
            });
          }
          return next(args);
        },
        { step: 'serialize', name: 'failFirstPublish' },
      ),
    );
    const queue = await subscribeQueue(env.c, env.sns, env.topicArn, `once-${env.table}`, {
      topicId: ['international-health-aid'],
    });
    const messages = await uploadSeeds(env);

    // Act
    const first = await env.invoke(messages);
    const retry = await env.invoke(messages);

    // Assess
    expect(first.batchItemFailures).toHaveLength(1);
    expect(retry.batchItemFailures).toEqual([]);
    expect(alertsIn(await receiveMessages(env.c, queue, 2, 3_000))).toHaveLength(1);
  });

  it('should retry SNS throttling and still send once', async () => {
    // Prepare: SNS answers "throttled" twice; the SDK retries with backoff.
    let throttles = 2;
    let calls = 0;
    const env = await setUp((sns) =>
      sns.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== 'PublishBatchCommand') return next(args);
          calls++;
          if (throttles > 0) {
            throttles--;
            throw Object.assign(new Error('Rate exceeded'), {
              name: 'ThrottledException',
              $fault: 'client',
              $metadata: { httpStatusCode: 429 },
            });
          }
          return next(args);
        },
        { step: 'deserialize', name: 'throttlePublish' },
      ),
    );
    const queue = await subscribeQueue(env.c, env.sns, env.topicArn, `throttle-${env.table}`, {
      topicId: ['international-health-aid'],
    });
    const messages = (await uploadSeeds(env)).filter((m) => m.Body?.includes('000_'));

    // Act
    const result = await env.invoke(messages);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toBe(3);
    expect(alertsIn(await receiveMessages(env.c, queue, 2, 3_000))).toHaveLength(1);
  });
});

describe('Class: SnsAlertPublisher (moto)', () => {
  it('should report only the alerts of the batches that failed, so earlier batches are not sent again', async () => {
    // Prepare: 12 alerts make two PublishBatch calls; the second one fails.
    let calls = 0;
    const env = await setUp((sns) =>
      sns.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'PublishBatchCommand' && ++calls === 2) {
            throw Object.assign(new Error('Service unavailable'), {
              name: 'InternalErrorException',
              $fault: 'server',
            });
          }
          return next(args);
        },
        { step: 'serialize', name: 'failSecondBatch' },
      ),
    );
    const queue = await subscribeQueue(env.c, env.sns, env.topicArn, `batches-${env.table}`, {
      kind: ['alert'],
    });
    const alerts = Array.from({ length: 12 }, (_, i) => ({
      id: `alert_${String(i).padStart(24, '0')}`,
      kind: 'alert' as const,
      createdAt: '2026-11-23T10:00:00.000Z',
      topic: { id: `t${i}`, name: `Topic ${i}` },
      score: 0.5,
      article: { id: 'a'.repeat(32), title: 'Title', date: '2026-11-23', location: 's3://b/k' },
      explanation: { terms: [], countries: [], snippet: '' },
    }));

    // Act
    const { failed } = await new SnsAlertPublisher(env.sns, env.topicArn).publish(alerts);

    // Assess
    expect(failed.map((f) => f.id)).toEqual([alerts[10]?.id, alerts[11]?.id]);
    expect(alertsIn(await receiveMessages(env.c, queue, 12, 3_000))).toHaveLength(10);
  });
});

describe('Integration: SNS delivers to an HTTP endpoint (moto)', () => {
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('should POST the SNS notification with the JSON alert document', async () => {
    // Prepare
    const env = await setUp();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
    await env.sns.send(
      new SubscribeCommand({
        TopicArn: env.topicArn,
        Protocol: 'http',
        Endpoint: url,
        Attributes: { FilterPolicy: JSON.stringify({ topicId: ['international-health-aid'] }) },
      }),
    );
    const messages = (await uploadSeeds(env)).filter((m) => m.Body?.includes('000_'));

    // Act
    await env.invoke(messages);
    const deadline = Date.now() + 5_000;
    while (!received.some((r) => r.body.includes('"Notification"')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }

    // Assess
    const notifications = received.filter(
      (r) => (JSON.parse(r.body) as { Type: string }).Type === 'Notification',
    );
    expect(notifications).toHaveLength(1);
    const doc = JSON.parse(
      (JSON.parse(notifications[0]?.body as string) as { Message: string }).Message,
    ) as unknown;
    expect(validateAlert(doc)).toBe(true);
  });
});
