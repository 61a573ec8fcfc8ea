import { existsSync, readFileSync, statSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CommanderError } from 'commander';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbLabelStore } from '../../functions/adapters/aws/dynamodb-label-store.ts';
import { DynamoDbTopicStore } from '../../functions/adapters/aws/dynamodb-topic-store.ts';
import { readJsonLinesCorpus } from '../../functions/adapters/local/jsonl-corpus.ts';
import { FolderLabelStore } from '../../functions/adapters/local/label-folder.ts';
import type { TopicSet } from '../../functions/core/pipeline/matching.ts';
import type { LabelStore } from '../../functions/core/pipeline/ports.ts';
import { latestLabels, parseLabels, type RelevanceLabel } from '../../functions/core/topics/labels.ts';
import { type LabelledArticle, wilsonInterval } from '../../functions/core/topics/relevance.ts';
import { StartupError } from '../local-newswatch.ts';
import type { TopicEvaluation } from '../services.ts';
import { pc } from './format.ts';

/** A deployed table, for commands that work against AWS. */
export const awsDocumentClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

/** The label store a command writes to: the deployed table, or the labels folder. */
export const labelStoreFor = (folder: string, table?: string): LabelStore =>
  table ? new DynamoDbLabelStore(awsDocumentClient(), table) : new FolderLabelStore(folder);

/** Labels from a file or folder given on the command line, or undefined to use the store. */
export const readLabelsArgument = (path: string): RelevanceLabel[] => {
  if (statSync(path).isDirectory())
    throw new CommanderError(
      2,
      'usage',
      `--labels ${path} is a folder: a folder is read through --labels-dir`,
    );
  const { labels, problems } = parseLabels(readFileSync(path, 'utf8'), path);
  if (problems.length > 0) {
    const p = problems[0] as { file: string; line: number; message: string };
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new StartupError(`the labels file has a problem: ${p.file}:${p.line}: ${p.message}${more}`);
  }
  return latestLabels(labels);
};

/** Articles of a JSON Lines corpus by their ids. */
export const corpusArticles = (path: string): Map<string, LabelledArticle> => {
  if (!existsSync(path)) throw new CommanderError(2, 'usage', `--corpus ${path}: no such file`);
  return readJsonLinesCorpus(path).articles;
};

/** Topics, labels and the labelled articles of a deployed table. */
export const deployedEvaluationInput = async (
  table: string,
  topic?: string,
): Promise<{ set: TopicSet; labels: RelevanceLabel[]; articles: Map<string, LabelledArticle> }> => {
  const doc = awsDocumentClient();
  const set = await new DynamoDbTopicStore(doc, table).load();
  const labels = await new DynamoDbLabelStore(doc, table).listLabels(topic);
  const store = new DynamoDbArticleStore(doc, table);
  const articles = new Map<string, LabelledArticle>();
  for (const id of new Set(labels.map((l) => l.article))) {
    const a = await store.getArticle(id);
    if (a)
      articles.set(id, {
        id,
        title: a.title,
        paragraphs: a.paragraphs,
        ...(a.author ? { author: a.author } : {}),
      });
  }
  return { set, labels, articles };
};

const num = (x: number | null) => (x === null ? '–' : x.toFixed(2));
const interval = (k: number, n: number) => {
  const w = wilsonInterval(k, n);
  return w ? ` (${w[0].toFixed(2)}–${w[1].toFixed(2)})` : '';
};

/** `topics eval` as text: per topic the counts and figures, false alerts, misses and thresholds. */
export const evaluationText = (e: TopicEvaluation, options: { thresholds?: boolean } = {}): string => {
  const lines: string[] = [
    `${e.labels} labels${e.split === 'all' ? '' : ` (${e.split} split)`}${e.missing ? `, ${e.missing} for articles not found` : ''}`,
  ];
  for (const t of e.topics) {
    lines.push(
      '',
      pc.bold(t.topicId),
      `  labelled ${t.labelled}, relevant ${t.relevant}; at minScore ${t.minScore}: ${t.alerts} alerts, ${t.truePositives} right, ${t.falsePositives} false, ${t.falseNegatives} missed`,
      `  precision ${num(t.precision)}${interval(t.truePositives, t.alerts)}  recall ${num(t.recall)}${interval(t.truePositives, t.relevant)}  F1 ${num(t.f1)}`,
    );
    if (t.stage) {
      const b = t.stage.base;
      lines.push(
        `  trained stage (${t.stage.trainedOn.labels} labels, ${t.stage.trainedOn.split ?? 'all'} split, ${t.stage.trainedOn.at.slice(0, 10)}): figures by ${t.stage.folds}-fold cross-validation`,
        `  the query alone: ${b.alerts} alerts, precision ${num(b.precision)}, recall ${num(b.recall)}, F1 ${num(b.f1)}`,
      );
    }
    if (t.bestMinScore !== null) lines.push(`  best F1 on these labels at minScore ${t.bestMinScore}`);
    if (t.falseAlerts.length) lines.push('  false alerts:');
    for (const f of t.falseAlerts) {
      lines.push(
        `    ${f.article}  ${f.score.toFixed(3)}  ${f.reason}`,
        `      matched: ${f.terms.join(', ')}`,
      );
    }
    if (t.misses.length) lines.push('  misses:');
    for (const m of t.misses) {
      lines.push(
        `    ${m.article}  ${m.why}${m.score === undefined ? '' : ` (${m.score.toFixed(3)})`}  ${m.reason}`,
      );
    }
    if (options.thresholds && t.thresholds.length) {
      lines.push('  minScore  alerts  right  precision  recall  F1');
      for (const p of t.thresholds) {
        lines.push(
          `  ${p.minScore.toFixed(3).padStart(8)}  ${String(p.alerts).padStart(6)}  ${String(p.truePositives).padStart(5)}  ${num(p.precision).padStart(9)}  ${num(p.recall).padStart(6)}  ${num(p.f1)}`,
        );
      }
    }
  }
  return lines.join('\n');
};
