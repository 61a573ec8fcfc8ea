import { existsSync, readdirSync, statSync } from 'node:fs';
import { isCalendarDate } from '../../functions/core/articles/dates.ts';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError, Option } from 'commander';
import { readTopicFolder, saveStage } from '../../functions/adapters/local/topic-folder.ts';
import { isIgnoredName } from '../../functions/adapters/local/inbox.ts';
import { AlertHeldError, topicSetVersion } from '../../functions/core/pipeline/matching.ts';
import { formatProblem } from '../../functions/core/topics/topic-files.ts';
import {
  defaultPaths,
  type FileResult,
  type LocalEvent,
  type LocalNewswatch,
  type LocalPaths,
  localSubscribersOf,
  localTopicsOf,
  openLocalNewswatch,
  StartupError,
} from '../local-newswatch.ts';
import { MAX_INGEST_THREADS, startLocalRuntime } from '../runtime.ts';
import { evaluateTopics, labelledArticlesOf, previewQuery, type TopicEvaluation } from '../services.ts';
import { viewsOf } from '../views.ts';
import { FolderLabelStore } from '../../functions/adapters/local/label-folder.ts';
import { checkLabel } from '../../functions/core/topics/labels.ts';
import {
  crossValidatedFigures,
  judgeTopics,
  STAGE_FOLDS,
  splitOf,
  topicFigures,
  trainTopicStage,
} from '../../functions/core/topics/relevance.ts';
import {
  corpusArticles,
  deployedEvaluationInput,
  evaluationText,
  labelStoreFor,
  readLabelsArgument,
} from './relevance.ts';
import {
  alertsTable,
  articleResults,
  articlesTable,
  articleText,
  eventLine,
  feedsTable,
  ingestSummary,
  pc,
  previewText,
  shortPath,
  topicsTable,
} from './format.ts';
import { uploadClient, uploadFile, type Uploaded } from './upload.ts';

/**
 * Exit codes scripts can rely on:
 * 0 done; 1 done, but something was refused (a rejected file, an invalid topic or query,
 * an unknown id); 2 the command line is wrong; 3 newswatch could not run (data folder in
 * use, port taken, a broken config file, AWS unreachable).
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, failed: 3 } as const;

/** The default dashboard port. */
export const DEFAULT_PORT = 4400;

interface GlobalOptions {
  json?: boolean;
  home?: string;
  inbox?: string;
  topics?: string;
  subscribers?: string;
  feeds?: string;
}

const pathsOf = (o: GlobalOptions): LocalPaths => {
  const base = defaultPaths();
  return {
    ...base,
    ...(o.home ? { home: resolve(o.home) } : {}),
    ...(o.inbox ? { inbox: resolve(o.inbox) } : {}),
    ...(o.topics ? { topics: resolve(o.topics) } : {}),
    ...(o.subscribers ? { subscribers: resolve(o.subscribers) } : {}),
    ...(o.feeds ? { feeds: resolve(o.feeds) } : {}),
  };
};

