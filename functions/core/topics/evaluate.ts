import type { ArticleView, FieldView } from './article-view.ts';
import type { Field, LeafNode, ListNode, NearOperand, QueryNode } from './query.ts';

/** Where a leaf occurs: a field and a token range [first, last]. */
export interface Hit {
  field: 'title' | 'body' | 'author';
  first: number;
  last: number;
}

const FIELDS_OF: Record<Field, Array<'title' | 'body' | 'author'>> = {
  any: ['title', 'body'],
  title: ['title'],
  body: ['body'],
  author: ['author'],
};

/** Token ranges where a leaf occurs in one field. */
const leafRanges = (leaf: LeafNode, f: FieldView): Array<[number, number]> => {
  switch (leaf.type) {
    case 'term':
      return (f.byStem.get(leaf.stem) ?? []).map((i) => [i, i]);
    case 'prefix': {
      const out: Array<[number, number]> = [];
      for (const [word, idx] of f.byFolded)
        if (word.startsWith(leaf.prefix)) for (const i of idx) out.push([i, i]);
      return out.sort((a, b) => a[0] - b[0]);
    }
    case 'phrase': {
      const [first, ...rest] = leaf.words;
      const out: Array<[number, number]> = [];
      for (const i of f.byFolded.get(first as string) ?? []) {
        if (rest.every((w, k) => f.tokens[i + 1 + k]?.folded === w)) out.push([i, i + rest.length]);
      }
      return out;
    }
  }
};

/** Identity of a leaf for caching: equal leaves of different topics share one lookup. */
const leafKey = (leaf: LeafNode): string =>
  `${leaf.field}\u0000${leaf.type}\u0000${leaf.type === 'term' ? leaf.stem : leaf.type === 'prefix' ? leaf.prefix : leaf.words.join(' ')}`;

/**
 * Evaluates query trees against one analysed article, remembering each leaf's hits so
 * that a leaf shared by many topics is looked up once per article.
 */
export class Evaluator {
  readonly view: ArticleView;
  private readonly cache = new Map<string, Hit[]>();

  constructor(view: ArticleView) {
    this.view = view;
  }

  /** Every place the leaf occurs, in the fields it is limited to. */
  hits(leaf: LeafNode): Hit[] {
    const key = leafKey(leaf);
    let hits = this.cache.get(key);
    if (!hits) {
      hits = [];
      for (const field of FIELDS_OF[leaf.field]) {
        for (const [first, last] of leafRanges(leaf, this.view[field])) hits.push({ field, first, last });
      }
      this.cache.set(key, hits);
    }
    return hits;
  }

  private operandHits(op: NearOperand | ListNode): Hit[] {
    if (op.type === 'list') return op.items.flatMap((i) => this.hits(i));
    if (op.type === 'or') return op.children.flatMap((c) => this.operandHits(c));
    return this.hits(op);
  }

  /** True when the article satisfies the query. */
  matches(node: QueryNode): boolean {
    switch (node.type) {
      case 'term':
      case 'phrase':
      case 'prefix':
        return this.hits(node).length > 0;
      case 'list':
        return node.items.some((i) => this.hits(i).length > 0);
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
        const left = this.operandHits(node.left);
        if (left.length === 0) return false;
        const right = this.operandHits(node.right);
        for (const a of left) {
          for (const b of right) {
            if (a.field !== b.field) continue;
            // Words strictly between the two: NEAR/0 means adjacent.
            const gap =
              b.first > a.last ? b.first - a.last - 1 : a.first > b.last ? a.first - b.last - 1 : -1;
            if (gap > node.distance) continue;
            if (node.ordered && !(b.first > a.last)) continue;
            return true;
          }
        }
        return false;
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
