/**
 * Topic files: validate them, or store them in a deployed newswatch table.
 *   npm run topics:validate [-- <folder>]
 *   npm run topics:sync -- --stack Newswatch | --table <TableName> [--folder seeds/topics] [--region eu-west-1]
 *   npm run topics:figures -- --table <TableName> [--days 7] [--region eu-west-1]
 *   npm run topics:backfill -- --topic <id> --stack Newswatch [--days 30 | --from YYYY-MM-DD --to YYYY-MM-DD] [--alert]
 * `validate` prints every problem with file, line and column and the linter's warnings, and
 * exits 1 when a topic cannot be used. `sync` refuses to store a set with errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbArticleStore } from '../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbTopicStore } from '../functions/adapters/aws/dynamodb-topic-store.ts';
import { readTopicFolder } from '../functions/adapters/local/topic-folder.ts';
import { SnsAlertPublisher } from '../functions/adapters/aws/sns-alert-publisher.ts';
import { loadFeeds } from '../functions/core/feeds/feeds-file.ts';
import { type BackfillAlerting, backfillTopic } from '../functions/core/pipeline/backfill.ts';
import {
  type MatchRun,
  summariseTopicFigures,
  topicSetVersion,
} from '../functions/core/pipeline/matching.ts';
import { lintQuery } from '../functions/core/topics/lint.ts';
import { caret, parseQuery } from '../functions/core/topics/query.ts';
import { formatProblem } from '../functions/core/topics/topic-files.ts';

const load = readTopicFolder;

const validate = (folder: string): number => {
  const { loaded, files } = load(folder);
  for (const p of loaded.problems) console.log(`error  ${formatProblem(p)}\n`);
  let warnings = 0;
  for (const topic of loaded.topics) {
    for (const w of lintQuery(topic.query, parseQuery(topic.query, loaded.lists))) {
      warnings++;
      console.log(
        `warning  topic ${topic.id}, query line ${w.line}, column ${w.column}: ${w.message}\n${caret(topic.query, w.span)}\n`,
      );
    }
  }
  const enabled = loaded.topics.filter((t) => t.enabled).length;
  console.log(
    `${files} ${files === 1 ? 'file' : 'files'}, ${loaded.topics.length} ${loaded.topics.length === 1 ? 'topic' : 'topics'} (${enabled} enabled), ${loaded.lists.size} ${loaded.lists.size === 1 ? 'list' : 'lists'}: ` +
      `${loaded.problems.length} ${loaded.problems.length === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}; topic set ${topicSetVersion(loaded.topics, loaded.rawLists)}`,
  );
  return loaded.problems.length > 0 ? 1 : 0;
};

const sync = async (folder: string, table: string, region?: string): Promise<number> => {
  const { loaded } = load(folder);
  if (loaded.problems.length > 0) {
    for (const p of loaded.problems) console.error(`error  ${formatProblem(p)}\n`);
    console.error('not synced: fix the errors above first (npm run topics:validate)');
    return 1;
  }
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(region ? { region } : {}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const store = new DynamoDbTopicStore(doc, table);
  const version = topicSetVersion(loaded.topics, loaded.rawLists);
  const result = await store.syncTopicSet(
    { version, topics: loaded.topics, lists: loaded.rawLists },
    new Date().toISOString(),
  );
  if (!result.changed)
    console.log(
      `${table} already holds topic set ${version}${result.snapshotWritten ? '; its index snapshot stored' : ''}`,
    );
  else
    console.log(
      `${table}: topic set ${version} stored with its index snapshot (${result.written} items written, ${result.deleted} deleted)`,
    );
  return 0;
};

/** Per-topic candidates and matches over the last `days` days, from the stored match runs. */
const figures = async (table: string, days: number, region?: string): Promise<number> => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(region ? { region } : {}));
  const store = new DynamoDbTopicStore(doc, table);
  const set = await store.load();
  const runs: MatchRun[] = [];
  for (let d = 0; d < days; d++) {
    runs.push(
      ...(await store.listMatchRuns(new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10))),
    );
  }
  const rows = summariseTopicFigures(
    runs,
    set.topics.map((t) => t.id),
  );
  console.log(`${runs.length} articles matched in the last ${days} days`);
  console.log(
    `${'topic'.padEnd(40)} ${'candidates'.padStart(10)} ${'matches'.padStart(8)} ${'match rate'.padStart(10)}`,
  );
  for (const r of rows) {
    const note = r.matches === 0 ? '  never fired' : '';
    console.log(
      `${r.topicId.padEnd(40)} ${String(r.candidates).padStart(10)} ${String(r.matches).padStart(8)} ${r.matchRate.toFixed(3).padStart(10)}${note}`,
    );
  }
  return 0;
};

