/**
 * Cost model: what 1M articles a day cost on AWS, from measured figures. Runs the ingest
 * core with the real DynamoDB adapters against dynalite to count requests and capacity
 * units from the real item sizes (with and without matching), reads the CPU time per
 * article from bench/results/parse.json, and prices it all. Writes bench/results/cost.{json,md};
 * docs/scaling.md explains the arithmetic. `npm run bench:cost` (`-- --smoke` for CI).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbArticleStore } from '../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbStoryStore } from '../functions/adapters/aws/dynamodb-story-store.ts';
import { DynamoDbTopicStore } from '../functions/adapters/aws/dynamodb-topic-store.ts';
import { isConditionFailure } from '../functions/adapters/aws/dynamodb-errors.ts';
import { TABLE_KEYS } from '../functions/adapters/aws/table-layout.ts';
import { startLocalDynamo } from '../functions/adapters/local/local-dynamodb.ts';
import { readTopicFolder } from '../functions/adapters/local/topic-folder.ts';
import { MemoryAlertPublisher, MemoryObjectSource } from '../functions/adapters/memory/memory-ports.ts';
import { ingestObject } from '../functions/core/pipeline/ingest-object.ts';
import { CachedMatcher, topicSetVersion } from '../functions/core/pipeline/matching.ts';
import {
  describeMachine,
  machine,
  markdownTable,
  printTable,
  resultsDir,
  smoke,
  type Table,
  writeResults,
} from './common.ts';
import { buildCorpus } from './corpus.ts';

const require = createRequire(import.meta.url);
/** DynamoDB's item size rule (attribute names + values), as dynalite implements it. */
const itemSize = (require('dynalite/db/index.js') as { itemSize: (item: unknown) => number }).itemSize;

/**
 * List prices, us-east-1, on-demand, as published by AWS in 2025 (DynamoDB after the
 * November 2024 cut). Edit here to re-price; every figure below is derived from these.
 */
export const PRICES = {
  lambdaGbSecond: 0.0000166667, // x86_64
  lambdaRequest: 0.2 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  dynamoStorageGbMonth: 0.25,
  sqsRequest: 0.4 / 1e6,
  snsPublish: 0.5 / 1e6,
  snsEmailDelivery: 2 / 1e5,
  snsHttpDelivery: 0.6 / 1e6,
  s3Put: 0.005 / 1e3,
  s3Get: 0.0004 / 1e3,
  s3StorageGbMonth: 0.023,
  logsIngestGb: 0.5,
  xrayTrace: 5 / 1e6,
};

/** Assumptions the machine cannot measure; each is stated in the output. */
export const ASSUMPTIONS = {
  articlesPerDay: 1_000_000,
  peakFactor: 10,
  /** Matching (article, topic) pairs per article in production; the seed corpus matches far more. */
  matchesPerArticle: 0.1,
  /** Deliveries per alert: one email and one webhook subscriber. */
  emailPerAlert: 1,
  webhookPerAlert: 1,
  /** Ingest memory (infra/constructs/newswatch-function.ts default). Lambda gives 1 vCPU at 1,769 MB. */
  ingestMemoryMb: 512,
  deliverMemoryMb: 256,
  /** Round-trip latency inside a region, per request. */
  latencyMs: { dynamodb: 6, s3Get: 25, snsPublishBatch: 20, webhookPost: 150 },
  sqsBatchSize: 10,
  logBytesPerArticle: 1_200,
  /** X-Ray default sampling: 1 trace a second plus 5 % of the rest. */
  xrayReservoirPerSecond: 1,
  xrayRate: 0.05,
};

