/**
 * Relevance on real news: every shipped topic against its labels (seeds/labels/), matched on
 * the labelled articles of a JSON Lines corpus (default ../shared/corpus/articles.jsonl, or
 * NEWSWATCH_CORPUS / --corpus). Figures are given on the `test` split, which tuning never
 * reads, and on `dev` for comparison; the table goes to bench/results/relevance.md.
 *
 *   npm run bench:relevance [-- --corpus file.jsonl] [--topics dir] [--labels dir]
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readJsonLinesCorpus } from '../functions/adapters/local/jsonl-corpus.ts';
import { readLabelFolder } from '../functions/adapters/local/label-folder.ts';
import { readTopicFolder } from '../functions/adapters/local/topic-folder.ts';
import { applyStage } from '../functions/core/topics/trained-stage.ts';
import {
  agreementOf,
  crossValidatedFigures,
  figuresWithStage,
  judgeTopics,
  type JudgedArticle,
  splitOf,
  type TopicFigures,
  topicFigures,
  wilsonInterval,
} from '../functions/core/topics/relevance.ts';
import {
  describeMachine,
  machine,
  markdownTable,
  printTable,
  smoke,
  type Table,
  writeResults,
} from './common.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const root = new URL('../', import.meta.url).pathname;
const corpusPath = resolve(
  arg('corpus') ?? process.env.NEWSWATCH_CORPUS ?? resolve(root, '../shared/corpus/articles.jsonl'),
);
const topicsDir = resolve(arg('topics') ?? resolve(root, 'seeds/topics'));
const labelsDir = resolve(arg('labels') ?? resolve(root, 'seeds/labels'));

if (!existsSync(corpusPath)) {
  console.log(
    [
      `No corpus at ${corpusPath}: relevance is measured on real news, which is not shipped.`,
      'Supply one as JSON Lines, one article a line: {"id", "title", "body", "date", "author", "source", "url"}',
      '(unknown fields as empty strings), with labels in seeds/labels/ whose "article" is the line\'s id, then run',
      '  npm run bench:relevance -- --corpus path/to/articles.jsonl   (or set NEWSWATCH_CORPUS)',
    ].join('\n'),
  );
  process.exit(0);
}

const { loaded } = readTopicFolder(topicsDir);
if (loaded.problems.length) throw new Error(`topic files have problems: ${loaded.problems[0]?.message}`);
const { labels, problems } = readLabelFolder(labelsDir);
if (problems.length) throw new Error(`label files have problems: ${problems[0]?.file}:${problems[0]?.line}`);
const corpus = readJsonLinesCorpus(corpusPath);
const started = performance.now();
const { judged, missing } = judgeTopics(loaded.topics, loaded.lists, corpus.articles, labels);
const matchMs = performance.now() - started;

const fmt = (x: number | null) => (x === null ? '–' : x.toFixed(2));
const ci = (k: number, n: number) => {
  const w = wilsonInterval(k, n);
  return w ? `${w[0].toFixed(2)}–${w[1].toFixed(2)}` : '–';
};

/** Labels, relevant, alerts, true positives, precision and recall with their intervals. */
const figureCells = (f: TopicFigures): string[] => [
  String(f.labelled),
  String(f.relevant),
  String(f.alerts),
  String(f.truePositives),
  fmt(f.precision),
  ci(f.truePositives, f.alerts),
  fmt(f.recall),
  ci(f.truePositives, f.relevant),
];

interface Row {
  topic: string;
  minScore: number;
  stage: string;
  test: TopicFigures;
  dev: TopicFigures;
}
const rows: Row[] = [];
for (const t of loaded.topics) {
  const all = judged.get(t.id) ?? [];
  const part = (s: 'dev' | 'test') => all.filter((j: JudgedArticle) => splitOf(j.article) === s);
  const stage = t.stage;
  // A shipped stage was trained on dev labels only: on test it is applied as shipped; on dev it
  // is cross-validated, never scored on the labels it was trained on.
  const figures = (s: 'dev' | 'test') =>
    !stage
      ? topicFigures(t.id, t.minScore, part(s))
      : s === 'test' && stage.trainedOn.split === 'dev'
        ? figuresWithStage(t.id, t.minScore, part(s), stage)
        : crossValidatedFigures(t.id, t.minScore, part(s), { l2: stage.l2 });
  rows.push({
    topic: t.id,
    minScore: t.minScore,
    stage: stage
      ? `trained on ${stage.trainedOn.split ?? 'all'} (${stage.trainedOn.labels} matches)`
      : 'none',
    test: figures('test'),
    dev: figures('dev'),
  });
}

// The second stage's cost per candidate: features and the dot product, timed over every
// labelled candidate of every staged topic, repeated until a second has passed.
const stageCost: Array<{ topic: string; candidates: number; microsecondsPerCandidate: number }> = [];
for (const t of loaded.topics) {
  const stage = t.stage;
  if (!stage) continue;
  const matches = (judged.get(t.id) ?? []).flatMap((j) => (j.match ? [j.match] : []));
  if (matches.length === 0) continue;
  let runs = 0;
  let sink = 0;
  const began = performance.now();
  while (performance.now() - began < (smoke ? 50 : 1000)) {
    for (const m of matches) sink += applyStage(stage, m).probability;
    runs++;
  }
  const us = ((performance.now() - began) * 1000) / (runs * matches.length);
  if (Number.isNaN(sink)) throw new Error('unreachable');
  stageCost.push({
    topic: t.id,
    candidates: matches.length,
    microsecondsPerCandidate: Math.round(us * 100) / 100,
  });
}

