import { COUNTRY_NAMES } from '../topics/places/gazetteer.ts';
import { type Alert, scoreLabel } from './alert.ts';
import { type AlertDocument, composeAlertDocument, snsMessageStructure, snsSubject } from './compose.ts';

/** Version of the digest document. */
export const DIGEST_SCHEMA = 'newswatch.digest/v1';

/** One subscriber's alerts of one day. */
export interface Digest {
  id: string;
  subscriberId: string;
  day: string;
  alerts: Alert[];
}

/** The JSON document of a digest: the day's alert documents, best first. */
export interface DigestDocument {
  schema: typeof DIGEST_SCHEMA;
  id: string;
  kind: 'digest';
  subscriber: string;
  day: string;
  /** How many alerts the day had for this subscriber; `alerts` lists at most {@link MAX_DIGEST_ALERTS}. */
  total: number;
  alerts: AlertDocument[];
}

/**
 * Most alerts one digest carries (best first); the rest are counted, not listed. Keeps the
 * message far below SNS's 256 KB limit (an alert document is about 4 KB).
 */
export const MAX_DIGEST_ALERTS = 40;

/** The digest id of a (subscriber, day) pair. */
export const digestIdFor = (subscriberId: string, day: string) => `digest_${subscriberId}_${day}`;

/** "Also reported by N sources" for an alert whose story other outlets carried too. */
const alsoReported = (a: Digest['alerts'][number]): string[] => {
  // The story's sources start with the alert's own outlet (see buildDigests).
  const others = (a.story?.sources ?? []).slice(1);
  const n = others.length;
  if (n === 0) return [];
  const names = others.slice(0, 5).join(', ');
  return [
    `   also reported by ${n} source${n === 1 ? '' : 's'}${names ? `: ${names}${others.length > 5 ? ', …' : ''}` : ''}`,
  ];
};

/** A plain-text daily digest: one short block per story and topic, best first. */
export const composeDigestEmail = (digest: Digest): { subject: string; text: string } => {
  const n = digest.alerts.length;
  const listed = digest.alerts.slice(0, MAX_DIGEST_ALERTS);
  const blocks = listed.map((a, i) => {
    const countries = a.explanation.countries.map((c) => COUNTRY_NAMES.get(c) ?? c).join(', ');
    return [
      `${i + 1}. ${a.article.title}`,
      `   ${a.topic.name} · score ${a.score.toFixed(2)} (${scoreLabel(a.score)}) · ${a.article.date}`,
      ...(countries ? [`   ${countries}`] : []),
      ...alsoReported(a),
      `   ${a.article.url ?? a.article.location}`,
    ].join('\n');
  });
  return {
    subject: snsSubject(`[newswatch] ${n} alert${n === 1 ? '' : 's'} on ${digest.day}`),
    text: `${n} alert${n === 1 ? '' : 's'} on ${digest.day}\n\n${blocks.join('\n\n')}\n\n${
      n > listed.length ? `…and ${n - listed.length} more with lower scores.\n\n` : ''
    }Digest: ${digest.id}\n`,
  };
};

/** The versioned JSON document of a digest. */
export const composeDigestDocument = (digest: Digest): DigestDocument => ({
  schema: DIGEST_SCHEMA,
  id: digest.id,
  kind: 'digest',
  subscriber: digest.subscriberId,
  day: digest.day,
  total: digest.alerts.length,
  alerts: digest.alerts.slice(0, MAX_DIGEST_ALERTS).map(composeAlertDocument),
});

/** The SNS message of a digest: email text, JSON for machines, attributes that route it to its subscriber only. */
export const composeDigestSnsMessage = (digest: Digest) => {
  const email = composeDigestEmail(digest);
  const document = JSON.stringify(composeDigestDocument(digest));
  return {
    subject: email.subject,
    message: snsMessageStructure(email.text, document),
    attributes: {
      kind: { DataType: 'String', StringValue: 'digest' },
      subscriber: { DataType: 'String', StringValue: digest.subscriberId },
    },
  };
};
