/**
 * Who an alert is for, and where each of its deliveries stands: what the console, the CLI and
 * the dashboard show per recipient, so a count of alerts is never read as a count of messages.
 */
import type { HoldReason } from './fatigue.ts';
import { isForSubscriber, isGated, type Subscriber } from './subscriber-rules.ts';

/**
 * Where one recipient's copy of an alert stands:
 * - `delivered`: the message was written, accepted by the mail server or answered 2xx;
 * - `queued`: not sent yet (a webhook waiting for its next try, or an alert still being sent);
 * - `failed`: given up (a webhook answering 4xx, out of tries, an email that failed);
 * - `held`: kept back by the subscriber's cooldown, daily limit or quiet hours, sent folded
 *   with the others when the hold ends;
 * - `digest`: the subscriber reads its alerts in the daily digest;
 * - `story-alerted`: a later copy or version of a story the subscriber was alerted on already,
 *   and it did not ask for `updates`.
 */
export type RecipientState = 'delivered' | 'queued' | 'failed' | 'held' | 'digest' | 'story-alerted';

/** One subscriber's copy of an alert. */
export interface RecipientStatus {
  subscriberId: string;
  channel: 'email' | 'webhook';
  state: RecipientState;
  /** The hold's reason, the try a queued webhook is at, why a delivery failed. */
  detail?: string;
}

/** What is recorded about one subscriber's copy of an alert. */
export interface DeliveryFacts {
  /** The delivery's record, when one was made. */
  delivery?(
    subscriberId: string,
  ): { state: 'pending' | 'delivered' | 'failed'; attempt?: number; reason?: string } | undefined;
  /**
   * What the fatigue controls did with the alert for a subscriber that has them: sent it, or
   * held it (and whether the hold has ended and the alert went out folded with the others).
   */
  gate?(subscriberId: string): { outcome: 'sent' | HoldReason; released: boolean } | undefined;
}

/** The alert, as far as choosing its recipients goes. */
export interface AlertForRecipients {
  topicId: string;
  score: number;
  storyRole?: 'first' | 'update';
  /** The article's language (`und` when not known). */
  language?: string;
}

const HOLDS: Record<HoldReason, string> = {
  'quiet-hours': 'quiet hours',
  cooldown: 'cooldown',
  'daily-limit': 'daily limit',
};

const ofDelivery = (facts: DeliveryFacts, id: string): Pick<RecipientStatus, 'state' | 'detail'> => {
  const d = facts.delivery?.(id);
  if (!d) return { state: 'queued', detail: 'not sent yet' };
  if (d.state === 'delivered') return { state: 'delivered' };
  if (d.state === 'failed') return { state: 'failed', ...(d.reason ? { detail: d.reason } : {}) };
  const tries = (d.attempt ?? 1) - 1;
  return {
    state: 'queued',
    detail:
      tries > 0
        ? `${tries} ${tries === 1 ? 'try' : 'tries'} failed${d.reason ? ` (${d.reason})` : ''}; trying again`
        : 'being sent',
  };
};

/**
 * Every subscriber the alert is for (its topic, at or above the subscriber's minimum score,
 * in one of its languages),
 * with where its copy stands. An empty list means no subscriber wants the alert: it is
 * recorded, and nobody is told.
 */
export const recipientsOf = (
  alert: AlertForRecipients,
  subscribers: readonly Subscriber[],
  facts: DeliveryFacts = {},
): RecipientStatus[] =>
  subscribers
    .filter((s) => isForSubscriber(s, alert))
    .map((s): RecipientStatus => {
      const base = { subscriberId: s.id, channel: 'email' in s ? ('email' as const) : ('webhook' as const) };
      if (alert.storyRole === 'update' && !s.updates) return { ...base, state: 'story-alerted' };
      if (s.mode === 'digest') return { ...base, state: 'digest' };
      if (!isGated(s)) return { ...base, ...ofDelivery(facts, s.id) };
      const gate = facts.gate?.(s.id);
      if (gate === undefined) return { ...base, state: 'queued', detail: 'not sent yet' };
      if (gate.outcome === 'sent') return { ...base, state: 'delivered' };
      if (gate.released) return { ...base, state: 'delivered', detail: `after its ${HOLDS[gate.outcome]}` };
      return { ...base, state: 'held', detail: HOLDS[gate.outcome] };
    });

/** Counts of recipients by state, and of messages delivered. */
export const recipientCounts = (
  recipients: readonly RecipientStatus[],
): Record<RecipientState, number> & { recipients: number } => {
  const counts = {
    delivered: 0,
    queued: 0,
    failed: 0,
    held: 0,
    digest: 0,
    'story-alerted': 0,
    recipients: recipients.length,
  };
  for (const r of recipients) counts[r.state]++;
  return counts;
};

/** One line saying where an alert's copies stand: "health-desk delivered, ops-hook queued (…)". */
export const recipientsLine = (recipients: readonly RecipientStatus[]): string =>
  recipients.length === 0
    ? 'no subscriber wants it'
    : recipients
        .map(
          (r) => `${r.subscriberId} ${r.state}${r.detail && r.state !== 'delivered' ? ` (${r.detail})` : ''}`,
        )
        .join(', ');
