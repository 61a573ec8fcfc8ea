import { describe, expect, it } from 'vitest';
import { recipientCounts, recipientsLine, recipientsOf } from '../../../functions/core/alerts/recipients.ts';
import type { Subscriber } from '../../../functions/core/alerts/subscriber-rules.ts';

const email = (id: string, more: Partial<Subscriber> = {}): Subscriber => ({
  id,
  email: `${id}@example.org`,
  topics: ['aid'],
  minScore: 0,
  mode: 'immediate',
  updates: false,
  ...more,
});
const hook = (id: string): Subscriber => ({
  id,
  webhook: { url: 'https://hooks.example.org/in', format: 'generic', secretName: id },
  topics: ['*'],
  minScore: 0,
  mode: 'immediate',
  updates: false,
});

describe('Function: recipientsOf', () => {
  const subscribers = [
    email('desk'),
    email('picky', { minScore: 0.9 }),
    email('other', { topics: ['vaccines'] }),
    email('daily', { mode: 'digest' }),
    email('calm', { cooldownMinutes: 60 }),
    email('night', { quietHours: { from: '22:00', to: '07:00', timeZone: 'UTC' } }),
    hook('ops'),
  ];

  it('should give each subscriber the alert is for the state of its copy, from what is recorded', () => {
    // Act
    const recipients = recipientsOf({ topicId: 'aid', score: 0.6, storyRole: 'first' }, subscribers, {
      delivery: (id) =>
        id === 'desk'
          ? { state: 'delivered' }
          : id === 'ops'
            ? { state: 'pending', attempt: 3, reason: 'HTTP 503' }
            : undefined,
      gate: (id) =>
        id === 'calm'
          ? { outcome: 'cooldown', released: false }
          : id === 'night'
            ? { outcome: 'quiet-hours', released: true }
            : undefined,
    });

    // Assess
    expect(recipients).toEqual([
      { subscriberId: 'desk', channel: 'email', state: 'delivered' },
      { subscriberId: 'daily', channel: 'email', state: 'digest' },
      { subscriberId: 'calm', channel: 'email', state: 'held', detail: 'cooldown' },
      { subscriberId: 'night', channel: 'email', state: 'delivered', detail: 'after its quiet hours' },
      {
        subscriberId: 'ops',
        channel: 'webhook',
        state: 'queued',
        detail: '2 tries failed (HTTP 503); trying again',
      },
    ]);
    expect(recipientCounts(recipients)).toMatchObject({
      recipients: 5,
      delivered: 2,
      held: 1,
      digest: 1,
      queued: 1,
    });
  });

  it('should say when a story update goes to nobody who did not ask for updates, and when nobody wants an alert', () => {
    // Act
    const update = recipientsOf({ topicId: 'aid', score: 0.95, storyRole: 'update' }, [
      email('desk'),
      email('all', { updates: true }),
    ]);
    const nobody = recipientsOf({ topicId: 'trade', score: 0.5 }, [email('desk')]);
    const failed = recipientsOf({ topicId: 'aid', score: 0.5 }, [hook('ops')], {
      delivery: () => ({ state: 'failed', reason: 'HTTP 404: given up' }),
    });

    // Assess
    expect(update.map((r) => [r.subscriberId, r.state])).toEqual([
      ['desk', 'story-alerted'],
      ['all', 'queued'],
    ]);
    expect(nobody).toEqual([]);
    expect(recipientsLine(nobody)).toBe('no subscriber wants it');
    expect(recipientsLine(failed)).toBe('ops failed (HTTP 404: given up)');
  });
});
