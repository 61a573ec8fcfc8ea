import type { StageVerdict } from '../topics/trained-stage.ts';
import { COUNTRY_NAMES } from '../topics/places/gazetteer.ts';
import { type Alert, scoreLabel } from './alert.ts';

/** Version of the machine-readable alert document; bump on any incompatible change. */
export const ALERT_SCHEMA = 'newswatch.alert/v1';

/** The JSON document webhooks and queues receive (schema: docs/alert.schema.json). */
export interface AlertDocument {
  schema: typeof ALERT_SCHEMA;
  id: string;
  kind: 'alert';
  backfill?: true;
  createdAt: string;
  topic: { id: string; name: string };
  score: number;
  article: Alert['article'];
  /** The story of the article: `update` when an earlier copy or version was alerted already. */
  story?: { id: string; role: 'first' | 'update'; sources?: string[] };
  why: {
    terms: Array<{ term: string; list?: string; count: number }>;
    countries: string[];
    snippet: string;
    /** What the topic's trained stage made of the match, when it has one. */
    stage?: StageVerdict;
  };
}

/** The versioned JSON document of an alert. */
export const composeAlertDocument = (alert: Alert): AlertDocument => ({
  schema: ALERT_SCHEMA,
  id: alert.id,
  kind: 'alert',
  ...(alert.backfill ? { backfill: true as const } : {}),
  createdAt: alert.createdAt,
  topic: alert.topic,
  score: alert.score,
  article: alert.article,
  ...(alert.story
    ? {
        story: {
          id: alert.story.id,
          role: alert.story.role,
          ...(alert.story.sources ? { sources: alert.story.sources } : {}),
        },
      }
    : {}),
  why: {
    terms: alert.explanation.terms.map((t) => ({
      term: t.term,
      ...(t.list ? { list: t.list } : {}),
      count: t.count,
    })),
    countries: alert.explanation.countries,
    snippet: alert.explanation.snippet,
    ...(alert.stage
      ? {
          stage: {
            probability: alert.stage.probability,
            baseScore: alert.stage.baseScore,
            top: alert.stage.top,
          },
        }
      : {}),
  },
});

/** Email subjects longer than this are cut (SNS allows under 100; phones show about 60). */
const SUBJECT_LENGTH = 90;

const ASCII_FOR: Record<string, string> = {
  '…': '...',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '–': '-',
  '—': '-',
  ß: 'ss',
  æ: 'ae',
  Æ: 'AE',
  ø: 'o',
  Ø: 'O',
  œ: 'oe',
  Œ: 'OE',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
};

/**
 * An SNS email subject: SNS accepts only printable ASCII, no line breaks, under 100
 * characters. Accents are dropped ("Über" → "Uber"), typographic punctuation made plain,
 * anything else left out, and the text cut at a word boundary with "...".
 */
export const snsSubject = (text: string, max = SUBJECT_LENGTH): string => {
  const ascii = text
    .replace(/[…‘’“”–—ßæÆøØœŒłŁđĐ]/g, (c) => ASCII_FOR[c] ?? '')
    .replace(/\s+/g, ' ')
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (ascii.length <= max) return ascii;
  const room = ascii.slice(0, max - 3);
  const space = room.lastIndexOf(' ');
  return `${(space > max / 2 ? room.slice(0, space) : room).replace(/[\s,;:.-]+$/, '')}...`;
};
/** Matched terms listed in an email before "and N more". */
const EMAIL_TERMS = 8;

/**
 * A plain-text email that reads well on a phone: headline first, short lines, the
 * snippet with matches marked *like this*, and where the file is.
 */
export const composeAlertEmail = (alert: Alert): { subject: string; text: string } => {
  const a = alert.article;
  const terms = alert.explanation.terms;
  const listed = terms
    .slice(0, EMAIL_TERMS)
    .map((t) => `${t.term} ×${t.count}`)
    .join(', ');
  const more = terms.length > EMAIL_TERMS ? `, and ${terms.length - EMAIL_TERMS} more` : '';
  const countries = alert.explanation.countries.map((c) => COUNTRY_NAMES.get(c) ?? c).join(', ');
  const byline = [a.date, a.author ? `by ${a.author}` : undefined, a.source].filter(Boolean).join(' · ');
  const update = alert.story?.role === 'update';
  const lines = [
    a.title,
    byline,
    ...(update ? ['', 'Update: another version or copy of a story you were alerted to before.'] : []),
    '',
    `Topic: ${alert.topic.name}`,
    `Score: ${alert.score.toFixed(2)} (${scoreLabel(alert.score)})`,
    '',
    'Why it matched:',
    `${listed}${more}`,
    ...(countries ? [`Countries: ${countries}`] : []),
    ...(alert.stage
      ? [
          `Trained on this topic's labels: ${alert.stage.probability.toFixed(2)} from a score of ${alert.stage.baseScore.toFixed(2)}; weighed most: ${alert.stage.top
            .map((t) => `${t.feature} ${t.effect > 0 ? '+' : ''}${t.effect.toFixed(1)}`)
            .join(', ')}`,
        ]
      : []),
    '',
    ...(alert.explanation.snippet ? [alert.explanation.snippet.replace(/\*\*([^*]+)\*\*/g, '*$1*'), ''] : []),
    ...(a.url ? [`Read: ${a.url}`] : []),
    `File: ${a.location}`,
    `Alert: ${alert.id}`,
  ];
  return {
    subject: snsSubject(
      `[newswatch${alert.backfill ? ' backfill' : ''}${update ? ' update' : ''}] ${alert.topic.name}: ${a.title}`,
    ),
    text: `${lines.join('\n')}\n`,
  };
};

/**
 * The SNS message of an alert: `MessageStructure: json` with readable text for email and
 * the JSON document for every machine endpoint, plus attributes for filter policies.
 */
/**
 * An SNS `MessageStructure: json` body: text for email, the JSON document as `default`, which
 * SNS uses for every other protocol (sqs, http, https). One copy keeps large digests in budget.
 */
export const snsMessageStructure = (emailText: string, document: string): string =>
  JSON.stringify({ default: document, email: emailText });

export const composeSnsMessage = (alert: Alert) => {
  const email = composeAlertEmail(alert);
  const document = JSON.stringify(composeAlertDocument(alert));
  return {
    id: alert.id,
    subject: email.subject,
    message: snsMessageStructure(email.text, document),
    attributes: {
      topicId: { DataType: 'String', StringValue: alert.topic.id },
      score: { DataType: 'Number', StringValue: String(alert.score) },
      countries: { DataType: 'String.Array', StringValue: JSON.stringify(alert.explanation.countries) },
      kind: { DataType: 'String', StringValue: alert.kind },
      storyRole: { DataType: 'String', StringValue: alert.story?.role ?? 'first' },
      ...(alert.backfill ? { backfill: { DataType: 'String', StringValue: 'true' } } : {}),
    },
  };
};
