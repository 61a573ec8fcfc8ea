import { readTopicFolder } from '../../../functions/adapters/local/topic-folder.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryAlertPublisher, MemoryTopicStore } from '../../../functions/adapters/memory/memory-ports.ts';
import type { Article } from '../../../functions/core/articles/article.ts';
import { parseArticle } from '../../../functions/core/articles/parse-article.ts';
import { alertIdFor } from '../../../functions/core/alerts/alert.ts';
import { backfillTopic } from '../../../functions/core/pipeline/backfill.ts';
import { ALERT_CLAIM_MS, AlertHeldError } from '../../../functions/core/pipeline/matching.ts';

const { loaded } = readTopicFolder('tests/fixtures/seeds/topics');
const articles: Article[] = readdirSync('tests/fixtures/seeds/articles').map((f) => {
  const r = parseArticle({
    key: `incoming/${f}`,
    bytes: readFileSync(`tests/fixtures/seeds/articles/${f}`),
    receivedAt: '2026-11-23T00:00:00Z',
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
});
const topic = loaded.topics.find((t) => t.id === 'international-health-aid');
if (!topic) throw new Error('seed topic missing');

describe('Function: backfillTopic', () => {
  it('should list the stored articles a topic would match, best first, without alerting', async () => {
    // Act
    const { matches, alerted } = await backfillTopic(topic, loaded.lists, articles);

    // Assess
    expect(alerted).toBe(0);
    expect(matches.map((m) => m.article.sourceKey)).toEqual(['incoming/000_9c9c4874b48bb81e.txt']);
    expect(matches[0]?.match.explanation.snippet).toContain('**');
  });

  it('should skip the items of a feed meant for other topics, as ingest does', async () => {
    // Prepare: the matching seed article, as if fetched by a feed limited to another topic.
    const fromFeed = articles.map((a) => ({ ...a, feed: 'who-news' }));

    // Act
    const limited = await backfillTopic(topic, loaded.lists, fromFeed, undefined, () => [
      'vaccine-supply-deals',
    ]);
    const meant = await backfillTopic(topic, loaded.lists, fromFeed, undefined, () => [topic.id]);

    // Assess
    expect(limited.matches).toEqual([]);
    expect(meant.matches).toHaveLength(1);
  });

  it('should alert once per new match, marked as a backfill, and not again', async () => {
    // Prepare
    const store = new MemoryTopicStore();
    const publisher = new MemoryAlertPublisher();
    const alerting = {
      store,
      publisher,
      clock: { now: () => new Date('2026-11-23T12:00:00Z') },
      locate: (key: string) => `s3://articles/${key}`,
      topicSetVersion: 'a1-test',
    };

    // Act
    const first = await backfillTopic(topic, loaded.lists, articles, alerting);
    const second = await backfillTopic(topic, loaded.lists, articles, alerting);

    // Assess
    expect([first.alerted, second.alerted]).toEqual([1, 0]);
    expect(publisher.published).toHaveLength(1);
    expect(publisher.published[0]).toMatchObject({
      backfill: true,
      topic: { id: 'international-health-aid' },
    });
    expect([...store.matches.values()].map((m) => m.alertState)).toEqual(['sent']);
    // A match run is written too, so the backfilled alert reaches digest subscribers.
    expect(store.runs.map((r) => r.matched)).toEqual([
      ['international-health-aid'],
      ['international-health-aid'],
    ]);
  });

  it('should fail while another run holds an alert, and send it once that claim ran out', async () => {
    // Prepare: a run that was stopped after claiming the alert.
    const store = new MemoryTopicStore();
    const publisher = new MemoryAlertPublisher();
    let now = new Date('2026-11-23T12:00:00Z');
    const alerting = {
      store,
      publisher,
      clock: { now: () => now },
      locate: (key: string) => `s3://articles/${key}`,
      topicSetVersion: 'a1-test',
    };
    const [found] = (await backfillTopic(topic, loaded.lists, articles)).matches;
    if (!found) throw new Error('no match');
    await store.putMatch({
      ...found.match,
      articleId: found.article.id,
      articleDate: found.article.date,
      analyserVersion: 'a1',
      topicSetVersion: 'a1-test',
      matchedAt: now.toISOString(),
      alertId: alertIdFor(found.article.id, found.match.topicId),
      alertState: 'pending',
    });
    const until = new Date(now.getTime() + ALERT_CLAIM_MS).toISOString();
    await store.claimAlert(found.article.id, found.match.topicId, now.toISOString(), until, 'stopped');

    // Act
    const early = backfillTopic(topic, loaded.lists, articles, alerting);
    await expect(early).rejects.toBeInstanceOf(AlertHeldError);
    const sentEarly = publisher.published.length;
    now = new Date(now.getTime() + ALERT_CLAIM_MS + 1_000);
    const later = await backfillTopic(topic, loaded.lists, articles, alerting);

    // Assess
    expect(sentEarly).toBe(0);
    expect(later.alerted).toBe(1);
    expect(publisher.published).toHaveLength(1);
  });
});
