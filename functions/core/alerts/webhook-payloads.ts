import type { WebhookFormat } from './subscribers.ts';
import type { AlertDocument } from './compose.ts';
import { scoreLabel } from './alert.ts';

const plainSnippet = (doc: AlertDocument) => doc.why.snippet.replace(/\*\*([^*]+)\*\*/g, '$1');
const termsLine = (doc: AlertDocument) =>
  doc.why.terms
    .slice(0, 8)
    .map((t) => `${t.term} ×${t.count}`)
    .join(', ');

/**
 * The request body for a webhook endpoint in its format: the alert document itself for
 * generic JSON receivers, or the message shape Slack, Discord or Microsoft Teams incoming
 * webhooks expect, with the alert id kept for de-duplication.
 */
export const webhookBody = (doc: AlertDocument, format: WebhookFormat): unknown => {
  const headline = `${doc.topic.name}: ${doc.article.title}`;
  const score = `${doc.score.toFixed(2)} (${scoreLabel(doc.score)})`;
  const link = doc.article.url ?? doc.article.location;
  switch (format) {
    case 'generic':
      return doc;
    case 'slack':
      // Slack mrkdwn marks bold with single asterisks.
      return {
        text: headline,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: doc.topic.name.slice(0, 150) } },
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: `*${doc.article.title}*\n${doc.article.date} · score ${score}\n>${doc.why.snippet.replace(/\*\*([^*]+)\*\*/g, '*$1*')}`,
            },
          },
          {
            type: 'context',
            elements: [{ type: 'mrkdwn', text: `Matched: ${termsLine(doc)} · ${link} · ${doc.id}` }],
          },
        ],
      };
    case 'discord':
      return {
        content: headline.slice(0, 2000),
        embeds: [
          {
            title: doc.article.title.slice(0, 256),
            ...(doc.article.url ? { url: doc.article.url } : {}),
            description: doc.why.snippet.slice(0, 4096),
            fields: [
              { name: 'Topic', value: doc.topic.name, inline: true },
              { name: 'Score', value: score, inline: true },
              { name: 'Matched', value: termsLine(doc).slice(0, 1024) || '—' },
            ],
            footer: { text: `${doc.article.date} · ${doc.id}` },
          },
        ],
      };
    case 'teams':
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
                { type: 'TextBlock', size: 'Medium', weight: 'Bolder', text: doc.topic.name, wrap: true },
                { type: 'TextBlock', text: doc.article.title, weight: 'Bolder', wrap: true },
                {
                  type: 'TextBlock',
                  text: `${doc.article.date} · score ${score}`,
                  isSubtle: true,
                  wrap: true,
                },
                { type: 'TextBlock', text: plainSnippet(doc), wrap: true },
                { type: 'TextBlock', text: `Matched: ${termsLine(doc)}`, isSubtle: true, wrap: true },
              ],
              ...(doc.article.url
                ? { actions: [{ type: 'Action.OpenUrl', title: 'Read', url: doc.article.url }] }
                : {}),
            },
          },
        ],
      };
  }
};
