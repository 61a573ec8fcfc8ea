import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type * as AdaptiveCards from 'adaptivecards';
import { describe, expect, it } from 'vitest';
import { snippetRuns } from '../../../functions/core/alerts/channel-text.ts';
import {
  composeAlertDocument,
  composeAlertEmail,
  composeSnsMessage,
} from '../../../functions/core/alerts/compose.ts';
import { webhookBody } from '../../../functions/core/alerts/webhook-payloads.ts';
import { HOSTILE_CASES, hostileAlert } from '../../fixtures/hostile-articles.ts';

// The SDK's ES build imports files without extensions, which Node does not resolve; its
// bundled build works in Node as it is: parsing and validation need no DOM.
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validateAlert = ajv.compile(JSON.parse(readFileSync('docs/alert.schema.json', 'utf8')) as object);
const isUri = ajv.compile({ type: 'string', format: 'uri' });

const cases = HOSTILE_CASES.map((c) => [c.name, c] as const);
const caseNamed = (name: string) => {
  const c = HOSTILE_CASES.find((x) => x.name === name);
  if (!c) throw new Error(`no hostile case ${name}`);
  return c;
};

/** Every string anywhere in a JSON value. */
const stringsOf = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.flatMap(stringsOf)
      : value && typeof value === 'object'
        ? Object.values(value).flatMap(stringsOf)
        : [];

// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const BIDI_OVERRIDE = /[\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** A strict parse of the bytes a receiver gets: valid UTF-8, valid JSON, no half characters. */
const receive = (body: unknown): unknown => {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const parsed = JSON.parse(text) as unknown;
  for (const s of stringsOf(parsed)) {
    expect(s.isWellFormed(), JSON.stringify(s.slice(0, 80))).toBe(true);
    expect(LONE_SURROGATE.test(s)).toBe(false);
  }
  return parsed;
};

describe('Hostile articles: the alert document', () => {
  it.each(cases)('should be strict JSON, valid against docs/alert.schema.json, for %s', (_name, c) => {
    // Prepare
    const alert = hostileAlert(c);

    // Act
    const doc = receive(composeAlertDocument(alert)) as ReturnType<typeof composeAlertDocument>;

    // Assess
    expect(validateAlert(doc), JSON.stringify(validateAlert.errors)).toBe(true);
    for (const s of stringsOf(doc)) {
      expect(CONTROL.test(s), JSON.stringify(s.slice(0, 80))).toBe(false);
      expect(BIDI_OVERRIDE.test(s)).toBe(false);
    }
    expect(doc.article.title.length).toBeLessThanOrEqual(300);
    expect((doc.article.author ?? '').length).toBeLessThanOrEqual(200);
  });

  it('should normalise a URL with spaces, non-ASCII and <>|\\^`{}" into a valid URI', () => {
    // Act
    const doc = composeAlertDocument(hostileAlert(caseNamed('URLs no schema accepts')));

    // Assess
    expect(doc.article.url).toBe(
      'https://example.com/a%20b/%C3%BC%3C%3E%7C/%5E%60%7B%7D%22?q=x%20y%7Cz#frag%23more',
    );
    expect(isUri(doc.article.url)).toBe(true);
  });

  it('should leave out a URL with a user name and say why in the document and the email', () => {
    // Prepare
    const alert = hostileAlert(caseNamed('a URL with a user name'));

    // Act
    const doc = composeAlertDocument(alert);
    const email = composeAlertEmail(alert);

    // Assess
    expect(doc.article.url).toBeUndefined();
    expect(doc.article.urlDropped).toBe('the URL holds a user name or password');
    expect(email.text).toContain('Link left out: the URL holds a user name or password');
    expect(validateAlert(doc)).toBe(true);
  });

  it('should leave out a javascript: URL of a stored alert', () => {
    // Prepare: the parser refuses such a URL; an alert stored before it did may hold one.
    const alert = hostileAlert(caseNamed('a CJK title'));
    alert.article.url = 'javascript:alert(document.cookie)';

    // Act
    const doc = composeAlertDocument(alert);

    // Assess
    expect(doc.article.url).toBeUndefined();
    expect(doc.article.urlDropped).toBe('javascript links are not sent, only http and https');
    expect(validateAlert(doc)).toBe(true);
  });

  it('should mark only what matched, whatever asterisks the article holds', () => {
    // Prepare
    const alert = hostileAlert(caseNamed('a forged highlight'));
    const matched = new Set(
      alert.explanation.terms.flatMap((t) =>
        t.positions.map((p) => p.text.replace(/\*/g, '∗').toLowerCase()),
      ),
    );

    // Act
    const doc = composeAlertDocument(alert);
    const marked = snippetRuns(doc.why.snippet).filter((r) => r.marked);

    // Assess
    expect(doc.why.snippet).toContain('∗∗fake highlight∗∗');
    expect(marked.length).toBeGreaterThan(0);
    for (const r of marked) expect(matched.has(r.text.toLowerCase()), r.text).toBe(true);
  });
});

