import { type ArticleView, type FieldView, organisationsOf, rawIndexOf, unitsOf } from './article-view.ts';
import { rawForm } from './places/organisations.ts';
import {
  exactFoldedUnder,
  type Field,
  type LeafNode,
  type ListNode,
  type NearOperand,
  prefixUnder,
  type QueryNode,
  stemUnder,
  type UnitKind,
  wordsUnder,
} from './query.ts';
import type { UnitMap } from './units.ts';

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

/** Does the exact-case word sequence start at token `i`? */
const exactAt = (f: FieldView, words: readonly string[], i: number): boolean => {
  for (let k = 1; k < words.length; k++) {
    const t = f.tokens[i + k];
    if (!t || rawForm(t.raw) !== words[k]) return false;
  }
  return true;
};

/** Whether a leaf occurs in one field, without collecting positions; compared in the field's analyser's forms. */
const leafIn = (leaf: LeafNode, f: FieldView): boolean => {
  switch (leaf.type) {
    case 'term':
      return f.byStem.has(stemUnder(leaf, f.analyser));
    case 'prefix': {
      const prefix = prefixUnder(leaf, f.analyser);
      const words = sortedWordsOf(f);
      const i = lowerBound(words, prefix);
      return i < words.length && (words[i] as string).startsWith(prefix);
    }
    case 'phrase': {
      const words = wordsUnder(leaf, f.analyser);
      const starts = f.byFolded.get(words[0] as string);
      return starts !== undefined && starts.some((i) => phraseAt(f, words, i));
    }
    case 'exact': {
      // Cheap test first: the folded form must be there for the exact one to be.
      if (!f.byFolded.has(exactFoldedUnder(leaf, f.analyser)[0] as string)) return false;
      const starts = rawIndexOf(f).get(leaf.words[0] as string);
      return starts !== undefined && starts.some((i) => exactAt(f, leaf.words, i));
    }
  }
};

/** Token ranges where a leaf occurs in one field. */
const leafRanges = (leaf: LeafNode, f: FieldView): Array<[number, number]> => {
  switch (leaf.type) {
    case 'term':
      return (f.byStem.get(stemUnder(leaf, f.analyser)) ?? []).map((i) => [i, i]);
    case 'prefix':
      return wordsWithPrefix(f, prefixUnder(leaf, f.analyser))
        .flatMap((w) => (f.byFolded.get(w) ?? []).map((i): [number, number] => [i, i]))
        .sort((a, b) => a[0] - b[0]);
    case 'phrase': {
      const words = wordsUnder(leaf, f.analyser);
      const last = words.length - 1;
      return (f.byFolded.get(words[0] as string) ?? [])
        .filter((i) => phraseAt(f, words, i))
        .map((i): [number, number] => [i, i + last]);
    }
    case 'exact': {
      const last = leaf.words.length - 1;
      return (rawIndexOf(f).get(leaf.words[0] as string) ?? [])
        .filter((i) => exactAt(f, leaf.words, i))
        .map((i): [number, number] => [i, i + last]);
    }
  }
};

/** The unit a hit lies wholly in, or -1 (the author field, a hit across a boundary, text after the lead). */
export const unitOfHit = (
  map: UnitMap,
  hit: { field: 'title' | 'body' | 'author'; first: number; last: number },
) => {
  if (hit.field === 'author') return -1;
  const units = map[hit.field];
  const u = units[hit.first] ?? -1;
  return units[hit.last] === u ? u : -1;
};

/** The unit of work a scoped condition is checked in. */
interface UnitContext {
  kind: UnitKind;
  unit: number;
}

