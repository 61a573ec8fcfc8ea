import type { Alert } from '../alerts/alert.ts';
import { type GateStore, gateAlert, type HoldReason, releaseHeld } from '../alerts/fatigue.ts';
import { type EmailSubscriber, wantsAlert } from '../alerts/subscriber-rules.ts';
import type { AlertPublisher } from './matching.ts';
import type { Clock } from './ports.ts';

/** Sends one message to one gated subscriber (an alert, or held alerts folded). */
export type SendToSubscriber = (
  subscriber: EmailSubscriber,
  alerts: readonly Alert[],
  reason?: HoldReason,
) => Promise<void>;

/**
 * Publishes alerts as the inner publisher does, and passes each one through the fatigue
 * controls of every gated subscriber who wants it (cooldown, daily limit, quiet hours): sent to
 * that subscriber alone now, or held. The controls come first, so a retry after a failed
 * publish finds them already applied and sends nothing twice.
 */
export class GatedAlertPublisher implements AlertPublisher {
  private readonly inner: AlertPublisher;
  private readonly gated: () => readonly EmailSubscriber[];
  private readonly store: GateStore;
  private readonly clock: Clock;
  private readonly send: SendToSubscriber;

  constructor(options: {
    inner: AlertPublisher;
    gated: () => readonly EmailSubscriber[];
    store: GateStore;
    clock: Clock;
    send: SendToSubscriber;
  }) {
    this.inner = options.inner;
    this.gated = options.gated;
    this.store = options.store;
    this.clock = options.clock;
    this.send = options.send;
  }

  async publish(alerts: Alert[]): Promise<{ failed: Array<{ id: string; reason: string }> }> {
    const failed: Array<{ id: string; reason: string }> = [];
    const ready: Alert[] = [];
    for (const alert of alerts) {
      try {
        for (const s of this.gated()) {
          if (
            !wantsAlert(s, {
              topicId: alert.topic.id,
              score: alert.score,
              storyRole: alert.story?.role ?? 'first',
              ...(alert.article.language ? { language: alert.article.language } : {}),
            })
          )
            continue;
          await gateAlert(s.id, s, alert, this.store, this.clock.now(), (list, reason) =>
            this.send(s, list, reason),
          );
        }
        ready.push(alert);
      } catch (e) {
        failed.push({ id: alert.id, reason: `fatigue controls: ${(e as Error).message}` });
      }
    }
    const published = ready.length > 0 ? await this.inner.publish(ready) : { failed: [] };
    return { failed: [...failed, ...published.failed] };
  }
}

/**
 * Sends every gated subscriber the held alerts whose hold has ended. One subscriber's failure
 * (an SNS error, say) does not keep the others waiting: it is reported and tried next run.
 */
export const releaseAllHeld = async (
  gated: readonly EmailSubscriber[],
  store: GateStore,
  clock: Clock,
  send: SendToSubscriber,
): Promise<{
  released: Array<{ subscriberId: string; released: number }>;
  failed: Array<{ subscriberId: string; reason: string }>;
}> => {
  const released: Array<{ subscriberId: string; released: number }> = [];
  const failed: Array<{ subscriberId: string; reason: string }> = [];
  for (const s of gated) {
    try {
      const n = await releaseHeld(s.id, s, store, clock.now(), (list, reason) => send(s, list, reason));
      if (n > 0) released.push({ subscriberId: s.id, released: n });
    } catch (e) {
      failed.push({ subscriberId: s.id, reason: (e as Error).message });
    }
  }
  return { released, failed };
};