const print = (json: boolean | undefined, value: unknown, human: () => string) => {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : human()}\n`);
};

/** Every file under the given files and folders (hidden and temporary files skipped), sorted. */
export const expandFiles = (inputs: readonly string[]): string[] => {
  const out: string[] = [];
  const walk = (path: string) => {
    const s = statSync(path);
    if (s.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!isIgnoredName(name)) walk(join(path, name));
    } else if (s.isFile()) out.push(resolve(path));
  };
  for (const input of inputs) {
    if (!existsSync(input)) throw new CommanderError(EXIT.usage, 'usage', `${input}: no such file or folder`);
    walk(input);
  }
  return out;
};

/** A calendar day given as an option (`2026-11-28`), or a usage error: `2026-13-01` is none. */
const calendarDay = (value: string, option: string): string => {
  if (!isCalendarDate(value))
    throw new CommanderError(
      EXIT.usage,
      'usage',
      `${option} ${value} is not a day of the calendar (YYYY-MM-DD)`,
    );
  return value;
};

/** Why a `--topic` option names no topic of the set, naming the ids there are; undefined when it names one or is not given. */
const unknownTopic = (id: string | undefined, set: { topics: ReadonlyArray<{ id: string }> } | undefined) => {
  const known = (set?.topics ?? []).map((t) => t.id);
  if (id === undefined || known.includes(id)) return undefined;
  const some = [...known].sort().slice(0, 8).join(', ');
  return `no topic has the id ${id}${some ? ` (topics: ${some}${known.length > 8 ? ', …' : ''})` : ''}`;
};

/** Says a refusal on stderr, or as `{"error": …}` on stdout with --json, and gives its exit code. */
const refuse = (json: boolean | undefined, message: string): number => {
  if (json) print(true, { error: message }, () => '');
  else console.error(`newswatch: ${message}`);
  return EXIT.refused;
};

/** A file named by an option, resolved; a usage error when there is none at that path. */
const givenFile = (path: string, option: string): string => {
  if (!existsSync(path) || statSync(path).isDirectory())
    throw new CommanderError(EXIT.usage, 'usage', `${option} ${path}: no such file`);
  return resolve(path);
};

/** A positive whole number given as an option, or a usage error. */
const count = (value: string, option: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CommanderError(EXIT.usage, 'usage', `${option} ${value} is not a whole number above 0`);
  return n;
};

/** Opens the local store for a command, runs it, closes the store. */
const withLocal = async <T>(
  o: GlobalOptions,
  run: (local: LocalNewswatch) => Promise<T>,
  onEvent?: (e: LocalEvent) => void,
): Promise<T> => {
  const local = await openLocalNewswatch({
    paths: pathsOf(o),
    ...(onEvent ? { onEvent } : {}),
    ...(process.env.NEWSWATCH_SMTP_URL ? { smtpUrl: process.env.NEWSWATCH_SMTP_URL } : {}),
  });
  try {
    // With a runtime running, its topic set is used as it is: a command never replaces it.
    const topics = local.shared
      ? (await local.useStoredTopics(), { problems: [] as string[] })
      : await local.reloadTopics();
    if (topics.problems.length > 0) {
      throw new StartupError(`a topic file has a problem: ${topics.problems[0]?.split('\n')[0]}`);
    }
    const subs = local.reloadSubscribers();
    if (subs.problems.length > 0)
      throw new StartupError(`the subscribers file has a problem: ${subs.problems[0]}`);
    return await run(local);
  } finally {
    await local.close();
  }
};

const start = async (o: GlobalOptions & { port: string; seed: boolean; smtp?: string; threads?: string }) => {
  const began = performance.now();
  const paths = pathsOf(o);
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CommanderError(EXIT.usage, 'usage', `--port ${o.port} is not a port number`);
  const threads = o.threads === undefined ? undefined : Number(o.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0 && threads <= MAX_INGEST_THREADS))
    throw new CommanderError(
      EXIT.usage,
      'usage',
      `--threads ${o.threads} is not a number of ingest threads from 0 to ${MAX_INGEST_THREADS}`,
    );
  const runtime = await startLocalRuntime({
    paths,
    port,
    seed: o.seed,
    ...(threads === undefined ? {} : { ingestThreads: threads }),
    ...(o.smtp ? { smtpUrl: o.smtp } : {}),
    onEvent: (e) => {
      if (o.json) process.stdout.write(`${JSON.stringify(e)}\n`);
      else {
        const line = eventLine(e);
        if (line) console.log(line);
      }
    },
  });
  const local = runtime.local;
  if (!o.json) {
    console.log(
      [
        `${pc.bold('newswatch')} is running: ${pc.underline(runtime.url ?? '(no dashboard)')}`,
        `  inbox        ${shortPath(paths.inbox)}  (drop .txt or .json articles here)`,
        `  topics       ${local.topicSet?.topics.length ?? 0} from ${shortPath(paths.topics)} and ${shortPath(localTopicsOf(paths))} (reloaded when they change)`,
        `  subscribers  ${local.subscribers.length} from ${shortPath(paths.subscribers)} and ${shortPath(localSubscribersOf(paths))}`,
        `  feeds        ${local.feeds.feeds.length}${local.feeds.file ? ` from ${shortPath(local.feeds.file)} (documents into ${shortPath(join(paths.inbox, 'feeds'))})` : ''}`,
        `  emails       ${o.smtp ? `SMTP ${new URL(o.smtp).host}` : shortPath(join(paths.home, 'outbox'))}`,
        `  data         ${shortPath(join(paths.home, 'data'))}`,
        `ready in ${((performance.now() - began) / 1000).toFixed(1)} s; Ctrl-C stops`,
      ].join('\n'),
    );
  } else {
    process.stdout.write(`${JSON.stringify({ type: 'ready', url: runtime.url, paths })}\n`);
  }
  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) process.exit(130);
      stopping = true;
      if (!o.json) console.log('stopping (Ctrl-C again to force)…');
      void runtime.stop().then(() => {
        if (!o.json) console.log('stopped');
        resolveStop();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
};

const ingest = async (inputs: string[], o: GlobalOptions, retryRejected = false) => {
  const files = expandFiles(inputs);
  const results: FileResult[] = [];
  const alerts: string[] = [];
  const showBar = !o.json && process.stderr.isTTY && files.length > 1;
  const bar = new SingleBar({
    format: 'ingesting [{bar}] {value}/{total} files  {file}',
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  await withLocal(
    o,
    async (local) => {
      if (showBar) bar.start(files.length, 0, { file: '' });
      for (const file of files) {
        try {
          results.push(await local.ingestFile(file, { retryRejected }));
        } catch (e) {
          // The running newswatch is sending this file's alerts right now: it finishes the file.
          if (!(e instanceof AlertHeldError)) throw e;
          alerts.push(`${shortPath(file)}: being ingested by the running newswatch; it sends the alerts`);
        }
        if (showBar) bar.increment({ file: shortPath(file) });
      }
      if (showBar) bar.stop();
      await local.webhooks.settle();
    },
    (e) => {
      if (e.type === 'alert' || e.type === 'delivery') {
        const line = eventLine(e);
        if (line) alerts.push(line);
      }
    },
  );
  const articles = articleResults(results);
  const summary = {
    files: files.length,
    stored: articles.filter((r) => r.status === 'stored').length,
    duplicate: articles.filter((r) => r.status === 'duplicate').length,
    rejected: articles.filter((r) => r.status === 'rejected').length,
    unchanged: articles.filter((r) => r.status === 'unchanged').length,
    rejectedBefore: articles.filter((r) => r.status === 'unchanged' && r.previously === 'rejected').length,
    results,
  };
  print(o.json, summary, () => [...alerts, ingestSummary(results)].join('\n'));
  // A file refused before and left as it was is still refused.
  return summary.rejected + summary.rejectedBefore > 0 ? EXIT.refused : EXIT.ok;
};

const upload = async (
  inputs: string[],
  o: GlobalOptions & { bucket: string; prefix: string; region?: string },
) => {
  const files = expandFiles(inputs);
  const s3 = uploadClient(o.region);
  const total = files.reduce((n, f) => n + statSync(f).size, 0);
  const showBar = !o.json && process.stderr.isTTY;
  const bar = new SingleBar({
    format: 'uploading [{bar}] {percentage}%  {value}/{total} bytes  {file}',
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  if (showBar) bar.start(total, 0, { file: '' });
  const done: Uploaded[] = [];
  let before = 0;
  try {
    for (const file of files) {
      done.push(
        await uploadFile(s3, file, o.bucket, o.prefix, (sent) => {
          if (showBar) bar.update(before + sent, { file: shortPath(file) });
        }),
      );
      before += statSync(file).size;
    }
  } finally {
    if (showBar) bar.stop();
    s3.destroy();
  }
  print(o.json, { bucket: o.bucket, uploaded: done }, () =>
    [
      ...done.map(
        (u) =>
          `uploaded ${shortPath(u.file)} → s3://${u.bucket}/${u.key} (${u.bytes} bytes${u.multipart ? ', multipart' : ''})`,
      ),
      `${done.length} files, ${total} bytes`,
    ].join('\n'),
  );
  return EXIT.ok;
};

