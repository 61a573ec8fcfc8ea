import { createHash } from 'node:crypto';
import { ANALYSER_VERSION } from './analyser.ts';
import { type MatchableArticle, viewArticle } from './article-view.ts';
import { Evaluator } from './evaluate.ts';
import { explainMatch } from './explain.ts';
import { lintQuery, type QueryWarning } from './lint.ts';
import { parseQuery, type QueryNode, type TermLists } from './query.ts';
import type { TopicDefinition, TopicMatch } from './topic.ts';

/** A topic ready to be matched. */
export interface CompiledTopic {
  topic: TopicDefinition;
  tree: QueryNode;
  /** Presearch keys: the topic is evaluated only when the article has one of them; undefined = always. */
  requires?: string[];
  warnings: QueryWarning[];
}

/** The compiled matcher for a set of topics. Build once, match many articles. */
export interface TopicIndex {
  /** Changes whenever the analyser or any enabled topic or list changes. */
  version: string;
  topics: CompiledTopic[];
  byKey: Map<string, number[]>;
  byPrefix: Map<string, number[]>;
  prefixLengths: number[];
  always: number[];
}

/** A topic whose query could not be compiled. */
export interface TopicCompileError {
  topicId: string;
  error: Error;
}

/** Result of matching one article. */
export interface ArticleMatches {
  matches: TopicMatch[];
  /** Ids of the topics the presearch selected for full evaluation. */
  candidates: string[];
}

type Requirement = string[] | undefined;

/** Keys whose presence is necessary for the node to match, before choosing among AND branches. */
const keyAlternatives = (node: QueryNode, pick: (options: string[][]) => string[]): Requirement => {
  switch (node.type) {
    case 'term':
      return [`s:${node.stem}`];
    case 'phrase':
      // Any one word of the phrase is necessary; the longest is usually the rarest.
      return [`f:${[...node.words].sort((a, b) => b.length - a.length)[0]}`];
    case 'prefix':
      return [`p:${node.prefix}`];
    case 'list':
      return node.items.flatMap((i) => keyAlternatives(i, pick) ?? []);
    case 'country':
      return [`c:${node.code}`];
    case 'countries':
      return ['c:*'];
    case 'not':
      return undefined;
    case 'or': {
      const all: string[] = [];
      for (const c of node.children) {
        const r = keyAlternatives(c, pick);
        if (!r) return undefined;
        all.push(...r);
      }
      return [...new Set(all)];
    }
    case 'and':
    case 'near': {
      const parts = (node.type === 'and' ? node.children : [node.left as QueryNode, node.right as QueryNode])
        .map((c) => keyAlternatives(c, pick))
        .filter((r): r is string[] => r !== undefined);
      return parts.length === 0 ? undefined : pick(parts);
    }
  }
};

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * Compiles enabled topics into an index. The presearch keeps, per topic, a set of words
 * (stems, phrase words, prefixes, countries) of which an article must contain at least one
 * for the topic to possibly match; among AND branches it picks the one whose words are
 * least used by other topics, so posting lists stay short.
 */
