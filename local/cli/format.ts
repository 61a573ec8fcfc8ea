import { relative } from 'node:path';
import picocolors from 'picocolors';
import { languageLabel } from '../../functions/core/articles/language.ts';
import type { FeedStatus } from '../feeds.ts';
import type { FileResult, LocalEvent } from '../local-newswatch.ts';
import { recipientsLine } from '../../functions/core/alerts/recipients.ts';
import type { AlertEntry, ArticleDetail, ArticleSummary, QueryPreview, TopicSummary } from '../services.ts';

/**
 * Whether to colour: `FORCE_COLOR` (not `0`) says yes, `NO_COLOR` says no, else only when
 * stdout is a terminal. Unlike picocolors' own guess, a CI environment alone does not turn
 * colour on: piped output stays plain for the scripts that read it.
 */
export const wantsColour = (env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY): boolean => {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY === true && env.TERM !== 'dumb';
};

/** Human output of the CLI: coloured on a terminal, plain text when piped. */
export const pc = picocolors.createColors(wantsColour());

/** `**term**` marks in snippets: bold yellow on a terminal, kept as marks when plain. */
export const highlight = (snippet: string): string =>
  pc.isColorSupported ? snippet.replace(/\*\*(.+?)\*\*/g, (_, t: string) => pc.bold(pc.yellow(t))) : snippet;

const score = (s: number) => s.toFixed(2);

/** Pads plain cells of a table to their column widths. */
export const table = (rows: string[][]): string => {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A path as the person typed it would look: relative to the working folder when below it. */
export const shortPath = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};

/** One line for something that happened in the running pipeline. */
export const eventLine = (e: LocalEvent): string | undefined => {
  switch (e.type) {
    case 'ingested': {
      const o = e.outcome;
      const name = shortPath(e.path);
      if (o.status === 'container') {
        const head = `${pc.blue('container')} ${name}: ${o.items.length} ${o.format} items`;
        const items = o.items.map((item) =>
          eventLine({
            ...e,
            path: `${e.path}#${item.key.slice(item.key.lastIndexOf('#') + 1)}`,
            outcome: item,
          }),
        );
        return [head, ...items.map((l) => `  ${l ?? ''}`)].join('\n');
      }
      if (o.status === 'stored') {
        const m = o.matches.length;
        return `${pc.green('stored   ')} ${name} → "${cut(o.title, 70)}" (${m} ${m === 1 ? 'match' : 'matches'})`;
      }
      if (o.status === 'duplicate') return `${pc.dim('duplicate')} ${name}: same text as ${o.of}`;
      if (o.status === 'rejected')
        return `${pc.red('rejected ')} ${name}: ${o.error.kind}: ${o.error.message}${o.quarantineKey ? ` (copy in ${shortPath(o.quarantineKey)})` : ''}`;
      return `${pc.dim('skipped  ')} ${name}: an older version than the one already ingested`;
    }
    case 'ingest-failed':
      return `${pc.red('failed   ')} ${shortPath(e.path)}: ${e.message} (it will be tried again at the next start)`;
    case 'alert': {
      const what = `${e.alert.topic.name} ← "${cut(e.alert.article.title, 60)}" score ${score(e.alert.score)}`;
      const told = e.recipients.filter((r) => r.state !== 'story-alerted');
      if (e.recipients.length === 0) return `${pc.dim('match    ')} ${what}: no subscriber wants it`;
      if (told.length === 0)
        return `${pc.dim('update   ')} ${what}: a story its subscribers were alerted on already`;
      const to = told.map((r) => (r.state === 'digest' ? `${r.subscriberId} (digest)` : r.subscriberId));
      return `${pc.bold(pc.magenta('ALERT    '))} ${what} → ${to.join(', ')}`;
    }
    case 'delivery': {
      const d = e.delivery;
      const what = d.channel === 'email' ? shortPath(d.target) : d.target;
      const colour = d.outcome === 'delivered' ? pc.cyan : d.outcome === 'retrying' ? pc.yellow : pc.red;
      return `${colour(`  → ${d.channel} ${d.outcome}`)} ${d.subscriberId}: ${what}${d.detail ? ` (${d.detail})` : ''}`;
    }
    case 'topics':
      return e.changed ? `${pc.blue('topics   ')} ${e.topics} topics loaded (set ${e.version})` : undefined;
    case 'subscribers':
      return undefined;
    case 'secret': {
      const where = e.where.startsWith('$') ? e.where : shortPath(e.where);
      if (e.purpose !== 'url')
        return `${pc.blue('secret   ')} webhook ${e.subscriberId} is signed with the secret in ${where}`;
      return e.present === false
        ? `${pc.yellow('secret   ')} webhook ${e.subscriberId} posts to the URL in ${where}, which is not there yet: write the webhook URL into it (its alerts fail until then)`
        : `${pc.blue('secret   ')} webhook ${e.subscriberId} posts to the URL in ${where}`;
    }
    case 'feed':
      return e.status === 'new'
        ? `${pc.blue('feed     ')} ${e.feedId}: new document ${shortPath(e.key ?? '')}`
        : `${pc.yellow('feed     ')} ${e.feedId}: ${e.status === 'error' ? 'not recorded' : 'failed'}: ${e.error ?? ''}`;
    case 'notice':
      return `${pc.blue('notice   ')} ${e.message}`;
    case 'problem':
      return `${pc.red('problem  ')} ${e.message}`;
  }
};

/** The outcome of each article of a run: a container counts by its items. */
export const articleResults = (files: readonly FileResult[]): FileResult[] =>
  files.flatMap((r): FileResult[] => (r.status === 'container' ? r.items : [r]));

