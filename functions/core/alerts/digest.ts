import { type Alert, scoreLabel } from './alert.ts';
import { SUBJECT_LENGTH } from './channel-text.ts';
import {
  type AlertDocument,
  composeAlertDocument,
  countryLine,
  snsMessageStructure,
  type AlertEmail,
} from './compose.ts';
import { assertSnsPayload, jsonStringBytes, SNS_PAYLOAD_BUDGET_BYTES } from './sns-budget.ts';

/** Version of the digest document. */
export const DIGEST_SCHEMA = 'newswatch.digest/v1';

/**
 * One subscriber's alerts of one day — or, when a day's digest is sent more than once, the
 * alerts of that day the earlier parts did not carry.
 */
export interface Digest {
  id: string;
  subscriberId: string;
  day: string;
  alerts: Alert[];
  /** Which digest of the day this is, from 1 (absent: 1). */
  part?: number;
  /** Sent before its day ended: alerts that come later that day follow in the next part. */
  partial?: boolean;
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
  /** Present from the second digest of a day on: the earlier ones carried the day's other alerts. */
  part?: number;
  /** Present when the day had not ended: more of its alerts may follow in the next part. */
  partial?: true;
}

/**
 * Most alerts one digest carries (best first); the rest are counted, not listed. An alert
 * document is about 4 KB; one made of capped hostile fields can be some tens of KB, so a
 * digest also lists only as many as fit one SNS message.
 */
export const MAX_DIGEST_ALERTS = 40;

/** Bytes of a digest message kept for everything but the listed alerts. */
const DIGEST_OVERHEAD_BYTES = 8 * 1024;

/** The digest id of a (subscriber, day) pair, and of the later parts of that day's digest. */
export const digestIdFor = (subscriberId: string, day: string, part = 1) =>
  `digest_${subscriberId}_${day}${part > 1 ? `_part${part}` : ''}`;

/** How the digest names its alerts: "2 alerts on <day>", "2 more alerts on <day>", "… so far". */
const headline = (digest: Digest): string => {
  const n = digest.alerts.length;
  const more = (digest.part ?? 1) > 1 ? ' more' : '';
  return `${n}${more} alert${n === 1 ? '' : 's'} on ${digest.day}${digest.partial ? ' so far' : ''}`;
};

/** "Also reported by N sources" for an alert whose story other outlets carried too. */
const alsoReported = (doc: AlertDocument): string[] => {
  // The story's sources start with the alert's own outlet (see buildDigests).
  const others = (doc.story?.sources ?? []).slice(1);
  const n = others.length;
  if (n === 0) return [];
  const names = others.slice(0, 5).join(', ');
  return [
    `   also reported by ${n} source${n === 1 ? '' : 's'}${names ? `: ${names}${others.length > 5 ? ', …' : ''}` : ''}`,
  ];
};

const digestBlock = (doc: AlertDocument, i: number): string => {
  const countries = countryLine(doc.why.countries);
  return [
    `${i + 1}. ${doc.article.title}`,
    `   ${doc.topic.name} · score ${doc.score.toFixed(2)} (${scoreLabel(doc.score)}) · ${doc.article.date}`,
    ...(countries ? [`   ${countries}`] : []),
    ...alsoReported(doc),
    `   ${doc.article.url ?? doc.article.location}`,
  ].join('\n');
};

/**
 * The alerts a digest lists, best first: at most {@link MAX_DIGEST_ALERTS}, and no more than
 * fit one SNS message with the email text and the JSON document together.
 */
const listedAlerts = (digest: Digest): Array<{ doc: AlertDocument; block: string }> => {
  const listed: Array<{ doc: AlertDocument; block: string }> = [];
  let bytes = DIGEST_OVERHEAD_BYTES;
  for (const alert of digest.alerts.slice(0, MAX_DIGEST_ALERTS)) {
    const doc = composeAlertDocument(alert);
    const block = digestBlock(doc, listed.length);
    // The document goes as JSON inside a JSON string (the SNS message), the block as a string.
    const size = jsonStringBytes(JSON.stringify(doc)) + jsonStringBytes(block);
    if (bytes + size > SNS_PAYLOAD_BUDGET_BYTES) break;
    listed.push({ doc, block });
    bytes += size;
  }
  return listed;
};

/** A plain-text daily digest: one short block per story and topic, best first. */
export const composeDigestEmail = (digest: Digest): AlertEmail => {
  const n = digest.alerts.length;
  const listed = listedAlerts(digest);
  const note = [
    ...((digest.part ?? 1) > 1 ? ['The earlier digests of this day carried its other alerts.'] : []),
    ...(digest.partial ? ['The day had not ended: alerts that come later follow in the next digest.'] : []),
  ];
  // All ASCII: the same subject serves SNS and local email.
  const subject = `[newswatch] ${headline(digest)}`.slice(0, SUBJECT_LENGTH);
  return {
    subject,
    snsSubject: subject,
    text: `${headline(digest)}\n\n${listed.map((l) => l.block).join('\n\n')}\n\n${
      n > listed.length ? `…and ${n - listed.length} more with lower scores.\n\n` : ''
    }${note.map((l) => `${l}\n`).join('')}Digest: ${digest.id}\n`,
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
  alerts: listedAlerts(digest).map((l) => l.doc),
  ...((digest.part ?? 1) > 1 ? { part: digest.part } : {}),
  ...(digest.partial ? { partial: true as const } : {}),
});

/**
 * The SNS message of a digest: email text, JSON for machines, attributes that route it to
 * its subscriber only. Throws SnsPayloadTooLargeError if it would not fit one message.
 */
export const composeDigestSnsMessage = (digest: Digest) => {
  const email = composeDigestEmail(digest);
  const document = JSON.stringify(composeDigestDocument(digest));
  const m = {
    subject: email.snsSubject,
    message: snsMessageStructure(email.text, document),
    attributes: {
      kind: { DataType: 'String', StringValue: 'digest' },
      subscriber: { DataType: 'String', StringValue: digest.subscriberId },
    },
  };
  assertSnsPayload(m, `the digest ${digest.id}`);
  return m;
};
