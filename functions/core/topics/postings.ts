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

/** Posting lists of wildcard prefixes, with a hash table from prefix to key number. */
export interface PrefixPostings extends Postings {
  /** Prefix of each key number. */
  readonly prefixes: readonly string[];
  /** {@link prefixHash} of each key number's prefix. */
  readonly hashes: Int32Array;
  /** Open addressing: key number + 1 at the place its hash leads to (or after), 0 for none. */
  readonly table: Int32Array;
  /** 1 at each length some prefix has. */
  readonly hasLength: Uint8Array;
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
    const postings = this.build();
    const prefixes = [...this.keys.keys()];
    const hashes = Int32Array.from(prefixes, prefixHash);
    let size = 16;
    while (size < prefixes.length * 2) size *= 2;
    const table = new Int32Array(size);
    const mask = size - 1;
    hashes.forEach((h, k) => {
      let j = spread(h) & mask;
      while (table[j] !== 0) j = (j + 1) & mask;
      table[j] = k + 1;
    });
    const hasLength = new Uint8Array(Math.max(0, ...prefixes.map((p) => p.length)) + 1);
    for (const p of prefixes) hasLength[p.length] = 1;
    return { ...postings, prefixes, hashes, table, hasLength };
  }
}

/**
 * Calls `onKey` with the number of every prefix key `word` starts with, shortest first:
 * one pass over the word's first characters, a table probe at each length some prefix has.
 */
export const forEachPrefixKey = (p: PrefixPostings, word: string, onKey: (k: number) => void): void => {
  const { hasLength, table, hashes, prefixes } = p;
  const mask = table.length - 1;
  const max = Math.min(word.length, hasLength.length - 1);
  let h = 0;
  for (let i = 0; i < max; i++) {
    h = step(h, word.charCodeAt(i));
    if (hasLength[i + 1] === 0) continue;
    for (let j = spread(h) & mask; ; j = (j + 1) & mask) {
      const entry = table[j] as number;
      if (entry === 0) break;
      const k = entry - 1;
      const prefix = prefixes[k] as string;
      if (hashes[k] === h && prefix.length === i + 1 && word.startsWith(prefix)) {
        onKey(k);
        break;
      }
    }
  }
};
