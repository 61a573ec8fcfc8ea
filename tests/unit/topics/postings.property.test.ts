import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  forEachPrefixKey,
  type Postings,
  PostingsBuilder,
  prefixHash,
} from '../../../functions/core/topics/postings.ts';

/** The slots of one key, read back from the flat arrays. */
const slotsOf = (p: Postings, key: string): number[] => {
  const k = p.keys.get(key);
  return k === undefined ? [] : [...p.slots.subarray(p.start[k], p.start[k + 1])];
};

/** The posting lists as an array per key would hold them, a slot once per run of one key. */
const reference = (pairs: ReadonlyArray<readonly [string, number]>): Map<string, number[]> => {
  const map = new Map<string, number[]>();
  for (const [key, slot] of pairs) {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    if (list[list.length - 1] !== slot) list.push(slot);
  }
  return map;
};

/** The prefixes a word starts with, by walking the table. */
const prefixesFound = (builder: PostingsBuilder, word: string): string[] => {
  const p = builder.buildPrefixes();
  const found: string[] = [];
  forEachPrefixKey(p, word, (k) => found.push(p.prefixes[k] as string));
  return found;
};

// Few letters, so that keys repeat and words share prefixes; accents, Cyrillic, CJK and an emoji (a surrogate pair).
const letter = fc.constantFrom('a', 'b', 'c', 'é', 'д', '中', '😀');
const str = (max: number) => fc.array(letter, { minLength: 1, maxLength: max }).map((l) => l.join(''));

describe('Class: PostingsBuilder', () => {
  it('should hold, per key, the slots an array per key would, in the same order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(str(3), fc.nat(40)), { maxLength: 300 }), (pairs) => {
        // Prepare
        const builder = new PostingsBuilder();
        // Slots arrive in ascending order, as the index adds them.
        const sorted = [...pairs].sort((x, y) => x[1] - y[1]);

        // Act
        for (const [key, slot] of sorted) builder.add(key, slot);
        const postings = builder.build();

        // Assess
        const expected = reference(sorted);
        expect(postings.keys.size).toBe(expected.size);
        for (const [key, slots] of expected) expect(slotsOf(postings, key)).toEqual(slots);
        expect(postings.slots.length).toBe([...expected.values()].reduce((n, l) => n + l.length, 0));
      }),
      { numRuns: 200 },
    );
  });

  it('should find every prefix a word starts with, shortest first, and no other', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(str(5), { maxLength: 60 }),
        fc.array(str(8), { maxLength: 30 }),
        (prefixes, words) => {
          // Prepare
          const builder = new PostingsBuilder();
          prefixes.forEach((p, slot) => builder.add(p, slot));

          for (const word of [...words, ...prefixes]) {
            // Act
            const found = prefixesFound(builder, word);

            // Assess
            const expected = prefixes.filter((p) => word.startsWith(p)).sort((x, y) => x.length - y.length);
            expect(found).toEqual(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('should tell apart prefixes whose hashes collide', () => {
    // Prepare: "Aa" and "BB" hash alike, and so do their concatenations.
    const prefixes = ['Aa', 'BB', 'AaAa', 'AaBB', 'BBAa', 'BBBB'];
    expect(new Set(prefixes.map(prefixHash)).size).toBe(2);
    const builder = new PostingsBuilder();
    prefixes.forEach((p, slot) => builder.add(p, slot));

    // Act
    const found = ['AaBBx', 'BBBB', 'Ab', 'B'].map((w) => prefixesFound(builder, w));

    // Assess
    expect(found).toEqual([['Aa', 'AaBB'], ['BB', 'BBBB'], [], []]);
  });

  it('should find nothing in a table without prefixes', () => {
    // Act
    const found = prefixesFound(new PostingsBuilder(), 'vaccine');

    // Assess
    expect(found).toEqual([]);
  });
});
