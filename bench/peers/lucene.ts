/**
 * The Lucene Monitor peer: translates newswatch topics into the query tree the Java harness
 * in bench/peers/lucene-monitor/ turns into Lucene queries, builds the harness with Maven and
 * runs it on the same topics and articles.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { MatchableArticle } from '../../functions/core/topics/article-view.ts';
import {
  type Field,
  type LeafNode,
  type ListNode,
  type NearOperand,
  parseQuery,
  type QueryNode,
} from '../../functions/core/topics/query.ts';
import type { TopicDefinition } from '../../functions/core/topics/topic.ts';

export type LuceneLeaf =
  | { type: 'term'; field: Field; text: string }
  | { type: 'phrase'; field: Field; text: string }
  | { type: 'prefix'; field: Field; text: string };
export type LuceneNearOperand = LuceneLeaf | { type: 'or'; children: LuceneLeaf[] };
export type LuceneQuery =
  | LuceneLeaf
  | { type: 'and'; children: LuceneQuery[] }
  | { type: 'or'; children: LuceneQuery[] }
  | { type: 'not'; child: LuceneQuery }
  | { type: 'near'; distance: number; ordered: boolean; left: LuceneNearOperand; right: LuceneNearOperand };

/** A query feature Lucene has no equivalent for. */
export class Untranslatable extends Error {}

const leaf = (node: LeafNode): LuceneLeaf => {
  switch (node.type) {
    case 'term':
      // The word as written: Lucene's analyser stems it, as it stems the article.
      return { type: 'term', field: node.field, text: node.text.replace(/\*$/, '') };
    case 'phrase':
      return { type: 'phrase', field: node.field, text: node.words.join(' ') };
    case 'prefix':
      return { type: 'prefix', field: node.field, text: node.prefix };
    case 'exact':
      throw new Untranslatable(`${node.text} needs a case-sensitive field`);
  }
};

const listLeaves = (node: ListNode): LuceneLeaf[] => node.items.map(leaf);

const nearOperand = (op: NearOperand | ListNode): LuceneNearOperand => {
  if (op.type === 'list') return { type: 'or', children: listLeaves(op) };
  if (op.type === 'or')
    return {
      type: 'or',
      children: op.children.flatMap((c) => (c.type === 'list' ? listLeaves(c) : [leaf(c)])),
    };
  return leaf(op);
};

/**
 * Our query tree as Lucene sees it. Words, phrases, prefixes, lists, AND, OR, NOT and NEAR
 * translate exactly; country filters need the gazetteer and have no Lucene equivalent.
 */
export const toLucene = (node: QueryNode): LuceneQuery => {
  switch (node.type) {
    case 'term':
    case 'phrase':
    case 'prefix':
    case 'exact':
      return leaf(node);
    case 'list':
      return { type: 'or', children: listLeaves(node) };
    case 'and':
      return { type: 'and', children: node.children.map(toLucene) };
    case 'or':
      return { type: 'or', children: node.children.map(toLucene) };
    case 'not':
      return { type: 'not', child: toLucene(node.child) };
    case 'near':
      return {
        type: 'near',
        distance: node.distance,
        ordered: node.ordered,
        left: nearOperand(node.left),
        right: nearOperand(node.right),
      };
    case 'country':
      throw new Untranslatable(`country:${node.code} needs a gazetteer of place names`);
    case 'countries':
      throw new Untranslatable(`countries>=${node.min} needs a gazetteer of place names`);
    case 'org':
    case 'actors':
      throw new Untranslatable(`${node.type} conditions need a gazetteer of international bodies`);
    case 'lang':
      throw new Untranslatable(`lang:${node.languages.join(',')} needs the article's language in the index`);
    case 'atleast':
      throw new Untranslatable(`ATLEAST${node.min} has no Lucene Monitor equivalent in this harness`);
    case 'scope':
      throw new Untranslatable(`${node.unit}:( … ) needs sentence and paragraph boundaries in the index`);
  }
};

export interface Translation {
  topics: Array<{ id: string; query: LuceneQuery }>;
  skipped: Array<{ id: string; reason: string }>;
}

/** Translates a topic set; topics using untranslatable features are skipped with the reason. */
export const translateTopics = (topics: readonly TopicDefinition[]): Translation => {
  const out: Translation = { topics: [], skipped: [] };
  for (const t of topics) {
    try {
      out.topics.push({ id: t.id, query: toLucene(parseQuery(t.query)) });
    } catch (e) {
      if (!(e instanceof Untranslatable)) throw e;
      out.skipped.push({ id: t.id, reason: e.message });
    }
  }
  return out;
};

/** Writes the harness input in pieces, so a million topics never become one string. */
export const writeHarnessInput = (
  path: string,
  topics: Translation['topics'],
  articles: readonly MatchableArticle[],
  warmupPasses: number,
): void => {
  const fd = openSync(path, 'w');
  try {
    let buf = '{"topics":[';
    const flush = () => {
      writeSync(fd, buf);
      buf = '';
    };
    topics.forEach((t, i) => {
      buf += `${i ? ',' : ''}${JSON.stringify(t)}`;
      if (buf.length > 1 << 20) flush();
    });
    const docs = articles.map((a, i) => ({
      id: `a${i}`,
      title: a.title,
      body: a.paragraphs.join('\n\n'),
      author: a.author ?? '',
    }));
    buf += `],"articles":${JSON.stringify(docs)},"warmupPasses":${warmupPasses}}`;
    flush();
  } finally {
    closeSync(fd);
  }
};

