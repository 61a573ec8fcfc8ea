import { describe, expect, it } from 'vitest';
import { MemoryGateStore } from '../../../functions/adapters/memory/memory-ports.ts';
import type { Alert } from '../../../functions/core/alerts/alert.ts';
import {
  composeGatedMessage,
  type FatigueControls,
  gateAlert,
  type HoldReason,
  localTime,
  nextLocalMidnight,
  quietUntil,
  releaseHeld,
} from '../../../functions/core/alerts/fatigue.ts';

const alert = (n: number, topicId = 'aid'): Alert => ({
  id: `alert_${String(n).padStart(24, '0')}`,
  kind: 'alert',
  createdAt: '2026-11-23T10:00:00.000Z',
  topic: { id: topicId, name: topicId === 'aid' ? 'Aid' : 'Diplomacy' },
  score: 0.9,
  article: {
    id: `${n}`.padStart(32, 'a'),
    title: `Story ${n}`,
    date: '2026-11-23',
    location: `/inbox/${n}.txt`,
  },
  explanation: { terms: [], countries: [], snippet: '' },
});

/** A subscriber's mailbox: every message with the alerts it carried and why they were held. */
const mailbox = () => {
  const messages: Array<{ ids: string[]; reason?: HoldReason }> = [];
  return {
    messages,
    send: (alerts: readonly Alert[], reason?: HoldReason) => {
      messages.push({ ids: alerts.map((a) => a.id), ...(reason ? { reason } : {}) });
      return Promise.resolve();
    },
    delivered: () => messages.flatMap((m) => m.ids).sort(),
  };
};

const at = (iso: string) => new Date(iso);

