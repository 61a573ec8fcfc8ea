import type { Alert } from './alert.ts';
import { asciiIfReadable, emailSubject, snsSubject } from './channel-text.ts';
import { type AlertDocument, type AlertEmail, composeAlertDocument, composeAlertEmail } from './compose.ts';
import { jsonStringBytes, SNS_PAYLOAD_BUDGET_BYTES } from './sns-budget.ts';

/**
 * Alert-fatigue controls of one subscriber: at most one alert per topic per cooldown (the rest
 * folded into the next message), at most so many messages a day, and quiet hours in the
 * subscriber's time zone. A held alert is never dropped: it goes out, folded with the others
 * held, when its hold ends.
 */
export interface FatigueControls {
  cooldownMinutes?: number;
  maxPerDay?: number;
  quietHours?: { from: string; to: string; timeZone: string };
}

/** Why an alert was held, and until when. */
export type HoldReason = 'quiet-hours' | 'cooldown' | 'daily-limit';

/** An alert waiting for its hold to end. */
export interface HeldAlert {
  alert: Alert;
  until: string;
  reason: HoldReason;
}

/** Whether a subscriber set any control. */
export const hasControls = (c: FatigueControls): boolean =>
  c.cooldownMinutes !== undefined || c.maxPerDay !== undefined || c.quietHours !== undefined;

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** The wall-clock date and minute of the day of an instant in a time zone. */
export const localTime = (now: Date, timeZone: string): { day: string; minute: number } => {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    day: `${get('year')}-${get('month')}-${get('day')}`,
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
};

/** Adds minutes to an instant, to the start of that minute. */
const addMinutes = (now: Date, minutes: number): Date => {
  const t = new Date(now.getTime() + minutes * 60_000);
  t.setUTCSeconds(0, 0);
  return t;
};

/**
 * The next instant after `now` whose wall-clock minute in `timeZone` is `target`: a first guess
 * from the minutes between, corrected by the offset change when a daylight-saving switch lies
 * in between (07:00 stays 07:00 local on the day clocks go forward).
 */
const nextLocalMinute = (now: Date, timeZone: string, target: number): Date => {
  const ahead = (target - localTime(now, timeZone).minute + 1440) % 1440 || 1440;
  let t = addMinutes(now, ahead);
  for (let i = 0; i < 3; i++) {
    const off = ((target - localTime(t, timeZone).minute + 2160) % 1440) - 720;
    if (off === 0) break;
    const next = addMinutes(t, off);
    // Never step back to or before `now` (a target that does not exist that day: keep the guess).
    if (next <= now) break;
    t = next;
  }
  return t;
};

/**
 * When the quiet hours around `now` end, or undefined when `now` is not in them. Windows may
 * cross midnight (22:00–07:00); the end is the wall-clock time in the subscriber's zone, also
 * on daylight-saving days.
 */
export const quietUntil = (q: NonNullable<FatigueControls['quietHours']>, now: Date): Date | undefined => {
  const { minute } = localTime(now, q.timeZone);
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  const inside = from <= to ? minute >= from && minute < to : minute >= from || minute < to;
  if (!inside) return undefined;
  return nextLocalMinute(now, q.timeZone, to);
};

/** The next local midnight in a time zone: when a daily limit starts again. */
export const nextLocalMidnight = (now: Date, timeZone: string): Date => nextLocalMinute(now, timeZone, 0);

/** How long one run holds an alert (or a held alert) while it deals with it; a run that died frees it then. */
export const GATE_LEASE_MS = 2 * 60_000;

/** Held alerts sent in one message at most (SNS messages are at most 256 KB). */
export const MAX_ALERTS_PER_RELEASE = 40;

/** What a cooldown claim found: taken (and what it replaced), or the topic still cooling. */
export type CooldownClaim = { taken: true; previous?: string } | { taken: false; lastSentAt?: string };

