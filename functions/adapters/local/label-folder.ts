import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabelStore } from '../../core/pipeline/ports.ts';
import {
  type LabelProblem,
  labelLine,
  latestLabels,
  parseLabels,
  type RelevanceLabel,
} from '../../core/topics/labels.ts';

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

/** Labels in a folder of `<topic>.jsonl` files, as a {@link LabelStore}. */
export class FolderLabelStore implements LabelStore {
  readonly folder: string;

  constructor(folder: string) {
    this.folder = folder;
  }

  putLabel(label: RelevanceLabel): Promise<void> {
    appendLabel(this.folder, label);
    return Promise.resolve();
  }

  listLabels(topicId?: string): Promise<RelevanceLabel[]> {
    const { labels, problems } = readLabelFolder(this.folder);
    if (problems.length > 0) {
      const p = problems[0] as LabelProblem;
      return Promise.reject(new Error(`${p.file}:${p.line}: ${p.message}`));
    }
    return Promise.resolve(latestLabels(labels).filter((l) => topicId === undefined || l.topic === topicId));
  }
}