export const compileTopics = (
  topics: readonly TopicDefinition[],
  lists: TermLists = new Map(),
): { index: TopicIndex; errors: TopicCompileError[] } => {
  const errors: TopicCompileError[] = [];
  const parsed: Array<{ topic: TopicDefinition; tree: QueryNode }> = [];
  for (const topic of topics) {
    if (!topic.enabled) continue;
    try {
      parsed.push({ topic, tree: parseQuery(topic.query, lists) });
    } catch (error) {
      errors.push({ topicId: topic.id, error: error as Error });
    }
  }
  // Pass 1: how many topics use each key, taking every branch.
  const frequency = new Map<string, number>();
  const all = (options: string[][]) => [...new Set(options.flat())];
  for (const p of parsed)
    for (const k of keyAlternatives(p.tree, all) ?? []) frequency.set(k, (frequency.get(k) ?? 0) + 1);
  // Most news names some country, and short prefixes match many words: price them in.
  const articleSideCost = (k: string) =>
    k === 'c:*' ? 10_000 : k.startsWith('c:') ? 100 : k.startsWith('p:') ? 60 / (k.length - 2) : 0;
  const cost = (keys: string[]) => keys.reduce((n, k) => n + (frequency.get(k) ?? 0) + articleSideCost(k), 0);
  const cheapest = (options: string[][]) => options.reduce((best, o) => (cost(o) < cost(best) ? o : best));

  // Pass 2: choose the cheapest branch of every AND and index the topic under its keys.
  const index: TopicIndex = {
    version: '',
    topics: [],
    byKey: new Map(),
    byPrefix: new Map(),
    prefixLengths: [],
    always: [],
  };
  const lengths = new Set<number>();
  for (const { topic, tree } of parsed) {
    const requires = keyAlternatives(tree, cheapest);
    const i = index.topics.length;
    index.topics.push({
      topic,
      tree,
      ...(requires ? { requires } : {}),
      warnings: lintQuery(topic.query, tree),
    });
    if (!requires) {
      index.always.push(i);
      continue;
    }
    for (const key of requires) {
      if (key.startsWith('p:')) {
        const prefix = key.slice(2);
        lengths.add(prefix.length);
        const list = index.byPrefix.get(prefix);
        if (list) list.push(i);
        else index.byPrefix.set(prefix, [i]);
      } else {
        const list = index.byKey.get(key);
        if (list) list.push(i);
        else index.byKey.set(key, [i]);
      }
    }
  }
  index.prefixLengths = [...lengths].sort((a, b) => a - b);
  const listText = [...lists.entries()]
    .map(([n, items]) => `${n}=${items.map((i) => i.text).join('|')}`)
    .sort();
  index.version = `${ANALYSER_VERSION}-${hashOf(
    JSON.stringify([parsed.map((p) => [p.topic.id, p.topic.query, p.topic.minScore]), listText]),
  )}`;
  return { index, errors };
};

const scoreTopic = (t: CompiledTopic, evaluator: Evaluator): TopicMatch | undefined => {
  if (!evaluator.matches(t.tree)) return undefined;
  const { score, factors, explanation } = explainMatch(t.tree, evaluator);
  if (score < t.topic.minScore) return undefined;
  return { topicId: t.topic.id, topicName: t.topic.name, score, factors, explanation };
};

const byScore = (a: TopicMatch, b: TopicMatch) => b.score - a.score || a.topicId.localeCompare(b.topicId);

/** Topics whose presearch keys occur in the article (plus the topics that have none). */
const candidatesOf = (index: TopicIndex, evaluator: Evaluator): number[] => {
  const view = evaluator.view;
  const seen = new Uint8Array(index.topics.length);
  const out: number[] = [];
  const add = (list: number[] | undefined) => {
    if (!list) return;
    for (const i of list) {
      if (seen[i] === 0) {
        seen[i] = 1;
        out.push(i);
      }
    }
  };
  add(index.always);
  for (const field of [view.title, view.body, view.author]) {
    for (const stem of field.byStem.keys()) add(index.byKey.get(`s:${stem}`));
    for (const word of field.byFolded.keys()) {
      add(index.byKey.get(`f:${word}`));
      for (const len of index.prefixLengths) {
        if (len > word.length) break;
        add(index.byPrefix.get(word.slice(0, len)));
      }
    }
  }
  for (const code of view.countries.keys()) add(index.byKey.get(`c:${code}`));
  if (view.countries.size > 0) add(index.byKey.get('c:*'));
  return out;
};

/** Matches one article against the index: presearch, then full evaluation of the candidates. */
export const matchArticle = (index: TopicIndex, article: MatchableArticle): ArticleMatches => {
  const evaluator = new Evaluator(viewArticle(article));
  const candidates = candidatesOf(index, evaluator);
  const matches: TopicMatch[] = [];
  for (const i of candidates) {
    const m = scoreTopic(index.topics[i] as CompiledTopic, evaluator);
    if (m) matches.push(m);
  }
  return {
    matches: matches.sort(byScore),
    candidates: candidates.map((i) => (index.topics[i] as CompiledTopic).topic.id),
  };
};

/** Evaluates every topic, no presearch: the reference the indexed matcher must agree with. */
export const matchArticleExhaustive = (index: TopicIndex, article: MatchableArticle): TopicMatch[] => {
  const evaluator = new Evaluator(viewArticle(article));
  const matches: TopicMatch[] = [];
  for (const t of index.topics) {
    const m = scoreTopic(t, evaluator);
    if (m) matches.push(m);
  }
  return matches.sort(byScore);
};