describe('Hostile articles: email', () => {
  it.each(cases)('should give one-line subjects and clean text for %s', (_name, c) => {
    // Act
    const email = composeAlertEmail(hostileAlert(c));

    // Assess
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject.isWellFormed()).toBe(true);
    expect(email.subject.length).toBeLessThanOrEqual(90);
    expect(email.snsSubject).toMatch(/^[\x20-\x7e]{1,99}$/);
    expect(email.text.isWellFormed()).toBe(true);
    expect(CONTROL.test(email.text)).toBe(false);
    expect(BIDI_OVERRIDE.test(email.text)).toBe(false);
  });

  it('should keep a CJK title in the UTF-8 subject and say so in the ASCII one', () => {
    // Act
    const email = composeAlertEmail(hostileAlert(caseNamed('a CJK title')));

    // Assess
    expect(email.subject).toBe('[newswatch] International health aid: 韩国向阿塞拜疆运送医用口罩');
    expect(email.snsSubject).toBe('[newswatch] International health aid: (title in message)');
    expect(email.text.split('\n')[0]).toBe('韩国向阿塞拜疆运送医用口罩');
  });

  it('should keep the SNS message of a 60 000-character author small', () => {
    // Act
    const msg = composeSnsMessage(hostileAlert(caseNamed('a 60 000-character author')));

    // Assess
    expect(Buffer.byteLength(msg.message)).toBeLessThan(32 * 1024);
  });
});

interface SlackText {
  type: string;
  text: string;
  verbatim?: boolean;
}
interface SlackMessage {
  text: string;
  blocks: Array<{ type: string; text?: SlackText; elements?: SlackText[] }>;
}

