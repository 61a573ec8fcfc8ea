import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signing (standardwebhooks.com): the signed content is
 * `<webhook-id>.<webhook-timestamp>.<body>`, the signature `v1,<base64 HMAC-SHA256>`.
 * Secrets are `whsec_<base64>`; several may be active at once during a rotation, and the
 * `webhook-signature` header then carries one signature per secret, separated by spaces.
 */

/** How far a timestamp may be from the receiver's clock before the request is refused. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

const secretBytes = (secret: string): Buffer => {
  if (!secret.startsWith('whsec_')) throw new Error('a webhook secret starts with whsec_ followed by base64');
  const bytes = Buffer.from(secret.slice(6), 'base64');
  if (bytes.length < 24) throw new Error('a webhook secret must hold at least 24 random bytes');
  return bytes;
};

const sign = (secret: string, id: string, timestamp: number, body: string): string =>
  createHmac('sha256', secretBytes(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');

/** The three headers of a signed webhook request. */
export const signWebhook = (
  id: string,
  timestamp: number,
  body: string,
  secrets: readonly string[],
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> => {
  if (secrets.length === 0) throw new Error('at least one webhook secret is needed to sign');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => `v1,${sign(s, id, timestamp, body)}`).join(' '),
  };
};

/** Why a webhook request was refused. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

/**
 * Checks a received webhook: the headers are present, the timestamp is within the
 * tolerance, and one of the signatures matches `secret` over the exact body received.
 * Throws {@link WebhookVerificationError}; returns the parsed JSON body when all is well.
 *
 * ```ts
 * const alert = verifyWebhook(req.headers, rawBody, process.env.NEWSWATCH_WEBHOOK_SECRET);
 * ```
 */
export const verifyWebhook = (
  headers: Record<string, string | string[] | undefined>,
  body: string,
  secret: string,
  options: { toleranceSeconds?: number; now?: Date } = {},
): unknown => {
  const header = (name: string) => {
    const v = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  }
  if (!/^\d{1,12}$/.test(timestamp))
    throw new WebhookVerificationError('webhook-timestamp is not a Unix time in seconds');
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError(`webhook-timestamp is more than ${tolerance} seconds from now`);
  }
  const expected = Buffer.from(sign(secret, id, Number(timestamp), body), 'base64');
  const matches = signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError('no webhook-signature matches this body and secret');
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new WebhookVerificationError('the signed body is not JSON');
  }
};
