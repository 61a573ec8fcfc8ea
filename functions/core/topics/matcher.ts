import { type MatchableArticle, organisationsOf, viewArticle } from './article-view.ts';
import { Evaluator } from './evaluate.ts';
import { explainMatch } from './explain.ts';
import type { Analyser } from './analysis/analyser.ts';
import { ANALYSERS, DEFAULT_ANALYSER } from './analysis/registry.ts';
import {
  exactFoldedUnder,
  type LeafCache,
  leafAnalyser,
  type LeafNode,
  parseQuery,
  prefixUnder,
  type QueryNode,
  stemUnder,
  type TermLists,
  wordsUnder,
} from './query.ts';
import { forEachPrefixKey, type Postings, PostingsBuilder, type PrefixPostings } from './postings.ts';
import type { TopicDefinition, TopicMatch } from './topic.ts';
import { applyStage } from './trained-stage.ts';

/** A topic ready to be matched. */
export interface CompiledTopic {
  readonly topic: TopicDefinition;
  /** The parsed query (a loaded snapshot parses it the first time it is read). */
  readonly tree: QueryNode;
}

/** Presearch postings of words, as one analyser gives them: stem, phrase word, prefix → requirement slots. */
export interface WordPostings {
  byStem: Postings;
  byWord: Postings;
  byPrefix: PrefixPostings;
  /**
   * Folded word → the keys it meets: its number in `byWord` (−1 for none), then the numbers
   * of the prefixes it starts with, shortest first. Worked out on a word's first article:
   * news repeats its words.
   */
  keysOfWord: Map<string, Int32Array>;
}

/** The compiled matcher for a set of topics. Build once, match many articles. */
export interface TopicIndex {
  topics: CompiledTopic[];
  /**
   * Word postings per analyser number: the default's built with the index, each other
   * analyser's on the first article it reads (an analyser with no rules of its own shares
   * the default's).
   */
  words: Array<WordPostings | undefined>;
  /** Country code (or *) → requirement slots. */
  byCountry: Postings;
  /** Organisation id (or *) → requirement slots. */
  byOrg: Postings;
  /** Language (primary subtag, `und` for none known) → requirement slots. */
  byLang: Postings;
  /**
   * The words that meet each requirement slot, for building another analyser's postings:
   * those of slot k are `slotLeaves[slotStart[k]]` up to `slotLeaves[slotStart[k + 1]]`
   * (a loaded snapshot builds them the first time they are read).
   */
  readonly slotLeaves: LeafNode[];
  slotStart: Uint32Array;
  always: number[];
  /** Per topic: how many of its indexed requirements an article must meet (1 or 2). */
  need: Uint8Array;
  /**
   * Scratch space for candidate selection, reused from article to article: per topic, the
   * article's epoch × 4 plus one bit per requirement met (stale when the epoch is another's).
   */
  scratch: { epoch: number; met: Uint32Array };
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

/**
 * One way to meet a requirement: a word (a leaf, whose key depends on the analyser of the
 * article), or a place, body or language key (`c:KR`, `o:WHO`, `l:es`).
 */
type Alternative = LeafNode | string;
type Requirement = Alternative[] | undefined;

/** The presearch key of a leaf under one analyser. */
const keyUnder = (leaf: LeafNode, a: number): string => {
  if (leaf.type === 'term') return `s:${stemUnder(leaf, a)}`;
  if (leaf.type === 'prefix') return `p:${prefixUnder(leaf, a)}`;
  // Any one word of the phrase is necessary; the longest is usually the rarest. An
  // exact-case word needs its folded form.
  const words = leaf.type === 'exact' ? exactFoldedUnder(leaf, a) : wordsUnder(leaf, a);
  return `f:${words.reduce((x, y) => (y.length > x.length ? y : x))}`;
};

/**
 * The presearch keys of leaves, each worked out once while an index or a postings is built
 * (a leaf shared by many topics is met many times) and then let go: the leaves keep nothing.
 */
const memoisedKeys = (keyOf: (leaf: LeafNode) => string) => {
  const keys = new Map<LeafNode, string>();
  return (leaf: LeafNode): string => {
    let key = keys.get(leaf);
    if (key === undefined) keys.set(leaf, (key = keyOf(leaf)));
    return key;
  };
};

/** What a leaf is priced by: its key under its own language's analyser, or the default one. */
const costKeyUnderOwnAnalyser = (leaf: LeafNode): string =>
  keyUnder(leaf, leafAnalyser(leaf) ?? DEFAULT_ANALYSER);

/** Every presearch key a tree mentions, once per mention (for the cost estimate). */
const countKeys = (
  node: QueryNode,
  counts: Map<string, number>,
  costKeyOf: (leaf: LeafNode) => string,
): void => {
  const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  switch (node.type) {
    case 'term':
    case 'phrase':
    case 'prefix':
    case 'exact':
      bump(costKeyOf(node));
      return;
    case 'list':
      for (const i of node.items) bump(costKeyOf(i));
      return;
    case 'country':
      bump(`c:${node.code}`);
      return;
    case 'lang':
      for (const l of node.languages) bump(`l:${l}`);
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
      countKeys(node.operand, counts, costKeyOf);
      return;
    case 'scope':
      countKeys(node.child, counts, costKeyOf);
      return;
    case 'not':
      return;
    case 'and':
    case 'or':
      for (const c of node.children) countKeys(c, counts, costKeyOf);
      return;
    case 'near':
      countKeys(node.left, counts, costKeyOf);
      countKeys(node.right, counts, costKeyOf);
  }
};

const keyAlternatives = (node: QueryNode, pick: (options: Alternative[][]) => Alternative[]): Requirement => {
  switch (node.type) {
    case 'term':
    case 'phrase':
    case 'prefix':
    case 'exact':
      return [node];
    case 'list':
      return [...new Set(node.items)];
    case 'country':
      return [`c:${node.code}`];
    case 'lang':
      return node.languages.map((l) => `l:${l}`);
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
      const all: Alternative[] = [];
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
        .filter((r): r is Alternative[] => r !== undefined);
      return parts.length === 0 ? undefined : pick(parts);
    }
  }
};