/**
 * One way to run the Monitor: its presearcher (`term`, or `multipass:PASSES:MIN_WEIGHT`) and
 * how the candidates of an article are matched (`simple` on the calling thread, or
 * `parallel:THREADS` / `partition:THREADS` with Lucene's ParallelMatcher / PartitionMatcher).
 */
export interface LuceneConfig {
  presearcher: string;
  matcher: string;
}

/** The harness's default and the configuration the bench first compared against. */
export const TERM_FILTERED: LuceneConfig = { presearcher: 'term', matcher: 'simple' };

/** A configuration as the tables name it, e.g. `multipass:3:0 + partition:2`. */
export const configLabel = (c: LuceneConfig): string =>
  c.matcher === 'simple' ? c.presearcher : `${c.presearcher} + ${c.matcher}`;

/**
 * The configuration to stand beside ours: the lowest p50 among those whose matches are the
 * same as ours on every translated topic; undefined when none agrees.
 */
export const bestConfig = <
  T extends { p50: number; agreement: { onlyNewswatch: number; onlyLucene: number } },
>(
  runs: readonly T[],
): T | undefined =>
  runs
    .filter((r) => r.agreement.onlyNewswatch === 0 && r.agreement.onlyLucene === 0)
    .reduce<T | undefined>((best, r) => (!best || r.p50 < best.p50 ? r : best), undefined);

export interface HarnessResult {
  java: string;
  vm: string;
  lucene: string;
  presearcher: string;
  passes: number;
  minWeight: number;
  matcher: string;
  threads: number;
  topics: number;
  failed: Array<{ id: string; error: string }>;
  buildMs: number;
  heapMB: number;
  articles: number;
  times: number[];
  queriesRun: number[];
  matches: string[][];
  p50: number;
  p99: number;
  articlesPerSecond: number;
}

const HARNESS = new URL('./lucene-monitor/', import.meta.url).pathname;

const javaMajor = (home: string): number => {
  const release = join(home, 'release');
  if (!existsSync(release)) return 0;
  const m = /JAVA_VERSION="(\d+)/.exec(readFileSync(release, 'utf8'));
  return m ? Number(m[1]) : 0;
};

/** A JDK of version 21 or newer (Lucene 10 needs it): $JAVA_HOME, else the newest in /usr/lib/jvm. */
export const findJavaHome = (): string => {
  const candidates = [
    process.env.JAVA_HOME,
    ...(existsSync('/usr/lib/jvm') ? readdirSync('/usr/lib/jvm').map((d) => join('/usr/lib/jvm', d)) : []),
  ].filter((h): h is string => !!h && existsSync(join(h, 'bin', 'java')));
  const best = candidates
    .map((home) => ({ home, major: javaMajor(home) }))
    .sort((a, b) => b.major - a.major)[0];
  if (!best || best.major < 21)
    throw new Error('Lucene Monitor needs a JDK 21 or newer: set JAVA_HOME to one');
  return best.home;
};

/** Builds the harness (Maven, pinned dependencies from Maven Central). */
export const buildHarness = (javaHome: string): void => {
  const r = spawnSync('mvn', ['-B', '-q', '-f', join(HARNESS, 'pom.xml'), 'package'], {
    env: { ...process.env, JAVA_HOME: javaHome },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`mvn package failed (exit ${r.status ?? r.signal})`);
};

/** Runs the harness on an input file in a fresh JVM, in one configuration, and returns what it measured. */
export const runHarness = (
  javaHome: string,
  input: string,
  output: string,
  config: LuceneConfig = TERM_FILTERED,
  heap = '12g',
): HarnessResult => {
  const cp = `${join(HARNESS, 'target', 'lucene-monitor-bench.jar')}:${join(HARNESS, 'target', 'lib', '*')}`;
  const r = spawnSync(
    join(javaHome, 'bin', 'java'),
    [
      `-Xmx${heap}`,
      '-cp',
      cp,
      'newswatch.bench.LuceneMonitorBench',
      input,
      output,
      `--presearcher=${config.presearcher}`,
      `--matcher=${config.matcher}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`Lucene Monitor harness failed (exit ${r.status ?? r.signal})`);
  return JSON.parse(readFileSync(output, 'utf8')) as HarnessResult;
};

export interface Agreement {
  /** Article–topic pairs both matchers found. */
  both: number;
  onlyNewswatch: Array<{ article: number; topic: string }>;
  onlyLucene: Array<{ article: number; topic: string }>;
}

/** Compares the matches of both on the translatable topics, article by article. */
export const compareMatches = (
  ours: ReadonlyArray<readonly string[]>,
  theirs: ReadonlyArray<readonly string[]>,
  translatable: ReadonlySet<string>,
): Agreement => {
  const out: Agreement = { both: 0, onlyNewswatch: [], onlyLucene: [] };
  ours.forEach((mine, article) => {
    const a = new Set(mine.filter((id) => translatable.has(id)));
    const b = new Set(theirs[article] ?? []);
    for (const id of a) {
      if (b.has(id)) out.both++;
      else out.onlyNewswatch.push({ article, topic: id });
    }
    for (const id of b) if (!a.has(id)) out.onlyLucene.push({ article, topic: id });
  });
  return out;
};