describe('Hostile articles: Slack', () => {
  it.each(cases)(
    'should keep within Block Kit limits and let no mention or link form, for %s',
    (_name, c) => {
      // Prepare
      const doc = composeAlertDocument(hostileAlert(c));

      // Act
      const slack = receive(webhookBody(doc, 'slack')) as SlackMessage;

      // Assess: the limits of Slack's Block Kit reference.
      expect(slack.blocks.length).toBeLessThanOrEqual(50);
      const header = slack.blocks.find((b) => b.type === 'header')?.text;
      expect(header?.type).toBe('plain_text');
      expect(header?.text.length).toBeLessThanOrEqual(150);
      const section = slack.blocks.find((b) => b.type === 'section')?.text as SlackText;
      expect(section.text.length).toBeLessThanOrEqual(3000);
      const context = slack.blocks.find((b) => b.type === 'context')?.elements ?? [];
      expect(context.length).toBeLessThanOrEqual(10);
      for (const t of [section, ...context]) {
        expect(t.type).toBe('mrkdwn');
        expect(t.verbatim).toBe(true);
        expect(t.text.length).toBeLessThanOrEqual(3000);
      }
      // No control sequence but our own link: every "<" opens the link to the article.
      const ownLink = doc.article.url ? `<${doc.article.url.replace(/&/g, '&amp;')}|Read the article>` : '';
      for (const text of [slack.text, section.text, ...context.map((t) => t.text)]) {
        // Our own block quote of the snippet starts a line with ">".
        const rest = (ownLink ? text.split(ownLink).join('') : text).replace(/\n>/g, '\n');
        expect(rest).not.toMatch(/[<>]/);
        expect(rest).not.toMatch(/&(?!amp;|lt;|gt;)/);
        expect(rest).not.toMatch(/<!|<@|<#|<https?:[^>]*\|/);
        expect(rest).not.toMatch(/@(channel|here|everyone)\b/);
      }
    },
  );
});

interface DiscordEmbed {
  title: string;
  url?: string;
  description: string;
  fields: Array<{ name: string; value: string }>;
  footer: { text: string };
}

describe('Hostile articles: Discord', () => {
  it.each(cases)('should ping nobody and keep within the documented limits, for %s', (_name, c) => {
    // Prepare
    const doc = composeAlertDocument(hostileAlert(c));

    // Act
    const discord = receive(webhookBody(doc, 'discord')) as {
      content: string;
      allowed_mentions: { parse: string[] };
      embeds: DiscordEmbed[];
    };

    // Assess
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(discord.content.length).toBeLessThanOrEqual(2000);
    let total = 0;
    for (const e of discord.embeds) {
      expect(e.title.length).toBeLessThanOrEqual(256);
      expect(e.description.length).toBeLessThanOrEqual(4096);
      expect(e.fields.length).toBeLessThanOrEqual(25);
      for (const f of e.fields) {
        expect(f.name.length).toBeLessThanOrEqual(256);
        expect(f.value.length).toBeLessThanOrEqual(1024);
        expect(f.value.length).toBeGreaterThan(0);
      }
      expect(e.footer.text.length).toBeLessThanOrEqual(2048);
      if (e.url !== undefined) expect(isUri(e.url)).toBe(true);
      total += e.title.length + e.description.length + e.footer.text.length;
      total += e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    }
    expect(total).toBeLessThanOrEqual(6000);
    for (const text of [discord.content, ...discord.embeds.flatMap((e) => [e.title, e.description])]) {
      // Unescaped: a mention, a masked link, a spoiler.
      expect(text).not.toMatch(/(?<!\\)<[@#]/);
      expect(text).not.toMatch(/(?<!\\)\[[^\]]*(?<!\\)\]\(/);
      expect(text).not.toMatch(/(?<!\\)\|\|/);
      expect(text).not.toMatch(/@(everyone|here)\b/);
    }
  });
});

interface TeamsMessage {
  type: string;
  attachments: Array<{
    contentType: string;
    content: { body: Array<{ type: string; text?: string }>; actions?: Array<{ url: string }> };
  }>;
}

describe('Hostile articles: Microsoft Teams', () => {
  it.each(cases)(
    'should give a card the Adaptive Cards SDK parses and validates without a complaint, for %s',
    (_name, c) => {
      // Prepare
      const doc = composeAlertDocument(hostileAlert(c));

      // Act
      const teams = receive(webhookBody(doc, 'teams')) as TeamsMessage;
      const content = teams.attachments[0]?.content;
      const card = new AC.AdaptiveCard();
      const context = new AC.SerializationContext();
      card.parse(content, context);
      const validation = card.validateProperties();

      // Assess
      const events = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
      expect(events).toEqual([]);
      expect(validation.validationEvents.map((e) => e.message)).toEqual([]);
      // Every element was understood: nothing was replaced by a fallback.
      expect(card.getItemCount()).toBe(content?.body.length);
      for (const a of content?.actions ?? []) expect(isUri(a.url)).toBe(true);
      // TextBlocks render markdown: none may hold an unescaped link.
      for (const b of content?.body ?? []) {
        if (b.type === 'TextBlock') expect(b.text).not.toMatch(/(?<!\\)\[[^\]]*(?<!\\)\]\(/);
      }
      expect(Buffer.byteLength(JSON.stringify(teams))).toBeLessThan(28 * 1024);
    },
  );
});
