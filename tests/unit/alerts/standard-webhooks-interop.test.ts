import fc from 'fast-check';
import { Webhook, WebhookVerificationError as LibraryVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  signWebhook,
  verifyWebhook,
  WebhookConfigError,
  webhookSecretKey,
  type WebhookVerificationError,
} from '../../../functions/core/alerts/webhook-signature.ts';

/**
 * Our signer and verifier against `standardwebhooks`, the reference library of the
 * specification, in both directions. The library reads the clock itself, so the clock is fixed.
 */
const NOW = new Date('2026-11-23T12:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const RUNS = { numRuns: 150 };
const TIMEOUT = { timeout: 30_000 };

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
});
afterAll(() => {
  vi.useRealTimers();
});

const outcome = <T>(f: () => T): { ok: true; value: T } | { ok: false; error: unknown } => {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
};

const signingKey = fc.uint8Array({ minLength: 24, maxLength: 64 });
const secretOf = (key: Uint8Array, prefixed: boolean) =>
  `${prefixed ? 'whsec_' : ''}${Buffer.from(key).toString('base64')}`;
const msgId = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
const body = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.json());
/** A header name in a random mix of upper and lower case. */
const anyCase = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
const headerNames = fc.record({
  id: anyCase('webhook-id'),
  timestamp: anyCase('webhook-timestamp'),
  signature: anyCase('webhook-signature'),
});
const withNames = (
  names: { id: string; timestamp: string; signature: string },
  h: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string },
): Record<string, string> => ({
  [names.id]: h['webhook-id'],
  [names.timestamp]: h['webhook-timestamp'],
  [names.signature]: h['webhook-signature'],
});

describe('Function: signWebhook and verifyWebhook against the standardwebhooks library', () => {
  it('should sign what the library verifies, with the very signature the library computes', TIMEOUT, () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(signingKey, fc.boolean()), { minLength: 1, maxLength: 3 }),
        msgId,
        fc.integer({ min: -300, max: 300 }),
        body,
        headerNames,
        (keys, id, skew, payload, names) => {
          // Prepare
          const secrets = keys.map(([k, p]) => secretOf(k, p));
          const timestamp = T + skew;

          // Act
          const headers = signWebhook(id, timestamp, payload, secrets);

          // Assess: each secret's library instance verifies the request and signs it alike.
          const entries = headers['webhook-signature'].split(' ');
          secrets.forEach((s, i) => {
            const reference = new Webhook(s);
            expect(entries[i]).toBe(reference.sign(id, new Date(timestamp * 1000), payload));
            expect(() =>
              reference.verify(payload, withNames(names, headers), { jsonParse: false }),
            ).not.toThrow();
          });
        },
      ),
      RUNS,
    );
  });

  it(
    'should verify what the library signs, from a plain object in any letter case or a Headers object',
    TIMEOUT,
    () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 80 }),
          fc.boolean(),
          msgId,
          fc.integer({ min: -300, max: 300 }),
          fc.json(),
          headerNames,
          (key, prefixed, id, skew, payload, names) => {
            // Prepare
            const secret = secretOf(key, prefixed);
            const timestamp = T + skew;
            const signed = {
              'webhook-id': id,
              'webhook-timestamp': String(timestamp),
              'webhook-signature': new Webhook(secret).sign(id, new Date(timestamp * 1000), payload),
            };
            const headers = withNames(names, signed);

            // Act
            const ours = verifyWebhook(headers, payload, secret);
            const fromHeaders = verifyWebhook(new Headers(headers), Buffer.from(payload), secret);

            // Assess
            const expected = new Webhook(secret).verify(payload, headers);
            expect(ours).toEqual(expected);
            expect(fromHeaders).toEqual(expected);
          },
        ),
        RUNS,
      );
    },
  );

  it('should refuse, like the library, a tampered body, id, timestamp or signature', TIMEOUT, () => {
    const tamper = fc.constantFrom('body', 'id', 'timestamp', 'signature');
    fc.assert(
      fc.property(
        signingKey,
        msgId,
        fc.integer({ min: -299, max: 299 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        tamper,
        fc.boolean(),
        (key, id, skew, payload, what, referenceSigns) => {
          // Prepare: a request one side signed, then one part of it changed.
          const secret = secretOf(key, true);
          const timestamp = T + skew;
          const signed = referenceSigns
            ? {
                'webhook-id': id,
                'webhook-timestamp': String(timestamp),
                'webhook-signature': new Webhook(secret).sign(id, new Date(timestamp * 1000), payload),
              }
            : signWebhook(id, timestamp, payload, [secret]);
          const sig = signed['webhook-signature'];
          const flipped = `${sig.slice(0, 5)}${sig[5] === 'A' ? 'B' : 'A'}${sig.slice(6)}`;
          const headers = {
            ...signed,
            ...(what === 'id' ? { 'webhook-id': `${id}x` } : {}),
            ...(what === 'timestamp' ? { 'webhook-timestamp': String(timestamp + 1) } : {}),
            ...(what === 'signature' ? { 'webhook-signature': flipped } : {}),
          };
          const received = what === 'body' ? `${payload} ` : payload;

          // Act
          const ours = outcome(() => verifyWebhook(headers, received, secret, { parseJson: false }));
          const reference = outcome(() =>
            new Webhook(secret).verify(received, headers, { jsonParse: false }),
          );

          // Assess
          expect(ours.ok).toBe(false);
          expect(reference.ok).toBe(false);
          if (!ours.ok) expect((ours.error as WebhookVerificationError).kind).toBe('NoMatchingSignature');
          if (!reference.ok) expect(reference.error).toBeInstanceOf(LibraryVerificationError);
        },
      ),
      RUNS,
    );
  });

  it('should refuse, like the library, a timestamp outside five minutes either way', TIMEOUT, () => {
    fc.assert(
      fc.property(
        signingKey,
        fc.oneof(fc.integer({ min: 301, max: 10 ** 6 }), fc.integer({ min: -(10 ** 6), max: -301 })),
        (key, skew) => {
          // Prepare
          const secret = secretOf(key, true);
          const headers = signWebhook('msg_1', T + skew, '{}', [secret]);

          // Act
          const ours = outcome(() => verifyWebhook(headers, '{}', secret));
          const reference = outcome(() => new Webhook(secret).verify('{}', headers));

          // Assess: the same refusal, named the same way.
          expect(ours.ok || reference.ok).toBe(false);
          const kind = (ours as { error: WebhookVerificationError }).error.kind;
          const message = (reference as { error: Error }).error.message;
          expect(kind).toBe(skew > 0 ? 'TimestampTooNew' : 'TimestampTooOld');
          expect(message).toBe(skew > 0 ? 'Message timestamp too new' : 'Message timestamp too old');
        },
      ),
      RUNS,
    );
  });
});

