/**
 * Presearch posting lists: key → requirement slots, held in flat typed arrays rather than an
 * array per key (a few bytes a slot instead of an object per key, and one place in memory to
 * read from). Wildcard prefixes are found by walking the article's word once, character by
 * character, never by cutting the word into prefixes.
 */

/**
 * Posting lists by key. The slots of key number `k` are `slots[start[k]]` up to
 * `slots[start[k + 1]]`, in the order they were added.
 */
export interface Postings {
  /** Key → its number. */
  readonly keys: ReadonlyMap<string, number>;
  readonly start: Uint32Array;
  readonly slots: Uint32Array;
}

/**
 * Posting lists of wildcard prefixes, with a hash table from prefix to key number. The table
 * also marks the beginnings of longer prefixes, so that the walk along a word stops at the
 * first length no prefix begins with.
 */
export interface PrefixPostings extends Postings {
  /** Prefix of each key number. */
  readonly prefixes: readonly string[];
  /**
   * Open addressing over pairs: at `2j` a hash ({@link prefixHash}), at `2j + 1` the key
   * number + 1 of the prefix with that hash, −1 for the beginning of a longer prefix only,
   * 0 for an empty place.
   */
  readonly table: Int32Array;
  /** The shortest and longest prefix lengths. */
  readonly minLength: number;
  readonly maxLength: number;
}

/** One step of the hash of a string's first characters (UTF-16 code units), as {@link prefixHash} takes them. */
const step = (h: number, code: number): number => (Math.imul(h, 31) + code) | 0;

/** Spreads a hash over the low bits the table is indexed by. */
const spread = (h: number): number => {
  const x = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return x ^ (x >>> 16);
};

/** The hash of a whole prefix: the value {@link forEachPrefixKey} reaches after its last character. */
export const prefixHash = (prefix: string): number => {
  let h = 0;
  for (let i = 0; i < prefix.length; i++) h = step(h, prefix.charCodeAt(i));
  return h;
};

/** Gathers (key, slot) pairs, each slot once per key, then lays them out flat. */
export class PostingsBuilder {
  private readonly keys = new Map<string, number>();
  /** Per key number: the slot added last. */
  private readonly lastSlot: number[] = [];
  private readonly pairKeys: number[] = [];
  private readonly pairSlots: number[] = [];

  /** Adds a slot to a key's list; the same slot twice in a row for one key counts once. */
  add(key: string, slot: number): void {
    let k = this.keys.get(key);
    if (k === undefined) {
      k = this.keys.size;
      this.keys.set(key, k);
      this.lastSlot.push(-1);
    }
    if (this.lastSlot[k] === slot) return;
    this.lastSlot[k] = slot;
    this.pairKeys.push(k);
    this.pairSlots.push(slot);
  }

  /** The posting lists, laid out by key number (a counting sort: linear in the pairs). */
  build(): Postings {
    const n = this.keys.size;
    const start = new Uint32Array(n + 1);
    for (const k of this.pairKeys) (start[k + 1] as number)++;
    for (let k = 0; k < n; k++) start[k + 1] = (start[k + 1] as number) + (start[k] as number);
    const next = start.slice(0, n);
    const slots = new Uint32Array(this.pairKeys.length);
    for (let i = 0; i < this.pairKeys.length; i++) {
      const k = this.pairKeys[i] as number;
      slots[(next[k] as number)++] = this.pairSlots[i] as number;
    }
    return { keys: this.keys, start, slots };
  }

  /** The posting lists with the prefix table the character walk looks keys up in. */
  buildPrefixes(): PrefixPostings {
    return prefixPostingsOf(this.build());
  }
}

/**
 * Wildcard prefix postings with their hash table, from posting lists keyed by the prefixes
 * (key number k is the prefix `k + 1` names in the table). A pure function of the keys.
 */
export const prefixPostingsOf = (postings: Postings): PrefixPostings => {
  const prefixes = [...postings.keys.keys()];
  let minLength = Infinity;
  let maxLength = 0;
  for (const p of prefixes) {
    minLength = Math.min(minLength, p.length);
    maxLength = Math.max(maxLength, p.length);
  }
  // Every prefix's own beginnings from the shortest length on, where the walk must go on.
  const beginnings = new Set<string>();
  for (const p of prefixes) for (let l = minLength; l < p.length; l++) beginnings.add(p.slice(0, l));
  for (const p of prefixes) beginnings.delete(p);
  let size = 16;
  // At most two thirds full: short probe runs, and half the memory of a half-full table.
  while (size * 2 < (prefixes.length + beginnings.size) * 3) size *= 2;
  const table = new Int32Array(size * 2);
  const mask = size - 1;
  const put = (text: string, value: number) => {
    const h = prefixHash(text);
    let j = spread(h) & mask;
    while (table[2 * j + 1] !== 0) j = (j + 1) & mask;
    table[2 * j] = h;
    table[2 * j + 1] = value;
  };
  prefixes.forEach((p, k) => put(p, k + 1));
  for (const b of beginnings) put(b, -1);
  return { ...postings, prefixes, table, minLength, maxLength };
};

/**
 * Calls `onKey` with the number of every prefix key `word` starts with, shortest first: one
 * pass over the word's first characters, a table probe at each length from the shortest
 * prefix's, stopping where no prefix begins with the characters read so far.
 */
export const forEachPrefixKey = (p: PrefixPostings, word: string, onKey: (k: number) => void): void => {
  const { table, prefixes, minLength } = p;
  const mask = (table.length >> 1) - 1;
  const max = Math.min(word.length, p.maxLength);
  let h = 0;
  for (let i = 0; i < max; i++) {
    h = step(h, word.charCodeAt(i));
    if (i + 1 < minLength) continue;
    // A hash seen means some prefix may begin here (a collision only costs a probe more).
    let seen = false;
    for (let j = spread(h) & mask; ; j = (j + 1) & mask) {
      const value = table[2 * j + 1] as number;
      if (value === 0) break;
      if (table[2 * j] !== h) continue;
      seen = true;
      if (value > 0) {
        const prefix = prefixes[value - 1] as string;
        if (prefix.length === i + 1 && word.startsWith(prefix)) onKey(value - 1);
      }
    }
    if (!seen) return;
  }
};
