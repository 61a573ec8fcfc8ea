import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileTopics,
  matchArticle,
  matchArticleExhaustive,
} from '../../../functions/core/topics/matcher.ts';
import { parseListItem } from '../../../functions/core/topics/query.ts';
import type { TopicDefinition } from '../../../functions/core/topics/topic.ts';

const WORDS = [
  'aid',
  'mask',
  'masks',
  'vaccine',
  'vaccines',
  'donated',
  'donation',
  'health',
  'border',
  'travel',
  'ban',
  'banned',
  'deal',
  'doses',
  'the',
  'officials',
];
const PLACES = [
  'South Korea',
  'Azerbaijan',
  'Baku',
  'Armenia',
  'Korean',
  'WHO',
  'who',
  'UNICEF',
  'Mr.',
  'said.',
  'U.S.',
];
const lists = new Map([['supplies', ['masks', 'medical masks', 'vaccin*'].map(parseListItem)]]);

const word = fc.constantFrom(...WORDS);
const simpleLeaf = fc.oneof(
  word,
  fc.tuple(word, word).map(([a, b]) => `"${a} ${b}"`),
  word.map((w) => `${w.slice(0, 3)}*`),
  fc.constant('@supplies'),
);
const leaf = fc.oneof(
  { weight: 6, arbitrary: simpleLeaf },
  {
    weight: 1,
    arbitrary: fc.constantFrom('country:KR', 'country:AZ', 'countries>=2', 'org:WHO', 'actors>=2', '{WHO}'),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('title:', 'body:'), simpleLeaf).map(([f, l]) => `${f}${l}`),
  },
);
const nearOperand = fc.oneof(
  simpleLeaf,
  fc.tuple(simpleLeaf, simpleLeaf).map(([a, b]) => `(${a} OR ${b})`),
);
const unscoped: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} AND ${b})`),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} OR ${b})`),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} NOT ${b})`),
    tie('node').map((a) => `NOT ${a}`),
    fc.tuple(fc.integer({ min: 1, max: 3 }), nearOperand).map(([n, a]) => `ATLEAST${n}(${a})`),
    fc
      .tuple(nearOperand, fc.constantFrom('NEAR', 'ONEAR'), fc.nat(4), nearOperand)
      .map(([a, op, n, b]) => `(${a} ${op}/${n} ${b})`),
  ),
})).node;

// Scopes do not nest: a scope holds an unscoped query, and scoped parts combine with the rest.
const scoped = fc
  .tuple(fc.constantFrom('sentence', 'paragraph', 'lead'), unscoped)
  .map(([unit, a]) => `${unit}:(${a})`);
const query: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: unscoped },
  { weight: 1, arbitrary: scoped },
  {
    weight: 1,
    arbitrary: fc
      .tuple(scoped, fc.constantFrom('AND', 'OR', 'NOT'), unscoped)
      .map(([a, op, b]) => `(${a} ${op} ${b})`),
  },
);

const text = (min: number, max: number) =>
  fc
    .array(fc.oneof({ weight: 5, arbitrary: word }, { weight: 1, arbitrary: fc.constantFrom(...PLACES) }), {
      minLength: min,
      maxLength: max,
    })
    .map((w) => w.join(' '));
const article = fc.record({
  title: text(0, 5),
  paragraphs: fc.array(text(1, 30), { minLength: 1, maxLength: 3 }),
});

describe('Property: presearch', () => {
  it('should give exactly the matches of evaluating every topic one by one', () => {
    fc.assert(
      fc.property(
        fc.array(query, { minLength: 1, maxLength: 25 }),
        fc.array(article, { minLength: 1, maxLength: 5 }),
        (queries, articles) => {
          // Prepare
          const topics: TopicDefinition[] = queries.map((q, i) => ({
            id: `t${i}`,
            name: `T${i}`,
            query: q,
            minScore: 0,
            enabled: true,
          }));
          const { index, errors } = compileTopics(topics, lists);
          expect(errors).toEqual([]);

          for (const a of articles) {
            // Act
            const indexed = matchArticle(index, a).matches;
            const everyTopic = matchArticleExhaustive(index, a);

            // Assess
            expect(indexed).toEqual(everyTopic);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('should only evaluate topics whose two cheapest requirements the article meets, plus topics that require none', () => {
    // Prepare
    const { index } = compileTopics(
      [
        { id: 'masks', name: 'M', query: 'masks AND aid', minScore: 0, enabled: true },
        { id: 'travel', name: 'T', query: 'travel NEAR/3 ban', minScore: 0, enabled: true },
        { id: 'not-sport', name: 'N', query: 'NOT sport', minScore: 0, enabled: true },
      ],
      lists,
    );

    // Act
    const one = matchArticle(index, { title: '', paragraphs: ['Masks were sent.'] }).candidates;
    const both = matchArticle(index, { title: '', paragraphs: ['Masks were sent as aid.'] }).candidates;

    // Assess
    expect(one).toEqual(['not-sport']);
    expect(both.sort()).toEqual(['masks', 'not-sport']);
  });

  it('should select the same candidates when the per-article epochs run out and start again', () => {
    // Prepare
    const { index } = compileTopics(
      [
        { id: 'masks', name: 'M', query: 'masks AND aid', minScore: 0, enabled: true },
        { id: 'travel', name: 'T', query: 'travel NEAR/3 ban', minScore: 0, enabled: true },
      ],
      lists,
    );
    const articles = [
      { title: '', paragraphs: ['Masks were sent as aid.'] },
      { title: '', paragraphs: ['Masks were sent.'] },
      { title: 'Travel ban', paragraphs: ['Aid.'] },
      { title: '', paragraphs: ['Masks.'] },
    ];
    const fresh = articles.map((a) => matchArticle(index, a).candidates);
    index.scratch.epoch = 2 ** 30 - 3;

    // Act
    const wrapped = [...articles, ...articles].map((a) => matchArticle(index, a).candidates);

    // Assess
    expect(index.scratch.epoch).toBeLessThan(10);
    expect(wrapped).toEqual([...fresh, ...fresh]);
    expect(fresh).toEqual([['masks'], [], ['travel'], []]);
  });
});
