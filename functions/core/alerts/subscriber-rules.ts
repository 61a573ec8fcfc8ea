import * as z from '../validation.ts';
import { hasControls } from './fatigue.ts';

export type { WebhookFormat } from './webhook-endpoints.ts';

/**
 * Subscribers: their shape and the rules of who gets what. No file format here (that is
 * subscribers.ts, with the YAML reader), so functions that only apply the rules stay small.
 */

/** How a subscriber wants alerts: each one as it happens, or one message a day. */
export type DeliveryMode = 'immediate' | 'digest';

const SCORE = 'must be a number from 0 to 1';
const LANGUAGE = 'must be a language code such as en or es (und: language not known)';
const id = z
  .string('must be lower-case letters, digits and dashes')
  .check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes'));

const SubscriberBase = {
  id,
  /** Topic ids, or ["*"] for every topic. */
  topics: z
    .array(
      z.string('must be a topic id').check(z.minLength(1, 'must be a topic id')),
      'must be a list of topic ids',
    )
    .check(z.minLength(1, 'must list at least one topic id, or "*" for every topic')),
  minScore: z._default(z.number(SCORE).check(z.gte(0, SCORE), z.lte(1, SCORE)), 0),
  mode: z._default(z.enum(['immediate', 'digest'], 'must be immediate or digest'), 'immediate'),
  /** Also alert on later copies and versions of a story already alerted (off: one alert per story). */
  updates: z._default(z.boolean('must be true or false'), false),
  /**
   * Only alerts on articles in these languages (primary subtags such as `es`; `und` for an
   * article whose language is not known). Left out: every language.
   */
  languages: z.optional(
    z
      .array(
        z.string(LANGUAGE).check(z.regex(/^[a-z]{2,3}$/, LANGUAGE)),
        'must be a list of language codes such as [en, es]',
      )
      .check(z.minLength(1, 'must list at least one language code, or be left out for every language')),
  ),
};

const hhmm = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM (24-hour)'));
const timeZone = z.string().check(
  z.refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Berlin'),
);

const MINUTES = 'must be a whole number of minutes from 1 to 10080 (a week)';
const PER_DAY = 'must be a whole number from 1 to 1000';

const EmailSubscriberSchema = z.strictObject({
  ...SubscriberBase,
  email: z.email('must be an email address'),
  /** At most one alert per topic per this many minutes; the rest go out folded when it ends. */
  cooldownMinutes: z.optional(z.int(MINUTES).check(z.gte(1, MINUTES), z.lte(10_080, MINUTES))),
  /** At most this many messages a day (in the quiet hours' time zone, else UTC). */
  maxPerDay: z.optional(z.int(PER_DAY).check(z.gte(1, PER_DAY), z.lte(1000, PER_DAY))),
  /** No message between `from` and `to`; what was held goes out when they end. */
  quietHours: z.optional(
    z.strictObject({ from: hhmm, to: hhmm, timeZone }).check(
      z.refine((q) => {
        const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
        // The time outside quiet hours, when held alerts can go out (releases run every 5 minutes).
        return (m(q.from) - m(q.to) + 1440) % 1440 >= 15;
      }, 'quiet hours must leave at least 15 minutes a day to send what they held'),
    ),
  ),
});

const secretName = z
  .string()
  .check(z.regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name'));

const WebhookSubscriberSchema = z.strictObject({
  ...SubscriberBase,
  webhook: z.strictObject({
    /** A generic endpoint whose URL is no credential (see webhook-endpoints.ts); else urlSecret. */
    url: z.optional(z.url({ protocol: /^https?$/, error: 'must be an https URL' })),
    /** Secrets Manager secret holding the endpoint's URL (required for Slack, Discord and Teams). */
    urlSecret: z.optional(secretName),
    format: z._default(
      z.enum(['generic', 'slack', 'discord', 'teams'], 'must be generic, slack, discord or teams'),
      'generic',
    ),
    /** Secrets Manager secret holding the signing secret(s), one per line during rotation. */
    secretName,
  }),
});

/** The keys a subscriber may have, for the message about one it may not. */
export const SUBSCRIBER_KEYS = {
  email: Object.keys(EmailSubscriberSchema.def.shape),
  webhook: Object.keys(WebhookSubscriberSchema.def.shape),
};

export const SubscribersFileSchema = z.strictObject({
  subscribers: z.array(
    z.union([EmailSubscriberSchema, WebhookSubscriberSchema]),
    'must be a list of subscribers',
  ),
});

export type EmailSubscriber = z.infer<typeof EmailSubscriberSchema>;
export type WebhookSubscriber = z.infer<typeof WebhookSubscriberSchema>;
export type Subscriber = EmailSubscriber | WebhookSubscriber;

/** Names and addresses of this machine's loopback interface. */
export const isLoopbackHost = (hostname: string): boolean =>
  /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(hostname.replace(/\.$/, ''));

/**
 * The SNS filter policy (on message attributes) that gives a subscriber what it asked for:
 * alerts of its topics at or above its minimum score, or only its own daily digest.
 */
export const filterPolicyOf = (s: Subscriber): Record<string, unknown[]> =>
  s.mode === 'digest'
    ? { kind: ['digest'], subscriber: [s.id] }
    : isGated(s)
      ? { kind: ['gated'], subscriber: [s.id] }
      : {
          kind: ['alert'],
          ...(s.updates ? {} : { storyRole: ['first'] }),
          ...(s.topics.includes('*') ? {} : { topicId: [...s.topics] }),
          ...(s.minScore > 0 ? { score: [{ numeric: ['>=', s.minScore] }] } : {}),
          ...(s.languages ? { language: [...s.languages] } : {}),
        };

/**
 * Whether a subscriber gets an alert as it happens: the same rule as its SNS filter policy
 * ({@link filterPolicyOf}), for the local runtime where no SNS evaluates it.
 */
export const wantsAlert = (
  s: Subscriber,
  alert: { topicId: string; score: number; storyRole?: 'first' | 'update'; language?: string },
): boolean =>
  s.mode === 'immediate' && (s.updates || alert.storyRole !== 'update') && isForSubscriber(s, alert);

/**
 * Whether an alert is one a subscriber asked for, however it reads them: its topic, at or
 * above its minimum score, in one of its languages.
 */
export const isForSubscriber = (
  s: Pick<Subscriber, 'topics' | 'minScore' | 'languages'>,
  alert: { topicId: string; score: number; language?: string },
): boolean =>
  (s.topics.includes('*') || s.topics.includes(alert.topicId)) &&
  alert.score >= s.minScore &&
  (!s.languages || s.languages.includes(alert.language ?? 'und'));

/**
 * Whether a subscriber's alerts go through its fatigue controls: an immediate email subscriber
 * with a cooldown, a daily limit or quiet hours. Its messages are then sent to it alone
 * (`kind=gated`, `subscriber=<id>`) by the pipeline, which keeps the controls' state.
 */
export const isGated = (s: Subscriber): s is EmailSubscriber =>
  'email' in s && s.mode === 'immediate' && hasControls(s);

/** Reads a JSON list of subscriber entries (as the CDK app writes into a function's environment). */
export const parseSubscriberList = (json: string): Subscriber[] => {
  const parsed = SubscribersFileSchema.safeParse({ subscribers: JSON.parse(json) as unknown });
  if (!parsed.success) throw new Error(z.firstIssue(parsed.error));
  return parsed.data.subscribers;
};