/** Persistence of the controls' state; every claim is conditional, so two runs cannot both pass. */
export interface GateStore {
  /**
   * Claims the alert for the subscriber until `leaseUntil`: false when it was dealt with, or
   * when another run holds an unexpired claim on it. A repeat of the same claim (same token,
   * a request retried after its answer was lost) succeeds.
   */
  claimAlert(
    subscriberId: string,
    alertId: string,
    now: string,
    leaseUntil: string,
    token: string,
  ): Promise<boolean>;
  /** Marks a claimed alert dealt with (sent or held): no later run touches it. */
  finishAlert(subscriberId: string, alertId: string, outcome: 'sent' | HoldReason): Promise<void>;
  /** Gives a claim back after a failure, so the retry deals with the alert at once. */
  unclaimAlert(subscriberId: string, alertId: string): Promise<void>;
  /**
   * Takes the topic's cooldown for an alert sent `now`: sets the topic's last-sent time unless
   * the one recorded is after `cutoff` (an alert on the topic went out less than a cooldown
   * ago). Taken: with the time it replaced, for {@link undoCooldown}; refused: with the time
   * recorded.
   */
  claimCooldown(subscriberId: string, topicId: string, now: string, cutoff: string): Promise<CooldownClaim>;
  /** Puts the topic's last-sent time back to `previous` if it is still `now` (the send failed). */
  undoCooldown(
    subscriberId: string,
    topicId: string,
    now: string,
    previous: string | undefined,
  ): Promise<void>;
  /** Counts one more message on a local day unless `max` were sent already. */
  claimDaily(subscriberId: string, day: string, max: number): Promise<boolean>;
  /** Takes back a count of {@link claimDaily} (the send failed). */
  undoDaily(subscriberId: string, day: string): Promise<void>;
  /** Holds an alert (keyed by its id: holding it again changes nothing). */
  hold(subscriberId: string, held: HeldAlert): Promise<void>;
  /** Held alerts whose hold has ended by `now` and that no run is releasing, oldest first. */
  due(subscriberId: string, now: string): Promise<HeldAlert[]>;
  /** Claims a due held alert for release until `leaseUntil`: true for one run only. */
  claimRelease(subscriberId: string, alertId: string, now: string, leaseUntil: string): Promise<boolean>;
  /** Removes released alerts. */
  release(subscriberId: string, held: readonly HeldAlert[]): Promise<void>;
}

/** Sends one message (one alert, or held alerts folded) to a subscriber. */
export type GatedSend = (alerts: readonly Alert[], reason?: HoldReason) => Promise<void>;

/**
 * Applies a subscriber's controls to one alert: sent now, or held (quiet hours, the topic's
 * cooldown, the day's limit). The alert is claimed for a short lease first and marked done
 * after it was sent or held: a retry finds it done, a run that died leaves it to the next try
 * after the lease, and a failed send takes back the cooldown and the day's count it used.
 */
export const gateAlert = async (
  subscriberId: string,
  controls: FatigueControls,
  alert: Alert,
  store: GateStore,
  now: Date,
  send: GatedSend,
): Promise<'sent' | HoldReason | 'done-before'> => {
  const at = now.toISOString();
  const lease = new Date(now.getTime() + GATE_LEASE_MS).toISOString();
  if (!(await store.claimAlert(subscriberId, alert.id, at, lease, crypto.randomUUID()))) return 'done-before';
  const topicId = alert.topic.id;
  const tz = controls.quietHours?.timeZone ?? 'UTC';
  const day = localTime(now, tz).day;
  let cooled: { previous: string | undefined } | undefined;
  let counted = false;
  const undo = async () => {
    if (cooled) await store.undoCooldown(subscriberId, topicId, at, cooled.previous);
    if (counted) await store.undoDaily(subscriberId, day);
    cooled = undefined;
    counted = false;
  };
  const finish = async (outcome: 'sent' | HoldReason) => {
    await store.finishAlert(subscriberId, alert.id, outcome);
    return outcome;
  };
  try {
    const hold = async (until: Date, reason: HoldReason) => {
      await undo();
      await store.hold(subscriberId, { alert, until: until.toISOString(), reason });
      return finish(reason);
    };
    const quiet = controls.quietHours ? quietUntil(controls.quietHours, now) : undefined;
    if (quiet) return await hold(quiet, 'quiet-hours');
    if (controls.cooldownMinutes !== undefined) {
      const cooldownMs = controls.cooldownMinutes * 60_000;
      // One conditional write reads and takes the cooldown: two runs cannot both take it.
      const claim = await store.claimCooldown(
        subscriberId,
        topicId,
        at,
        new Date(now.getTime() - cooldownMs).toISOString(),
      );
      if (!claim.taken) {
        const ends = claim.lastSentAt
          ? new Date(new Date(claim.lastSentAt).getTime() + cooldownMs)
          : undefined;
        return await hold(ends && ends > now ? ends : addMinutes(now, controls.cooldownMinutes), 'cooldown');
      }
      cooled = { previous: claim.previous };
    }
    if (controls.maxPerDay !== undefined) {
      if (!(await store.claimDaily(subscriberId, day, controls.maxPerDay))) {
        return await hold(nextLocalMidnight(now, tz), 'daily-limit');
      }
      counted = true;
    }
    await send([alert]);
    return await finish('sent');
  } catch (e) {
    await undo().catch(() => undefined);
    await store.unclaimAlert(subscriberId, alert.id).catch(() => undefined);
    throw e;
  }
};