/**
 * Secrets the library loads and we refuse: each one is read by the JavaScript library as
 * another key than the one written, because its decoder is lenient.
 */
const knownLeniency = (secret: string): string | undefined => {
  const encoded = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  const padding = /=*$/.exec(encoded)?.[0].length ?? 0;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(encoded)) return 'non-ASCII letters decoded as base64 digits';
  if ((encoded.length - padding) % 4 === 1) return 'the last character silently dropped';
  if (padding > 0 && encoded.length % 4 !== 0) return "'=' that does not complete a group of 4, ignored";
  return undefined;
};

describe('Function: webhookSecretKey against the standardwebhooks library', () => {
  const alphabet = [
    ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
    '=',
    '-',
    '_',
    ' ',
    '\n',
    '!',
    'é',
    'ȯ',
  ];
  const mutation = fc.oneof(
    fc.constant((s: string) => s.replace(/=+$/, '')),
    fc.constant((s: string) => `${s}\n`),
    fc.constant((s: string) => s.replaceAll('+', '-').replaceAll('/', '_')),
    fc.constant((s: string) => `whsec_${s}`),
    fc.tuple(fc.nat(), fc.constantFrom(...alphabet)).map(
      ([i, c]) =>
        (s: string) =>
          `${s.slice(0, i % (s.length + 1))}${c}${s.slice(i % (s.length + 1))}`,
    ),
    fc.nat().map((i) => (s: string) => s.slice(0, i % (s.length + 1))),
  );
  const candidate = fc.oneof(
    fc.tuple(fc.uint8Array({ maxLength: 80 }), fc.boolean()).map(([k, p]) => secretOf(k, p)),
    fc
      .tuple(
        fc.uint8Array({ maxLength: 80 }),
        fc.boolean(),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
      )
      .map(([k, p, ms]) => ms.reduce((s, m) => m(s), secretOf(k, p))),
    fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );

  it(
    'should accept only secrets the library loads as the same key, and refuse every secret it refuses',
    TIMEOUT,
    () => {
      fc.assert(
        fc.property(candidate, (secret) => {
          // Act
          const ours = outcome(() => webhookSecretKey(secret));
          const reference = outcome(() => new Webhook(secret));

          // Assess
          if (ours.ok) {
            expect(reference.ok).toBe(true);
            const library = (reference as { value: Webhook }).value;
            expect(Buffer.from((library as unknown as { key: Uint8Array }).key)).toEqual(ours.value);
            const headers = {
              'webhook-id': 'msg_1',
              'webhook-timestamp': String(T),
              'webhook-signature': library.sign('msg_1', new Date(T * 1000), '{}'),
            };
            expect(verifyWebhook(headers, '{}', secret)).toEqual({});
          } else {
            expect(ours.error).toBeInstanceOf(WebhookConfigError);
            expect((ours.error as WebhookConfigError).kind).toBe('InvalidSecret');
            expect((ours.error as Error).message).not.toContain(secret.length > 8 ? secret : '\u0000');
            if (reference.ok) expect(knownLeniency(secret), JSON.stringify(secret)).toBeDefined();
          }
        }),
        { numRuns: 600 },
      );
    },
  );

  it.each([
    ['bare base64, as the library allows', Buffer.alloc(32, 1).toString('base64'), true],
    ['whsec_ and base64', `whsec_${Buffer.alloc(32, 1).toString('base64')}`, true],
    ['base64url after whsec_', `whsec_${Buffer.alloc(32, 0xfb).toString('base64url')}=`, false],
    ['an empty secret', 'whsec_', false],
    ['a secret prefixed twice', `whsec_whsec_${Buffer.alloc(32, 1).toString('base64')}`, false],
  ])('should agree with the library on %s', (_what, secret, accepted) => {
    // Act
    const ours = outcome(() => webhookSecretKey(secret));
    const reference = outcome(() => new Webhook(secret));

    // Assess
    expect(ours.ok).toBe(accepted);
    expect(reference.ok).toBe(accepted);
  });
});