interface Usage {
  /** Every request by operation, refused conditional writes included: DynamoDB bills those too. */
  calls: Record<string, number>;
  /** Of those, conditional writes refused by their condition. */
  refused: Record<string, number>;
  /** Requests started while none was in flight: the round trips an article waits for. */
  rounds: number;
  writeUnits: number;
  readUnits: number;
}
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** Ingests the corpus into a fresh dynalite table and counts what it cost. */
const measure = async (files: ReturnType<typeof buildCorpus>, withTopics: boolean) => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-cost-'));
  const dyn = await startLocalDynamo(dir);
  const usage: Usage = { calls: {}, refused: {}, rounds: 0, writeUnits: 0, readUnits: 0 };
  let counting = false;
  let inFlight = 0;
  dyn.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? '').replace(/Command$/, '');
      const input = args.input as { ReturnConsumedCapacity?: string };
      const measured = READS.has(name) || WRITES.has(name);
      if (measured) input.ReturnConsumedCapacity = 'TOTAL';
      if (counting && inFlight === 0) usage.rounds++;
      inFlight++;
      if (counting && measured) usage.calls[name] = (usage.calls[name] ?? 0) + 1;
      const out = await next(args)
        .catch((e: unknown) => {
          // A refused conditional write still consumes write units (at least one; the answer
          // does not say how many, so one is counted).
          if (counting && isConditionFailure(e)) {
            usage.refused[name] = (usage.refused[name] ?? 0) + 1;
            usage.writeUnits += 1;
          }
          throw e;
        })
        .finally(() => inFlight--);
      if (counting && measured) {
        const cc = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        const list = (Array.isArray(cc) ? cc : cc ? [cc] : []) as Array<{ CapacityUnits?: number }>;
        const units = list.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
        if (WRITES.has(name)) usage.writeUnits += units;
        else usage.readUnits += units;
      }
      return out;
    },
    { step: 'initialize', name: 'countCapacity' },
  );
  const clock = { now: () => new Date() };
  const topicStore = new DynamoDbTopicStore(dyn.doc, dyn.tableName);
  if (withTopics) {
    const seeds = readTopicFolder(new URL('../seeds/topics/', import.meta.url).pathname).loaded;
    await topicStore.replaceTopicSet(
      { version: topicSetVersion(seeds.topics, seeds.rawLists), topics: seeds.topics, lists: seeds.rawLists },
      clock.now().toISOString(),
    );
  }
  const publisher = new MemoryAlertPublisher();
  let publishBatches = 0;
  const ports = {
    objects: new MemoryObjectSource(new Map(files.map((f) => [f.key, f.bytes]))),
    articles: new DynamoDbArticleStore(dyn.doc, dyn.tableName),
    clock,
    limits: { maxBytes: 262_144 },
    stories: new DynamoDbStoryStore(dyn.doc, dyn.tableName),
    ...(withTopics
      ? {
          matching: { matcher: new CachedMatcher(topicStore, clock), store: topicStore },
          alerts: {
            publisher: {
              publish: (alerts: Parameters<MemoryAlertPublisher['publish']>[0]) => {
                publishBatches += Math.ceil(alerts.length / 10);
                return publisher.publish(alerts);
              },
            },
            locate: (k: string) => `s3://bench/${k}`,
          },
        }
      : {}),
  };
  if (withTopics) await ports.matching?.matcher.current(); // the topic set is read once per container
  counting = true;
  let stored = 0;
  let matches = 0;
  /** Stored articles and the requests they made, by their number of matches. */
  const byMatches = new Map<number, { articles: number; requests: number }>();
  for (const f of files) {
    const before = Object.values(usage.calls).reduce((a, b) => a + b, 0);
    const o = await ingestObject(
      { key: f.key, size: f.bytes.length, etag: f.key, eventTime: '2026-01-01T00:00:00Z' },
      ports,
    );
    if (o.status === 'stored') {
      stored++;
      matches += o.matches.length;
      const made = Object.values(usage.calls).reduce((a, b) => a + b, 0) - before;
      const group = byMatches.get(o.matches.length) ?? { articles: 0, requests: 0 };
      group.articles++;
      group.requests += made;
      byMatches.set(o.matches.length, group);
    }
  }
  counting = false;
  // What is stored, by kind of item, and what the index copies cost.
  const kinds = new Map<string, { items: number; bytes: number; gsiUnits: number }>();
  const gsiPartitions = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dyn.dynamodb.send(
      new ScanCommand({ TableName: dyn.tableName, ExclusiveStartKey: start as never }),
    );
    for (const item of page.Items ?? []) {
      const sk = String(item[TABLE_KEYS.sortKey]?.S ?? '');
      const pk = String(item[TABLE_KEYS.partitionKey]?.S ?? '');
      const kind = `${pk.split('#')[0]}# / ${sk.split('#')[0]}#`;
      const size = itemSize(item);
      const k = kinds.get(kind) ?? { items: 0, bytes: 0, gsiUnits: 0 };
      k.items++;
      k.bytes += size;
      const gsiKey = item[TABLE_KEYS.gsi1.partitionKey]?.S;
      if (gsiKey) {
        const units = Math.ceil(size / 1024);
        k.gsiUnits += units;
        gsiPartitions.set(gsiKey, (gsiPartitions.get(gsiKey) ?? 0) + units);
      }
      kinds.set(kind, k);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  await dyn.close();
  rmSync(dir, { recursive: true, force: true });
  const gsiUnits = [...kinds.values()].reduce((n, k) => n + k.gsiUnits, 0);
  const hottest = Math.max(0, ...gsiPartitions.values());
  return {
    files: files.length,
    stored,
    matches,
    byMatches: Object.fromEntries([...byMatches.entries()].sort(([a], [b]) => a - b)),
    usage,
    publishBatches,
    kinds,
    gsiUnits,
    hottestGsiPartitionUnits: hottest,
  };
};

