import { describe, expect, it } from 'vitest';
import { filterPolicyOf, loadSubscribers, wantsAlert } from '../../../functions/core/alerts/subscribers.ts';
import { readSubscribers } from '../../../infra/app.ts';

const topics = new Set(['aid', 'vaccines']);

const BOMB = [
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
].join('\n');

describe("Function: loadSubscribers (problems in the project's words)", () => {
  it('should report unknown keys, values out of range and entries of no kind, each with its place, in file order', () => {
    // Prepare
    const text = [
      'subscribers:',
      '  - id: x',
      '    email: nope',
      '    topics: [aid]',
      '    minScore: 2',
      '    minscore: 1',
      '  - id: y',
      "    webhook: { url: 'https://hooks.example.org/in', secretName: s, fromat: slack }",
      '    topics: []',
      '    mode: daily',
      '  - id: z',
      "    topics: ['*']",
      '',
    ].join('\n');

    // Act
    const { subscribers, problems } = loadSubscribers(text, new Set(['aid']));

    // Assess
    expect(subscribers).toEqual([]);
    expect(problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([
      '3:12: subscribers.0.email: must be an email address',
      '5:15: subscribers.0.minScore: must be a number from 0 to 1',
      expect.stringMatching(
        /^6:5: subscribers\.0: unknown key "minscore" \(a subscriber has id, topics, minScore, /,
      ),
      '8:68: subscribers.1.webhook: unknown key "fromat" (a webhook has url or urlSecret, format, secretName)',
      '9:13: subscribers.1.topics: must list at least one topic id, or "*" for every topic',
      '10:11: subscribers.1.mode: must be immediate or digest',
      '11:5: subscribers.2: a subscriber needs either email or webhook { urlSecret or url, secretName }',
    ]);
  });
});

describe('Function: loadSubscribers', () => {
  it('should refuse a YAML alias bomb with line and column instead of throwing', () => {
    // Act
    const { subscribers, problems } = loadSubscribers(`${BOMB}\nsubscribers: []\n`, topics);

    // Assess
    expect(subscribers).toEqual([]);
    expect(problems).toEqual([
      { line: 2, column: 8, message: expect.stringMatching(/aliases \(\*name\) expand more than 100/) },
    ]);
  });

  it('should read email and webhook subscribers with their defaults', () => {
    // Prepare
    const text = `subscribers:
  - id: desk
    email: desk@example.org
    topics: [aid]
  - id: partner
    webhook: { url: "https://hooks.example.org/x", secretName: newswatch/partner }
    topics: ["*"]
    minScore: 0.4
`;

    // Act
    const { subscribers, problems } = loadSubscribers(text, topics);

    // Assess
    expect(problems).toEqual([]);
    expect(subscribers).toEqual([
      {
        id: 'desk',
        email: 'desk@example.org',
        topics: ['aid'],
        minScore: 0,
        mode: 'immediate',
        updates: false,
      },
      {
        id: 'partner',
        webhook: { url: 'https://hooks.example.org/x', secretName: 'newswatch/partner', format: 'generic' },
        topics: ['*'],
        minScore: 0.4,
        mode: 'immediate',
        updates: false,
      },
    ]);
  });

  it('should report unknown topics, duplicate ids, bad addresses and plain-http webhooks with their place', () => {
    // Prepare
    const unknown =
      'subscribers:\n  - id: a\n    email: a@example.org\n    topics: [aid, sports]\n  - id: a\n    email: b@example.org\n    topics: [aid]\n';
    const badEmail = 'subscribers:\n  - id: a\n    email: not-an-address\n    topics: [aid]\n';
    const http =
      'subscribers:\n  - id: a\n    webhook: { url: "http://x.example.org", secretName: s }\n    topics: [aid]\n';

    // Act & Assess
    expect(loadSubscribers(unknown, topics).problems).toEqual([
      { line: 4, column: 19, message: 'subscriber a: there is no topic "sports"' },
      { line: 5, column: 9, message: 'subscriber id "a" is used twice' },
    ]);
    expect(loadSubscribers(badEmail, topics).problems).toEqual([
      { line: 3, column: 12, message: 'subscribers.0.email: must be an email address' },
    ]);
    expect(loadSubscribers(http, topics).problems).toHaveLength(1);
    const digestHook =
      'subscribers:\n  - id: h\n    webhook: { url: "https://x.example.org", secretName: s }\n    topics: [aid]\n    mode: digest\n';
    expect(loadSubscribers(digestHook, topics).problems).toEqual([
      {
        line: 5,
        column: 11,
        message:
          'subscriber h: daily digests go to email subscribers; a webhook gets each alert as it happens',
      },
    ]);
  });

  it('should take a Slack, Discord or Teams webhook only by the secret that holds its URL', () => {
    // Prepare
    const file = (webhook: string) =>
      `subscribers:\n  - id: chat\n    topics: [aid]\n    webhook:\n${webhook}      secretName: newswatch/sign\n`;
    const slackUrl = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX';

    // Act
    const bySecret = loadSubscribers(
      file('      format: slack\n      urlSecret: newswatch/chat-url\n'),
      topics,
    );
    const byUrl = loadSubscribers(file(`      format: slack\n      url: ${slackUrl}\n`), topics);

    // Assess
    expect(bySecret.problems).toEqual([]);
    expect(bySecret.subscribers[0]).toMatchObject({
      webhook: { format: 'slack', urlSecret: 'newswatch/chat-url', secretName: 'newswatch/sign' },
    });
    expect(byUrl.problems).toEqual([
      {
        line: 6,
        column: 12,
        message:
          'subscriber chat: a Slack webhook URL is its own credential: store it in Secrets Manager and name that secret with urlSecret instead of url',
      },
    ]);
    expect(JSON.stringify(byUrl.problems)).not.toContain('XXXXXXXX');
  });

  it.each([
    [
      'a Slack URL given as generic',
      'https://hooks.slack.com/services/T0/B0/secret',
      'Slack incoming-webhook URL',
    ],
    ['a Discord URL', 'https://discord.com/api/webhooks/123/token', 'Discord webhook URL'],
    [
      'a Teams incoming webhook',
      'https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c',
      'Teams',
    ],
    [
      'a Teams workflow',
      'https://prod-01.westus.logic.azure.com:443/workflows/x/triggers/manual/paths/invoke?sig=abc',
      'Power Automate',
    ],
    ['a token in the query', 'https://hooks.example.org/in?token=abc', 'query parameter "token"'],
    ['an Azure Functions key', 'https://fn.example.org/api/hook?code=abc', 'query parameter "code"'],
  ])('should refuse %s as a plain url', (_what, url, reason) => {
    // Prepare
    const text = `subscribers:\n  - id: g\n    topics: [aid]\n    webhook: { url: "${url}", secretName: s }\n`;

    // Act
    const { problems } = loadSubscribers(text, topics);

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain(reason);
    expect(problems[0]?.message).toContain('urlSecret');
    expect(problems[0]?.message).not.toContain(url);
  });

  it('should refuse a webhook with both url and urlSecret, or with neither', () => {
    // Prepare
    const both =
      'subscribers:\n  - id: g\n    topics: [aid]\n    webhook: { url: "https://h.example.org/x", urlSecret: u, secretName: s }\n';
    const neither = 'subscribers:\n  - id: g\n    topics: [aid]\n    webhook: { secretName: s }\n';

    // Act & Assess
    expect(loadSubscribers(both, topics).problems[0]?.message).toContain('either url or urlSecret, not both');
    expect(loadSubscribers(neither, topics).problems[0]?.message).toContain('needs urlSecret');
  });

  it('should read the sample subscribers file, checked against the sample topics', () => {
    // Act & Assess
    expect(readSubscribers(new URL('../../fixtures/seeds/', import.meta.url)).map((s) => s.id)).toEqual([
      'health-desk',
      'caucasus-editor',
    ]);
  });
});

describe('Function: filterPolicyOf and wantsAlert (languages)', () => {
  const spanish = {
    id: 'es-desk',
    email: 'es@example.org',
    topics: ['*'],
    minScore: 0,
    mode: 'immediate' as const,
    updates: false,
    languages: ['es', 'und'],
  };

  it('should select alerts by the language of their article when a subscriber lists languages', () => {
    // Act & Assess
    expect(filterPolicyOf(spanish)).toEqual({
      kind: ['alert'],
      storyRole: ['first'],
      language: ['es', 'und'],
    });
    expect(wantsAlert(spanish, { topicId: 'aid', score: 0.5, language: 'es' })).toBe(true);
    expect(wantsAlert(spanish, { topicId: 'aid', score: 0.5, language: 'en' })).toBe(false);
    expect(wantsAlert(spanish, { topicId: 'aid', score: 0.5 })).toBe(true);
    expect(
      wantsAlert({ ...spanish, languages: undefined }, { topicId: 'aid', score: 0.5, language: 'en' }),
    ).toBe(true);
  });

  it('should refuse a language that is not a code, and an empty list', () => {
    // Prepare
    const file = (languages: string) =>
      `subscribers:\n  - id: x\n    email: x@example.org\n    topics: ["*"]\n    languages: ${languages}\n`;

    // Act
    const bad = loadSubscribers(file('[Spanish]'), new Set()).problems;
    const empty = loadSubscribers(file('[]'), new Set()).problems;
    const good = loadSubscribers(file('[es, pt]'), new Set());

    // Assess
    expect(bad.map((p) => p.message)).toEqual([
      'subscribers.0.languages.0: must be a language code such as en or es (und: language not known)',
    ]);
    expect(empty.map((p) => p.message)).toEqual([
      'subscribers.0.languages: must list at least one language code, or be left out for every language',
    ]);
    expect(good.subscribers[0]?.languages).toEqual(['es', 'pt']);
  });
});

describe('Function: filterPolicyOf', () => {
  it('should select alerts by topic and score, or the digest of that subscriber', () => {
    // Act & Assess
    expect(
      filterPolicyOf({
        id: 'd',
        email: 'd@example.org',
        topics: ['aid'],
        minScore: 0.5,
        mode: 'immediate',
        updates: false,
      }),
    ).toEqual({
      kind: ['alert'],
      storyRole: ['first'],
      topicId: ['aid'],
      score: [{ numeric: ['>=', 0.5] }],
    });
    expect(
      filterPolicyOf({
        id: 'd',
        email: 'd@example.org',
        topics: ['*'],
        minScore: 0,
        mode: 'immediate',
        updates: false,
      }),
    ).toEqual({
      kind: ['alert'],
      storyRole: ['first'],
    });
    expect(
      filterPolicyOf({
        id: 'd',
        email: 'd@example.org',
        topics: ['*'],
        minScore: 0,
        mode: 'immediate',
        updates: true,
      }),
    ).toEqual({
      kind: ['alert'],
    });
    expect(
      filterPolicyOf({
        id: 'd',
        email: 'd@example.org',
        topics: ['aid'],
        minScore: 0,
        mode: 'digest',
        updates: false,
      }),
    ).toEqual({
      kind: ['digest'],
      subscriber: ['d'],
    });
  });
});
