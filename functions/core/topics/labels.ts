import * as z from '../validation.ts';

/**
 * One judgement of an analyst: is this article relevant to this topic? Kept in JSON Lines
 * files beside the topics (one label a line) and as items in the table.
 */
export interface RelevanceLabel {
  topic: string;
  /** The article's id in newswatch, or the id of an item of a JSON Lines corpus. */
  article: string;
  label: 0 | 1;
  /** One line on why: what the article is about and why it is or is not on topic. */
  reason: string;
  /** Who decided (a name, an e-mail address, a team). */
  by: string;
  /** When, ISO 8601 (a day or a time). */
  at: string;
}

/** A line of a labels file that cannot be used, with where it is. */
export interface LabelProblem {
  file: string;
  line: number;
  message: string;
}

const LabelSchema = z.strictObject({
  topic: z
    .string()
    .check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a topic id (lower-case letters, digits, dashes)')),
  article: z.string().check(z.minLength(1), z.maxLength(300)),
  label: z.union([z.literal(0), z.literal(1)]),
  reason: z.string().check(z.trim(), z.minLength(1, 'say why in one line'), z.maxLength(500)),
  by: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  at: z
    .string()
    .check(z.regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, 'must be an ISO 8601 day or time')),
});

/** Checks one label as a value (from the CLI, the dashboard or the table). */
export const checkLabel = (
  value: unknown,
): { ok: true; label: RelevanceLabel } | { ok: false; message: string } => {
  const parsed = LabelSchema.safeParse(value);
  if (parsed.success) return { ok: true, label: parsed.data };
  return { ok: false, message: z.firstIssue(parsed.error) };
};

/**
 * Reads a labels file (JSON Lines; blank lines and lines starting with `#` are skipped).
 * Every bad line is reported with its number; the good ones still load.
 */
export const parseLabels = (
  text: string,
  file: string,
): { labels: RelevanceLabel[]; problems: LabelProblem[] } => {
  const labels: RelevanceLabel[] = [];
  const problems: LabelProblem[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      problems.push({ file, line: i + 1, message: `not JSON: ${(e as Error).message}` });
      return;
    }
    const checked = checkLabel(value);
    if (checked.ok) labels.push(checked.label);
    else problems.push({ file, line: i + 1, message: checked.message });
  });
  return { labels, problems };
};

/** One label as a line of a labels file. */
export const labelLine = (l: RelevanceLabel): string =>
  JSON.stringify({
    topic: l.topic,
    article: l.article,
    label: l.label,
    reason: l.reason,
    by: l.by,
    at: l.at,
  });

/** The latest label per topic and article: a later judgement replaces an earlier one. */
export const latestLabels = (labels: readonly RelevanceLabel[]): RelevanceLabel[] => {
  const byKey = new Map<string, RelevanceLabel>();
  for (const l of labels) {
    const key = `${l.topic}\u0000${l.article}`;
    const known = byKey.get(key);
    if (!known || known.at <= l.at) byKey.set(key, l);
  }
  return [...byKey.values()];
};
