import type { StageVerdict } from '../topics/trained-stage.ts';
import { COUNTRY_NAMES } from '../topics/places/gazetteer.ts';
import { type Alert, scoreLabel } from './alert.ts';
import {
  emailSubject,
  FIELD_LIMITS,
  LIST_LIMITS,
  normaliseUrl,
  plainSnippet,
  plainText,
  snsAlertSubject,
} from './channel-text.ts';

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
  article: DocumentArticle;
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

/** The article as an alert document gives it: every field cleaned and capped, the link normalised. */
export type DocumentArticle = Alert['article'] & {
  /** Why the article's URL is left out (it was not a valid http or https link). */
  urlDropped?: string;
};

const documentArticle = (a: Alert['article']): DocumentArticle => {
  const url = a.url === undefined ? undefined : normaliseUrl(a.url);
  const author = a.author === undefined ? '' : plainText(a.author, FIELD_LIMITS.author);
  const source = a.source === undefined ? '' : plainText(a.source, FIELD_LIMITS.source);
  return {
    id: a.id,
    title: plainText(a.title, FIELD_LIMITS.title),
    date: a.date,
    ...(author ? { author } : {}),
    ...(url?.ok ? { url: url.url } : {}),
    ...(url && !url.ok ? { urlDropped: url.reason } : {}),
    ...(source ? { source } : {}),
    location: plainText(a.location, FIELD_LIMITS.location),
    ...(a.format && /^[a-z0-9-]{1,20}$/.test(a.format) ? { format: a.format } : {}),
    ...(a.item ? { item: plainText(a.item, FIELD_LIMITS.item) } : {}),
    ...(a.summaryOnly ? { summaryOnly: true } : {}),
    ...(a.feed && /^[a-z0-9][a-z0-9-]{0,63}$/.test(a.feed) ? { feed: a.feed } : {}),
    ...(a.language && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(a.language) ? { language: a.language } : {}),
    ...(a.languageSource === 'declared' || a.languageSource === 'detected'
      ? { languageSource: a.languageSource }
      : {}),
  };
};

/**
 * The versioned JSON document of an alert, the one every channel is rendered from: each
 * text field cleaned and capped ({@link FIELD_LIMITS}, {@link LIST_LIMITS}), so that no
 * article makes a message too large, or a strict parser or the schema fail.
 */
export const composeAlertDocument = (alert: Alert): AlertDocument => ({
  schema: ALERT_SCHEMA,
  id: alert.id,
  kind: 'alert',
  ...(alert.backfill ? { backfill: true as const } : {}),
  createdAt: alert.createdAt,
  topic: {
    id: alert.topic.id,
    name: plainText(alert.topic.name, FIELD_LIMITS.topicName) || alert.topic.id,
  },
  score: alert.score,
  article: documentArticle(alert.article),
  ...(alert.story
    ? {
        story: {
          id: alert.story.id,
          role: alert.story.role,
          ...(alert.story.sources
            ? {
                sources: alert.story.sources
                  .slice(0, LIST_LIMITS.storySources)
                  .map((x) => plainText(x, FIELD_LIMITS.storySource)),
              }
            : {}),
        },
      }
    : {}),
  why: {
    terms: alert.explanation.terms.slice(0, LIST_LIMITS.terms).map((t) => ({
      term: plainText(t.term, FIELD_LIMITS.term),
      ...(t.list ? { list: plainText(t.list, FIELD_LIMITS.termList) } : {}),
      count: t.count,
    })),
    countries: [...new Set(alert.explanation.countries.filter((c) => /^[A-Z]{2}$/.test(c)))].slice(
      0,
      LIST_LIMITS.countries,
    ),
    snippet: plainSnippet(alert.explanation.snippet, FIELD_LIMITS.snippet, '**'),
    ...(alert.stage
      ? {
          stage: {
            probability: alert.stage.probability,
            baseScore: alert.stage.baseScore,
            top: alert.stage.top.slice(0, LIST_LIMITS.stageTop).map((t) => ({
              feature: plainText(t.feature, FIELD_LIMITS.stageFeature),
              effect: t.effect,
            })),
          },
        }
      : {}),
  },
});

/** An email in both forms: a UTF-8 subject for mail we send, an ASCII one for SNS. */
export interface AlertEmail {
  /** Any script, one line, cut at a word (local email: nodemailer encodes it). */
  subject: string;
  /** Printable ASCII under 100 characters, as SNS requires. */
  snsSubject: string;
  text: string;
}

/** Matched terms listed in an email before "and N more". */
const EMAIL_TERMS = 8;
/** Countries named in an email before "and N more". */
const EMAIL_COUNTRIES = 12;