describe('Function: quietUntil', () => {
  const night = { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin' };

  it('should find the end of quiet hours that cross midnight, in the subscriber time zone', () => {
    // Act & Assess: 22:30 in Berlin (UTC+1 in November) is 21:30 UTC; quiet until 07:00 Berlin = 06:00 UTC.
    expect(quietUntil(night, at('2026-11-23T21:30:00Z'))?.toISOString()).toBe('2026-11-24T06:00:00.000Z');
    expect(quietUntil(night, at('2026-11-24T05:59:00Z'))?.toISOString()).toBe('2026-11-24T06:00:00.000Z');
    expect(quietUntil(night, at('2026-11-24T06:00:00Z'))).toBeUndefined();
    expect(quietUntil(night, at('2026-11-23T12:00:00Z'))).toBeUndefined();
    expect(
      quietUntil(
        { from: '12:00', to: '13:00', timeZone: 'Asia/Tokyo' },
        at('2026-11-23T03:30:00Z'),
      )?.toISOString(),
    ).toBe('2026-11-23T04:00:00.000Z');
  });

  it('should keep wall-clock times on daylight-saving days', () => {
    // Act & Assess: Berlin goes from UTC+1 to UTC+2 on 2025-03-30 and back on 2025-10-26.
    const night = { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin' };
    expect(quietUntil(night, at('2025-03-30T00:30:00Z'))?.toISOString()).toBe('2025-03-30T05:00:00.000Z');
    expect(quietUntil(night, at('2025-10-25T21:30:00Z'))?.toISOString()).toBe('2025-10-26T06:00:00.000Z');
    expect(nextLocalMidnight(at('2025-10-26T20:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2025-10-26T23:00:00.000Z',
    );
    expect(nextLocalMidnight(at('2025-03-29T20:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2025-03-29T23:00:00.000Z',
    );
    expect(nextLocalMidnight(at('2025-03-30T20:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2025-03-30T22:00:00.000Z',
    );
  });

  it('should tell the local day and the next local midnight', () => {
    // Act & Assess
    expect(localTime(at('2026-11-23T23:30:00Z'), 'Europe/Berlin')).toEqual({ day: '2026-11-24', minute: 30 });
    expect(nextLocalMidnight(at('2026-11-23T20:15:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-11-23T23:00:00.000Z',
    );
  });
});

describe('Function: gateAlert and releaseHeld', () => {
  it('should send one alert per topic per cooldown and fold the rest into one message when it ends', async () => {
    // Prepare
    const controls: FatigueControls = { cooldownMinutes: 60 };
    const store = new MemoryGateStore();
    const box = mailbox();
    const gate = (a: Alert, t: string) => gateAlert('desk', controls, a, store, at(t), box.send);

    // Act
    const decisions = [
      await gate(alert(1), '2026-11-23T10:00:00Z'),
      await gate(alert(2), '2026-11-23T10:05:00Z'),
      await gate(alert(3, 'diplomacy'), '2026-11-23T10:06:00Z'),
      await gate(alert(4), '2026-11-23T10:10:00Z'),
    ];
    const early = await releaseHeld('desk', controls, store, at('2026-11-23T10:59:00Z'), box.send);
    const released = await releaseHeld('desk', controls, store, at('2026-11-23T11:00:00Z'), box.send);

    // Assess: nothing lost, the held two in one message.
    expect(decisions).toEqual(['sent', 'cooldown', 'sent', 'cooldown']);
    expect(early).toBe(0);
    expect(released).toBe(2);
    expect(box.messages).toEqual([
      { ids: [alert(1).id] },
      { ids: [alert(3).id] },
      { ids: [alert(2).id, alert(4).id], reason: 'cooldown' },
    ]);
    expect(box.delivered()).toEqual([1, 2, 3, 4].map((n) => alert(n).id).sort());
  });

  it('should stop at the daily limit and send the rest after local midnight', async () => {
    // Prepare
    const controls: FatigueControls = {
      maxPerDay: 2,
      quietHours: { from: '23:30', to: '23:45', timeZone: 'Asia/Tokyo' },
    };
    const store = new MemoryGateStore();
    const box = mailbox();

    // Act: three alerts at 10:00 Tokyo (01:00 UTC), the release at Tokyo midnight (15:00 UTC).
    const decisions = [];
    for (const n of [1, 2, 3])
      decisions.push(
        await gateAlert('desk', controls, alert(n, `t${n}`), store, at('2026-11-23T01:00:00Z'), box.send),
      );
    const before = await releaseHeld('desk', controls, store, at('2026-11-23T14:59:00Z'), box.send);
    const after = await releaseHeld('desk', controls, store, at('2026-11-23T15:00:00Z'), box.send);

    // Assess
    expect(decisions).toEqual(['sent', 'sent', 'daily-limit']);
    expect([before, after]).toEqual([0, 1]);
    expect(box.messages.at(-1)).toEqual({ ids: [alert(3).id], reason: 'daily-limit' });
  });

  it('should hold everything during quiet hours and send it together when they end', async () => {
    // Prepare
    const controls: FatigueControls = {
      quietHours: { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin' },
    };
    const store = new MemoryGateStore();
    const box = mailbox();

    // Act
    const first = await gateAlert('desk', controls, alert(1), store, at('2026-11-23T21:30:00Z'), box.send);
    const second = await gateAlert(
      'desk',
      controls,
      alert(2, 'diplomacy'),
      store,
      at('2026-11-24T02:00:00Z'),
      box.send,
    );
    const stillQuiet = await releaseHeld('desk', controls, store, at('2026-11-24T05:59:00Z'), box.send);
    const morning = await releaseHeld('desk', controls, store, at('2026-11-24T06:00:00Z'), box.send);
    const day = await gateAlert('desk', controls, alert(3), store, at('2026-11-24T09:00:00Z'), box.send);

    // Assess
    expect([first, second, stillQuiet, morning, day]).toEqual(['quiet-hours', 'quiet-hours', 0, 2, 'sent']);
    expect(box.messages).toEqual([
      { ids: [alert(1).id, alert(2).id], reason: 'quiet-hours' },
      { ids: [alert(3).id] },
    ]);
  });

  it('should deal with an alert once however often it is retried, and again after a failed send', async () => {
    // Prepare
    const store = new MemoryGateStore();
    const box = mailbox();
    let fail = true;
    const flaky = (alerts: readonly Alert[]) => {
      if (fail) return Promise.reject(new Error('SNS unavailable'));
      return box.send(alerts);
    };

    // Act
    const failed = await gateAlert('desk', {}, alert(1), store, at('2026-11-23T10:00:00Z'), flaky).catch(
      (e: Error) => e.message,
    );
    fail = false;
    const retried = await gateAlert('desk', {}, alert(1), store, at('2026-11-23T10:00:01Z'), flaky);
    const again = await gateAlert('desk', {}, alert(1), store, at('2026-11-23T10:00:02Z'), flaky);

    // Assess
    expect([failed, retried, again]).toEqual(['SNS unavailable', 'sent', 'done-before']);
    expect(box.messages).toHaveLength(1);
  });
});

describe('Fatigue controls under failures', () => {
  it('should leave an alert claimed by a run that died to the next try after the lease, and send it once', async () => {
    // Prepare: a run claimed the alert and died before sending.
    const store = new MemoryGateStore();
    const box = mailbox();
    await store.claimAlert(
      'desk',
      alert(1).id,
      '2026-11-23T10:00:00.000Z',
      '2026-11-23T10:02:00.000Z',
      'other-run',
    );

    // Act
    const during = await gateAlert('desk', {}, alert(1), store, at('2026-11-23T10:01:00Z'), box.send);
    const after = await gateAlert('desk', {}, alert(1), store, at('2026-11-23T10:03:00Z'), box.send);
    const again = await gateAlert('desk', {}, alert(1), store, at('2026-11-23T10:04:00Z'), box.send);

    // Assess
    expect([during, after, again]).toEqual(['done-before', 'sent', 'done-before']);
    expect(box.messages).toHaveLength(1);
  });

  it('should take back the cooldown and the day count of a send that failed', async () => {
    // Prepare
    const controls: FatigueControls = { cooldownMinutes: 60, maxPerDay: 1 };
    const store = new MemoryGateStore();
    const box = mailbox();
    const failing = () => Promise.reject(new Error('SNS unavailable'));

    // Act
    const failed = await gateAlert(
      'desk',
      controls,
      alert(1),
      store,
      at('2026-11-23T10:00:00Z'),
      failing,
    ).catch(() => 'failed');
    const retried = await gateAlert('desk', controls, alert(1), store, at('2026-11-23T10:00:05Z'), box.send);

    // Assess: the retry is not held by a cooldown or a limit the failed try used up.
    expect([failed, retried]).toEqual(['failed', 'sent']);
    expect(store.daily.get('desk/2026-11-23')).toBe(1);
  });

  it('should release many held alerts in messages of at most 40, and each once when two runs overlap', async () => {
    // Prepare: 45 alerts held in quiet hours.
    const controls: FatigueControls = { quietHours: { from: '22:00', to: '07:00', timeZone: 'UTC' } };
    const store = new MemoryGateStore();
    const box = mailbox();
    for (let n = 1; n <= 45; n++)
      await gateAlert('desk', controls, alert(n), store, at('2026-11-23T23:00:00Z'), box.send);

    // Act: two runs at once.
    const [a, b] = await Promise.all([
      releaseHeld('desk', controls, store, at('2026-11-24T07:00:00Z'), box.send),
      releaseHeld('desk', controls, store, at('2026-11-24T07:00:00Z'), box.send),
    ]);

    // Assess
    expect(a + b).toBe(45);
    expect(box.messages.map((m) => m.ids.length).sort((x, y) => x - y)).toEqual([5, 40]);
    expect(new Set(box.delivered()).size).toBe(45);
    expect(store.held.size).toBe(0);
  });
});

describe('Function: composeGatedMessage', () => {
  it('should read as a normal alert alone, and list held alerts with why they were held', () => {
    // Act
    const one = composeGatedMessage([alert(1)]);
    const folded = composeGatedMessage([alert(1), alert(2, 'diplomacy')], 'quiet-hours');

    // Assess
    expect(one.subject).toBe('[newswatch] Aid: Story 1');
    expect(folded.subject).toBe('[newswatch] 2 alerts held during your quiet hours: Aid, Diplomacy');
    expect(folded.text).toContain('1. Story 1');
    expect(folded.document).toMatchObject({ schema: 'newswatch.bundle/v1', reason: 'quiet-hours' });
  });
});
