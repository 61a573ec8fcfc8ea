import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalDynamo } from '../../functions/adapters/local/local-dynamodb.ts';
import {
  expectedOutcomes,
  loadFiles,
  peakRss,
  reportLoad,
  requestsBetween,
  trackProgress,
} from '../load/load-files.ts';
import { alertsIn, setUp, subscribeQueue } from './helpers/alerting.ts';
import { putObject, scanTable } from './helpers/emulator.ts';

// A small run in every test pass; `npm run load` sets LOAD_ARTICLES=10000 and LOAD_REPORT=1.
// S3, SQS and SNS are moto's; the table is dynalite's: moto's Query reads its whole table
// (30 ms a query at 2,000 items, measured), so thousands of files would take hours there.
const N = Number(process.env.LOAD_ARTICLES ?? 100);
const POLLERS = Number(process.env.LOAD_POLLERS ?? 4);
/** Files uploaded but not yet ingested, at most. */
const AHEAD = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Load: files through S3 → SQS → ingest → DynamoDB and SNS (emulators)', () => {
  it(
    `should account for all ${N} files and send one alert per match`,
    async () => {
      // Prepare: the pipeline with the seed topics and one subscriber queue taking every alert.
      const dataDir = mkdtempSync(join(tmpdir(), 'newswatch-load-'));
      const dynamo = await startLocalDynamo(dataDir);
      const env = await setUp(undefined, dynamo);
      const alertsQueue = await subscribeQueue(env.c, env.sns, env.topicArn, `load-${env.table}`, {
        kind: ['alert'],
      });
      await env.c.sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: env.queueUrl, Attributes: { VisibilityTimeout: '20' } }),
      );
      // Every request the pipeline makes of the table, by operation.
      const served: Record<string, number> = {};
      dynamo.dynamodb.middlewareStack.add(
        (next, context) => (args) => {
          const operation = (context.commandName ?? 'other').replace(/Command$/, '');
          served[operation] = (served[operation] ?? 0) + 1;
          return next(args);
        },
        { step: 'initialize', name: 'countRequests' },
      );
      const files = loadFiles(N);
      const requestsBefore = { ...served };
      const started = performance.now();

      // Act: files arrive (8 uploads at a time, at most AHEAD waiting in the queue, as a steady
      // feed would) while pollers hand batches of 10 to the function, as Lambda's SQS poller
      // does, deleting what succeeded; the subscriber reads its alerts as they come. (Queuing
      // everything first measures moto: its queues slow down as they fill.)
      let uploaded = 0;
      let done = 0;
      let failures = 0;
      const uploads = (async () => {
        for (let i = 0; i < files.length; i += 8) {
          while (uploaded - done > AHEAD) await sleep(20);
          await Promise.all(
            files.slice(i, i + 8).map((f) => putObject(env.c, env.bucket, `incoming/${f.name}`, f.bytes)),
          );
          uploaded += Math.min(8, files.length - i);
        }
      })();
      const poller = async () => {
        while (done < N) {
          const { Messages = [] } = await env.c.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: env.queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
            }),
          );
          if (Messages.length === 0) continue;
          // An invocation that fails as a whole (a timeout) leaves every message to come back.
          const { batchItemFailures } = await env.invoke(Messages).catch(() => ({
            batchItemFailures: Messages.map((m) => ({ itemIdentifier: m.MessageId as string })),
          }));
          const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
          failures += failed.size;
          const ok = Messages.filter((m: Message) => !failed.has(m.MessageId as string));
          done += ok.filter((m) => !(m.Body ?? '').includes('s3:TestEvent')).length;
          if (ok.length > 0)
            await env.c.sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: env.queueUrl,
                Entries: ok.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
              }),
            );
        }
      };
      const received: string[] = [];
      /** Reads the subscriber's queue until the files are done and it has been empty three times. */
      const subscriber = async () => {
        for (let idle = 0; done < N || idle < 3;) {
          const { Messages = [] } = await env.c.sqs.send(
            new ReceiveMessageCommand({ QueueUrl: alertsQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
          );
          if (Messages.length === 0) {
            if (done >= N) idle++;
            continue;
          }
          idle = 0;
          received.push(...alertsIn(Messages).map((a) => a.doc.id));
          await env.c.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: alertsQueue,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
            }),
          );
        }
      };
      const reading = subscriber();
      const stopProgress = trackProgress('emulator load', N, () => done);
      await Promise.all([uploads, ...Array.from({ length: POLLERS }, poller)]);
      const seconds = (performance.now() - started) / 1000;
      const progress = stopProgress();
      await reading;
      const requests = requestsBetween(requestsBefore, served);

      // Assess: files in = articles + duplicates + errors; alerts = matches, each once.
      const items = await scanTable({ ...env.c, dynamodb: dynamo.dynamodb, doc: dynamo.doc }, env.table);
      await dynamo.close();
      rmSync(dataDir, { recursive: true, force: true });
      const outcomes: Record<string, number> = {};
      for (const s of items.filter((i) => i.type === 'source'))
        outcomes[s.status as string] = (outcomes[s.status as string] ?? 0) + 1;
      const matches = items.filter((i) => i.type === 'match') as Array<{
        alertId: string;
        alertState: string;
      }>;
      reportLoad({
        path: `emulator (moto S3, SQS, SNS; dynalite table; ${POLLERS} pollers)`,
        files: N,
        seconds,
        filesPerSecond: N / seconds,
        outcomes,
        matches: matches.length,
        alertsSent: matches.filter((m) => m.alertState === 'sent').length,
        alertsReceived: received.length,
        redelivered: failures,
        progress,
        peakRss: peakRss(),
        requests,
      });
      expect(outcomes).toEqual(expectedOutcomes(files));
      expect(requests.PutItem).toBeGreaterThan(0);
      expect(items.filter((i) => i.type === 'article')).toHaveLength(expectedOutcomes(files).stored);
      expect(matches.length).toBeGreaterThan(N);
      expect(matches.every((m) => m.alertState === 'sent')).toBe(true);
      expect(received).toHaveLength(matches.length);
      expect(new Set(received)).toEqual(new Set(matches.map((m) => m.alertId)));
    },
    Math.max(120_000, N * 400),
  );
});
