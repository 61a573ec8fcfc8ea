import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signing (standardwebhooks.com): the signed content is
 * `<webhook-id>.<webhook-timestamp>.<body>`, the signature `v1,<base64 HMAC-SHA256>`.
 * Several secrets may be active at once during a rotation, and the `webhook-signature`
 * header then carries one signature per secret, separated by spaces.
 *
 * Secrets are read as the specification and its reference libraries read them: an optional
 * `whsec_` prefix, then the key in standard base64 (RFC 4648 §4: A–Z, a–z, 0–9, `+`, `/`),
 * with its `=` padding or without it (the JavaScript and Python libraries read both). What a
 * library would read as another key than the one written (base64url, a stray last character,
 * padding in the wrong place, white space) is refused here with a message saying what to change.
 */

/** How far a timestamp may be from the receiver's clock before the request is refused. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** The prefix Standard Webhooks puts before a symmetric secret, "for easy identification". */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Key sizes the specification asks a sender's secrets to have ("at least 24 bytes, 512 bits maximum"). */
export const SIGNING_KEY_BYTES = { min: 24, max: 64 } as const;

/** Why a request was refused: the request is not one newswatch signed with this secret, as it is. */
export type WebhookVerificationErrorKind =
  | 'MissingHeader'
  | 'InvalidHeader'
  | 'TimestampTooOld'
  | 'TimestampTooNew'
  | 'NoMatchingSignature'
  | 'InvalidBody';

/**
 * A refused webhook request (answer it with 400 or 401 and do not process it). `kind` says
 * which check failed; the message, prefixed with the kind, says what to look at.
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly kind: WebhookVerificationErrorKind;
  constructor(kind: WebhookVerificationErrorKind, detail: string) {
    super(`${kind}: ${detail}`);
    this.kind = kind;
  }
}

/** What is wrong with how signing or verifying was set up (a fault of the caller, not of a request). */
export type WebhookConfigErrorKind = 'InvalidSecret' | 'WeakSecret' | 'InvalidOption';

/**
 * A secret or an option that cannot be used. Raised before any request is looked at, so a
 * receiver can tell a broken deployment (answer 500, alert someone) from a bad request.
 */
export class WebhookConfigError extends Error {
  override readonly name = 'WebhookConfigError';
  readonly kind: WebhookConfigErrorKind;
  constructor(kind: WebhookConfigErrorKind, detail: string) {
    super(`${kind}: ${detail}`);
    this.kind = kind;
  }
}

const BASE64_CHAR = /[A-Za-z0-9+/]/;

/**
 * The HMAC key a Standard Webhooks secret stands for. Accepts `whsec_<base64>` and bare
 * `<base64>`, as the reference libraries do; the message of a refusal never repeats the secret.
 */
export const webhookSecretKey = (secret: string): Buffer => {
  if (typeof secret !== 'string') {
    throw new WebhookConfigError(
      'InvalidSecret',
      `no webhook secret given (got ${secret === undefined ? 'undefined' : typeof secret}); pass the whsec_… value newswatch gave you`,
    );
  }
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? secret.slice(WEBHOOK_SECRET_PREFIX.length)
    : secret;
  const where = secret === encoded ? '' : ` after ${WEBHOOK_SECRET_PREFIX}`;
  if (encoded.length === 0)
    throw new WebhookConfigError('InvalidSecret', `the webhook secret is empty${where}`);
  const at = (i: number) => i + secret.length - encoded.length + 1;
  const bad = [...encoded].findIndex((c) => !BASE64_CHAR.test(c) && c !== '=');
  if (bad >= 0) {
    const c = encoded.charAt(bad);
    const why =
      c === '-' || c === '_'
        ? `is base64url ('${c}' at character ${at(bad)}); Standard Webhooks secrets are standard base64: re-encode the key with '+' for '-' and '/' for '_'`
        : /\s/.test(c)
          ? `holds white space or a line break at character ${at(bad)}; remove it (a secret read from a file often ends in a new line)`
          : `holds a character that is not base64 at character ${at(bad)}; a secret is whsec_ followed by standard base64 (A-Z, a-z, 0-9, '+', '/')`;
    throw new WebhookConfigError('InvalidSecret', `the webhook secret ${why}`);
  }
  const padding = /=*$/.exec(encoded)?.[0].length ?? 0;
  const inner = encoded.indexOf('=');
  if (inner >= 0 && inner < encoded.length - padding) {
    throw new WebhookConfigError(
      'InvalidSecret',
      `the webhook secret has '=' inside it at character ${at(inner)}; '=' may only pad the end`,
    );
  }
  const data = encoded.length - padding;
  const invalid = (why: string) =>
    new WebhookConfigError('InvalidSecret', `the webhook secret ${why}; copy the whole value`);
  if (padding > 2 || (padding > 0 && encoded.length % 4 !== 0)) {
    throw invalid(
      `has ${padding} '=' after ${data} characters${where}: padding must complete the last group of 4 characters, with at most 2 '='`,
    );
  }
  if (data % 4 === 1) {
    throw invalid(
      `is not base64: ${data} characters${where} leave one over a group of 4, so one is missing or one too many`,
    );
  }
  // The reference library reads nothing shorter than 4 characters (a 1- or 2-byte key besides).
  if (encoded.length < 4) throw invalid(`is ${encoded.length} characters${where}, too short to hold a key`);
  return Buffer.from(encoded, 'base64');
};