/** The summary line of a CLI ingest run. */
export const ingestSummary = (files: readonly FileResult[]): string => {
  const results = articleResults(files);
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const parts = [
    `${count('stored')} stored`,
    `${count('duplicate')} duplicate`,
    `${count('rejected')} rejected`,
  ];
  const rejectedBefore = results.filter(
    (r) => r.status === 'unchanged' && r.previously === 'rejected',
  ).length;
  if (count('unchanged') > 0)
    parts.push(
      `${count('unchanged')} already ingested${rejectedBefore > 0 ? ` (${rejectedBefore} of them rejected then: --retry-rejected reads them again)` : ''}`,
    );
  if (count('stale') > 0) parts.push(`${count('stale')} older than what is stored`);
  const containers = files.filter((r) => r.status === 'container').length;
  const lines = [
    `${files.length} files${containers > 0 ? ` (${containers} holding several articles, ${results.length} in all)` : ''}: ${parts.join(', ')}`,
  ];
  const reasons = new Map<string, number>();
  for (const r of results)
    if (r.status === 'rejected') reasons.set(r.error.kind, (reasons.get(r.error.kind) ?? 0) + 1);
  for (const [kind, n] of reasons) lines.push(`  ${pc.red(kind)}: ${n}`);
  for (const r of results)
    if (r.status === 'rejected') lines.push(`  ${r.key}: ${r.error.kind}: ${r.error.message}`);
  return lines.join('\n');
};

export const articlesTable = (articles: readonly ArticleSummary[]): string =>
  table([
    ['ID', 'DATE', 'LANG', 'TOPICS', 'TITLE'].map((h) => h),
    ...articles.map((a) => [
      a.id.slice(0, 12),
      a.date,
      a.language ?? '-',
      String(a.topics.length),
      cut(a.title, 80),
    ]),
  ]);

export const articleText = (d: ArticleDetail): string => {
  const a = d.article;
  const lines = [
    pc.bold(a.title),
    `${a.date}${a.author ? ` · ${a.author}` : ''}${a.source ? ` · ${a.source}` : ''} · ${a.wordCount} words · id ${a.id}`,
    `from ${d.sources.map((s) => `${s.key} (${s.status})`).join(', ')}`,
    ...(languageLabel(a) ? [`language: ${languageLabel(a)}`] : []),
    '',
    ...a.paragraphs.flatMap((p) => [p, '']),
  ];
  if (d.matches.length === 0) lines.push('No topic matches this article.');
  for (const m of d.matches) {
    lines.push(`${pc.bold(m.topicName)} (${m.topicId}) score ${score(m.score)}, alert ${m.alertState}`);
    lines.push(`  terms: ${m.explanation.terms.map((t) => `${t.term} ×${t.count}`).join(', ')}`);
    if (m.explanation.countries.length > 0) lines.push(`  countries: ${m.explanation.countries.join(', ')}`);
    lines.push(`  ${highlight(m.explanation.snippet)}`);
  }
  return lines.join('\n');
};

export const topicsTable = (topics: readonly TopicSummary[]): string =>
  table([
    ['ID', 'ENABLED', 'MIN', 'MATCHES', 'ALERTS', 'NAME'],
    ...topics.map((t) => [
      t.id,
      t.enabled ? 'yes' : 'no',
      score(t.minScore),
      String(t.matches),
      String(t.alerts),
      t.name,
    ]),
  ]);

/** `YYYY-MM-DD HH:MM` (UTC) of an ISO time; `-` for none. */
const minute = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');

export const feedsTable = (feeds: readonly FeedStatus[]): string =>
  table([
    ['ID', 'EVERY', 'LAST', 'POLLED (UTC)', 'NEXT (UTC)', 'FAILURES', 'FILES', 'PROBLEM'],
    ...feeds.map((f) => [
      f.id,
      f.every,
      f.lastStatus ?? 'never',
      minute(f.lastPolledAt),
      f.nextPollAt === 'now' ? 'now' : minute(f.nextPollAt),
      String(f.consecutiveFailures),
      String(f.filesWritten),
      f.consecutiveFailures > 0 && f.lastError
        ? cut(f.lastError, 90)
        : f.movedTo
          ? `moved permanently to ${f.movedTo}: update the feeds file`
          : '',
    ]),
  ]);

export const previewText = (p: QueryPreview): string => {
  const lines: string[] = [];
  for (const problem of p.problems) {
    const label = problem.severity === 'error' ? pc.red('error') : pc.yellow('warning');
    lines.push(
      `${label} line ${problem.line}, column ${problem.column}: ${problem.message}`,
      problem.caret,
      '',
    );
  }
  if (!p.valid) return lines.join('\n');
  lines.push(
    `${p.total} of ${p.searched} stored articles match${p.matches.length < p.total ? ` (the best ${p.matches.length} shown)` : ''}`,
  );
  for (const m of p.matches) {
    lines.push(
      '',
      `${pc.bold(score(m.score))}  ${m.article.date}  ${m.article.title}  ${pc.dim(m.article.id.slice(0, 12))}`,
    );
    lines.push(`      ${highlight(m.snippet)}`);
  }
  return lines.join('\n');
};

export const alertsTable = (alerts: readonly AlertEntry[]): string =>
  table([
    ['SENT', 'TOPIC', 'SCORE', 'ARTICLE', 'RECIPIENTS'],
    ...alerts.map((a) => [
      a.sentAt.slice(0, 19).replace('T', ' '),
      a.topicId,
      score(a.score),
      cut(a.articleTitle, 50),
      recipientsLine(a.recipients),
    ]),
  ]);
