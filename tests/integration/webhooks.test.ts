import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import selfsigned from 'selfsigned';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbWebhookState } from '../../functions/adapters/aws/dynamodb-webhook-state.ts';
import { SecretsSource } from '../../functions/adapters/aws/secrets-source.ts';
import { SnsAlertPublisher } from '../../functions/adapters/aws/sns-alert-publisher.ts';
import { postWebhook } from '../../functions/adapters/webhook/https-poster.ts';
import { type Alert, alertIdFor } from '../../functions/core/alerts/alert.ts';
import { verifyWebhook } from '../../functions/core/alerts/webhook-signature.ts';
import { parseArticle } from '../../functions/core/articles/parse-article.ts';
import type { WebhookTarget } from '../../functions/core/pipeline/deliver-webhook.ts';
import { createDeliverHandler } from '../../functions/deliver-webhook/handler.ts';
import { subscribeQueue } from './helpers/alerting.ts';
import {
  createTable,
  emulatorClients,
  lambdaContext,
  REGION,
  receiveMessages,
  sqsEvent,
} from './helpers/emulator.ts';

const HOST = 'hooks.newswatch.test';
const SECRET = `whsec_${Buffer.from('a-webhook-secret-of-32-bytes-ok!').toString('base64')}`;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** A seed alert as the ingest function would publish it. */
const seedAlert = (): Alert => {
  const parsed = parseArticle({
    key: 'incoming/000.txt',
    bytes: readFileSync('tests/fixtures/seeds/articles/000_9c9c4874b48bb81e.txt'),
    receivedAt: '2026-11-23T10:00:00Z',
  });
  if (!parsed.ok) throw new Error(parsed.error.message);
  const a = parsed.value;
  return {
    id: alertIdFor(a.id, 'international-health-aid'),
    kind: 'alert',
    createdAt: new Date().toISOString(),
    topic: { id: 'international-health-aid', name: 'International health aid' },
    score: 1,
    article: { id: a.id, title: a.title, date: a.date, location: 's3://articles/incoming/000.txt' },
    explanation: {
      terms: [{ term: 'masks', count: 1, positions: [{ field: 'body', start: 0, end: 5, text: 'masks' }] }],
      countries: ['AZ', 'KR'],
      snippet: '**masks**',
    },
  };
};