/** The key of a secret newswatch signs with: readable, and as long as the specification asks. */
const signingKey = (secret: string): Buffer => {
  const key = webhookSecretKey(secret);
  if (key.length < SIGNING_KEY_BYTES.min || key.length > SIGNING_KEY_BYTES.max) {
    throw new WebhookConfigError(
      'WeakSecret',
      `a signing secret holds ${key.length} bytes; Standard Webhooks asks for ${SIGNING_KEY_BYTES.min} to ${SIGNING_KEY_BYTES.max} random bytes (whsec_ and 32 bytes in base64 is the usual choice)`,
    );
  }
  return key;
};

const hmac = (key: Buffer, id: string, timestamp: number, body: string | Uint8Array): string =>
  createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');

/** The three headers of a signed webhook request. */
export const signWebhook = (
  id: string,
  timestamp: number,
  body: string,
  secrets: readonly string[],
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> => {
  if (secrets.length === 0)
    throw new WebhookConfigError('InvalidSecret', 'at least one webhook secret is needed to sign');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new WebhookConfigError(
      'InvalidOption',
      `the timestamp ${timestamp} is not a Unix time in whole seconds`,
    );
  }
  if (id.length === 0 || /[\s.]/.test(id)) {
    // The id is part of the signed content "<id>.<timestamp>.<body>": a '.' in it would blur the parts.
    throw new WebhookConfigError(
      'InvalidOption',
      `the webhook id "${id}" must be non-empty, without '.' or spaces`,
    );
  }
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => `v1,${hmac(signingKey(s), id, timestamp, body)}`).join(' '),
  };
};

/** Request headers as frameworks hand them over: a WHATWG `Headers`, or a plain object in any letter case. */
export type WebhookHeaders =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

/** One header by name, whatever the letter case; undefined when absent, refused when sent twice with different values. */
const headerOf = (headers: WebhookHeaders, name: string): string | undefined => {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const values = new Set<string>();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) values.add(String(v));
  }
  if (values.size > 1) {
    throw new WebhookVerificationError(
      'InvalidHeader',
      `${name} was sent more than once, with different values`,
    );
  }
  return [...values][0];
};

/** Options of {@link verifyWebhook}. */
export interface VerifyOptions {
  /** Largest distance, in seconds, between the request's timestamp and now (default 300). */
  toleranceSeconds?: number;
  /** The receiver's clock (tests). */
  now?: Date;
  /** Parse the body as JSON and return it (default true); false returns nothing. */
  parseJson?: boolean;
}

/**
 * Checks a received webhook: the headers are present, the timestamp is within the
 * tolerance, and one of the signatures matches `secret` over the exact body received.
 * Throws {@link WebhookVerificationError} for a request to refuse and
 * {@link WebhookConfigError} for a secret or option that cannot be used; returns the parsed
 * JSON body when all is well.
 *
 * ```ts
 * const alert = verifyWebhook(req.headers, rawBody, process.env.NEWSWATCH_WEBHOOK_SECRET);
 * ```
 */
export const verifyWebhook = (
  headers: WebhookHeaders,
  body: string | Uint8Array,
  secret: string,
  options: VerifyOptions = {},
): unknown => {
  // Everything the caller set up is checked first, so a broken setup never reads as a bad request.
  const key = webhookSecretKey(secret);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new WebhookConfigError(
      'InvalidOption',
      `toleranceSeconds must be a finite number of seconds, 0 or more (got ${String(tolerance)}); the default is ${DEFAULT_TOLERANCE_SECONDS}`,
    );
  }
  const nowMs = (options.now ?? new Date()).getTime();
  if (!Number.isFinite(nowMs)) throw new WebhookConfigError('InvalidOption', 'now is not a valid date');
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new WebhookConfigError(
      'InvalidOption',
      'the body must be the raw request body, as a string or bytes',
    );
  }

  const id = headerOf(headers, 'webhook-id');
  const timestamp = headerOf(headers, 'webhook-timestamp');
  const signatures = headerOf(headers, 'webhook-signature');
  const missing = [
    ['webhook-id', id],
    ['webhook-timestamp', timestamp],
    ['webhook-signature', signatures],
  ]
    .filter(([, v]) => !v)
    .map(([n]) => n);
  if (missing.length > 0 || !id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      'MissingHeader',
      `missing ${missing.join(', ')} header${missing.length > 1 ? 's' : ''} (a proxy may have dropped them)`,
    );
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new WebhookVerificationError('InvalidHeader', 'webhook-timestamp is not a Unix time in seconds');
  }
  const now = Math.floor(nowMs / 1000);
  const sent = Number(timestamp);
  if (now - sent > tolerance) {
    throw new WebhookVerificationError(
      'TimestampTooOld',
      `webhook-timestamp is ${now - sent} seconds old, more than ${tolerance} seconds from now: a replay, or the receiver's clock is wrong`,
    );
  }
  if (sent - now > tolerance) {
    throw new WebhookVerificationError(
      'TimestampTooNew',
      `webhook-timestamp is ${sent - now} seconds ahead, more than ${tolerance} seconds from now: check the receiver's clock`,
    );
  }
  // Compared as base64 text, as the reference libraries do: one spelling of a signature is valid.
  const expected = Buffer.from(hmac(key, id, sent, body));
  const matches = signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) {
    throw new WebhookVerificationError(
      'NoMatchingSignature',
      'no webhook-signature matches this body and secret: use the raw body as received (not re-serialised JSON) and the current secret',
    );
  }
  if (options.parseJson === false) return undefined;
  try {
    const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
    return JSON.parse(text) as unknown;
  } catch {
    throw new WebhookVerificationError('InvalidBody', 'the signed body is not JSON in UTF-8');
  }
};