/** Builds the `newswatch` command; `exit` receives the exit code of the command that ran. */
export const buildProgram = (exit: (code: number) => void): Command => {
  const program = new Command('newswatch')
    .description('News monitoring on one machine: ingest articles, watch topics, get alerts.')
    .option('--json', 'print JSON for scripts instead of text')
    .option('--home <dir>', 'state folder (data, outbox, quarantine); default .newswatch')
    .option('--inbox <dir>', 'the folder watched for new articles; default inbox')
    .option('--topics <dir>', 'topic files; default seeds/topics')
    .option('--subscribers <file>', 'subscribers file; default seeds/subscribers.yaml')
    .option('--feeds <file>', 'feeds file; default seeds/feeds.yaml')
    .showHelpAfterError()
    .exitOverride();
  const run =
    <A extends unknown[]>(action: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      exit(await action(...args));
    };
  const globals = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>();

  program
    .command('start')
    .description('run the pipeline here: watch the inbox, serve the dashboard, send alerts')
    .addOption(
      new Option('--port <port>', 'dashboard port on 127.0.0.1').env('PORT').default(String(DEFAULT_PORT)),
    )
    .option('--no-seed', 'do not copy the seed articles into the inbox on the very first start')
    .addOption(
      new Option(
        '--threads <n>',
        'ingest threads (0: ingest on the main thread, in less memory; default one per core but one, 1 to 4)',
      ).env('NEWSWATCH_INGEST_THREADS'),
    )
    .addOption(
      new Option('--smtp <url>', 'send email through this SMTP server (smtp://user:pass@host:587)').env(
        'NEWSWATCH_SMTP_URL',
      ),
    )
    .action(
      run(async (_o: object, cmd: Command) => {
        await start(cmd.optsWithGlobals());
        return EXIT.ok;
      }),
    );

  program
    .command('ingest')
    .description('ingest article files and folders now (stored / duplicate / rejected, with reasons)')
    .argument('<paths...>', 'files or folders')
    .option('--retry-rejected', 'read again the files that were rejected before')
    .action(
      run((paths: string[], opts: { retryRejected?: boolean }, cmd: Command) =>
        ingest(paths, globals(cmd), opts.retryRejected === true),
      ),
    );

  const topics = program.command('topics').description('watched topics');
  topics
    .command('list')
    .description('the topics, with how many articles each has matched and alerted on')
    .action(
      run(async (_o: object, cmd: Command) => {
        const o = globals(cmd);
        await withLocal(o, (local) => {
          const list = viewsOf(local).topicList();
          print(o.json, { topics: list }, () => topicsTable(list));
          return Promise.resolve();
        });
        return EXIT.ok;
      }),
    );
  topics
    .command('validate')
    .description('check the topic files: every problem with file, line and column')
    .argument('[folder]', 'topic folder (default: --topics)')
    .action(
      run((folder: string | undefined, _o: object, cmd: Command) => {
        const o = globals(cmd);
        const dir = folder ? resolve(folder) : pathsOf(o).topics;
        if (!existsSync(dir) || !statSync(dir).isDirectory())
          throw new CommanderError(EXIT.usage, 'usage', `${folder ?? dir}: no such folder`);
        // The topics in use: the folder with this machine's own over it, unless a folder is named.
        const { loaded, files } = readTopicFolder(dir, folder ? undefined : localTopicsOf(pathsOf(o)));
        const result = {
          folder: dir,
          files,
          topics: loaded.topics.length,
          lists: loaded.lists.size,
          valid: loaded.problems.length === 0,
          topicSetVersion: topicSetVersion(loaded.topics, loaded.rawLists),
          problems: loaded.problems,
        };
        print(o.json, result, () =>
          [
            ...loaded.problems.map((p) => `${pc.red('error')}  ${formatProblem(p)}\n`),
            `${files} ${files === 1 ? 'file' : 'files'}, ${result.topics} ${result.topics === 1 ? 'topic' : 'topics'}, ${result.lists} ${result.lists === 1 ? 'list' : 'lists'}: ${loaded.problems.length} ${loaded.problems.length === 1 ? 'error' : 'errors'}`,
          ].join('\n'),
        );
        return Promise.resolve(result.valid ? EXIT.ok : EXIT.refused);
      }),
    );
  topics
    .command('test')
    .description('try a query against the stored articles: matches with scores and highlighted snippets')
    .argument('<query>', 'a query in the newswatch query language')
    .option('--min-score <n>', 'leave out matches scoring below this', '0')
    .option('--limit <n>', 'show at most this many matches', '20')
    .action(
      run(async (query: string, opts: { minScore: string; limit: string }, cmd: Command) => {
        const o = globals(cmd);
        const minScore = Number(opts.minScore);
        if (!(minScore >= 0 && minScore <= 1))
          throw new CommanderError(EXIT.usage, 'usage', '--min-score is a number from 0 to 1');
        return withLocal(o, async (local) => {
          const preview = await previewQuery(query, local.topicSet, await local.catalog.snapshot(), {
            minScore,
            limit: count(opts.limit, '--limit'),
          });
          print(o.json, preview, () => previewText(preview));
          return preview.valid ? EXIT.ok : EXIT.refused;
        });
      }),
    );

  topics
    .command('eval')
    .description(
      'precision, recall and F1 of each topic on its labels, with false alerts, misses and thresholds',
    )
    .option('--topic <id>', 'only this topic')
    .option('--labels <file>', 'a labels file (JSON Lines) instead of the labels folder')
    .option('--labels-dir <dir>', 'the labels folder; default seeds/labels')
    .option('--corpus <file>', 'evaluate on the articles of a JSON Lines file instead of the stored ones')
    .option('--table <name>', 'evaluate a deployed table: its topics, labels and articles')
    .addOption(
      new Option('--split <part>', 'only labels of one split').choices(['dev', 'test', 'all']).default('all'),
    )
    .option('--thresholds', 'list precision and recall at every minimum score')
    .action(
      run(
        async (
          opts: {
            topic?: string;
            labels?: string;
            labelsDir?: string;
            corpus?: string;
            table?: string;
            split: 'dev' | 'test' | 'all';
            thresholds?: boolean;
          },
          cmd: Command,
        ) => {
          const o = globals(cmd);
          const folder = opts.labelsDir ? resolve(opts.labelsDir) : pathsOf(o).labels;
          const labelsFile = opts.labels === undefined ? undefined : givenFile(opts.labels, '--labels');
          const corpus = opts.corpus === undefined ? undefined : givenFile(opts.corpus, '--corpus');
          const fileLabels = () =>
            labelsFile ? readLabelsArgument(labelsFile) : new FolderLabelStore(folder).listLabels();
          const report = (evaluation: TopicEvaluation) => {
            if (opts.topic && evaluation.topics.length === 0)
              return refuse(o.json, `no topic has the id ${opts.topic}`);
            print(o.json, evaluation, () =>
              evaluationText(evaluation, { thresholds: opts.thresholds ?? false }),
            );
            return EXIT.ok;
          };
          const options = { ...(opts.topic ? { topic: opts.topic } : {}), split: opts.split };
          if (opts.table) {
            const input = await deployedEvaluationInput(opts.table, opts.topic);
            const labels = labelsFile ? await fileLabels() : input.labels;
            return report(evaluateTopics(input.set, input.articles, labels, options));
          }
          if (corpus) {
            const { loaded } = readTopicFolder(pathsOf(o).topics, localTopicsOf(pathsOf(o)));
            const set = { version: 'files', topics: loaded.topics, lists: loaded.rawLists };
            return report(evaluateTopics(set, corpusArticles(corpus), await fileLabels(), options));
          }
          return withLocal(o, async (local) =>
            report(
              evaluateTopics(
                local.topicSet,
                labelledArticlesOf(await local.catalog.snapshot()),
                await fileLabels(),
                options,
              ),
            ),
          );
        },
      ),
    );
  topics
    .command('train')
    .description(
      "train a topic's second stage on its labels; prints cross-validated figures and writes stages/<id>.json",
    )
    .requiredOption('--topic <id>', 'the topic')
    .option('--corpus <file>', 'train on the articles of a JSON Lines file instead of the stored ones')
    .option('--labels-dir <dir>', 'the labels folder; default seeds/labels')
    .addOption(
      new Option('--split <part>', 'train only on labels of one split')
        .choices(['dev', 'test', 'all'])
        .default('dev'),
    )
    .option('--l2 <n>', 'L2 penalty (larger: smaller weights)', '3')
    .option('--dry-run', 'print the figures without writing the stage')
    .action(
      run(
        async (
          opts: {
            topic: string;
            corpus?: string;
            labelsDir?: string;
            split: 'dev' | 'test' | 'all';
            l2: string;
            dryRun?: boolean;
          },
          cmd: Command,
        ) => {
          const o = globals(cmd);
          const l2 = Number(opts.l2);
          if (!(l2 >= 0)) throw new CommanderError(EXIT.usage, 'usage', '--l2 is a number of 0 or more');
          const corpus = opts.corpus === undefined ? undefined : givenFile(opts.corpus, '--corpus');
          const folder = pathsOf(o).topics;
          const { loaded } = readTopicFolder(folder, localTopicsOf(pathsOf(o)));
          const topic = loaded.topics.find((t) => t.id === opts.topic);
          if (!topic)
            return refuse(o.json, unknownTopic(opts.topic, loaded) ?? `no topic has the id ${opts.topic}`);
          const labels = (
            await new FolderLabelStore(
              opts.labelsDir ? resolve(opts.labelsDir) : pathsOf(o).labels,
            ).listLabels(topic.id)
          ).filter((l) => opts.split === 'all' || splitOf(l.article) === opts.split);
          const articles = corpus
            ? corpusArticles(corpus)
            : await withLocal(o, async (local) => labelledArticlesOf(await local.catalog.snapshot()));
          const judged = judgeTopics([topic], loaded.lists, articles, labels).judged.get(topic.id) ?? [];
          const candidates = judged.filter((j) => j.match);
          if (candidates.length < 10 || candidates.every((j) => j.label === candidates[0]?.label))
            return refuse(
              o.json,
              `${topic.id} has ${candidates.length} labelled matches${candidates.length ? ', all with one label' : ''}; a stage needs at least 10, relevant and not`,
            );
          const stage = trainTopicStage(judged, new Date().toISOString(), opts.split, { l2 });
          const base = topicFigures(topic.id, 0, judged);
          const cv = crossValidatedFigures(topic.id, topic.minScore, judged, { l2 });
          const written = opts.dryRun ? undefined : saveStage(folder, topic.id, stage);
          const top = stage.features
            .map((f, i) => ({ feature: f, weight: stage.weights[i] as number }))
            .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
            .slice(0, 8);
          print(o.json, { topic: topic.id, stage, base, crossValidated: cv, written }, () =>
            [
              `${topic.id}: trained on ${stage.trainedOn.labels} labelled matches (${stage.trainedOn.relevant} relevant, ${opts.split} split)`,
              `  the query alone:        precision ${base.precision ?? '–'}, recall ${base.recall ?? '–'}, F1 ${base.f1 ?? '–'}`,
              `  with the stage (${STAGE_FOLDS}-fold, minScore ${topic.minScore}): precision ${cv.precision ?? '–'}, recall ${cv.recall ?? '–'}, F1 ${cv.f1 ?? '–'}`,
              `  weighed most: ${top.map((t) => `${t.feature} ${t.weight > 0 ? '+' : ''}${t.weight.toFixed(2)}`).join(', ')}`,
              written ? `  written to ${written}` : '  not written (--dry-run)',
            ].join('\n'),
          );
          return EXIT.ok;
        },
      ),
    );
  topics
    .command('label')
    .description('say whether an article is relevant to a topic (a match, or an article the topic missed)')
    .argument('<article>', 'the article id (as articles list shows it), or a corpus item id')
    .argument('<topic>', 'topic id')
    .argument('<verdict>', 'relevant or not-relevant (1 or 0)')
    .requiredOption('--reason <text>', 'one line on why')
    .option('--by <name>', 'who decides; default $USER')
    .option('--labels-dir <dir>', 'the labels folder; default seeds/labels')
    .option('--table <name>', 'store the label in a deployed table instead')
    .action(
      run(
        async (
          article: string,
          topic: string,
          verdict: string,
          opts: { reason: string; by?: string; labelsDir?: string; table?: string },
          cmd: Command,
        ) => {
          const o = globals(cmd);
          const label = ({ relevant: 1, '1': 1, 'not-relevant': 0, '0': 0 } as Record<string, 0 | 1>)[
            verdict
          ];
          if (label === undefined)
            throw new CommanderError(
              EXIT.usage,
              'usage',
              `${verdict}: say relevant or not-relevant (1 or 0)`,
            );
          const known = readTopicFolder(pathsOf(o).topics, localTopicsOf(pathsOf(o))).loaded.topics.some(
            (t) => t.id === topic,
          );
          if (!opts.table && !known) return refuse(o.json, `no topic has the id ${topic}`);
          const checked = checkLabel({
            topic,
            article,
            label,
            reason: opts.reason,
            by: opts.by ?? process.env.USER ?? 'unknown',
            at: new Date().toISOString(),
          });
          if (!checked.ok) return refuse(o.json, checked.message);
          const folder = opts.labelsDir ? resolve(opts.labelsDir) : pathsOf(o).labels;
          await labelStoreFor(folder, opts.table).putLabel(checked.label);
          print(
            o.json,
            { stored: checked.label, in: opts.table ?? folder },
            () =>
              `${topic}: ${article} labelled ${label === 1 ? 'relevant' : 'not relevant'} (${opts.table ? `table ${opts.table}` : folder})`,
          );
          return EXIT.ok;
        },
      ),
    );

  const articles = program.command('articles').description('stored articles');
  articles
    .command('list')
    .description('stored articles, newest first')
    .option('-q, --query <words>', 'words that must all appear')
    .option('--topic <id>', 'only articles this topic matched')
    .option('--from <date>', 'article date from (YYYY-MM-DD)')
    .option('--to <date>', 'article date to (YYYY-MM-DD)')
    .option('--limit <n>', 'at most this many', '50')
    .action(
      run(
        async (
          opts: { query?: string; topic?: string; from?: string; to?: string; limit: string },
          cmd: Command,
        ) => {
          const o = globals(cmd);
          if (opts.from !== undefined) calendarDay(opts.from, '--from');
          if (opts.to !== undefined) calendarDay(opts.to, '--to');
          return withLocal(o, async (local) => {
            const unknown = unknownTopic(opts.topic, local.topicSet);
            if (unknown) return refuse(o.json, unknown);
            const found = await viewsOf(local).articles({
              ...(opts.query ? { q: opts.query } : {}),
              ...(opts.topic ? { topic: opts.topic } : {}),
              ...(opts.from ? { from: opts.from } : {}),
              ...(opts.to ? { to: opts.to } : {}),
              offset: 0,
              limit: count(opts.limit, '--limit'),
            });
            print(
              o.json,
              found,
              () => `${articlesTable(found.articles)}\n${found.articles.length} of ${found.total} articles`,
            );
            return EXIT.ok;
          });
        },
      ),
    );
  articles
    .command('show')
    .description('one article: its text, its matches and why')
    .argument('<id>', 'article id (or its first 8 or more characters)')
    .action(
      run(async (id: string, _o: object, cmd: Command) => {
        const o = globals(cmd);
        return withLocal(o, async (local) => {
          const detail = await viewsOf(local).article(id);
          if (!detail) {
            const named = local.catalog.idsStartingWith(id, 2);
            return refuse(
              o.json,
              id.length < 8
                ? `${id} is too short to name an article: give its id or its first 8 or more characters`
                : named > 1
                  ? `${id} is the start of ${named} article ids: give more of the id`
                  : `no article has the id ${id}`,
            );
          }
          print(o.json, detail, () => articleText(detail));
          return EXIT.ok;
        });
      }),
    );

  const alerts = program.command('alerts').description('alerts sent');
  alerts
    .command('list')
    .description('alerts sent, newest first, with who gets them')
    .option('--topic <id>', 'only this topic')
    .option('--limit <n>', 'at most this many', '50')
    .action(
      run(async (opts: { topic?: string; limit: string }, cmd: Command) => {
        const o = globals(cmd);
        return withLocal(o, (local) => {
          const unknown = unknownTopic(opts.topic, local.topicSet);
          if (unknown) return Promise.resolve(refuse(o.json, unknown));
          const list = viewsOf(local).alerts(opts.topic, count(opts.limit, '--limit'));
          print(o.json, { alerts: list }, () => `${alertsTable(list)}\n${list.length} alerts`);
          return Promise.resolve(EXIT.ok);
        });
      }),
    );
  alerts
    .command('digest')
    .description(
      "send a day's digests now (default: yesterday, UTC): the alerts of the day not sent in a digest yet",
    )
    .option('--day <date>', 'YYYY-MM-DD')
    .action(
      run(async (opts: { day?: string }, cmd: Command) => {
        const o = globals(cmd);
        const day = calendarDay(
          opts.day ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
          '--day',
        );
        await withLocal(o, async (local) => {
          const sent = await local.sendDigests(day);
          print(o.json, { day, sent }, () =>
            sent.length === 0
              ? `no digest to send for ${day}`
              : [
                  ...sent.map(
                    (d) =>
                      `digest for ${d.subscriberId}: ${d.alerts} ${d.part > 1 ? 'more ' : ''}alert${d.alerts === 1 ? '' : 's'}${d.part > 1 ? ` (part ${d.part})` : ''}`,
                  ),
                  ...(sent.some((d) => d.partial)
                    ? [
                        `${day} has not ended: its alerts up to now went out; later ones follow in the next digest (at 00:15 UTC, or the next \`alerts digest --day ${day}\`)`,
                      ]
                    : []),
                ].join('\n'),
          );
        });
        return EXIT.ok;
      }),
    );

  const feeds = program.command('feeds').description('feeds polled into the inbox');
  feeds
    .command('list')
    .description('each feed with how its last poll went, its failures in a row and when it is polled next')
    .action(
      run(async (_o: object, cmd: Command) => {
        const o = globals(cmd);
        await withLocal(o, async (local) => {
          const loaded = local.reloadFeeds();
          if (loaded.problems.length > 0)
            throw new StartupError(`the feeds file has a problem: ${loaded.problems[0]}`);
          const list = await local.feeds.list();
          const failing = list.filter((f) => f.consecutiveFailures > 0).length;
          print(o.json, { feeds: list }, () =>
            list.length === 0
              ? `no feeds (${local.feeds.file ? shortPath(local.feeds.file) : 'no feeds file'})`
              : `${feedsTable(list)}\n${list.length} feeds, ${failing} failing`,
          );
        });
        return EXIT.ok;
      }),
    );
  feeds
    .command('poll')
    .description(
      'poll every feed now (or one), due or not; without a running newswatch, ingest what they bring',
    )
    .argument('[id]', 'only this feed')
    .action(
      run(async (id: string | undefined, _o: object, cmd: Command) => {
        const o = globals(cmd);
        let code: number = EXIT.ok;
        await withLocal(o, async (local) => {
          const loaded = local.reloadFeeds();
          if (loaded.problems.length > 0)
            throw new StartupError(`the feeds file has a problem: ${loaded.problems[0]}`);
          if (id && !local.feeds.feeds.some((f) => f.id === id)) {
            const ids = local.feeds.feeds.map((f) => f.id).join(', ');
            code = refuse(o.json, `there is no feed "${id}"${ids ? ` (feeds: ${ids})` : ''}`);
            return;
          }
          const outcomes = await local.feeds.poll({ force: true, ...(id ? { only: id } : {}) });
          const ingested: FileResult[] = [];
          // A running newswatch ingests new documents itself, from the inbox it watches.
          if (!local.shared) {
            for (const outcome of outcomes)
              if (outcome.status === 'new')
                ingested.push(await local.ingestFile(local.feeds.pathOf(outcome.key)));
          }
          if (outcomes.some((r) => r.status === 'failed' || r.status === 'error')) code = EXIT.refused;
          print(o.json, { outcomes, ingested }, () =>
            [
              ...outcomes.map((r) =>
                r.status === 'new'
                  ? `${r.feedId}: new document ${r.key}`
                  : r.status === 'failed' || r.status === 'error'
                    ? `${r.feedId}: ${r.status}: ${r.error}`
                    : `${r.feedId}: ${r.status}`,
              ),
              ...(ingested.length > 0 ? [ingestSummary(ingested)] : []),
            ].join('\n'),
          );
        });
        return code;
      }),
    );

  program
    .command('upload')
    .description("upload article files to the deployed bucket's incoming/ prefix (multipart when large)")
    .argument('<paths...>', 'files or folders')
    .requiredOption('--bucket <name>', 'the articles bucket (the stack output BucketName)')
    .option('--prefix <prefix>', 'key prefix the ingest function listens to', 'incoming/')
    .option('--region <region>', 'AWS region (default: from your AWS configuration)')
    .action(
      run((paths: string[], _o: object, cmd: Command) =>
        upload(
          paths,
          cmd.optsWithGlobals<GlobalOptions & { bucket: string; prefix: string; region?: string }>(),
        ),
      ),
    );

  return program;
};

