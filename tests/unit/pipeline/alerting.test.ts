import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MemoryAlertPublisher,
  MemoryArticleStore,
  MemoryObjectSource,
  MemoryTopicStore,
} from '../../../functions/adapters/memory/memory-ports.ts';
import { ingestObject } from '../../../functions/core/pipeline/ingest-object.ts';
import {
  ALERT_CLAIM_MS,
  AlertHeldError,
  AlertPublishError,
  CachedMatcher,
  topicSetVersion,
} from '../../../functions/core/pipeline/matching.ts';
import type { IngestPorts, ObjectRef } from '../../../functions/core/pipeline/ports.ts';
import type { TopicDefinition } from '../../../functions/core/topics/topic.ts';

const SEED = readFileSync('tests/fixtures/seeds/articles/000_9c9c4874b48bb81e.txt');
const topics: TopicDefinition[] = [
  {
    id: 'masks',
    name: 'Masks',
    query: 'masks AND (aid OR delivered OR transfer)',
    minScore: 0.2,
    enabled: true,
  },
  { id: 'korea', name: 'Korea', query: 'country:KR', minScore: 0.1, enabled: true },
];

const setup = () => {
  const clock = { now: () => new Date('2026-11-23T12:00:00Z') };
  const topicStore = new MemoryTopicStore({ version: topicSetVersion(topics, {}), topics, lists: {} });
  const publisher = new MemoryAlertPublisher();
  const base: IngestPorts = {
    objects: new MemoryObjectSource(new Map([['incoming/a.txt', SEED]])),
    articles: new MemoryArticleStore(),
    clock,
    limits: { maxBytes: 100_000 },
    matching: { matcher: new CachedMatcher(topicStore, clock), store: topicStore },
  };
  const withAlerts: IngestPorts = { ...base, alerts: { publisher, locate: (key) => `s3://bucket/${key}` } };
  const ref: ObjectRef = {
    key: 'incoming/a.txt',
    size: SEED.length,
    etag: 'e',
    eventTime: '2026-11-23T11:00:00Z',
  };
  return { base, withAlerts, publisher, topicStore, ref };
};

describe('Function: ingestObject with alerting', () => {
  it('should publish one alert per match and mark it sent, and none when the event comes again', async () => {
    // Prepare
    const { withAlerts, publisher, topicStore, ref } = setup();

    // Act
    const first = await ingestObject(ref, withAlerts);
    await ingestObject(ref, withAlerts);

    // Assess
    expect(publisher.published.map((a) => a.topic.id).sort()).toEqual(['korea', 'masks']);
    expect([...topicStore.matches.values()].map((m) => m.alertState)).toEqual(['sent', 'sent']);
    expect(first).toMatchObject({ matches: [{ alertState: 'sent' }, { alertState: 'sent' }] });
    expect(publisher.published[0]?.article.location).toBe('s3://bucket/incoming/a.txt');
  });

  it('should send exactly once when the first attempt stopped after writing the matches', async () => {
    // Prepare: the first attempt wrote the matches and stopped before publishing.
    const { base, withAlerts, publisher, topicStore, ref } = setup();
    await ingestObject(ref, base);
    expect([...topicStore.matches.values()].map((m) => m.alertState)).toEqual(['pending', 'pending']);

    // Act: the retry.
    await ingestObject(ref, withAlerts);
    await ingestObject(ref, withAlerts);

    // Assess
    expect(publisher.published).toHaveLength(2);
  });

  it('should publish once when the same event is processed twice at the same time', async () => {
    // Prepare
    const { withAlerts, publisher, ref } = setup();

    // Act
    const runs = await Promise.allSettled([ingestObject(ref, withAlerts), ingestObject(ref, withAlerts)]);
    await ingestObject(ref, withAlerts); // the redelivery of a run that found the alerts held

    // Assess: a run that met the other's claim failed, to come back, rather than finishing.
    expect(publisher.published.map((a) => a.topic.id).sort()).toEqual(['korea', 'masks']);
    expect(runs.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const r of runs) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlertHeldError);
  });

  it('should give the claims back when the publish call fails, so the retry sends at once', async () => {
    // Prepare: SNS cannot be reached on the first try.
    const { withAlerts, publisher, topicStore, ref } = setup();
    let down = true;
    const flaky = {
      publish: (alerts: Parameters<typeof publisher.publish>[0]) => {
        if (down) return Promise.reject(new Error('connect ECONNREFUSED'));
        return publisher.publish(alerts);
      },
    };
    const ports: IngestPorts = {
      ...withAlerts,
      alerts: { publisher: flaky, locate: (k) => `s3://bucket/${k}` },
    };

    // Act
    await expect(ingestObject(ref, ports)).rejects.toThrow('ECONNREFUSED');
    const statesAfterFailure = [...topicStore.matches.values()].map((m) => m.alertState);
    down = false;
    await ingestObject(ref, ports);

    // Assess
    expect(statesAfterFailure).toEqual(['pending', 'pending']);
    expect(publisher.published.map((a) => a.topic.id).sort()).toEqual(['korea', 'masks']);
  });

  it('should fail while another run holds the alerts, and send them once the other claim ran out', async () => {
    // Prepare: a run claimed the alerts and died before sending them.
    const { base, withAlerts, publisher, topicStore, ref } = setup();
    await ingestObject(ref, base);
    let now = new Date('2026-11-23T12:00:00Z');
    const clock = { now: () => now };
    const ports: IngestPorts = { ...withAlerts, clock };
    for (const m of topicStore.matches.values()) {
      const until = new Date(now.getTime() + ALERT_CLAIM_MS).toISOString();
      expect(await topicStore.claimAlert(m.articleId, m.topicId, now.toISOString(), until, 'died')).toBe(
        'claimed',
      );
    }

    // Act: a delivery while the claim holds, then the redelivery after it ran out.
    const early = ingestObject(ref, ports);
    await expect(early).rejects.toBeInstanceOf(AlertHeldError);
    const sentEarly = publisher.published.length;
    now = new Date(now.getTime() + ALERT_CLAIM_MS + 1_000);
    await ingestObject(ref, ports);
    await ingestObject(ref, ports);

    // Assess
    expect(sentEarly).toBe(0);
    expect(publisher.published.map((a) => a.topic.id).sort()).toEqual(['korea', 'masks']);
    expect([...topicStore.matches.values()].map((m) => m.alertState)).toEqual(['sent', 'sent']);
  });

  it('should fail the object when publishing fails, and send once on the retry', async () => {
    // Prepare
    const { withAlerts, publisher, ref } = setup();
    publisher.failNext = 1;

    // Act
    await expect(ingestObject(ref, withAlerts)).rejects.toBeInstanceOf(AlertPublishError);
    await ingestObject(ref, withAlerts);

    // Assess
    expect(publisher.published).toHaveLength(2);
  });
});
