import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../functions/core/alerts/alert.ts';
import {
  composeDigestDocument,
  composeDigestEmail,
  type Digest,
} from '../../../functions/core/alerts/digest.ts';
import {
  type DigestSink,
  type DigestsSoFar,
  dayHasEnded,
  sendDigests,
} from '../../../functions/core/pipeline/digests.ts';

const DAY = '2026-11-23';

const alert = (n: number): Alert => ({
  id: `alert_${String(n).padStart(24, '0')}`,
  kind: 'alert',
  createdAt: `${DAY}T10:00:00.000Z`,
  topic: { id: 'aid', name: 'Aid' },
  score: 0.9 - n / 100,
  article: { id: `a${n}`, title: `Article ${n}`, date: DAY, location: `/inbox/${n}.txt` },
  explanation: { terms: [], countries: [], snippet: 'aid' },
});

/** The day's digest as buildDigests makes it: every sent alert of the day so far. */
const digestOf = (alerts: Alert[]): Digest => ({
  id: `digest_desk_${DAY}`,
  subscriberId: 'desk',
  day: DAY,
  alerts,
});

/** A sink in memory, with the rules of the table's: parts claimed once, a complete day done. */
const memorySink = () => {
  const parts = new Map<number, { digest: Digest; state: 'publishing' | 'sent' }>();
  const published: Digest[] = [];
  const sink: DigestSink = {
    soFar: (): Promise<DigestsSoFar> => {
      const sent = [...parts.values()].filter((p) => p.state === 'sent');
      if (sent.some((p) => !p.digest.partial))
        return Promise.resolve({ carried: 'all', nextPart: 0, busy: false });
      return Promise.resolve({
        carried: new Set(sent.flatMap((p) => p.digest.alerts.map((a) => a.id))),
        nextPart: sent.length + 1,
        busy: false,
      });
    },
    claim: (d) => {
      if (parts.has(d.part ?? 1)) return Promise.resolve(false);
      parts.set(d.part ?? 1, { digest: d, state: 'publishing' });
      return Promise.resolve(true);
    },
    publish: (d) => Promise.resolve(void published.push(d)),
    markSent: (d) => {
      const p = parts.get(d.part ?? 1);
      if (p) p.state = 'sent';
      return Promise.resolve();
    },
  };
  return { sink, published };
};

describe('Function: sendDigests', () => {
  it('should send a day that has not ended as a partial digest, and its later alerts in the next part, each once', async () => {
    // Prepare
    const { sink, published } = memorySink();
    const [a1, a2, a3, a4] = [1, 2, 3, 4].map(alert) as [Alert, Alert, Alert, Alert];

    // Act: sent early in the day, again in the evening (twice), after midnight, and once more later.
    const morning = await sendDigests([digestOf([a1])], sink, `${DAY}T10:00:00.000Z`);
    const evening = await sendDigests([digestOf([a1, a2])], sink, `${DAY}T18:00:00.000Z`);
    const eveningAgain = await sendDigests([digestOf([a1, a2])], sink, `${DAY}T18:05:00.000Z`);
    const afterMidnight = await sendDigests([digestOf([a1, a2, a3])], sink, '2026-11-24T00:15:00.000Z');
    const later = await sendDigests([digestOf([a1, a2, a3, a4])], sink, '2026-11-24T09:00:00.000Z');

    // Assess
    const summary = (ds: Digest[]) =>
      ds.map((d) => [d.id, d.part ?? 1, d.partial === true, d.alerts.map((a) => a.id)]);
    expect(summary(morning)).toEqual([[`digest_desk_${DAY}`, 1, true, [a1.id]]]);
    expect(summary(evening)).toEqual([[`digest_desk_${DAY}_part2`, 2, true, [a2.id]]]);
    expect(eveningAgain).toEqual([]);
    expect(summary(afterMidnight)).toEqual([[`digest_desk_${DAY}_part3`, 3, false, [a3.id]]]);
    expect(later).toEqual([]);
    expect(published.flatMap((d) => d.alerts.map((a) => a.id))).toEqual([a1.id, a2.id, a3.id]);
  });

  it('should send a day sent only after it ended once, whole, as before', async () => {
    // Prepare
    const { sink } = memorySink();
    const alerts = [alert(1), alert(2)];

    // Act
    const first = await sendDigests([digestOf(alerts)], sink, '2026-11-24T00:15:00.000Z');
    const again = await sendDigests([digestOf([...alerts, alert(3)])], sink, '2026-11-24T00:20:00.000Z');

    // Assess
    expect(first.map((d) => [d.id, d.part, d.partial, d.alerts.length])).toEqual([
      [`digest_desk_${DAY}`, undefined, undefined, 2],
    ]);
    expect(again).toEqual([]);
  });

  it('should know when a day has ended (UTC)', () => {
    // Assess
    expect(dayHasEnded(DAY, `${DAY}T23:59:59.999Z`)).toBe(false);
    expect(dayHasEnded(DAY, '2026-11-24T00:00:00.000Z')).toBe(true);
  });
});

describe('Function: composeDigestEmail (parts)', () => {
  it('should say that a digest is partial, or a later part of its day', () => {
    // Prepare
    const partial: Digest = { ...digestOf([alert(1)]), partial: true };
    const second: Digest = { ...digestOf([alert(2), alert(3)]), id: `digest_desk_${DAY}_part2`, part: 2 };

    // Act
    const early = composeDigestEmail(partial);
    const rest = composeDigestEmail(second);

    // Assess
    expect(early.subject).toBe(`[newswatch] 1 alert on ${DAY} so far`);
    expect(early.text).toContain('The day had not ended: alerts that come later follow in the next digest.');
    expect(rest.subject).toBe(`[newswatch] 2 more alerts on ${DAY}`);
    expect(rest.text).toContain('The earlier digests of this day carried its other alerts.');
    expect(composeDigestDocument(partial)).toMatchObject({ partial: true, total: 1 });
    expect(composeDigestDocument(second)).toMatchObject({ part: 2, total: 2 });
    expect(composeDigestDocument(digestOf([alert(1)]))).not.toHaveProperty('part');
  });
});