const meta = machine();
const corpus = buildCorpus(smoke ? 60 : 600);
const plain = await measure(corpus, false);
const matched = await measure(corpus, true);
const per = (n: number, of: number) => n / of;
const callsOf = (u: Usage) => Object.values(u.calls).reduce((a, b) => a + b, 0);

// Per article without matches, and per extra match (the difference between the two runs).
const base = {
  dynamoCalls: per(callsOf(plain.usage), plain.files),
  dynamoRounds: per(plain.usage.rounds, plain.files),
  writeUnits: per(plain.usage.writeUnits + plain.gsiUnits, plain.files),
  readUnits: per(plain.usage.readUnits, plain.files),
  storedBytes: per(
    [...plain.kinds.values()].reduce((n, k) => n + k.bytes * (k.gsiUnits ? 2 : 1), 0),
    plain.files,
  ),
};
const perMatch = {
  dynamoCalls: per(callsOf(matched.usage) - callsOf(plain.usage), matched.matches),
  dynamoRounds: per(matched.usage.rounds - plain.usage.rounds, matched.matches),
  writeUnits: per(
    matched.usage.writeUnits + matched.gsiUnits - plain.usage.writeUnits - plain.gsiUnits,
    matched.matches,
  ),
  readUnits: per(matched.usage.readUnits - plain.usage.readUnits, matched.matches),
};
const parsePath = join(resultsDir, 'parse.json');
const cpuUsPerArticle = existsSync(parsePath)
  ? (JSON.parse(readFileSync(parsePath, 'utf8')) as { pipeline: { cpuUsPerArticle: number } }).pipeline
      .cpuUsPerArticle
  : 2_500;

