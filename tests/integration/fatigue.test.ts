import { describe, expect, it } from 'vitest';
import { DynamoDbGateStore } from '../../functions/adapters/aws/dynamodb-gate-store.ts';
import { SnsAlertPublisher } from '../../functions/adapters/aws/sns-alert-publisher.ts';
import { snsGatedSender } from '../../functions/adapters/aws/sns-gated-sender.ts';
import type { Alert } from '../../functions/core/alerts/alert.ts';
import {
  type EmailSubscriber,
  filterPolicyOf,
  loadSubscribers,
} from '../../functions/core/alerts/subscribers.ts';
import { GatedAlertPublisher } from '../../functions/core/pipeline/gated.ts';
import { createReleaseHandler } from '../../functions/release-held/handler.ts';
import { setUp, subscribeQueue } from './helpers/alerting.ts';
import { lambdaContext, receiveMessages } from './helpers/emulator.ts';

const alert = (n: number, topicId: string): Alert => ({
  id: `alert_${String(n).padStart(24, '0')}`,
  kind: 'alert',
  createdAt: '2026-11-23T10:00:00.000Z',
  topic: { id: topicId, name: topicId },
  score: 0.9,
  article: {
    id: `${n}`.padStart(32, 'b'),
    title: `Story ${n}`,
    date: '2026-11-23',
    location: `s3://b/incoming/${n}.txt`,
  },
  explanation: { terms: [], countries: [], snippet: '' },
  story: { id: `${n}`.padStart(32, 'b'), role: 'first' },
});

const subscribers = loadSubscribers(
  `subscribers:
  - id: calm
    email: calm@example.org
    topics: [aid, trade]
    cooldownMinutes: 60
    quietHours: { from: "22:00", to: "07:00", timeZone: "Europe/Berlin" }
  - id: everything
    email: all@example.org
    topics: ["*"]
`,
  new Set(['aid', 'trade']),
);

describe('Integration: fatigue controls through SNS (moto)', () => {
  it('should hold alerts during cooldown and quiet hours and send them folded when the hold ends, losing none', async () => {
    // Prepare: the gated subscriber's queue (kind=gated, subscriber=calm) and an ungated one.
    expect(subscribers.problems).toEqual([]);
    const [calm, everything] = subscribers.subscribers as [EmailSubscriber, EmailSubscriber];
    const env = await setUp();
    const calmQueue = await subscribeQueue(
      env.c,
      env.sns,
      env.topicArn,
      `calm-${env.table}`,
      filterPolicyOf(calm),
      { raw: true },
    );
    const allQueue = await subscribeQueue(
      env.c,
      env.sns,
      env.topicArn,
      `all-${env.table}`,
      filterPolicyOf(everything),
      { raw: true },
    );
    let now = new Date('2026-11-23T10:00:00Z'); // 11:00 in Berlin
    const clock = { now: () => now };
    const store = new DynamoDbGateStore(env.c.doc, env.table);
    const send = snsGatedSender(env.sns, env.topicArn);
    const publisher = new GatedAlertPublisher({
      inner: new SnsAlertPublisher(env.sns, env.topicArn),
      gated: () => [calm],
      store,
      clock,
      send,
    });
    const release = createReleaseHandler({ gated: [calm], store, clock, send });
    const docs = async (queue: string, expected: number) =>
      (await receiveMessages(env.c, queue, expected, 3_000)).map(
        (m) =>
          JSON.parse(m.Body as string) as { id?: string; schema: string; alerts?: Array<{ id: string }> },
      );

    // Act 1: three alerts on one topic within the hour, one on another; a retry of the first.
    for (const [n, topic] of [
      [1, 'aid'],
      [2, 'aid'],
      [3, 'trade'],
      [4, 'aid'],
    ] as const) {
      expect((await publisher.publish([alert(n, topic)])).failed).toEqual([]);
      now = new Date(now.getTime() + 5 * 60_000);
    }
    expect((await publisher.publish([alert(1, 'aid')])).failed).toEqual([]);
    const during = await docs(calmQueue, 3);

    // Act 2: the cooldown ends.
    now = new Date('2026-11-23T11:01:00Z');
    const afterCooldown = await release({}, lambdaContext());
    const folded = await docs(calmQueue, 1);

    // Act 3: an alert at night (23:30 Berlin), the release at 06:59 and at 07:00.
    now = new Date('2026-11-23T22:30:00Z');
    await publisher.publish([alert(5, 'trade')]);
    now = new Date('2026-11-24T05:59:00Z');
    const stillQuiet = await release({}, lambdaContext());
    now = new Date('2026-11-24T06:00:00Z');
    const morning = await release({}, lambdaContext());
    const night = await docs(calmQueue, 1);

    // Assess: the ungated subscriber got every alert at once (the retry included, as SNS does).
    expect((await docs(allQueue, 6)).map((d) => d.id).sort()).toEqual(
      [1, 1, 2, 3, 4, 5].map((n) => alert(n, 'x').id).sort(),
    );
    // The gated one: 1 and 3 at once; 2 and 4 folded after the cooldown; 5 in the morning.
    expect(during.map((d) => d.id).sort()).toEqual([alert(1, 'x').id, alert(3, 'x').id]);
    expect(afterCooldown).toEqual({ released: [{ subscriberId: 'calm', released: 2 }], failed: [] });
    expect(folded).toHaveLength(1);
    expect(folded[0]).toMatchObject({ schema: 'newswatch.bundle/v1', reason: 'cooldown' });
    expect(folded[0]?.alerts?.map((a) => a.id)).toEqual([alert(2, 'x').id, alert(4, 'x').id]);
    expect(stillQuiet).toEqual({ released: [], failed: [] });
    expect(morning).toEqual({ released: [{ subscriberId: 'calm', released: 1 }], failed: [] });
    expect(night[0]).toMatchObject({ schema: 'newswatch.bundle/v1', reason: 'quiet-hours' });
    expect(night[0]?.alerts?.map((a) => a.id)).toEqual([alert(5, 'x').id]);
  });
});
