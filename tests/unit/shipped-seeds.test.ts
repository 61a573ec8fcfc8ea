import { describe, expect, it } from 'vitest';
import { readTopicFolder } from '../../functions/adapters/local/topic-folder.ts';
import { formatProblem } from '../../functions/core/topics/topic-files.ts';
import { readFeeds, readSubscribers, readTopicIds } from '../../infra/app.ts';

// The seeds are what a deployment edits: only their validity is checked here, never what they hold.
// Every other test reads its own copy in tests/fixtures/seeds.
describe('The shipped seeds', () => {
  it('should load without a problem, every topic id named by the subscribers and the feeds being a topic', () => {
    // Act
    const { loaded } = readTopicFolder('seeds/topics');
    const ids = readTopicIds();
    const subscribers = readSubscribers();
    const feeds = readFeeds();

    // Assess
    expect(loaded.problems.map(formatProblem)).toEqual([]);
    expect(ids).toEqual(loaded.topics.map((t) => t.id));
    expect(new Set(ids).size).toBe(ids.length);
    const known = new Set(ids);
    for (const s of subscribers)
      for (const t of s.topics) if (t !== '*') expect(known.has(t), `subscriber ${s.id}: ${t}`).toBe(true);
    for (const f of feeds)
      for (const t of f.topics ?? []) expect(known.has(t), `feed ${f.id}: ${t}`).toBe(true);
  });
});