/**
 * What an error that stopped a command says, in the project's words: a missing file by its
 * path, AWS problems by what to do about them; anything else (a fault of newswatch itself)
 * with its name, so it can be reported.
 */
export const cannotRunMessage = (e: unknown): string => {
  const err = e instanceof Error ? e : new Error(String(e));
  const { code, path, hostname } = err as Error & { code?: string; path?: string; hostname?: string };
  if (err instanceof StartupError) return err.message;
  if (code === 'ENOENT' && path) return `${path}: no such file or folder`;
  if (code === 'EACCES' && path) return `${path}: not allowed to read or write it`;
  if (err.name === 'CredentialsProviderError')
    return 'could not reach AWS: no credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)';
  if (/^Region is missing/.test(err.message))
    return 'could not reach AWS: no region (give --region or set AWS_REGION)';
  if (code === 'ENOTFOUND' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT')
    return `could not reach AWS${hostname ? ` at ${hostname}` : ''}: ${code}`;
  return `${err.name}: ${err.message}`;
};

/** Says an error on stderr, or as `{"error": …}` on stdout with --json. */
const sayError = (argv: readonly string[], message: string) => {
  if (argv.includes('--json')) print(true, { error: message }, () => '');
  else console.error(`newswatch: ${message}`);
};

/** Runs the CLI with these arguments and resolves to its exit code. */
export const runCli = async (argv: readonly string[]): Promise<number> => {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not errors; everything else commander reports is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
      // Commander has said its own errors on stderr already (with the usage); --json gets them as JSON too.
      if (e.code === 'usage') sayError(argv, e.message);
      else if (argv.includes('--json'))
        sayError(
          argv,
          // Help shown in place of a missing command is an error too.
          e.code === 'commander.help'
            ? 'no command given (newswatch --help lists them)'
            : e.message.replace(/^error: /, ''),
        );
      return EXIT.usage;
    }
    sayError(argv, cannotRunMessage(e));
    return EXIT.failed;
  }
};

if (import.meta.main) process.exitCode = await runCli(process.argv.slice(2));