/** Does the tree contain a NOT (then a unit may match where the whole article does not)? */
const hasNot = (node: QueryNode): boolean => {
  switch (node.type) {
    case 'not':
      return true;
    case 'and':
    case 'or':
      return node.children.some(hasNot);
    case 'scope':
      return hasNot(node.child);
    default:
      return false;
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
    // A list item limited to a language matches only articles in it.
    if (leaf.lang !== undefined && leaf.lang !== this.view.language) {
      leaf.memoEpoch = this.epoch;
      leaf.memoPresent = false;
      return false;
    }
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

  private readonly unitCache = new Map<string, Map<number, number>>();

  /** Hits of an operand in one unit kind: unit → number of distinct places, remembered. */
  private unitCounts(kind: UnitKind, key: string, hits: () => Hit[]): Map<number, number> {
    const cacheKey = `${kind}|${key}`;
    let counts = this.unitCache.get(cacheKey);
    if (!counts) {
      counts = new Map();
      const map = unitsOf(this.view, kind);
      let last: Hit | undefined;
      for (const h of hits()) {
        // Hits are sorted; one place found by two items of a list counts once.
        if (last && last.field === h.field && last.first === h.first) continue;
        last = h;
        const u = unitOfHit(map, h);
        if (u >= 0) counts.set(u, (counts.get(u) ?? 0) + 1);
      }
      this.unitCache.set(cacheKey, counts);
    }
    return counts;
  }

  private operandKey(op: NearOperand | ListNode): string {
    if (op.type === 'list') return `@${op.name}|${op.items[0]?.field ?? 'any'}`;
    if (op.type === 'or') return `(${op.children.map((c) => this.operandKey(c)).join('|')})`;
    return op.key;
  }

  /** How many distinct places the operand occurs at, in the whole article or one unit. */
  private countOf(op: NearOperand | ListNode, ctx?: UnitContext): number {
    if (!this.operandPresent(op)) return 0;
    const hits = () => this.operandHits(op);
    if (ctx) return this.unitCounts(ctx.kind, this.operandKey(op), hits).get(ctx.unit) ?? 0;
    let n = 0;
    let last: Hit | undefined;
    for (const h of hits()) {
      if (last && last.field === h.field && last.first === h.first) continue;
      last = h;
      n++;
    }
    return n;
  }

  private inUnit(op: NearOperand | ListNode, ctx: UnitContext): boolean {
    return this.countOf(op, ctx) > 0;
  }

  /** Mentions of places or bodies, by unit of one kind: unit → distinct ids. */
  private readonly actorUnits = new Map<string, Map<number, Set<string>>>();

  private actorsByUnit(kind: UnitKind, what: 'country' | 'org'): Map<number, Set<string>> {
    const key = `${kind}|${what}`;
    let byUnit = this.actorUnits.get(key);
    if (!byUnit) {
      byUnit = new Map();
      const map = unitsOf(this.view, kind);
      const mentions =
        what === 'country'
          ? this.view.places.map((p) => ({ ...p, id: p.code }))
          : organisationsOf(this.view).mentions;
      for (const m of mentions) {
        const u = unitOfHit(map, m);
        if (u < 0) continue;
        let ids = byUnit.get(u);
        if (!ids) byUnit.set(u, (ids = new Set()));
        ids.add(m.id);
      }
      this.actorUnits.set(key, byUnit);
    }
    return byUnit;
  }

  private actorsIn(ctx: UnitContext, what: 'country' | 'org'): ReadonlySet<string> {
    return this.actorsByUnit(ctx.kind, what).get(ctx.unit) ?? EMPTY;
  }

  /** Units worth checking for a scope: those holding some evidence, or all when nothing is required. */
  private unitsToCheck(kind: UnitKind, child: QueryNode): Iterable<number> {
    const map = unitsOf(this.view, kind);
    if (!requiresEvidence(child)) return Array.from({ length: map.count }, (_, i) => i);
    const units = new Set<number>();
    for (const { leaf } of positiveLeaves(child)) {
      for (const u of this.unitCounts(kind, leaf.key, () => this.hits(leaf)).keys()) units.add(u);
    }
    // Places and bodies count only where the scope asks for them (bodies are found on first use).
    for (const what of new Set(positivePlaces(child).map((p) => p.kind))) {
      for (const u of this.actorsByUnit(kind, what).keys()) units.add(u);
    }
    return [...units].sort((a, b) => a - b);
  }

  /** How many units satisfy a scope, counting no further than `enough`. */
  unitsMatching(node: Extract<QueryNode, { type: 'scope' }>, enough: number): number {
    // Without a NOT inside, a unit can match only if the whole article does.
    if (!hasNot(node.child) && !this.matches(node.child)) return 0;
    let n = 0;
    for (const unit of this.unitsToCheck(node.unit, node.child)) {
      if (this.matches(node.child, { kind: node.unit, unit }) && ++n >= enough) break;
    }
    return n;
  }

  /** True when the article (or, with `ctx`, one of its units) satisfies the query. */
  matches(node: QueryNode, ctx?: UnitContext): boolean {
    switch (node.type) {
      case 'term':
      case 'phrase':
      case 'prefix':
      case 'exact':
        return ctx ? this.inUnit(node, ctx) : this.has(node);
      case 'list':
        return ctx ? this.inUnit(node, ctx) : node.items.some((i) => this.has(i));
      case 'and':
        return node.children.every((c) => this.matches(c, ctx));
      case 'or':
        return node.children.some((c) => this.matches(c, ctx));
      case 'not':
        return !this.matches(node.child, ctx);
      case 'country':
        return ctx ? this.actorsIn(ctx, 'country').has(node.code) : this.view.countries.has(node.code);
      case 'lang':
        // The language is the article's: every unit of it has it.
        return node.languages.includes(this.view.language ?? 'und');
      case 'countries':
        return (ctx ? this.actorsIn(ctx, 'country').size : this.view.countries.size) >= node.min;
      case 'org':
        return ctx ? this.actorsIn(ctx, 'org').has(node.id) : organisationsOf(this.view).counts.has(node.id);
      case 'actors':
        return ctx
          ? this.actorsIn(ctx, 'country').size + this.actorsIn(ctx, 'org').size >= node.min
          : this.view.countries.size + organisationsOf(this.view).counts.size >= node.min;
      case 'atleast':
        if (node.operand.type === 'scope') return this.unitsMatching(node.operand, node.min) >= node.min;
        return this.countOf(node.operand, ctx) >= node.min;
      case 'scope':
        return this.unitsMatching(node, 1) >= 1;
      case 'near': {
        if (!this.operandPresent(node.left) || !this.operandPresent(node.right)) return false;
        if (ctx && (!this.inUnit(node.left, ctx) || !this.inUnit(node.right, ctx))) return false;
        const within = (hits: Hit[]) => {
          if (!ctx) return hits;
          const map = unitsOf(this.view, ctx.kind);
          return hits.filter((h) => unitOfHit(map, h) === ctx.unit);
        };
        return nearMatch(
          within(this.operandHits(node.left)),
          within(this.operandHits(node.right)),
          node.distance,
          node.ordered,
        );
      }
    }
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/**
 * Does the tree need some word, place or body to be present? Units without any can then be
 * skipped, and a topic without any must be evaluated for every article (the linter says so).
 */
export const requiresEvidence = (node: QueryNode): boolean => {
  switch (node.type) {
    // A language is no evidence: every article of it would be checked.
    case 'not':
    case 'lang':
      return false;
    case 'and':
      return node.children.some(requiresEvidence);
    case 'or':
      return node.children.every(requiresEvidence);
    case 'scope':
      return requiresEvidence(node.child);
    default:
      return true;
  }
};

/** The leaves that count for a match: every leaf not under a NOT, lists expanded. */
export const positiveLeaves = (node: QueryNode, out: Array<{ leaf: LeafNode; list?: string }> = []) => {
  switch (node.type) {
    case 'term':
    case 'phrase':
    case 'prefix':
    case 'exact':
      out.push({ leaf: node });
      break;
    case 'atleast':
      positiveLeaves(node.operand, out);
      break;
    case 'scope':
      positiveLeaves(node.child, out);
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
    case 'lang':
    case 'org':
    case 'actors':
      break;
  }
  return out;
};

/**
 * The place and body conditions that count for a match (not under a NOT): a country code or
 * organisation id, or `*` for any (countries>=n, actors>=n), with the name the explanation
 * lists them under.
 */
export const positivePlaces = (
  node: QueryNode,
  out: Array<{ kind: 'country' | 'org'; code: string; text: string }> = [],
) => {
  switch (node.type) {
    case 'country':
      out.push({ kind: 'country', code: node.code, text: `country:${node.code}` });
      break;
    case 'countries':
      out.push({ kind: 'country', code: '*', text: 'countries' });
      break;
    case 'org':
      out.push({ kind: 'org', code: node.id, text: `org:${node.id}` });
      break;
    case 'actors':
      out.push({ kind: 'country', code: '*', text: 'countries' });
      out.push({ kind: 'org', code: '*', text: 'international bodies' });
      break;
    case 'scope':
      positivePlaces(node.child, out);
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
