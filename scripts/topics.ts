/**
 * Validates the topic files under seeds/topics (or the folder given): every problem with
 * file, line and column, and the linter's warnings. Exits 1 when a topic cannot be used.
 *   npm run topics:validate [-- <folder>]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topicSetVersion } from '../functions/core/pipeline/matching.ts';
import { lintQuery } from '../functions/core/topics/lint.ts';
import { caret, parseQuery } from '../functions/core/topics/query.ts';
import { formatProblem, loadTopicFiles } from '../functions/core/topics/topic-files.ts';

const folder = process.argv[2] ?? 'seeds/topics';
const files = readdirSync(folder)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort()
  .map((f) => ({ path: join(folder, f), text: readFileSync(join(folder, f), 'utf8') }));
const loaded = loadTopicFiles(files);
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
  `${files.length} files, ${loaded.topics.length} topics (${enabled} enabled), ${loaded.lists.size} lists: ` +
    `${loaded.problems.length} errors, ${warnings} warnings; topic set ${topicSetVersion(loaded.topics, loaded.rawLists)}`,
);
process.exitCode = loaded.problems.length > 0 ? 1 : 0;