const A = ASSUMPTIONS;
const P = PRICES;
const n = A.articlesPerDay;
const assumedMatches = A.matchesPerArticle;
/** The cost of a day's articles at `m` matches per article: each line with its arithmetic. */
const costAt = (m: number) => {
  const alerts = n * m;
  const cpuShare = Math.min(1, A.ingestMemoryMb / 1769);
  const ingestMsPerArticle =
    cpuUsPerArticle / 1000 / cpuShare +
    (base.dynamoRounds + m * perMatch.dynamoRounds) * A.latencyMs.dynamodb +
    A.latencyMs.s3Get +
    Math.min(m, 1) * A.latencyMs.snsPublishBatch; // one PublishBatch (10 alerts) per matching article
  const ingestGbS = ((n * ingestMsPerArticle) / 1000) * (A.ingestMemoryMb / 1024);
  const invocations = n / A.sqsBatchSize;
  const webhookDeliveries = alerts * A.webhookPerAlert;
  const deliverGbS = ((webhookDeliveries * A.latencyMs.webhookPost) / 1000) * (A.deliverMemoryMb / 1024);
  const wcu = n * (base.writeUnits + m * perMatch.writeUnits);
  const rcu = n * (base.readUnits + m * perMatch.readUnits);
  const sqsRequests = n * (1 + 2 / A.sqsBatchSize) + webhookDeliveries * (1 + 2 / A.sqsBatchSize);
  const invocationsPerSecond = invocations / 86_400;
  const traces =
    Math.min(invocationsPerSecond, A.xrayReservoirPerSecond) * 86_400 +
    Math.max(0, invocationsPerSecond - A.xrayReservoirPerSecond) * 86_400 * A.xrayRate;
  const bytesPerArticle = corpus.reduce((k, f) => k + f.bytes.length, 0) / corpus.length;

  const lines: Array<{ item: string; arithmetic: string; perDay: number }> = [
    {
      item: 'Lambda ingest, compute',
      arithmetic: `${n.toLocaleString('en')} × ${ingestMsPerArticle.toFixed(1)} ms × ${A.ingestMemoryMb / 1024} GB = ${Math.round(ingestGbS).toLocaleString('en')} GB-s × $${P.lambdaGbSecond}`,
      perDay: ingestGbS * P.lambdaGbSecond,
    },
    {
      item: 'Lambda ingest, requests',
      arithmetic: `${invocations.toLocaleString('en')} invocations (batches of ${A.sqsBatchSize}) × $0.20/M`,
      perDay: invocations * P.lambdaRequest,
    },
    {
      item: 'Lambda webhook delivery',
      arithmetic: `${webhookDeliveries.toLocaleString('en')} posts × ${A.latencyMs.webhookPost} ms × ${A.deliverMemoryMb / 1024} GB = ${Math.round(deliverGbS).toLocaleString('en')} GB-s, + requests`,
      perDay: deliverGbS * P.lambdaGbSecond + (webhookDeliveries / A.sqsBatchSize) * P.lambdaRequest,
    },
    {
      item: 'DynamoDB writes',
      arithmetic: `${n.toLocaleString('en')} × (${base.writeUnits.toFixed(2)} + ${m} × ${perMatch.writeUnits.toFixed(2)}) WRU = ${Math.round(wcu).toLocaleString('en')} WRU × $0.625/M`,
      perDay: wcu * P.dynamoWriteUnit,
    },
    {
      item: 'DynamoDB reads',
      arithmetic: `${n.toLocaleString('en')} × (${base.readUnits.toFixed(2)} + ${m} × ${perMatch.readUnits.toFixed(2)}) RRU = ${Math.round(rcu).toLocaleString('en')} RRU × $0.125/M`,
      perDay: rcu * P.dynamoReadUnit,
    },
    {
      item: 'DynamoDB storage (added each day, billed monthly)',
      arithmetic: `${n.toLocaleString('en')} × ${(base.storedBytes / 1024).toFixed(1)} KiB (table + index) = ${((n * base.storedBytes) / 1024 ** 3).toFixed(1)} GB × $0.25/GB-month ÷ 30`,
      perDay: ((n * base.storedBytes) / 1024 ** 3) * (P.dynamoStorageGbMonth / 30),
    },
    {
      item: 'SQS',
      arithmetic: `(${n.toLocaleString('en')} + ${webhookDeliveries.toLocaleString('en')} webhook) × (1 send + 2 per batch of ${A.sqsBatchSize}) = ${Math.round(sqsRequests).toLocaleString('en')} × $0.40/M`,
      perDay: sqsRequests * P.sqsRequest,
    },
    {
      item: 'SNS',
      arithmetic: `${alerts.toLocaleString('en')} alerts × ($0.50/M publish + ${A.emailPerAlert} email × $2/100k + ${A.webhookPerAlert} SQS delivery free)`,
      perDay: alerts * (P.snsPublish + A.emailPerAlert * P.snsEmailDelivery),
    },
    {
      item: 'S3 requests',
      arithmetic: `${n.toLocaleString('en')} × (1 PUT $5/M + 1 GET $0.40/M)`,
      perDay: n * (P.s3Put + P.s3Get),
    },
    {
      item: 'S3 storage (added each day, billed monthly)',
      arithmetic: `${n.toLocaleString('en')} × ${(bytesPerArticle / 1024).toFixed(1)} KiB = ${((n * bytesPerArticle) / 1024 ** 3).toFixed(1)} GB × $0.023/GB-month ÷ 30`,
      perDay: ((n * bytesPerArticle) / 1024 ** 3) * (P.s3StorageGbMonth / 30),
    },
    {
      item: 'CloudWatch Logs',
      arithmetic: `${n.toLocaleString('en')} × ${A.logBytesPerArticle} B = ${((n * A.logBytesPerArticle) / 1024 ** 3).toFixed(2)} GB × $0.50/GB`,
      perDay: ((n * A.logBytesPerArticle) / 1024 ** 3) * P.logsIngestGb,
    },
    {
      item: 'X-Ray',
      arithmetic: `${Math.round(traces).toLocaleString('en')} traces (1/s + 5 %) × $5/M`,
      perDay: traces * P.xrayTrace,
    },
  ];
  const totalPerDay = lines.reduce((k, l) => k + l.perDay, 0);
  return { ingestMsPerArticle, lines, totalPerDay };
};
const { ingestMsPerArticle, lines, totalPerDay } = costAt(assumedMatches);
/** Per million articles at other match rates: alerts drive SNS, deliveries and the match writes. */
const byMatchRate = [0.1, 1, 10].map((rate) => ({
  matchesPerArticle: rate,
  dynamoRequests: base.dynamoCalls + rate * perMatch.dynamoCalls,
  totalPerDay: costAt(rate).totalPerDay,
}));