// A second labeller's independent judgement of a sample (seeds/labels/second-opinion/):
// how far the labels the figures rest on can be trusted.
const second = readLabelFolder(resolve(labelsDir, 'second-opinion')).labels;
const agreement = [
  ...loaded.topics.map((t) => ({
    topic: t.id,
    ...agreementOf(
      labels.filter((l) => l.topic === t.id),
      second.filter((l) => l.topic === t.id),
    ),
  })),
  { topic: 'all topics', ...agreementOf(labels, second) },
].filter((a) => a.pairs > 0);

const table: Table = {
  title: 'Relevance per shipped topic on the test split (labels never used for tuning)',
  header: [
    'topic',
    'labels',
    'relevant',
    'alerts',
    'TP',
    'P',
    'P 95% CI',
    'R',
    'R 95% CI',
    'F1',
    'dev P',
    'dev R',
    'second stage',
  ],
  left: [0, 12],
  rows: rows.map((r) => [
    r.topic,
    ...figureCells(r.test),
    fmt(r.test.f1),
    fmt(r.dev.precision),
    fmt(r.dev.recall),
    r.stage,
  ]),
};
printTable(table);

// The same figures per language of the labelled articles (the corpus states each one's
// language), so a topic's quality in one language is not hidden by another's.
const languageOf = (id: string) => corpus.articles.get(id)?.article.language ?? 'und';
const languages = [...new Set([...corpus.articles.keys()].map(languageOf))].sort();
const byLanguage: Array<{ topic: string; language: string; test: TopicFigures }> = [];
for (const t of loaded.topics) {
  const test = (judged.get(t.id) ?? []).filter((j) => splitOf(j.article) === 'test');
  for (const language of languages) {
    const mine = test.filter((j) => languageOf(j.article) === language);
    if (mine.length === 0) continue;
    const figures = t.stage
      ? figuresWithStage(t.id, t.minScore, mine, t.stage)
      : topicFigures(t.id, t.minScore, mine);
    byLanguage.push({ topic: t.id, language, test: figures });
  }
}
const languageTable: Table = {
  title: 'The same on the test split, per language of the article',
  header: ['topic', 'language', 'labels', 'relevant', 'alerts', 'TP', 'P', 'P 95% CI', 'R', 'R 95% CI'],
  left: [0, 1],
  rows: byLanguage.map((r) => [r.topic, r.language, ...figureCells(r.test)]),
};
printTable(languageTable);
const m = machine();
const md = [
  '# Relevance on real news',
  '',
  describeMachine(m),
  '',
  `Corpus: \`${corpusPath.replace(resolve(root, '..'), '..')}\` (${corpus.articles.size} articles read, ${corpus.problems.length} unreadable); labels: \`seeds/labels/\` (${labels.length}, ${missing.length} of them for articles not in the corpus).`,
  'Split fixed by article id before any tuning (40 % test, `splitOf` in `functions/core/topics/relevance.ts`); topics were tuned on `dev` only.',
  'Targets: precision ≥ 0.85 and recall ≥ 0.80. Intervals are Wilson 95 %. A topic with a trained second stage is shown as shipped: on `test` with the stage (trained on `dev` only), on `dev` by 5-fold cross-validation.',
  '',
  markdownTable(table),
  '',
  markdownTable(languageTable),
  '',
  ...rows.flatMap((r) => [
    `## ${r.topic} (minScore ${r.minScore})`,
    '',
    `False alerts on test: ${r.test.falseAlerts.length ? '' : 'none'}`,
    ...r.test.falseAlerts.map((f) => `- \`${f.article}\` (${f.score.toFixed(2)}): ${f.reason}`),
    '',
    `Misses on test: ${r.test.misses.length ? '' : 'none'}`,
    ...r.test.misses.map(
      (f) =>
        `- \`${f.article}\` (${f.why}${f.score === undefined ? '' : `, ${f.score.toFixed(2)}`}): ${f.reason}`,
    ),
    '',
  ]),
  ...(agreement.length
    ? [
        '## How far the labels agree',
        '',
        'A second labeller judged a sample independently, with the same rubric (up to 20 relevant and 20 matched-but-not-relevant articles per topic; `seeds/labels/second-opinion/`).',
        '',
        markdownTable({
          title: '',
          header: [
            'topic',
            'pairs',
            'both relevant',
            'both not',
            'only first',
            'only second',
            'agreement',
            "Cohen's κ",
          ],
          left: [0],
          rows: agreement.map((a) => [
            a.topic,
            String(a.pairs),
            String(a.bothRelevant),
            String(a.bothNot),
            String(a.onlyFirst),
            String(a.onlySecond),
            fmt(a.observed),
            fmt(a.kappa),
          ]),
        }),
        '',
      ]
    : []),
  ...stageCost.map(
    (c) =>
      `Second stage of ${c.topic}: ${c.microsecondsPerCandidate} µs per candidate (features and dot product, over its ${c.candidates} labelled candidates; target well under 100 µs).`,
  ),
  '',
  `Matching the ${[...judged.values()].reduce((n, j) => n + j.length, 0)} judged (topic, article) pairs took ${matchMs.toFixed(0)} ms.`,
].join('\n');
writeResults(
  'relevance',
  {
    machine: m,
    smoke,
    corpus: corpusPath,
    labels: labels.length,
    missing: missing.length,
    rows,
    byLanguage,
    stageCost,
    agreement,
  },
  md,
);
