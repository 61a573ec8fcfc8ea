import { describe, expect, it } from 'vitest';
import { EDITS, seedStories, storyPairs } from '../../../bench/story-variants.ts';
import { MemoryStoryStore } from '../../../functions/adapters/memory/memory-ports.ts';
import { assignStory } from '../../../functions/core/stories/story.ts';
import {
  BANDS,
  bandKeysOf,
  closestStory,
  decodeSignature,
  encodeSignature,
  NEAR_DUPLICATE_THRESHOLD,
  signatureOf,
  similarity,
} from '../../../functions/core/stories/near-duplicate.ts';

const bodyOf = (s: { paragraphs: string[] }) => s.paragraphs.join('\n\n');
const sig = (s: { paragraphs: string[] }) => signatureOf(bodyOf(s)) as Uint32Array;

/** What the pipeline decides for a pair: candidates through a shared band, then the threshold. */
const sameStory = (a: Uint32Array, b: Uint32Array) => {
  // (The pairs are all long enough to join stories: every body has over 50 shingles.)
  const bands = new Set(bandKeysOf(a));
  return bandKeysOf(b).some((k) => bands.has(k)) && similarity(a, b) >= NEAR_DUPLICATE_THRESHOLD;
};

describe('Function: signatureOf', () => {
  it('should give the same text the same signature and different texts different ones', () => {
    // Prepare
    const [first, second] = seedStories();

    // Act & Assess
    expect(sig(first as never)).toEqual(sig(first as never));
    expect(similarity(sig(first as never), sig(second as never))).toBeLessThan(0.2);
    expect(signatureOf('')).toBeUndefined();
    expect(signatureOf('Short')).toHaveLength(64);
  });

  it('should survive storage: encoded and decoded, the signature is the same', () => {
    // Prepare
    const s = sig(seedStories()[0] as never);

    // Act & Assess
    expect(decodeSignature(encodeSignature(s))).toEqual(s);
    expect(decodeSignature('AAAA')).toBeUndefined();
    expect(bandKeysOf(s)).toHaveLength(BANDS);
    expect(bandKeysOf(s)[3]).toMatch(/^m2:03:[0-9a-f]{8}$/);
  });
});

describe('Near-duplicate detection on constructed pairs', () => {
  const pairs = storyPairs(60);

  it.each(Object.keys(EDITS))('should find the same story after this edit: %s', (kind) => {
    // Act
    const mine = pairs.filter((p) => p.kind === kind);
    const found = mine.filter((p) => sameStory(sig(p.a), sig(p.b)));

    // Assess: at least 95% of each kind of edit is recognised.
    expect(found.length / mine.length).toBeGreaterThanOrEqual(0.95);
  });

  it('should keep different stories on the same subject apart (at most 1% taken for the same story)', () => {
    // Act
    const different = pairs.filter((p) => !p.same);
    const merged = different.filter((p) => sameStory(sig(p.a), sig(p.b)));

    // Assess
    expect(different.length).toBeGreaterThan(300);
    expect(merged.length / different.length).toBeLessThanOrEqual(0.01);
  });
});

describe('Function: closestStory', () => {
  it('should pick the most similar candidate at or above the threshold, or none', () => {
    // Prepare
    const [base, other] = seedStories() as [never, never];
    const edited = EDITS['added paragraph']?.(base, () => 0.3) as never;

    // Act
    const found = closestStory(sig(edited), [
      { articleId: 'x', storyId: 'story-other', signature: sig(other) },
      { articleId: 'y', storyId: 'story-base', signature: sig(base) },
    ]);
    const none = closestStory(sig(other), [{ articleId: 'y', storyId: 'story-base', signature: sig(base) }]);

    // Assess
    expect(found).toMatchObject({ storyId: 'story-base', articleId: 'y' });
    expect(found?.similarity).toBeGreaterThan(0.7);
    expect(none).toBeUndefined();
  });
});

describe('Function: assignStory', () => {
  const article = (id: string, paragraphs: string[]) => ({
    id,
    sourceKey: `incoming/${id}.txt`,
    format: 'text' as const,
    title: paragraphs[0] ?? '',
    titleSource: 'lead-sentence' as const,
    date: '2026-11-23',
    dateSource: 'file' as const,
    paragraphs,
    wordCount: 0,
    contentHash: id,
    byteLength: 0,
  });
  const clock = { now: () => new Date('2026-11-23T10:00:00Z') };
  const footer =
    'Sign up for the Caspian Daily newsletter to get the stories that matter in your inbox every morning. ' +
    'Copyright 2026 Caspian Daily Media Group. All rights reserved. This material may not be published, broadcast or redistributed.';

  it('should put an edited copy into the story of the first, and keep short briefs with a shared footer apart', async () => {
    // Prepare
    const store = new MemoryStoryStore();
    const [seed] = seedStories() as unknown as [{ paragraphs: string[] }];

    // Act
    const first = await assignStory(article('a'.repeat(32), seed.paragraphs), store, clock);
    const copy = await assignStory(
      article('b'.repeat(32), [...seed.paragraphs, 'An added closing paragraph.']),
      store,
      clock,
    );
    const retry = await assignStory(
      article('b'.repeat(32), [...seed.paragraphs, 'An added closing paragraph.']),
      store,
      clock,
    );
    const vote = await assignStory(
      article('c'.repeat(32), ['Parliament passed the budget on Monday.', footer]),
      store,
      clock,
    );
    const fire = await assignStory(
      article('d'.repeat(32), ['A warehouse fire was put out overnight.', footer]),
      store,
      clock,
    );

    // Assess
    expect(first).toEqual({ storyId: 'a'.repeat(32), started: true });
    expect(copy).toMatchObject({ storyId: 'a'.repeat(32), started: false, of: 'a'.repeat(32) });
    expect(retry).toEqual({ storyId: 'a'.repeat(32), started: false });
    expect(vote.started && fire.started).toBe(true);
    expect((await store.get('a'.repeat(32)))?.articleIds).toEqual(['a'.repeat(32), 'b'.repeat(32)]);
  });
});
