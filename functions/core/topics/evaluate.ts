import type { ArticleView, FieldView } from './article-view.ts';
import type { Field, LeafNode, ListNode, NearOperand, QueryNode } from './query.ts';

/** Where a leaf occurs: a field and a token range [first, last]. */
export interface Hit {
  field: 'title' | 'body' | 'author';
  first: number;
  last: number;
}

const FIELDS_OF: Record<Field, Array<'title' | 'body' | 'author'>> = {
  any: ['body', 'title'],
  title: ['title'],
  body: ['body'],
  author: ['author'],
};

/** Index of the first word not below `prefix` in a sorted list. */
const lowerBound = (words: string[], prefix: string): number => {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((words[mid] as string) < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

const sortedWordsOf = (f: FieldView): string[] => (f.sortedWords ??= [...f.byFolded.keys()].sort());

/** The words of a field that start with `prefix`. */
const wordsWithPrefix = (f: FieldView, prefix: string): string[] => {
  const words = sortedWordsOf(f);
  const out: string[] = [];
  for (let i = lowerBound(words, prefix); i < words.length && (words[i] as string).startsWith(prefix); i++) {
    out.push(words[i] as string);
  }
  return out;
};

/** Does the phrase start at token `i`? */
const phraseAt = (f: FieldView, words: readonly string[], i: number): boolean => {
  for (let k = 1; k < words.length; k++) if (f.tokens[i + k]?.folded !== words[k]) return false;
  return true;
};

/** Whether a leaf occurs in one field, without collecting positions. */
const leafIn = (leaf: LeafNode, f: FieldView): boolean => {
  switch (leaf.type) {
    case 'term':
      return f.byStem.has(leaf.stem);
    case 'prefix': {
      const words = sortedWordsOf(f);
      const i = lowerBound(words, leaf.prefix);
      return i < words.length && (words[i] as string).startsWith(leaf.prefix);
    }
    case 'phrase': {
      const starts = f.byFolded.get(leaf.words[0] as string);
      return starts !== undefined && starts.some((i) => phraseAt(f, leaf.words, i));
    }
  }
};

/** Token ranges where a leaf occurs in one field. */
const leafRanges = (leaf: LeafNode, f: FieldView): Array<[number, number]> => {
  switch (leaf.type) {
    case 'term':
      return (f.byStem.get(leaf.stem) ?? []).map((i) => [i, i]);
    case 'prefix':
      return wordsWithPrefix(f, leaf.prefix)
        .flatMap((w) => (f.byFolded.get(w) ?? []).map((i): [number, number] => [i, i]))
        .sort((a, b) => a[0] - b[0]);
    case 'phrase': {
      const last = leaf.words.length - 1;
      return (f.byFolded.get(leaf.words[0] as string) ?? [])
        .filter((i) => phraseAt(f, leaf.words, i))
        .map((i): [number, number] => [i, i + last]);
    }
  }
};

/**
 * Whether some hit of `left` and some hit of `right` in the same field have at most
 * `distance` words between them (and `left` first when `ordered`). Both lists are sorted by
 * field then position, so one pass over `left` with a moving window over `right` suffices.
 */
export const nearMatch = (left: Hit[], right: Hit[], distance: number, ordered: boolean): boolean => {
  let from = 0;
  for (const a of left) {
    // Skip right hits in earlier fields or too far before a.
    while (from < right.length) {
      const b = right[from] as Hit;
      if (b.field < a.field || (b.field === a.field && b.last < a.first - distance - 1)) from++;
      else break;
    }
    for (let k = from; k < right.length; k++) {
      const b = right[k] as Hit;
      if (b.field !== a.field || b.first > a.last + distance + 1) break;
      // Overlapping hits are one occurrence, not two words near each other.
      const gap = b.first > a.last ? b.first - a.last - 1 : a.first > b.last ? a.first - b.last - 1 : -1;
      if (gap >= 0 && gap <= distance && (!ordered || b.first > a.last)) return true;
    }
  }
  return false;
};

/**
 * Evaluates query trees against one analysed article, remembering each leaf's presence
 * and hits by its key, so a leaf shared by many topics is looked up once per article.
 */
let nextEpoch = 1;

export class Evaluator {
  readonly view: ArticleView;
  /** Tags the memos this evaluator leaves on shared leaves; another evaluator's memos are ignored. */
  private readonly epoch = nextEpoch++;
  private readonly cache = new Map<string, Hit[]>();

  constructor(view: ArticleView) {
    this.view = view;
  }

  /** Whether the leaf occurs anywhere in the fields it is limited to. */
  has(leaf: LeafNode): boolean {
    // Fast path: the memo on the (interned) leaf object, no hashing.
    if (leaf.memoEpoch === this.epoch) return leaf.memoPresent as boolean;
    let found = false;
    for (const field of FIELDS_OF[leaf.field]) {
      if (leafIn(leaf, this.view[field])) {
        found = true;
        break;
      }
    }
    leaf.memoEpoch = this.epoch;
    leaf.memoPresent = found;
    return found;
  }

  /** Every place the leaf occurs, in the fields it is limited to. */
  hits(leaf: LeafNode): Hit[] {
    let hits = this.cache.get(leaf.key);
    if (!hits) {
      hits = [];
      if (this.has(leaf)) {
        for (const field of FIELDS_OF[leaf.field]) {
          for (const [first, last] of leafRanges(leaf, this.view[field])) hits.push({ field, first, last });
        }
      }
      this.cache.set(leaf.key, hits);
    }
    return hits;
  }

  private readonly operandCache = new Map<NearOperand | ListNode, Hit[]>();

  /** Hits of a NEAR operand, sorted by field then position, remembered per operand. */
  private operandHits(op: NearOperand | ListNode): Hit[] {
    if (op.type !== 'list' && op.type !== 'or') return this.hits(op);
    let hits = this.operandCache.get(op);
    if (!hits) {
      const parts =
        op.type === 'list' ? op.items.map((i) => this.hits(i)) : op.children.map((c) => this.operandHits(c));
      hits = parts
        .flat()
        .sort((a, b) => (a.field === b.field ? a.first - b.first : a.field < b.field ? -1 : 1));
      this.operandCache.set(op, hits);
    }
    return hits;
  }

  private operandPresent(op: NearOperand | ListNode): boolean {
    if (op.type === 'list') return op.items.some((i) => this.has(i));
    if (op.type === 'or') return op.children.some((c) => this.operandPresent(c));
    return this.has(op);
  }

  /** True when the article satisfies the query. */
  matches(node: QueryNode): boolean {
    switch (node.type) {
      case 'term':
      case 'phrase':
      case 'prefix':
        return this.has(node);
      case 'list':
        return node.items.some((i) => this.has(i));
      case 'and':
        return node.children.every((c) => this.matches(c));
      case 'or':
        return node.children.some((c) => this.matches(c));
      case 'not':
        return !this.matches(node.child);
      case 'country':
        return this.view.countries.has(node.code);
      case 'countries':
        return this.view.countries.size >= node.min;
      case 'near': {
        if (!this.operandPresent(node.left) || !this.operandPresent(node.right)) return false;
        return nearMatch(
          this.operandHits(node.left),
          this.operandHits(node.right),
          node.distance,
          node.ordered,
        );
      }
    }
  }
}

/** The leaves that count for a match: every leaf not under a NOT, lists expanded. */
export const positiveLeaves = (node: QueryNode, out: Array<{ leaf: LeafNode; list?: string }> = []) => {
  switch (node.type) {
    case 'term':
    case 'phrase':
    case 'prefix':
      out.push({ leaf: node });
      break;
    case 'list':
      for (const leaf of node.items) out.push({ leaf, list: node.name });
      break;
    case 'and':
    case 'or':
      for (const c of node.children) positiveLeaves(c, out);
      break;
    case 'near':
      positiveLeaves(node.left, out);
      positiveLeaves(node.right, out);
      break;
    case 'not':
    case 'country':
    case 'countries':
      break;
  }
  return out;
};

/** The place conditions that count for a match (not under a NOT): country codes, or `*` for countries>=n. */
export const positivePlaces = (node: QueryNode, out: Array<{ code: string; text: string }> = []) => {
  switch (node.type) {
    case 'country':
      out.push({ code: node.code, text: `country:${node.code}` });
      break;
    case 'countries':
      out.push({ code: '*', text: `countries>=${node.min}` });
      break;
    case 'and':
    case 'or':
      for (const c of node.children) positivePlaces(c, out);
      break;
    default:
      break;
  }
  return out;
};