describe('Integration: signed webhook delivery from SNS through SQS (moto + local HTTPS receiver)', () => {
  const endpoint = inject('motoEndpoint');
  const c = emulatorClients(endpoint);
  const sns = new SNSClient({ endpoint, region: REGION, credentials });
  const secretsClient = new SecretsManagerClient({ endpoint, region: REGION, credentials });
  const received: Array<{
    headers: Record<string, string | string[] | undefined>;
    body: string;
    path: string;
  }> = [];
  const answers: number[] = [];
  let server: Server;
  let ca: string;
  let table: string;
  let queueUrl: string;
  let queueArn: string;
  let topicArn: string;
  const retries: Array<{ delaySeconds: number }> = [];

  const handlerFor = (target: WebhookTarget) =>
    createDeliverHandler({
      targets: new Map([[queueArn.split(':').at(-1) as string, target]]),
      ports: {
        secrets: (name) => new SecretsSource(secretsClient).secrets(name),
        webhookUrl: (name) => new SecretsSource(secretsClient).webhookUrl(name),
        post: (url, headers, body) =>
          postWebhook(url, headers, body, {
            ca,
            // The receiver lives on loopback: allow exactly that address, as a public one would be.
            isAllowed: (address) => address === '127.0.0.1',
            resolve: async (name) =>
              name === HOST
                ? [{ address: '127.0.0.1', family: 4 }]
                : [{ address: '169.254.169.254', family: 4 }],
          }),
        state: new DynamoDbWebhookState(c.doc, table),
        clock: { now: () => new Date() },
      },
      retryLater: async (_record: SQSRecord, delaySeconds: number) => {
        retries.push({ delaySeconds });
      },
    });

  const target = (
    path: string,
    format: WebhookTarget['format'] = 'generic',
    subscriberId = path,
  ): WebhookTarget => ({
    subscriberId,
    url: `https://${HOST}:${(server.address() as AddressInfo).port}/${path}`,
    format,
    secretName: 'newswatch/test-hook',
  });

  /** Publishes the seed alert and returns what the subscriber queue received. */
  const publishAndReceive = async (): Promise<Message[]> => {
    await new SnsAlertPublisher(sns, topicArn).publish([seedAlert()]);
    return receiveMessages(c, queueUrl, 1);
  };

  beforeAll(async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: HOST }], {
      notAfterDate: new Date(Date.now() + 86_400_000),
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: HOST }] }],
    });
    ca = pems.cert;
    server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body, path: req.url ?? '' });
        res.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

    table = `hooks-${Date.now()}`;
    await createTable(c.dynamodb, table);
    await secretsClient.send(new CreateSecretCommand({ Name: 'newswatch/test-hook', SecretString: SECRET }));
    topicArn = (await sns.send(new CreateTopicCommand({ Name: `alerts-${table}` }))).TopicArn as string;
    queueUrl = await subscribeQueue(
      c,
      sns,
      topicArn,
      `hook-${table}`,
      { topicId: ['international-health-aid'] },
      { raw: true },
    );
    queueArn = (
      await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('should post a signed alert that the shipped verifier accepts, and refuse tampering', async () => {
    // Prepare
    const messages = await publishAndReceive();

    // Act
    const result = await handlerFor(target('generic'))(sqsEvent(messages, queueArn), lambdaContext());

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const request = received.find((r) => r.path === '/generic');
    expect(request?.headers['webhook-id']).toBe(seedAlert().id);
    const alert = verifyWebhook(request?.headers ?? {}, request?.body ?? '', SECRET) as {
      schema: string;
      id: string;
    };
    expect(alert).toMatchObject({ schema: 'newswatch.alert/v1', id: seedAlert().id });
    expect(() => verifyWebhook(request?.headers ?? {}, `${request?.body} `, SECRET)).toThrow(
      'no webhook-signature matches',
    );
    expect(() =>
      verifyWebhook(request?.headers ?? {}, request?.body ?? '', SECRET, {
        now: new Date(Date.now() + 600_000),
      }),
    ).toThrow('more than 300 seconds');
    const wrong = `whsec_${Buffer.from('another-secret-of-32-bytes-long!').toString('base64')}`;
    expect(() => verifyWebhook(request?.headers ?? {}, request?.body ?? '', wrong)).toThrow(
      'no webhook-signature matches',
    );
  });

  it('should post the Slack shape to a Slack endpoint whose URL it reads from Secrets Manager', async () => {
    // Prepare: the URL is only in the secret; the target names the secret.
    const messages = await publishAndReceive();
    const { url, ...slack } = target('slack', 'slack');
    await secretsClient.send(
      new CreateSecretCommand({ Name: 'newswatch/slack-url', SecretString: `${url}\n` }),
    );

    // Act
    await handlerFor({ ...slack, urlSecret: 'newswatch/slack-url' })(
      sqsEvent(messages, queueArn),
      lambdaContext(),
    );

    // Assess
    const request = received.find((r) => r.path === '/slack');
    expect((JSON.parse(request?.body ?? '{}') as { text: string }).text).toMatch(
      /^International health aid: /,
    );
  });

  it('should retry a 5xx answer later with backoff, and not retry a 4xx', async () => {
    // Prepare
    const first = await publishAndReceive();
    answers.push(503);

    // Act
    const failed = await handlerFor(target('flaky'))(sqsEvent(first, queueArn), lambdaContext());
    const second = await publishAndReceive();
    answers.push(400);
    const refused = await handlerFor(target('strict'))(sqsEvent(second, queueArn), lambdaContext());

    // Assess
    expect(failed.batchItemFailures).toHaveLength(1);
    expect(retries.at(-1)).toEqual({ delaySeconds: 10 });
    expect(refused.batchItemFailures).toEqual([]);
    const failures = await new DynamoDbWebhookState(c.doc, table).listFailures('strict');
    expect(failures).toMatchObject([
      { alertId: seedAlert().id, reason: 'HTTP 400: the endpoint refused the alert' },
    ]);
  });

  it('should disable an endpoint that answers 410 Gone and post nothing more to it', async () => {
    // Prepare
    answers.push(410);
    await handlerFor(target('gone'))(sqsEvent(await publishAndReceive(), queueArn), lambdaContext());
    const before = received.filter((r) => r.path === '/gone').length;

    // Act
    const later = await handlerFor(target('gone'))(
      sqsEvent(await publishAndReceive(), queueArn),
      lambdaContext(),
    );

    // Assess
    expect(later.batchItemFailures).toEqual([]);
    expect(before).toBe(1);
    expect(received.filter((r) => r.path === '/gone')).toHaveLength(1);
    expect(await new DynamoDbWebhookState(c.doc, table).isDisabled('gone')).toBe(true);
  });

  it('should refuse, without retrying, an endpoint whose name resolves to an internal address', async () => {
    // Prepare: a name that resolves to the cloud metadata address.
    const internal: WebhookTarget = {
      ...target('x'),
      subscriberId: 'metadata',
      url: 'https://metadata.newswatch.test/latest',
    };

    // Act
    const result = await handlerFor(internal)(sqsEvent(await publishAndReceive(), queueArn), lambdaContext());

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const failures = await new DynamoDbWebhookState(c.doc, table).listFailures('metadata');
    expect(failures[0]?.reason).toContain('169.254.169.254');
  });
});

