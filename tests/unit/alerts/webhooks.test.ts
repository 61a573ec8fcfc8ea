import { describe, expect, it } from 'vitest';
import {
  checkWebhookUrl,
  isPublicAddress,
  UnsafeWebhookUrlError,
} from '../../../functions/core/alerts/ssrf.ts';
import { ALERT_SCHEMA, type AlertDocument } from '../../../functions/core/alerts/compose.ts';
import { webhookBody } from '../../../functions/core/alerts/webhook-payloads.ts';
import {
  signWebhook,
  verifyWebhook,
  WebhookConfigError,
  WebhookVerificationError,
} from '../../../functions/core/alerts/webhook-signature.ts';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const OLD_SECRET = `whsec_${Buffer.from('fedcba9876543210fedcba9876543210').toString('base64')}`;
const NOW = new Date('2026-11-23T12:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const BODY = '{"id":"alert_0123456789abcdef01234567"}';

describe('Function: signWebhook and verifyWebhook', () => {
  it('should produce headers the shipped verifier accepts', () => {
    // Act
    const headers = signWebhook('alert_1', T, BODY, [SECRET]);

    // Assess
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifyWebhook(headers, BODY, SECRET, { now: NOW })).toEqual({
      id: 'alert_0123456789abcdef01234567',
    });
  });

  it('should match the Standard Webhooks reference vector', () => {
    // Prepare: the example of the Standard Webhooks specification.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';

    // Act
    const headers = signWebhook('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body, [secret]);

    // Assess
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('should carry one signature per secret during a rotation, each verifiable', () => {
    // Act
    const headers = signWebhook('alert_1', T, BODY, [SECRET, OLD_SECRET]);

    // Assess
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => verifyWebhook(headers, BODY, OLD_SECRET, { now: NOW })).not.toThrow();
  });

  it.each([
    [
      'a tampered body',
      (h: Record<string, string>) => [h, `${BODY} `, SECRET, NOW],
      'NoMatchingSignature',
      'no webhook-signature matches',
    ],
    [
      'a wrong secret',
      (h: Record<string, string>) => [h, BODY, OLD_SECRET, NOW],
      'NoMatchingSignature',
      'no webhook-signature matches',
    ],
    [
      'a stale timestamp',
      (h: Record<string, string>) => [h, BODY, SECRET, new Date(NOW.getTime() + 301_000)],
      'TimestampTooOld',
      'more than 300 seconds',
    ],
    [
      'a timestamp from the future',
      (h: Record<string, string>) => [h, BODY, SECRET, new Date(NOW.getTime() - 301_000)],
      'TimestampTooNew',
      'more than 300 seconds',
    ],
    [
      'a missing header',
      (h: Record<string, string>) => [{ ...h, 'webhook-id': undefined }, BODY, SECRET, NOW],
      'MissingHeader',
      'missing webhook-id header',
    ],
    [
      'a replayed signature under another id',
      (h: Record<string, string>) => [{ ...h, 'webhook-id': 'alert_2' }, BODY, SECRET, NOW],
      'NoMatchingSignature',
      'no webhook-signature matches',
    ],
    [
      'a signature with extra characters after it',
      (h: Record<string, string>) => [
        { ...h, 'webhook-signature': `${h['webhook-signature']}AAAA` },
        BODY,
        SECRET,
        NOW,
      ],
      'NoMatchingSignature',
      'no webhook-signature matches',
    ],
    [
      'a header sent twice with different values',
      (h: Record<string, string>) => [{ ...h, 'Webhook-Id': 'alert_2' }, BODY, SECRET, NOW],
      'InvalidHeader',
      'more than once',
    ],
  ] as const)('should refuse %s', (_what, change, kind, message) => {
    // Prepare
    const [headers, body, secret, now] = change(signWebhook('alert_1', T, BODY, [SECRET]));

    // Act
    let error: unknown;
    try {
      verifyWebhook(headers as Record<string, string>, body as string, secret as string, {
        now: now as Date,
      });
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).kind).toBe(kind);
    expect((error as Error).message).toMatch(new RegExp(`^${kind}: `));
    expect((error as Error).message).toContain(message);
  });

  it('should find the headers whatever their letter case, in a plain object or a Headers object', () => {
    // Prepare
    const signed = signWebhook('alert_1', T, BODY, [SECRET]);
    const capitalised = {
      'Webhook-Id': signed['webhook-id'],
      'WEBHOOK-TIMESTAMP': signed['webhook-timestamp'],
      'Webhook-Signature': [signed['webhook-signature']],
    };

    // Act
    const fromObject = verifyWebhook(capitalised, BODY, SECRET, { now: NOW });
    const fromHeaders = verifyWebhook(new Headers(signed), Buffer.from(BODY), SECRET, { now: NOW });

    // Assess
    expect(fromObject).toEqual({ id: 'alert_0123456789abcdef01234567' });
    expect(fromHeaders).toEqual(fromObject);
  });

  it('should accept a bare base64 secret and one without its padding, as the Standard Webhooks libraries do', () => {
    // Prepare
    const headers = signWebhook('alert_1', T, BODY, [SECRET]);

    // Act & Assess
    expect(verifyWebhook(headers, BODY, SECRET.slice('whsec_'.length), { now: NOW })).toEqual({
      id: 'alert_0123456789abcdef01234567',
    });
    expect(SECRET).toMatch(/=$/);
    expect(verifyWebhook(headers, BODY, SECRET.replace(/=+$/, ''), { now: NOW })).toEqual({
      id: 'alert_0123456789abcdef01234567',
    });
  });

  it.each([
    ['base64url', `whsec_${Buffer.alloc(32, 0xfb).toString('base64url')}`, 'is base64url'],
    [
      'a stray last character',
      `whsec_${Buffer.alloc(32, 1).toString('base64').replace(/=+$/, '')}AA`,
      'one over',
    ],
    [
      'padding in the wrong place',
      `whsec_${Buffer.alloc(32, 1).toString('base64')}=`,
      'padding must complete',
    ],
    ['a trailing new line', `${SECRET}\n`, 'line break'],
    ['an empty secret', 'whsec_', 'empty'],
    ['no secret at all', undefined, 'no webhook secret given'],
    ['a character outside base64', `whsec_${'A'.repeat(20)}!${'A'.repeat(23)}`, 'not base64 at character 27'],
  ])(
    'should refuse %s as a secret, with a WebhookConfigError that does not repeat it',
    (_w, secret, message) => {
      // Prepare
      const headers = signWebhook('alert_1', T, BODY, [SECRET]);

      // Act
      let error: unknown;
      try {
        verifyWebhook(headers, BODY, secret as string, { now: NOW });
      } catch (e) {
        error = e;
      }

      // Assess
      expect(error).toBeInstanceOf(WebhookConfigError);
      expect((error as WebhookConfigError).kind).toBe('InvalidSecret');
      expect((error as Error).message).toContain(message);
      if (secret && secret.length > 8) expect((error as Error).message).not.toContain(secret.slice(6));
    },
  );

  it('should refuse to sign with a key shorter than the 24 bytes Standard Webhooks asks for', () => {
    // Act & Assess
    expect(() =>
      signWebhook('alert_1', T, BODY, [`whsec_${Buffer.alloc(16, 1).toString('base64')}`]),
    ).toThrow(
      expect.objectContaining({ kind: 'WeakSecret', message: expect.stringContaining('holds 16 bytes') }),
    );
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1, '300' as unknown as number])(
    'should refuse a tolerance of %s rather than turn the replay window off',
    (toleranceSeconds) => {
      // Prepare: a request a day old, which no usable tolerance lets through.
      const headers = signWebhook('alert_1', T - 86_400, BODY, [SECRET]);

      // Act & Assess
      expect(() => verifyWebhook(headers, BODY, SECRET, { now: NOW, toleranceSeconds })).toThrow(
        expect.objectContaining({ name: 'WebhookConfigError', kind: 'InvalidOption' }),
      );
    },
  );

  it('should accept a tolerance of 0 for a request of this very second only', () => {
    // Prepare
    const now = signWebhook('alert_1', T, BODY, [SECRET]);
    const before = signWebhook('alert_1', T - 1, BODY, [SECRET]);

    // Act & Assess
    expect(() => verifyWebhook(now, BODY, SECRET, { now: NOW, toleranceSeconds: 0 })).not.toThrow();
    expect(() => verifyWebhook(before, BODY, SECRET, { now: NOW, toleranceSeconds: 0 })).toThrow(
      expect.objectContaining({ kind: 'TimestampTooOld' }),
    );
  });
});

describe('Function: isPublicAddress and checkWebhookUrl', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '2002:a9fe:a9fe::1',
    '::127.0.0.1',
    '::7f00:1',
    '::169.254.169.254',
    '::FFFF:A9FE:A9FE',
    '::ffff:0:169.254.169.254',
    '64:ff9b:1::a9fe:a9fe',
    '2002:7f00::1',
    '2002:a00::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'fe80::1%eth0',
    // Documentation (RFC 9637) and SRv6 segment identifiers (RFC 9602).
    '3fff::1',
    '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff',
    '5f00::1',
    '5f00:ffff::1',
    // IETF protocol assignments (2001::/23): benchmarking, ORCHID, and the edge of the block.
    '2001:2::1',
    '2001:10::1',
    '2001:1ff:ffff::1',
    // Discard-only and the dummy prefix (RFC 9780).
    '100::1',
    '100:0:0:1::1',
    // Outside global unicast (2000::/3): unallocated, or the deprecated IPv4-compatible form.
    '4000::1',
    '::8.8.8.8',
    'fec0::1',
    'ff02::1',
    '198.19.255.255',
    '192.0.0.9',
    '255.255.255.255',
  ])('should treat %s as internal', (address) => {
    // Act & Assess
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '2606:4700:4700::1111',
    '2002:5db8:d822::1',
    '64:ff9b::808:808',
    '::ffff:8.8.8.8',
    '2001:200::1',
    '3fff:1000::1',
  ])('should treat %s as public', (address) => {
    // Act & Assess
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    ['http://hooks.example.org/x', 'https only'],
    ['https://user:pw@hooks.example.org/x', 'credentials'],
    ['https://127.0.0.1/x', 'internal address'],
    ['https://2130706433/x', 'internal address'],
    ['https://0177.0.0.1/x', 'internal address'],
    ['https://0x7f.1/x', 'internal address'],
    ['https://017700000001/x', 'internal address'],
    ['https://169.254.169.254/latest/meta-data/', 'internal address'],
    ['https://[::1]/x', 'internal address'],
    ['https://[::ffff:169.254.169.254]/x', 'internal address'],
    ['https://localhost/x', 'internal host'],
    ['https://localhost./x', 'internal host'],
    ['https://x.internal./x', 'internal host'],
    ['https://[::7f00:1]/x', 'internal address'],
    ['https://[::127.0.0.1]/x', 'internal address'],
    ['https://[2002:a9fe:a9fe::]/x', 'internal address'],
    ['https://metadata.google.internal/x', 'internal host'],
    ['https://[3fff::1]/x', 'internal address'],
    ['https://[5f00::1]/x', 'internal address'],
    ['not a url', 'is not a URL'],
  ])('should refuse %s', (url, message) => {
    // Act & Assess
    expect(() => checkWebhookUrl(url)).toThrow(UnsafeWebhookUrlError);
    expect(() => checkWebhookUrl(url)).toThrow(message);
  });

  it('should accept a public https URL', () => {
    // Act & Assess
    expect(checkWebhookUrl('https://hooks.example.org/newswatch?x=1').hostname).toBe('hooks.example.org');
  });
});

