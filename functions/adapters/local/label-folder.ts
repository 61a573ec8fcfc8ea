import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LabelProblem, labelLine, parseLabels, type RelevanceLabel } from '../../core/topics/labels.ts';

/** Reads every labels file (`*.jsonl`) of a folder, in name order; a missing folder holds none. */
export const readLabelFolder = (folder: string): { labels: RelevanceLabel[]; problems: LabelProblem[] } => {
  const labels: RelevanceLabel[] = [];
  const problems: LabelProblem[] = [];
  if (!existsSync(folder)) return { labels, problems };
  for (const name of readdirSync(folder)
    .filter((f) => f.endsWith('.jsonl') && !f.startsWith('.'))
    .sort()) {
    const path = join(folder, name);
    const read = parseLabels(readFileSync(path, 'utf8'), path);
    labels.push(...read.labels);
    problems.push(...read.problems);
  }
  return { labels, problems };
};

/**
 * Adds a label to `<topic>.jsonl` in the folder. Labels are only ever appended: a later
 * judgement of the same article replaces the earlier one when they are read.
 */
export const appendLabel = (folder: string, label: RelevanceLabel): string => {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${label.topic}.jsonl`);
  appendFileSync(path, `${labelLine(label)}\n`);
  return path;
};