describe('Integration: the webhook poster time limit (local HTTPS receiver that drips its answer)', () => {
  const DRIP_EVERY_MS = 100;
  const DRIP_FOR_MS = 20_000;
  let server: Server;
  let ca: string;
  const drips = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: HOST }], {
      notAfterDate: new Date(Date.now() + 86_400_000),
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: HOST }] }],
    });
    ca = pems.cert;
    // A receiver that keeps the connection busy, one byte every 100 ms for 20 s: each byte would
    // restart an idle timeout. "/head" drips the status line and headers, "/body" a 200's body.
    server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      req.resume();
      req.on('end', () => {
        const started = Date.now();
        if (req.url === '/body') res.writeHead(200, { 'content-type': 'text/plain' });
        else req.socket.write('HTTP/1.1 200 OK\r\nx-slow: ');
        const drip = setInterval(() => {
          if (Date.now() - started < DRIP_FOR_MS) {
            if (req.url === '/body') res.write('.');
            else req.socket.write('a');
            return;
          }
          clearInterval(drip);
          drips.delete(drip);
          if (req.url === '/body') res.end();
          else req.socket.end('\r\ncontent-length: 0\r\n\r\n');
        }, DRIP_EVERY_MS);
        drips.add(drip);
        req.socket.on('close', () => {
          clearInterval(drip);
          drips.delete(drip);
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const drip of drips) clearInterval(drip);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each(['head', 'body'])(
    'should end a delivery whose answer drips in (%s) at the time limit, with a timeout error',
    async (part) => {
      // Prepare
      const url = `https://${HOST}:${(server.address() as AddressInfo).port}/${part}`;
      const started = Date.now();

      // Act
      const result = await postWebhook(url, { 'content-type': 'application/json' }, '{}', {
        ca,
        timeoutMs: 1_000,
        isAllowed: (address) => address === '127.0.0.1',
        resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
      });

      // Assess: a timeout, long before the receiver would have finished dripping.
      expect(result).toEqual({ error: 'no complete answer within 1000 ms' });
      expect(Date.now() - started).toBeLessThan(DRIP_FOR_MS / 2);
    },
  );
});