const andMore = (items: readonly string[], shown: number): string =>
  `${items.slice(0, shown).join(', ')}${items.length > shown ? `, and ${items.length - shown} more` : ''}`;

/** The names of a document's country codes, as emails list them. */
export const countryLine = (codes: readonly string[]): string =>
  andMore(
    codes.map((c) => COUNTRY_NAMES.get(c) ?? c),
    EMAIL_COUNTRIES,
  );

const renderAlertEmail = (doc: AlertDocument): AlertEmail => {
  const a = doc.article;
  const listed = andMore(
    doc.why.terms.map((t) => `${t.term} ×${t.count}`),
    EMAIL_TERMS,
  );
  const countries = countryLine(doc.why.countries);
  const byline = [a.date, a.author ? `by ${a.author}` : undefined, a.source].filter(Boolean).join(' · ');
  const update = doc.story?.role === 'update';
  const stage = doc.why.stage;
  const snippet = plainSnippet(doc.why.snippet, FIELD_LIMITS.snippet);
  const lines = [
    a.title,
    byline,
    ...(update ? ['', 'Update: another version or copy of a story you were alerted to before.'] : []),
    '',
    `Topic: ${doc.topic.name}`,
    `Score: ${doc.score.toFixed(2)} (${scoreLabel(doc.score)})`,
    '',
    'Why it matched:',
    listed,
    ...(countries ? [`Countries: ${countries}`] : []),
    ...(stage
      ? [
          `Trained on this topic's labels: ${stage.probability.toFixed(2)} from a score of ${stage.baseScore.toFixed(2)}; weighed most: ${stage.top
            .map((t) => `${t.feature} ${t.effect > 0 ? '+' : ''}${t.effect.toFixed(1)}`)
            .join(', ')}`,
        ]
      : []),
    '',
    ...(snippet ? [snippet, ''] : []),
    ...(a.url ? [`Read: ${a.url}`] : []),
    ...(a.urlDropped ? [`Link left out: ${a.urlDropped}`] : []),
    `File: ${a.location}${a.item ? ` (item ${a.item})` : ''}${a.format ? `, read as ${a.format}` : ''}`,
    ...(a.feed ? [`From the feed: ${a.feed}`] : []),
    ...(a.summaryOnly ? ['Only a summary was in the file; the link has the whole article.'] : []),
    `Alert: ${doc.id}`,
  ];
  const prefix = `[newswatch${doc.backfill ? ' backfill' : ''}${update ? ' update' : ''}]`;
  return {
    subject: emailSubject(`${prefix} ${doc.topic.name}: ${a.title}`),
    snsSubject: snsAlertSubject(prefix, doc.topic, a.title),
    text: `${lines.join('\n')}\n`,
  };
};

/**
 * A plain-text email that reads well on a phone: headline first, short lines, the
 * snippet with matches marked *like this*, and where the file is. Rendered from the alert
 * document, so it shows the same cleaned and capped text.
 */
export const composeAlertEmail = (alert: Alert): AlertEmail => renderAlertEmail(composeAlertDocument(alert));

/**
 * An SNS `MessageStructure: json` body: text for email, the JSON document as `default`, which
 * SNS uses for every other protocol (sqs, http, https). One copy keeps large digests in budget.
 */
export const snsMessageStructure = (emailText: string, document: string): string =>
  JSON.stringify({ default: document, email: emailText });

/**
 * The SNS message of an alert: `MessageStructure: json` with readable text for email and
 * the JSON document for every machine endpoint, plus attributes for filter policies. Its
 * size is bounded by the field caps, far under the SNS budget (sns-budget.ts).
 */
export const composeSnsMessage = (alert: Alert) => {
  const doc = composeAlertDocument(alert);
  const email = renderAlertEmail(doc);
  return {
    id: alert.id,
    subject: email.snsSubject,
    message: snsMessageStructure(email.text, JSON.stringify(doc)),
    attributes: {
      topicId: { DataType: 'String', StringValue: alert.topic.id },
      score: { DataType: 'Number', StringValue: String(alert.score) },
      countries: { DataType: 'String.Array', StringValue: JSON.stringify(doc.why.countries) },
      kind: { DataType: 'String', StringValue: alert.kind },
      storyRole: { DataType: 'String', StringValue: alert.story?.role ?? 'first' },
      // For filter policies by language: `und` when the article's language is not known.
      language: { DataType: 'String', StringValue: doc.article.language ?? 'und' },
      ...(alert.backfill ? { backfill: { DataType: 'String', StringValue: 'true' } } : {}),
    },
  };
};