describe('Function: webhookBody', () => {
  const doc: AlertDocument = {
    schema: ALERT_SCHEMA,
    id: 'alert_0123456789abcdef01234567',
    kind: 'alert',
    createdAt: '2026-11-23T12:00:00.000Z',
    topic: { id: 'aid', name: 'International health aid' },
    score: 0.9,
    article: {
      id: 'a'.repeat(32),
      title: 'Masks arrive in Baku',
      date: '2020-07-26',
      location: 's3://b/incoming/a.txt',
    },
    why: { terms: [{ term: 'masks', count: 4 }], countries: ['AZ'], snippet: '…medical **masks** arrived…' },
  };

  it('should send the alert document as it is to generic receivers', () => {
    // Act & Assess
    expect(webhookBody(doc, 'generic')).toBe(doc);
  });

  it('should shape Slack, Discord and Teams messages', () => {
    // Act
    const slack = webhookBody(doc, 'slack') as { text: string; blocks: Array<{ text?: { text: string } }> };
    const discord = webhookBody(doc, 'discord') as {
      embeds: Array<{ description: string; footer: { text: string } }>;
    };
    const teams = webhookBody(doc, 'teams') as {
      attachments: Array<{
        content: { type: string; body: Array<{ inlines?: Array<{ text: string; highlight?: boolean }> }> };
      }>;
    };

    // Assess
    expect(slack.text).toBe('International health aid: Masks arrive in Baku');
    expect(slack.blocks[1]?.text?.text).toContain('>…medical *masks* arrived…');
    expect(discord.embeds[0]?.footer.text).toBe('2020-07-26 · alert_0123456789abcdef01234567');
    expect(teams.attachments[0]?.content.type).toBe('AdaptiveCard');
    expect(teams.attachments[0]?.content.body[3]?.inlines).toEqual([
      { type: 'TextRun', text: '…medical ' },
      { type: 'TextRun', text: 'masks', weight: 'Bolder', highlight: true },
      { type: 'TextRun', text: ' arrived…' },
    ]);
  });
});
