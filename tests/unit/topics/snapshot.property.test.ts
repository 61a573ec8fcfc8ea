import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileTopics,
  matchArticle,
  matchArticleExhaustive,
} from '../../../functions/core/topics/matcher.ts';
import { parseListItem } from '../../../functions/core/topics/query.ts';
import {
  compilerFingerprint,
  IndexSnapshotError,
  indexSnapshotVersions,
  readIndexSnapshot,
  writeIndexSnapshot,
} from '../../../functions/core/topics/snapshot.ts';
import type { TopicDefinition } from '../../../functions/core/topics/topic.ts';

const WORDS = ['aid', 'mask', 'masks', 'vaccine', 'donated', 'donación', 'ayuda', 'health', 'ban', 'the'];
const PLACES = ['South Korea', 'Azerbaijan', 'WHO', 'UNICEF', 'U.S.', 'España'];
const rawLists = {
  supplies: ['masks', 'medical masks', 'vaccin*'],
  donation: ['donation*', 'es: donación', 'fr: don', 'es: "ayuda humanitaria"', 'de: Hilfe*'],
};
const lists = new Map(Object.entries(rawLists).map(([name, items]) => [name, items.map(parseListItem)]));

const word = fc.constantFrom(...WORDS);
const leaf = fc.oneof(
  { weight: 6, arbitrary: word },
  { weight: 2, arbitrary: fc.tuple(word, word).map(([a, b]) => `"${a} ${b}"`) },
  { weight: 2, arbitrary: word.map((w) => `${w.slice(0, 3)}*`) },
  { weight: 2, arbitrary: fc.constantFrom('@supplies', '@donation', 'title:@donation') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'country:KR',
      'countries>=2',
      'org:WHO',
      'actors>=2',
      '{WHO}',
      'lang:es',
      'lang:und',
    ),
  },
);
const query: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} AND ${b})`),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} OR ${b})`),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} NOT ${b})`),
    fc.tuple(word, fc.nat(4), word).map(([a, n, b]) => `(${a} NEAR/${n} ${b})`),
    tie('node').map((a) => `sentence:(${a})`),
  ),
})).node;
const text = (min: number, max: number) =>
  fc
    .array(fc.oneof({ weight: 5, arbitrary: word }, { weight: 1, arbitrary: fc.constantFrom(...PLACES) }), {
      minLength: min,
      maxLength: max,
    })
    .map((w) => w.join(' '));
const article = fc.record(
  {
    title: text(0, 5),
    paragraphs: fc.array(text(1, 30), { minLength: 1, maxLength: 3 }),
    language: fc.constantFrom('en', 'es', 'fr', 'de', 'es-MX'),
  },
  { requiredKeys: ['title', 'paragraphs'] },
);
const topicsOf = (queries: readonly string[]): TopicDefinition[] =>
  queries.map((q, i) => ({ id: `t${i}`, name: `T${i}`, query: q, minScore: 0, enabled: i % 7 !== 6 }));

/** A snapshot of a small topic set, and the set. */
const small = () => {
  const topics = topicsOf(['masks AND aid', '@supplies NEAR/3 health', 'NOT ban', 'country:KR', '(broken']);
  const compiled = compileTopics(topics, lists);
  return { topics, compiled, bytes: writeIndexSnapshot(compiled, { version: 'v1', lists: rawLists }) };
};

/** The snapshot with its checksum worked out again, as a snapshot written so would have it. */
const resealed = (bytes: Uint8Array): Uint8Array => {
  const out = bytes.slice();
  out.set(createHash('sha256').update(out.subarray(44)).digest(), 12);
  return out;
};

const problemOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof IndexSnapshotError) return e.problem;
    throw e;
  }
  return undefined;
};

describe('Property: index snapshot', () => {
  it(
    'should give the matches, explanations and candidates of the index it was written from',
    { timeout: 60_000 },
    () => {
      fc.assert(
        fc.property(
          fc.array(query, { minLength: 1, maxLength: 20 }),
          fc.array(article, { minLength: 1, maxLength: 5 }),
          (queries, articles) => {
            // Prepare
            const compiled = compileTopics(topicsOf(queries), lists);
            const bytes = writeIndexSnapshot(compiled, { version: 'v1', lists: rawLists });

            // Act
            const loaded = readIndexSnapshot(bytes, 'v1');

            // Assess
            expect(loaded.errors.map((e) => [e.topicId, e.error.message])).toEqual(
              compiled.errors.map((e) => [e.topicId, e.error.message]),
            );
            for (const a of articles) {
              expect(matchArticle(loaded.index, a)).toEqual(matchArticle(compiled.index, a));
              expect(matchArticleExhaustive(loaded.index, a)).toEqual(
                matchArticleExhaustive(compiled.index, a),
              );
            }
          },
        ),
        { numRuns: 150 },
      );
    },
  );
});

describe('Function: readIndexSnapshot', () => {
  it('should keep the topics that did not compile, with why', () => {
    // Prepare
    const { bytes } = small();

    // Act
    const { errors, index } = readIndexSnapshot(bytes, 'v1');

    // Assess
    expect(errors.map((e) => e.topicId)).toEqual(['t4']);
    expect(errors[0]?.error.name).toBe('QuerySyntaxError');
    expect(index.topics.map((t) => t.topic.id)).toEqual(['t0', 't1', 't2', 't3']);
  });

  it('should tell the versions it was written for without loading it', () => {
    expect(indexSnapshotVersions(small().bytes)).toEqual({ topicSetVersion: 'v1', analyserVersion: 'a3' });
  });

  it('should refuse a snapshot of another topic set version', () => {
    expect(problemOf(() => readIndexSnapshot(small().bytes, 'v2'))).toBe('version');
  });

  it('should refuse a snapshot of another format', () => {
    // Prepare
    const bytes = small().bytes.slice();
    new DataView(bytes.buffer).setUint32(4, 99, true);

    // Act, Assess
    expect(problemOf(() => readIndexSnapshot(bytes, 'v1'))).toBe('format');
  });

  it('should refuse a snapshot written by a matcher that parses or indexes topics otherwise', () => {
    // Prepare: the same snapshot, as another matcher would have written it.
    const bytes = small().bytes;
    const length = new DataView(bytes.buffer).getUint32(8, true);
    const header = new TextDecoder().decode(bytes.subarray(44, 44 + length));
    const fingerprint = compilerFingerprint();
    const other = fingerprint.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const changed = bytes.slice();
    changed.set(new TextEncoder().encode(header.replace(fingerprint, other)), 44);

    // Act, Assess
    expect(header).toContain(`"compiler":"${fingerprint}"`);
    expect(problemOf(() => readIndexSnapshot(resealed(changed), 'v1'))).toBe('format');
    expect(problemOf(() => readIndexSnapshot(resealed(bytes), 'v1'))).toBeUndefined();
  });

  it.each([
    ['a changed byte', (b: Uint8Array) => b.map((x, i) => (i === b.length - 9 ? x ^ 1 : x))],
    ['a cut end', (b: Uint8Array) => b.subarray(0, b.length - 100)],
    ['no bytes', () => new Uint8Array(0)],
    ['other bytes', (b: Uint8Array) => new Uint8Array(b.length).fill(7)],
    ['a header that is not JSON', (b: Uint8Array) => resealed(b.map((x, i) => (i === 44 ? 0x7b + 1 : x)))],
  ])('should raise a damaged-snapshot error for %s', (_, damage) => {
    expect(problemOf(() => readIndexSnapshot(damage(small().bytes), 'v1'))).toBe('corrupt');
  });

  it('should raise a damaged-snapshot error for a sealed snapshot whose postings name no topic', () => {
    // Prepare: the last slot of the word postings made a slot of topic 1,000.
    const { bytes } = small();
    const header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(44, 44 + new DataView(bytes.buffer).getUint32(8, true))),
    ) as { sections: Record<string, [number, number]> };
    const bodyStart = 44 + ((new DataView(bytes.buffer).getUint32(8, true) + 3) & ~3);
    const [offset, length] = header.sections.stemSlots as [number, number];
    const damaged = bytes.slice();
    new DataView(damaged.buffer).setUint32(bodyStart + offset + length - 4, 4000, true);

    // Act, Assess
    expect(problemOf(() => readIndexSnapshot(resealed(damaged), 'v1'))).toBe('corrupt');
  });

  it('should raise a damaged-snapshot error for a sealed snapshot that leaves out a topic evaluated for every article', () => {
    // Prepare: the list of topics without requirements ('NOT ban') emptied.
    const { bytes } = small();
    const headerLength = new DataView(bytes.buffer).getUint32(8, true);
    const header = new TextDecoder().decode(bytes.subarray(44, 44 + headerLength));
    const parsed = JSON.parse(header) as { sections: Record<string, [number, number]> };
    expect(parsed.sections.always?.[1]).toBe(4);
    parsed.sections.always = [parsed.sections.always?.[0] ?? 0, 0];
    const changed = new TextEncoder().encode(JSON.stringify(parsed).padEnd(headerLength, ' '));
    const damaged = bytes.slice();
    damaged.set(changed, 44);

    // Act, Assess
    expect(changed.length).toBe(headerLength);
    expect(problemOf(() => readIndexSnapshot(resealed(damaged), 'v1'))).toBe('corrupt');
  });

  it('should read a snapshot from bytes that do not start on a 4-byte boundary', () => {
    // Prepare
    const { bytes, compiled } = small();
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const a = { title: 'Masks', paragraphs: ['Masks were sent as aid to South Korea.'] };

    // Act
    const loaded = readIndexSnapshot(shifted.subarray(1), 'v1');

    // Assess
    expect(matchArticle(loaded.index, a)).toEqual(matchArticle(compiled.index, a));
  });
});
