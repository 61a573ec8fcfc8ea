/**
 * Topic files: validate them, or store them in a deployed newswatch table.
 *   npm run topics:validate [-- <folder>]
 *   npm run topics:sync -- --table <TableName> [--folder seeds/topics] [--region eu-west-1]
 * `validate` prints every problem with file, line and column and the linter's warnings, and
 * exits 1 when a topic cannot be used. `sync` refuses to store a set with errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTopicStore } from '../functions/adapters/aws/dynamodb-topic-store.ts';
import { topicSetVersion } from '../functions/core/pipeline/matching.ts';
import { lintQuery } from '../functions/core/topics/lint.ts';
import { caret, parseQuery } from '../functions/core/topics/query.ts';
import { formatProblem, type LoadedTopics, loadTopicFiles } from '../functions/core/topics/topic-files.ts';

const load = (folder: string): { loaded: LoadedTopics; files: number } => {
  const files = readdirSync(folder)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => ({ path: join(folder, f), text: readFileSync(join(folder, f), 'utf8') }));
  return { loaded: loadTopicFiles(files), files: files.length };
};

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
    `${files} files, ${loaded.topics.length} topics (${enabled} enabled), ${loaded.lists.size} lists: ` +
      `${loaded.problems.length} errors, ${warnings} warnings; topic set ${topicSetVersion(loaded.topics, loaded.rawLists)}`,
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
  if ((await store.currentVersion()) === version) {
    console.log(`${table} already holds topic set ${version}`);
    return 0;
  }
  const { written, deleted } = await store.replaceTopicSet(
    { version, topics: loaded.topics, lists: loaded.rawLists },
    new Date().toISOString(),
  );
  console.log(`${table}: topic set ${version} stored (${written} items written, ${deleted} deleted)`);
  return 0;
};

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { table: { type: 'string' }, folder: { type: 'string' }, region: { type: 'string' } },
});
const [command = 'validate', folderArg] = positionals;
const folder = values.folder ?? folderArg ?? 'seeds/topics';
if (command === 'validate') {
  process.exitCode = validate(folder);
} else if (command === 'sync') {
  if (!values.table) {
    console.error(
      'usage: npm run topics:sync -- --table <TableName> [--folder seeds/topics] [--region <region>]',
    );
    process.exitCode = 2;
  } else {
    process.exitCode = await sync(folder, values.table, values.region);
  }
} else {
  console.error(`unknown command "${command}": use validate or sync`);
  process.exitCode = 2;
}
