import { type MatchableArticle, organisationsOf, viewArticle } from './article-view.ts';
import { Evaluator } from './evaluate.ts';
import { explainMatch } from './explain.ts';
import { type LeafCache, type LeafNode, parseQuery, type QueryNode, type TermLists } from './query.ts';
import type { TopicDefinition, TopicMatch } from './topic.ts';
import { applyStage } from './trained-stage.ts';

/** A topic ready to be matched. */
export interface CompiledTopic {
  topic: TopicDefinition;
  tree: QueryNode;
}

/** The compiled matcher for a set of topics. Build once, match many articles. */
export interface TopicIndex {
  topics: CompiledTopic[];
  /** Presearch postings: stem → topics, phrase word → topics, country code (or *) → topics. */
  byStem: Map<string, number[]>;
  byWord: Map<string, number[]>;
  byCountry: Map<string, number[]>;
  byPrefix: Map<string, number[]>;
  /** Organisation id (or *) → topics. */
  byOrg: Map<string, number[]>;
  prefixLengths: number[];
  always: number[];
  /** Per topic: how many of its indexed requirements an article must meet (1 or 2). */
  need: Uint8Array;
  /** Scratch space for candidate selection, reused from article to article. */
  scratch: { epoch: number; slotEpoch: Uint32Array; topicEpoch: Uint32Array; count: Uint8Array };
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
/** The presearch key of a leaf, computed once per (interned) leaf. */
const searchKeyOf = (leaf: LeafNode & { searchKey?: string }): string => {
  if (leaf.searchKey === undefined) {
    if (leaf.type === 'term') leaf.searchKey = `s:${leaf.stem}`;
    else if (leaf.type === 'prefix') leaf.searchKey = `p:${leaf.prefix}`;
    // Any one word of the phrase is necessary; the longest is usually the rarest. An
    // exact-case word needs its folded form.
    else {
      const words = leaf.type === 'exact' ? leaf.folded : leaf.words;
      leaf.searchKey = `f:${words.reduce((a, b) => (b.length > a.length ? b : a))}`;
    }
  }
  return leaf.searchKey;
};

/** Every presearch key a tree mentions, once per mention (for the cost estimate). */
const countKeys = (node: QueryNode, counts: Map<string, number>): void => {
  const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  switch (node.type) {
    case 'term':
    case 'phrase':
    case 'prefix':
    case 'exact':
      bump(searchKeyOf(node));
      return;
    case 'list':
      for (const i of node.items) bump(searchKeyOf(i));
      return;
    case 'country':
      bump(`c:${node.code}`);
      return;
    case 'countries':
      bump('c:*');
      return;
    case 'org':
      bump(`o:${node.id}`);
      return;
    case 'actors':
      bump('c:*');
      bump('o:*');
      return;
    case 'atleast':
      countKeys(node.operand, counts);
      return;
    case 'scope':
      countKeys(node.child, counts);
      return;
    case 'not':
      return;
    case 'and':
    case 'or':
      for (const c of node.children) countKeys(c, counts);
      return;
    case 'near':
      countKeys(node.left, counts);
      countKeys(node.right, counts);
  }
};

const keyAlternatives = (node: QueryNode, pick: (options: string[][]) => string[]): Requirement => {
  switch (node.type) {
    case 'term':
    case 'phrase':
    case 'prefix':
    case 'exact':
      return [searchKeyOf(node)];
    case 'list':
      return node.items.map(searchKeyOf);
    case 'country':
      return [`c:${node.code}`];
    case 'countries':
      return ['c:*'];
    case 'org':
      return [`o:${node.id}`];
    case 'actors':
      return ['c:*', 'o:*'];
    case 'atleast':
      return keyAlternatives(node.operand, pick);
    case 'scope':
      return keyAlternatives(node.child, pick);
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

/**
 * Requirements that must all hold for the node to match, each a set of alternative keys
 * (the article must hold at least one key of every set). An OR contributes one set, the
 * union of its branches' cheapest requirements; a NOT contributes none.
 */
const conjuncts = (node: QueryNode, pick: (options: string[][]) => string[]): string[][] => {
  switch (node.type) {
    case 'and':
      return node.children.flatMap((c) => conjuncts(c, pick));
    case 'near':
      return [...conjuncts(node.left, pick), ...conjuncts(node.right, pick)];
    // What must hold in one unit must hold in the article.
    case 'scope':
      return conjuncts(node.child, pick);
    case 'not':
      return [];
    default: {
      const alternatives = keyAlternatives(node, pick);
      return alternatives ? [alternatives] : [];
    }
  }
};

/** How many distinct requirements the presearch checks per topic. */
const PRESEARCH_DEPTH = 2;

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
  // Topics that use the same word share one leaf: held once, looked up once per article.
  const leafCache: LeafCache = new Map();
  for (const topic of topics) {
    if (!topic.enabled) continue;
    try {
      parsed.push({ topic, tree: parseQuery(topic.query, lists, leafCache) });
    } catch (error) {
      errors.push({ topicId: topic.id, error: error as Error });
    }
  }
  // Pass 1: how often each key is used across all topics.
  const frequency = new Map<string, number>();
  for (const p of parsed) countKeys(p.tree, frequency);
  // Most news names some country, and short prefixes match many words: price them in.
  const articleSideCost = (k: string) =>
    k === 'c:*' || k === 'o:*'
      ? 10_000
      : k.startsWith('c:') || k.startsWith('o:')
        ? 100
        : k.startsWith('p:')
          ? 60 / (k.length - 2)
          : 0;
  const cost = (keys: string[]) => keys.reduce((n, k) => n + (frequency.get(k) ?? 0) + articleSideCost(k), 0);
  const cheapest = (options: string[][]) => options.reduce((best, o) => (cost(o) < cost(best) ? o : best));

  // Pass 2: index every topic under its two cheapest requirements (each a set of keys);
  // an article is a candidate for the topic only when it meets both.
  const n = parsed.length;
  const index: TopicIndex = {
    topics: [],
    byStem: new Map(),
    byWord: new Map(),
    byCountry: new Map(),
    byPrefix: new Map(),
    byOrg: new Map(),
    prefixLengths: [],
    always: [],
    need: new Uint8Array(n),
    scratch: {
      epoch: 0,
      slotEpoch: new Uint32Array(n * PRESEARCH_DEPTH),
      topicEpoch: new Uint32Array(n),
      count: new Uint8Array(n),
    },
  };
  const postings = {
    s: index.byStem,
    f: index.byWord,
    c: index.byCountry,
    p: index.byPrefix,
    o: index.byOrg,
  } as const;
  const lengths = new Set<number>();
  // Posting list by full key, so each key is split into kind and value once.
  const postingOf = new Map<string, number[]>();
  for (const { topic, tree } of parsed) {
    const i = index.topics.length;
    index.topics.push({ topic, tree });
    const chosen = conjuncts(tree, cheapest)
      .map((keys) => ({ keys, cost: cost(keys) }))
      .sort((a, b) => a.cost - b.cost)
      .slice(0, PRESEARCH_DEPTH);
    if (chosen.length === 0) {
      index.always.push(i);
      continue;
    }
    index.need[i] = chosen.length;
    chosen.forEach(({ keys }, b) => {
      const slot = i * PRESEARCH_DEPTH + b;
      for (const key of keys) {
        let list = postingOf.get(key);
        if (!list) {
          const kind = key[0] as keyof typeof postings;
          const value = key.slice(2);
          if (kind === 'p') lengths.add(value.length);
          postings[kind].set(value, (list = []));
          postingOf.set(key, list);
        }
        // The same key twice in one requirement must not count twice.
        if (list[list.length - 1] !== slot) list.push(slot);
      }
    });
  }
  index.prefixLengths = [...lengths].sort((a, b) => a - b);
  return { index, errors };
};

const scoreTopic = (t: CompiledTopic, evaluator: Evaluator): TopicMatch | undefined => {
  if (!evaluator.matches(t.tree)) return undefined;
  const stage = t.topic.stage;
  // With a trained stage, the minimum score applies to its probability, not to the base score.
  const explained = explainMatch(t.tree, evaluator, stage ? 0 : t.topic.minScore);
  if (!explained) return undefined;
  const match: TopicMatch = { topicId: t.topic.id, topicName: t.topic.name, ...explained };
  if (!stage) return match;
  const verdict = applyStage(stage, match);
  if (verdict.probability < t.topic.minScore) return undefined;
  return { ...match, score: verdict.probability, stage: verdict };
};

const byScore = (a: TopicMatch, b: TopicMatch) => b.score - a.score || a.topicId.localeCompare(b.topicId);

/**
 * Topics that meet all their indexed requirements in this article (plus the topics that
 * have none). Postings hold requirement slots (topic × 2 + requirement); a slot counts once
 * per article however many of its keys occur.
 */
const candidatesOf = (index: TopicIndex, evaluator: Evaluator): number[] => {
  const view = evaluator.view;
  const s = index.scratch;
  const epoch = ++s.epoch;
  const out: number[] = [...index.always];
  const add = (slots: number[] | undefined) => {
    if (!slots) return;
    for (const slot of slots) {
      if (s.slotEpoch[slot] === epoch) continue;
      s.slotEpoch[slot] = epoch;
      const t = (slot / PRESEARCH_DEPTH) | 0;
      if (s.topicEpoch[t] !== epoch) {
        s.topicEpoch[t] = epoch;
        s.count[t] = 0;
      }
      if (++(s.count[t] as number) === index.need[t]) out.push(t);
    }
  };
  for (const field of [view.title, view.body, view.author]) {
    for (const stem of field.byStem.keys()) add(index.byStem.get(stem));
    for (const word of field.byFolded.keys()) {
      add(index.byWord.get(word));
      for (const len of index.prefixLengths) {
        if (len > word.length) break;
        add(index.byPrefix.get(word.slice(0, len)));
      }
    }
  }
  for (const code of view.countries.keys()) add(index.byCountry.get(code));
  if (view.countries.size > 0) add(index.byCountry.get('*'));
  // Bodies are looked for only when some topic asks for them.
  if (index.byOrg.size > 0) {
    const orgs = organisationsOf(view).counts;
    for (const id of orgs.keys()) add(index.byOrg.get(id));
    if (orgs.size > 0) add(index.byOrg.get('*'));
  }
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
