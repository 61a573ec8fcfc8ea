/** What to do after an endpoint answered (or did not). */
export type DeliveryDecision =
  | { action: 'delivered' }
  | { action: 'retry'; reason: string }
  | { action: 'give-up'; reason: string }
  | { action: 'disable'; reason: string };

/**
 * Decides from the HTTP status: 2xx delivered; 410 Gone disables the endpoint; 408 and 429
 * (the receiver asks us to come back) and 5xx are retried; other 4xx are the receiver
 * refusing this alert and are not retried; redirects are never followed.
 */
export const decideDelivery = (status: number | undefined, error?: string): DeliveryDecision => {
  if (status === undefined) return { action: 'retry', reason: error ?? 'no answer' };
  if (status >= 200 && status < 300) return { action: 'delivered' };
  if (status === 410) return { action: 'disable', reason: 'the endpoint answered 410 Gone' };
  if (status === 408 || status === 429 || status >= 500) return { action: 'retry', reason: `HTTP ${status}` };
  if (status >= 300 && status < 400)
    return { action: 'give-up', reason: `HTTP ${status}: redirects are not followed` };
  return { action: 'give-up', reason: `HTTP ${status}: the endpoint refused the alert` };
};

/** Seconds before the next try: 10 s doubling per try, at most 15 minutes. */
export const retryDelaySeconds = (attempt: number): number =>
  Math.min(900, 10 * 2 ** Math.max(0, attempt - 1));