/**
 * Requirements that must all hold for the node to match, each a set of alternatives (the
 * article must hold at least one of every set). An OR contributes one set, the union of its
 * branches' cheapest requirements; a NOT contributes none.
 */
const conjuncts = (node: QueryNode, pick: (options: Alternative[][]) => Alternative[]): Alternative[][] => {
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
 * A requirement slot (topic × 2 + requirement) as the postings hold it: doubled, plus 1 when
 * its topic needs both requirements, so that counting it reads no other array.
 */
const postedSlot = (index: TopicIndex, slot: number): number =>
  slot * 2 + ((index.need[(slot / PRESEARCH_DEPTH) | 0] as number) - 1);

/** The epochs the scratch space holds before it is cleared: epoch × 4 must fit in 32 bits. */
const MAX_EPOCH = 2 ** 30 - 1;

/** The analyser whose postings an analyser reads: the default's when it gives every word the default forms. */
const postingsGroupOf = (a: number): number =>
  (ANALYSERS[a] as Analyser).sameAsDefault ? DEFAULT_ANALYSER : a;

/**
 * The word postings under one analyser: every requirement slot under the keys its words
 * have for that analyser. A word limited to a language counts only under that language's
 * analyser.
 */
const buildWordPostings = (
  index: TopicIndex,
  a: number,
  keyOf: (leaf: LeafNode) => string = memoisedKeys((leaf) => keyUnder(leaf, a)),
): WordPostings => {
  // The same key twice in one requirement must not count twice: the builders keep a slot once per key.
  const byStem = new PostingsBuilder();
  const byWord = new PostingsBuilder();
  const byPrefix = new PostingsBuilder();
  const { slotLeaves, slotStart } = index;
  for (let slot = 0; slot + 1 < slotStart.length; slot++) {
    for (let k = slotStart[slot] as number; k < (slotStart[slot + 1] as number); k++) {
      const leaf = slotLeaves[k] as LeafNode;
      const only = leafAnalyser(leaf);
      if (only !== undefined && postingsGroupOf(only) !== a) continue;
      const key = keyOf(leaf);
      const value = key.slice(2);
      const posted = postedSlot(index, slot);
      if (key[0] === 's') byStem.add(value, posted);
      else if (key[0] === 'f') byWord.add(value, posted);
      else byPrefix.add(value, posted);
    }
  }
  return {
    byStem: byStem.build(),
    byWord: byWord.build(),
    byPrefix: byPrefix.buildPrefixes(),
    keysOfWord: new Map(),
  };
};

/** Words whose keys are remembered at most, per analyser: the cache starts again past it. */
const MAX_REMEMBERED_WORDS = 200_000;
/** The keys of a word that meets none. */
const NO_KEYS = Int32Array.of(-1);

/** The keys a folded word meets in one analyser's postings, remembered (see {@link WordPostings.keysOfWord}). */
const keysOfWord = (postings: WordPostings, word: string): Int32Array => {
  let keys = postings.keysOfWord.get(word);
  if (keys === undefined) {
    const found = [postings.byWord.keys.get(word) ?? -1];
    forEachPrefixKey(postings.byPrefix, word, (k) => found.push(k));
    keys = found.length === 1 && found[0] === -1 ? NO_KEYS : Int32Array.from(found);
    if (postings.keysOfWord.size >= MAX_REMEMBERED_WORDS) postings.keysOfWord.clear();
    postings.keysOfWord.set(word, keys);
  }
  return keys;
};

/** The word postings for an analyser, built on first use. */
const wordPostingsFor = (index: TopicIndex, a: number): WordPostings => {
  let postings = index.words[a];
  if (!postings) {
    const group = postingsGroupOf(a);
    postings = group === a ? buildWordPostings(index, a) : wordPostingsFor(index, group);
    index.words[a] = postings;
  }
  return postings;
};

/**
 * Compiles enabled topics into an index. The presearch keeps, per topic, a set of words
 * (stems, phrase words, prefixes, countries) of which an article must contain at least one
 * for the topic to possibly match; among AND branches it picks the one whose words are
 * least used by other topics, so posting lists stay short. Words are priced and indexed
 * by their default forms; another analyser's postings hold the same requirements under
 * that analyser's forms.
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
  const costKeyOf = memoisedKeys(costKeyUnderOwnAnalyser);
  for (const p of parsed) countKeys(p.tree, frequency, costKeyOf);
  // Most news names some country, and short prefixes match many words: price them in.
  // Every article of a language has it.
  const articleSideCost = (k: string) =>
    k === 'c:*' || k === 'o:*'
      ? 10_000
      : k.startsWith('l:')
        ? 5_000
        : k.startsWith('c:') || k.startsWith('o:')
          ? 100
          : k.startsWith('p:')
            ? 60 / (k.length - 2)
            : 0;
  const cost = (alts: Alternative[]) =>
    alts.reduce((n, alt) => {
      const k = typeof alt === 'string' ? alt : costKeyOf(alt);
      return n + (frequency.get(k) ?? 0) + articleSideCost(k);
    }, 0);
  const cheapest = (options: Alternative[][]) =>
    options.reduce((best, o) => (cost(o) < cost(best) ? o : best));

  // Pass 2: index every topic under its two cheapest requirements (each a set of
  // alternatives); an article is a candidate for the topic only when it meets both.
  const n = parsed.length;
  const fixed = { c: new PostingsBuilder(), o: new PostingsBuilder(), l: new PostingsBuilder() } as const;
  // Place, body and language postings are laid out once every topic is in.
  const empty = new PostingsBuilder().build();
  const index: TopicIndex = {
    topics: [],
    words: [],
    byCountry: empty,
    byOrg: empty,
    byLang: empty,
    slotLeaves: [],
    slotStart: new Uint32Array(n * PRESEARCH_DEPTH + 1),
    always: [],
    need: new Uint8Array(n),
    scratch: { epoch: 0, met: new Uint32Array(n) },
  };
  const leavesOf = new Array<LeafNode[] | undefined>(n * PRESEARCH_DEPTH);
  for (const { topic, tree } of parsed) {
    const i = index.topics.length;
    index.topics.push({ topic, tree });
    const chosen = conjuncts(tree, cheapest)
      .map((alts) => ({ alts, cost: cost(alts) }))
      .sort((a, b) => a.cost - b.cost)
      .slice(0, PRESEARCH_DEPTH);
    if (chosen.length === 0) {
      index.always.push(i);
      continue;
    }
    index.need[i] = chosen.length;
    chosen.forEach(({ alts }, b) => {
      const slot = i * PRESEARCH_DEPTH + b;
      const leaves: LeafNode[] = [];
      for (const alt of alts) {
        if (typeof alt === 'string')
          fixed[alt[0] as keyof typeof fixed].add(alt.slice(2), postedSlot(index, slot));
        else leaves.push(alt);
      }
      if (leaves.length > 0) leavesOf[slot] = leaves;
    });
  }
  // One flat list of every slot's words: far smaller than an array per slot.
  for (let slot = 0; slot < leavesOf.length; slot++) {
    for (const leaf of leavesOf[slot] ?? []) index.slotLeaves.push(leaf);
    index.slotStart[slot + 1] = index.slotLeaves.length;
  }
  index.byCountry = fixed.c.build();
  index.byOrg = fixed.o.build();
  index.byLang = fixed.l.build();
  // A word of no stated language is priced by its default key, the one that indexes it.
  index.words[DEFAULT_ANALYSER] = buildWordPostings(index, DEFAULT_ANALYSER, (leaf) =>
    leafAnalyser(leaf) === undefined ? costKeyOf(leaf) : keyUnder(leaf, DEFAULT_ANALYSER),
  );
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
  const { met } = s;
  if (s.epoch >= MAX_EPOCH) {
    met.fill(0);
    s.epoch = 0;
  }
  const epoch = ++s.epoch;
  const stamp = epoch * 4;
  const out: number[] = [...index.always];
  /** Counts the slots of key number `k` of `p`: a topic is a candidate once all the requirements it needs are met. */
  const addKey = (p: Postings, k: number) => {
    const { slots } = p;
    for (let j = p.start[k] as number, end = p.start[k + 1] as number; j < end; j++) {
      const posted = slots[j] as number;
      const t = posted >>> 2;
      const state = met[t] as number;
      const before = state >>> 2 === epoch ? state & 3 : 0;
      const after = before | (1 << ((posted >>> 1) & 1));
      // A requirement counts once per article however many of its keys occur.
      if (after === before) continue;
      met[t] = stamp | after;
      if (after === (posted & 1 ? 3 : 1)) out.push(t);
    }
  };
  const add = (p: Postings, key: string) => {
    const k = p.keys.get(key);
    if (k !== undefined) addKey(p, k);
  };
  // The article's words, looked up in the postings of the analyser that read them.
  const words = wordPostingsFor(index, view.body.analyser);
  const { byStem, byWord, byPrefix } = words;
  for (const field of [view.title, view.body, view.author]) {
    for (const stem of field.byStem.keys()) add(byStem, stem);
    for (const word of field.byFolded.keys()) {
      const keys = keysOfWord(words, word);
      if ((keys[0] as number) >= 0) addKey(byWord, keys[0] as number);
      for (let i = 1; i < keys.length; i++) addKey(byPrefix, keys[i] as number);
    }
  }
  if (index.byLang.keys.size > 0) add(index.byLang, view.language ?? 'und');
  for (const code of view.countries.keys()) add(index.byCountry, code);
  if (view.countries.size > 0) add(index.byCountry, '*');
  // Bodies are looked for only when some topic asks for them.
  if (index.byOrg.keys.size > 0) {
    const orgs = organisationsOf(view).counts;
    for (const id of orgs.keys()) add(index.byOrg, id);
    if (orgs.size > 0) add(index.byOrg, '*');
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
