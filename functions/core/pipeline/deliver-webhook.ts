import type { AlertDocument } from '../alerts/compose.ts';
import { decideDelivery, type DeliveryDecision, retryDelaySeconds } from '../alerts/delivery.ts';
import type { WebhookFormat } from '../alerts/subscriber-rules.ts';
import { UnsafeWebhookUrlError } from '../alerts/ssrf.ts';
import { webhookBody } from '../alerts/webhook-payloads.ts';
import { signWebhook } from '../alerts/webhook-signature.ts';
import type { Clock } from './ports.ts';

/**
 * One webhook subscriber's endpoint: a plain `url` (a generic endpoint whose URL is no
 * credential) or `urlSecret`, the secret the URL is read from at delivery time.
 */
export interface WebhookTarget {
  subscriberId: string;
  url?: string | undefined;
  urlSecret?: string | undefined;
  format: WebhookFormat;
  secretName: string;
}

/** How a target's endpoint may be named in logs and reports: never a URL kept in a secret. */
export const describeEndpoint = (target: WebhookTarget): string =>
  target.urlSecret !== undefined ? `the URL in secret ${target.urlSecret}` : (target.url ?? '(no URL)');

/** A delivery that will not be retried, kept so that nothing is lost silently. */
export interface WebhookFailure {
  subscriberId: string;
  alertId: string;
  reason: string;
  at: string;
}

/** Endpoint state: disabled endpoints (410 Gone) and deliveries given up. */
export interface WebhookStateStore {
  isDisabled(subscriberId: string): Promise<boolean>;
  disable(subscriberId: string, reason: string, at: string): Promise<void>;
  recordFailure(failure: WebhookFailure): Promise<void>;
}

/** What delivering one alert needs from outside. */
export interface DeliveryPorts {
  /** The active signing secrets of a subscriber (several during a rotation). */
  secrets(secretName: string): Promise<string[]>;
  /** The endpoint URL kept in a secret (Slack, Discord, Teams and other credential URLs). */
  webhookUrl(secretName: string): Promise<string>;
  post(
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status?: number; error?: string }>;
  state: WebhookStateStore;
  clock: Clock;
}

/** Thrown to have the queue hand the alert out again after `delaySeconds`. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  readonly delaySeconds: number;
  constructor(message: string, delaySeconds: number) {
    super(message);
    this.delaySeconds = delaySeconds;
  }
}

/**
 * Delivers one alert to one endpoint, signed, in the endpoint's format. Returns the decision;
 * throws {@link RetryLaterError} when the endpoint should be tried again later.
 */
export const deliverWebhook = async (
  doc: AlertDocument,
  target: WebhookTarget,
  attempt: number,
  ports: DeliveryPorts,
): Promise<DeliveryDecision | { action: 'skipped'; reason: string }> => {
  if (await ports.state.isDisabled(target.subscriberId)) {
    return { action: 'skipped', reason: 'the endpoint is disabled (it answered 410 Gone)' };
  }
  const body = JSON.stringify(webhookBody(doc, target.format));
  const timestamp = Math.floor(ports.clock.now().getTime() / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'newswatch-webhooks/1',
    ...signWebhook(doc.id, timestamp, body, await ports.secrets(target.secretName)),
  };
  const url = target.urlSecret !== undefined ? await ports.webhookUrl(target.urlSecret) : target.url;
  if (url === undefined)
    throw new Error(`webhook subscriber ${target.subscriberId} has no url nor urlSecret`);
  let decision: DeliveryDecision;
  try {
    const answer = await ports.post(url, headers, body);
    decision = decideDelivery(answer.status, answer.error);
  } catch (e) {
    // An endpoint that points inside our network is a configuration error, never retried.
    if (!(e instanceof UnsafeWebhookUrlError)) throw e;
    decision = { action: 'give-up', reason: e.message };
  }
  const at = ports.clock.now().toISOString();
  if (decision.action === 'retry') throw new RetryLaterError(decision.reason, retryDelaySeconds(attempt));
  if (decision.action === 'disable') await ports.state.disable(target.subscriberId, decision.reason, at);
  if (decision.action === 'disable' || decision.action === 'give-up') {
    await ports.state.recordFailure({
      subscriberId: target.subscriberId,
      alertId: doc.id,
      reason: decision.reason,
      at,
    });
  }
  return decision;
};