/** The outputs of a deployed newswatch stack. */
const outputsOfStack = async (stackName: string, region?: string): Promise<Record<string, string>> => {
  const cfn = new CloudFormationClient(region ? { region } : {});
  const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries(
    (res.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
  );
  if (!outputs.TableName)
    throw new Error(`stack ${stackName} has no TableName output: is it a newswatch stack?`);
  return outputs;
};

/** The table of a deployed stack, from its TableName output. */
const tableOfStack = async (stackName: string, region?: string): Promise<string> =>
  (await outputsOfStack(stackName, region)).TableName as string;

/**
 * Matches the stored articles of a date range against one topic from the files: a preview,
 * or with `--alert` one backfill alert per new match.
 */
const backfill = async (options: {
  folder: string;
  topicId: string;
  stack?: string;
  table?: string;
  from: string;
  to: string;
  alert: boolean;
  region?: string;
}): Promise<number> => {
  const { loaded } = load(options.folder);
  const topic = loaded.topics.find((t) => t.id === options.topicId);
  if (!topic) {
    console.error(`there is no topic "${options.topicId}" in ${options.folder}`);
    return 2;
  }
  const outputs = options.stack
    ? await outputsOfStack(options.stack, options.region)
    : { TableName: options.table ?? '' };
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient(options.region ? { region: options.region } : {}),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
  const articles = await new DynamoDbArticleStore(doc, outputs.TableName as string).listArticlesByDate(
    options.from,
    options.to,
  );
  let alerting: BackfillAlerting | undefined;
  if (options.alert) {
    if (!outputs.AlertsTopicArn || !outputs.BucketName) {
      console.error('--alert needs --stack (for the alerts topic and the bucket)');
      return 2;
    }
    const store = new DynamoDbTopicStore(doc, outputs.TableName as string);
    alerting = {
      store,
      publisher: new SnsAlertPublisher(
        new SNSClient(options.region ? { region: options.region } : {}),
        outputs.AlertsTopicArn,
      ),
      clock: { now: () => new Date() },
      locate: (key) => `s3://${outputs.BucketName}/${key}`,
      topicSetVersion: (await store.currentVersion()) ?? topicSetVersion(loaded.topics, loaded.rawLists),
    };
  }
  // The feeds file the stack was deployed with: a feed's items are matched only against its topics.
  const feedsFile = 'seeds/feeds.yaml';
  const feeds = existsSync(feedsFile)
    ? loadFeeds(readFileSync(feedsFile, 'utf8'), new Set(loaded.topics.map((t) => t.id))).feeds
    : [];
  const { matches, alerted } = await backfillTopic(
    topic,
    loaded.lists,
    articles,
    alerting,
    (id) => feeds.find((f) => f.id === id)?.topics,
  );
  console.log(
    `${topic.id}: ${matches.length} of ${articles.length} stored articles dated ${options.from} to ${options.to} match`,
  );
  for (const { article, match } of matches) {
    console.log(
      `\n${match.score.toFixed(2)}  ${article.date}  ${article.title}\n      ${article.sourceKey}\n      ${match.explanation.snippet}`,
    );
  }
  if (options.alert) console.log(`\n${alerted} backfill alerts sent`);
  return 0;
};

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    table: { type: 'string' },
    stack: { type: 'string' },
    folder: { type: 'string' },
    region: { type: 'string' },
    days: { type: 'string', default: '7' },
    topic: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    alert: { type: 'boolean', default: false },
  },
});
const [command = 'validate', folderArg] = positionals;
const folder = values.folder ?? folderArg ?? 'seeds/topics';
if (command === 'validate') {
  process.exitCode = validate(folder);
} else if (command === 'sync') {
  const table = values.table ?? (values.stack ? await tableOfStack(values.stack, values.region) : undefined);
  if (!table) {
    console.error(
      'usage: npm run topics:sync -- --stack <StackName> | --table <TableName> [--folder seeds/topics] [--region <region>]',
    );
    process.exitCode = 2;
  } else {
    process.exitCode = await sync(folder, table, values.region);
  }
} else if (command === 'figures') {
  if (!values.table) {
    console.error('usage: npm run topics:figures -- --table <TableName> [--days 7] [--region <region>]');
    process.exitCode = 2;
  } else {
    process.exitCode = await figures(values.table, Number(values.days), values.region);
  }
} else if (command === 'backfill') {
  const today = new Date().toISOString().slice(0, 10);
  const from =
    values.from ?? new Date(Date.now() - Number(values.days) * 86_400_000).toISOString().slice(0, 10);
  if (!values.topic || (!values.stack && !values.table)) {
    console.error(
      'usage: npm run topics:backfill -- --topic <id> --stack <StackName> | --table <TableName> [--days 30 | --from D --to D] [--alert]',
    );
    process.exitCode = 2;
  } else {
    process.exitCode = await backfill({
      folder,
      topicId: values.topic,
      ...(values.stack ? { stack: values.stack } : {}),
      ...(values.table ? { table: values.table } : {}),
      from,
      to: values.to ?? today,
      alert: values.alert ?? false,
      ...(values.region ? { region: values.region } : {}),
    });
  }
} else {
  console.error(`unknown command "${command}": use validate, sync, figures or backfill`);
  process.exitCode = 2;
}