/**
 * Sends the held alerts whose hold has ended, folded into messages of at most
 * {@link MAX_ALERTS_PER_RELEASE}, unless the subscriber is in quiet hours now. Each held alert
 * is claimed first, so two overlapping runs never send it twice; it is removed after its
 * message went out (a run that dies in between leaves it to the next run after the lease).
 * Folded messages carry alerts already counted when they were held: they count toward no
 * limit. Returns how many alerts went out.
 */
export const releaseHeld = async (
  subscriberId: string,
  controls: FatigueControls,
  store: GateStore,
  now: Date,
  send: GatedSend,
): Promise<number> => {
  if (controls.quietHours && quietUntil(controls.quietHours, now)) return 0;
  const at = now.toISOString();
  const lease = new Date(now.getTime() + GATE_LEASE_MS).toISOString();
  const claimed: HeldAlert[] = [];
  for (const h of await store.due(subscriberId, at)) {
    if (await store.claimRelease(subscriberId, h.alert.id, at, lease)) claimed.push(h);
  }
  for (const chunk of releaseChunks(claimed)) {
    await send(
      chunk.map((h) => h.alert),
      chunk[0]?.reason,
    );
    await store.release(subscriberId, chunk);
  }
  return claimed.length;
};

/** Bytes of a folded message kept for everything but its alerts. */
const BUNDLE_OVERHEAD_BYTES = 8 * 1024;

/**
 * Held alerts in the groups they are released in: at most {@link MAX_ALERTS_PER_RELEASE}
 * each, and no more than fit one SNS message (its JSON document and its email text).
 */
export const releaseChunks = <T extends { alert: Alert }>(held: readonly T[]): T[][] => {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = BUNDLE_OVERHEAD_BYTES;
  for (const h of held) {
    const doc = composeAlertDocument(h.alert);
    const size = jsonStringBytes(JSON.stringify(doc)) + jsonStringBytes(bundleBlock(doc, chunk.length));
    if (
      chunk.length > 0 &&
      (chunk.length === MAX_ALERTS_PER_RELEASE || bytes + size > SNS_PAYLOAD_BUDGET_BYTES)
    ) {
      chunks.push(chunk);
      chunk = [];
      bytes = BUNDLE_OVERHEAD_BYTES;
    }
    chunk.push(h);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
};

const bundleBlock = (doc: AlertDocument, i: number): string =>
  `${i + 1}. ${doc.article.title}\n   ${doc.topic.name} · score ${doc.score.toFixed(2)} · ${doc.article.date}\n   ${doc.article.url ?? doc.article.location}`;

/** Schema of a message that carries alerts held and released together. */
export const BUNDLE_SCHEMA = 'newswatch.bundle/v1';

/** The words for why alerts were held. */
const HELD_FOR: Record<HoldReason, string> = {
  'quiet-hours': 'during your quiet hours',
  cooldown: 'while the topic was cooling down',
  'daily-limit': 'after your daily limit was reached',
};

/** One message for a gated subscriber: the alert as usual, or held alerts folded together. */
export const composeGatedMessage = (
  alerts: readonly Alert[],
  reason?: HoldReason,
): AlertEmail & {
  document: AlertDocument | { schema: typeof BUNDLE_SCHEMA; reason?: HoldReason; alerts: AlertDocument[] };
} => {
  if (alerts.length === 1 && !reason) {
    const only = alerts[0] as Alert;
    return { ...composeAlertEmail(only), document: composeAlertDocument(only) };
  }
  const docs = alerts.map(composeAlertDocument);
  const topics = [...new Map(docs.map((d) => [d.topic.id, d.topic])).values()];
  const n = alerts.length;
  const held = `${n} alert${n === 1 ? '' : 's'} held ${reason ? HELD_FOR[reason] : ''}`;
  return {
    subject: emailSubject(`[newswatch] ${held}: ${topics.map((t) => t.name).join(', ')}`),
    snsSubject: snsSubject(
      `[newswatch] ${held}: ${topics.map((t) => asciiIfReadable(t.name) || t.id).join(', ')}`,
    ),
    text: `${held}, now sent together.\n\n${docs.map(bundleBlock).join('\n\n')}\n`,
    document: {
      schema: BUNDLE_SCHEMA,
      ...(reason ? { reason } : {}),
      alerts: docs,
    },
  };
};
