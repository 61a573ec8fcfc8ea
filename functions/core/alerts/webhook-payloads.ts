import type { WebhookFormat } from './subscribers.ts';
import type { AlertDocument } from './compose.ts';
import { scoreLabel } from './alert.ts';
import {
  DISCORD_LIMITS,
  normaliseUrl,
  DISCORD_NO_MENTIONS,
  discordSnippet,
  discordText,
  SLACK_LIMITS,
  slackLink,
  slackMrkdwn,
  slackPlain,
  slackSnippet,
  teamsMarkdown,
  teamsRunText,
  teamsSnippetRuns,
} from './channel-text.ts';

/** Matched terms a chat message lists. */
const CHAT_TERMS = 8;

const termsOf = (doc: AlertDocument): string[] =>
  doc.why.terms.slice(0, CHAT_TERMS).map((t) => `${t.term} ×${t.count}`);

/** The article's link, checked again: a document from elsewhere (a queue) may be older than the rules. */
const linkOf = (doc: AlertDocument): string | undefined => {
  const url = doc.article.url === undefined ? undefined : normaliseUrl(doc.article.url);
  return url?.ok ? url.url : undefined;
};

/** Slack: a header, a section and a context block; every text object under Slack's limits. */
const slackBody = (doc: AlertDocument) => {
  const score = `${doc.score.toFixed(2)} (${scoreLabel(doc.score)})`;
  const url = linkOf(doc);
  const link = url ? slackLink(url, 'Read the article') : slackMrkdwn(doc.article.location, 1100);
  // Text objects are `verbatim`: Slack parses no bare URL, channel name or mention in them.
  const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });
  return {
    text: slackMrkdwn(`${doc.topic.name}: ${doc.article.title}`, SLACK_LIMITS.messageText),
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: slackPlain(doc.topic.name, SLACK_LIMITS.headerText), emoji: false },
      },
      {
        type: 'section',
        // Title, line of facts and snippet share the section's 3000 characters.
        text: mrkdwn(
          `*${slackMrkdwn(doc.article.title, 1200)}*\n${doc.article.date} · score ${score}\n>${slackSnippet(doc.why.snippet, 1700)}`,
        ),
      },
      {
        type: 'context',
        elements: [mrkdwn(`Matched: ${slackMrkdwn(termsOf(doc).join(', '), 1500)} · ${link} · ${doc.id}`)],
      },
    ],
  };
};

/** Discord: content and one embed, within each documented limit and 6000 in all; nobody pinged. */
const discordBody = (doc: AlertDocument) => {
  const score = `${doc.score.toFixed(2)} (${scoreLabel(doc.score)})`;
  const url = linkOf(doc);
  return {
    content: discordText(`${doc.topic.name}: ${doc.article.title}`, 700),
    allowed_mentions: DISCORD_NO_MENTIONS,
    embeds: [
      {
        title: discordText(doc.article.title, DISCORD_LIMITS.embedTitle),
        ...(url ? { url } : {}),
        // Title 256 + description 2000 + fields 256 + 40 + 1000 + footer 100: under 6000.
        description: discordSnippet(doc.why.snippet, 2000),
        fields: [
          { name: 'Topic', value: discordText(doc.topic.name, 256), inline: true },
          { name: 'Score', value: score, inline: true },
          { name: 'Matched', value: discordText(termsOf(doc).join(', '), 1000) || '—' },
        ],
        footer: { text: `${doc.article.date} · ${doc.id}` },
      },
    ],
  };
};

/**
 * Teams: an Adaptive Card. Article text goes in TextRuns, which render no markdown; the one
 * TextBlock with text from outside (the topic name) has its markdown escaped.
 */
const teamsBody = (doc: AlertDocument) => {
  const score = `${doc.score.toFixed(2)} (${scoreLabel(doc.score)})`;
  const url = linkOf(doc);
  const runs = (inlines: Array<Record<string, unknown>>) => ({ type: 'RichTextBlock', inlines });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              size: 'Medium',
              weight: 'Bolder',
              text: teamsMarkdown(doc.topic.name, 400),
              wrap: true,
            },
            runs([{ type: 'TextRun', text: teamsRunText(doc.article.title, 300), weight: 'Bolder' }]),
            { type: 'TextBlock', text: `${doc.article.date} · score ${score}`, isSubtle: true, wrap: true },
            runs(
              teamsSnippetRuns(doc.why.snippet, 300).map((r) => ({
                type: 'TextRun',
                text: r.text,
                ...(r.marked ? { weight: 'Bolder', highlight: true } : {}),
              })),
            ),
            runs([
              {
                type: 'TextRun',
                text: `Matched: ${teamsRunText(termsOf(doc).join(', '), 1000)}`,
                isSubtle: true,
              },
            ]),
          ],
          ...(url ? { actions: [{ type: 'Action.OpenUrl', title: 'Read', url }] } : {}),
        },
      },
    ],
  };
};

/**
 * The request body for a webhook endpoint in its format: the alert document itself for
 * generic JSON receivers, or the message shape Slack, Discord or Microsoft Teams incoming
 * webhooks expect, with the alert id kept for de-duplication. The document's fields are
 * clean and capped already; here each is escaped for its channel (channel-text.ts).
 */
export const webhookBody = (doc: AlertDocument, format: WebhookFormat): unknown => {
  switch (format) {
    case 'generic':
      return doc;
    case 'slack':
      return slackBody(doc);
    case 'discord':
      return discordBody(doc);
    case 'teams':
      return teamsBody(doc);
  }
};