// Limits: where growth stops first.
const peak = (n / 86_400) * A.peakFactor;
const concurrency = (peak / A.sqsBatchSize) * ((ingestMsPerArticle * A.sqsBatchSize) / 1000);
const hotPartitionUnitsPerArticle = per(matched.hottestGsiPartitionUnits, matched.stored);
const limits = [
  {
    limit: 'DynamoDB: 1,000 write units/s on one index partition (articles of a month share one key)',
    reachedAt: 1000 / Math.max(hotPartitionUnitsPerArticle, 1e-9),
  },
  {
    limit: 'Lambda: 1,000 concurrent executions (default account quota)',
    reachedAt: 1000 / (ingestMsPerArticle / 1000),
  },
  {
    limit: 'DynamoDB: 40,000 write units/s per table (default quota)',
    reachedAt: 40_000 / (base.writeUnits + assumedMatches * perMatch.writeUnits),
  },
].sort((a, b) => a.reachedAt - b.reachedAt);

const costTable: Table = {
  title: `Cost of ${n.toLocaleString('en')} articles a day, us-east-1 list prices`,
  header: ['item', 'arithmetic', '$ per day', '$ per month'],
  left: [0, 1],
  rows: [
    ...lines.map((l) => [l.item, l.arithmetic, l.perDay.toFixed(2), (l.perDay * 30).toFixed(0)]),
    ['total', '', totalPerDay.toFixed(2), (totalPerDay * 30).toFixed(0)],
  ],
};
const kindTable: Table = {
  title: 'Items written by the ingest core (real adapters on dynalite, seed topics)',
  header: ['item (pk / sk)', 'items per stored article', 'mean size B', 'index copy'],
  left: [0],
  rows: [...matched.kinds.entries()]
    .sort((a, b) => b[1].items - a[1].items)
    .map(([kind, k]) => [
      kind,
      (k.items / matched.stored).toFixed(2),
      (k.bytes / k.items).toFixed(0),
      k.gsiUnits ? 'yes' : '',
    ]),
};
const measuredTable: Table = {
  title: 'Measured per article',
  header: ['measure', 'no topics', 'per extra match'],
  left: [0],
  rows: [
    ['DynamoDB requests', base.dynamoCalls.toFixed(2), perMatch.dynamoCalls.toFixed(2)],
    ['DynamoDB round trips waited for', base.dynamoRounds.toFixed(2), perMatch.dynamoRounds.toFixed(2)],
    ['write units (table + index)', base.writeUnits.toFixed(2), perMatch.writeUnits.toFixed(2)],
    ['read units', base.readUnits.toFixed(2), perMatch.readUnits.toFixed(2)],
    ['pipeline core CPU µs (parse.json, seed topics)', cpuUsPerArticle.toFixed(0), ''],
    [
      'modelled ingest ms at 512 MB (CPU ÷ 0.29 vCPU + round trips × latency)',
      ingestMsPerArticle.toFixed(1),
      '',
    ],
  ],
};
/** Matches per stored article for the request breakdown: the seed corpus's rate is about 2–3.5. */
const BREAKDOWN_MATCHES = 3.5;
const operations = [
  ...new Set([...Object.keys(plain.usage.calls), ...Object.keys(matched.usage.calls)]),
].sort((a, b) => (matched.usage.calls[b] ?? 0) - (matched.usage.calls[a] ?? 0) || a.localeCompare(b));
const opRow = (name: string, plainCalls: number, matchedCalls: number, refused: number) => {
  const base1 = plainCalls / plain.stored;
  const extra = (matchedCalls - plainCalls) / Math.max(matched.matches, 1);
  return [
    name,
    base1.toFixed(2),
    (matchedCalls / matched.stored).toFixed(2),
    (refused / matched.stored).toFixed(2),
    extra.toFixed(2),
    (base1 + BREAKDOWN_MATCHES * extra).toFixed(1),
  ];
};
const requestsTable: Table = {
  title: 'DynamoDB requests per stored article, by operation',
  header: [
    'operation',
    'no topics',
    `seed topics (${(matched.matches / matched.stored).toFixed(2)} matches)`,
    'of which refused by their condition',
    'per extra match',
    `with ${BREAKDOWN_MATCHES} matches`,
  ],
  left: [0],
  rows: [
    ...operations.map((op) =>
      opRow(op, plain.usage.calls[op] ?? 0, matched.usage.calls[op] ?? 0, matched.usage.refused[op] ?? 0),
    ),
    opRow(
      'all',
      callsOf(plain.usage),
      callsOf(matched.usage),
      Object.values(matched.usage.refused).reduce((a, b) => a + b, 0),
    ),
  ],
};
const byMatchesTable: Table = {
  title: 'DynamoDB requests per stored article, by its number of matches (seed topics)',
  header: ['matches', 'stored articles', 'requests per article'],
  left: [],
  rows: Object.entries(matched.byMatches).map(([k, g]) => [
    k,
    String(g.articles),
    (g.requests / g.articles).toFixed(1),
  ]),
};
const rateTable: Table = {
  title: `Per ${n.toLocaleString('en')} articles at other match rates`,
  header: ['matches per article', 'DynamoDB requests per article', '$ per day'],
  left: [],
  rows: byMatchRate.map((r) => [
    String(r.matchesPerArticle),
    r.dynamoRequests.toFixed(1),
    r.totalPerDay.toFixed(2),
  ]),
};
printTable(measuredTable);
printTable(requestsTable);
printTable(byMatchesTable);
printTable(kindTable);
printTable(costTable);
printTable(rateTable);
console.log('\nFirst limits, in articles per second:');
for (const l of limits)
  console.log(`  ${Math.round(l.reachedAt).toLocaleString('en').padStart(9)}  ${l.limit}`);
