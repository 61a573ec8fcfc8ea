import { describe, expect, it } from 'vitest';
import {
  filterPolicyOf,
  isGated,
  loadSubscribers,
  parseSubscriberList,
} from '../../../functions/core/alerts/subscribers.ts';

const file = (extra: string, mode = 'immediate') =>
  `subscribers:\n  - id: calm\n    email: calm@example.org\n    topics: [aid]\n    mode: ${mode}\n${extra}`;

describe('Function: loadSubscribers (fatigue controls)', () => {
  it('should read cooldown, daily limit and quiet hours, and address such a subscriber alone', () => {
    // Act
    const { subscribers, problems } = loadSubscribers(
      file(
        '    cooldownMinutes: 30\n    maxPerDay: 5\n    quietHours: { from: "22:00", to: "07:00", timeZone: Asia/Tokyo }\n',
      ),
      new Set(['aid']),
    );

    // Assess
    expect(problems).toEqual([]);
    expect(subscribers[0]).toMatchObject({
      cooldownMinutes: 30,
      maxPerDay: 5,
      quietHours: { timeZone: 'Asia/Tokyo' },
    });
    expect(isGated(subscribers[0] as never)).toBe(true);
    expect(filterPolicyOf(subscribers[0] as never)).toEqual({ kind: ['gated'], subscriber: ['calm'] });
  });

  it('should refuse a bad time, an unknown time zone and controls on a digest, with their place', () => {
    // Act
    const badTime = loadSubscribers(
      file('    quietHours: { from: "25:00", to: "07:00", timeZone: UTC }\n'),
      new Set(['aid']),
    );
    const badZone = loadSubscribers(
      file('    quietHours: { from: "22:00", to: "07:00", timeZone: Mars/Olympus }\n'),
      new Set(['aid']),
    );
    const digest = loadSubscribers(file('    cooldownMinutes: 30\n', 'digest'), new Set(['aid']));
    const allDay = loadSubscribers(
      file('    quietHours: { from: "00:00", to: "23:59", timeZone: UTC }\n'),
      new Set(['aid']),
    );

    // Assess
    expect(badTime.problems[0]?.message).toContain('must be a time as HH:MM');
    expect(badZone.problems[0]?.message).toContain('must be an IANA time zone');
    expect(allDay.problems[0]?.message).toContain('quiet hours must leave at least 15 minutes a day');
    expect(digest.problems[0]).toMatchObject({
      line: 5,
      message: expect.stringContaining('a digest is already one message a day') as unknown,
    });
  });

  it('should read the JSON list the CDK app puts into the environment', () => {
    // Act & Assess
    expect(
      parseSubscriberList('[{"id":"x","email":"x@example.org","topics":["*"],"maxPerDay":3}]')[0],
    ).toMatchObject({
      id: 'x',
      maxPerDay: 3,
      mode: 'immediate',
      updates: false,
    });
    expect(() => parseSubscriberList('[{"id":"x"}]')).toThrow();
  });
});