writeResults(
  'cost',
  {
    meta,
    prices: PRICES,
    assumptions: ASSUMPTIONS,
    corpus: corpus.length,
    plain: { ...plain, kinds: Object.fromEntries(plain.kinds) },
    matched: { ...matched, kinds: Object.fromEntries(matched.kinds) },
    base,
    perMatch,
    cpuUsPerArticle,
    ingestMsPerArticle,
    lines,
    totalPerDay,
    byMatchRate,
    peakArticlesPerSecond: peak,
    concurrencyAtPeak: concurrency,
    limits,
  },
  [
    '# Cost model',
    '',
    describeMachine(meta),
    '',
    `Requests and capacity units measured by ingesting ${corpus.length} corpus articles through the real DynamoDB adapters on dynalite, once without topics and once with the seed topics (${matched.matches} matches); the difference gives the cost of one match. Prices and assumptions are in \`bench/cost.ts\`; [docs/scaling.md](../../docs/scaling.md) explains them.`,
    '',
    `## ${measuredTable.title}`,
    '',
    markdownTable(measuredTable),
    '',
    `## ${requestsTable.title}`,
    '',
    `Every request counts, a conditional write refused by its condition too (DynamoDB bills it, at least one write unit). The last column is the first plus ${BREAKDOWN_MATCHES} times the one before.`,
    '',
    markdownTable(requestsTable),
    '',
    `## ${byMatchesTable.title}`,
    '',
    'Measured per article: the requests each stored article made, grouped by how many topics it matched (the topic set version is read at most every 10 s, shared by whichever article comes then).',
    '',
    markdownTable(byMatchesTable),
    '',
    `## ${kindTable.title}`,
    '',
    markdownTable(kindTable),
    '',
    `## ${costTable.title}`,
    '',
    `Assumed: ${assumedMatches} matches per article, ${A.emailPerAlert} email and ${A.webhookPerAlert} webhook delivery per alert, request latencies ${Object.entries(
      A.latencyMs,
    )
      .map(([k, v]) => `${k} ${v} ms`)
      .join(', ')}.`,
    '',
    markdownTable(costTable),
    '',
    `Per million articles: **$${totalPerDay.toFixed(2)}**.`,
    '',
    `## ${rateTable.title}`,
    '',
    markdownTable(rateTable),
    '',
    `## First limits (peak ${peak.toFixed(0)} articles/s at ${A.peakFactor}× the mean needs ~${concurrency.toFixed(0)} concurrent ingest executions)`,
    '',
    '| limit | reached at articles/s |',
    '| --- | ---: |',
    ...limits.map((l) => `| ${l.limit} | ${Math.round(l.reachedAt).toLocaleString('en')} |`),
  ].join('\n'),
);
