import * as z from '../validation.ts';
import { hasControls } from './fatigue.ts';

export type { WebhookFormat } from './webhook-endpoints.ts';

/**
 * Subscribers: their shape and the rules of who gets what. No file format here (that is
 * subscribers.ts, with the YAML reader), so functions that only apply the rules stay small.
 */

/** How a subscriber wants alerts: each one as it happens, or one message a day. */
export type DeliveryMode = 'immediate' | 'digest';

const id = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes'));

const SubscriberBase = {
  id,
  /** Topic ids, or ["*"] for every topic. */
  topics: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  minScore: z._default(z.number().check(z.gte(0), z.lte(1)), 0),
  mode: z._default(z.enum(['immediate', 'digest']), 'immediate'),
  /** Also alert on later copies and versions of a story already alerted (off: one alert per story). */
  updates: z._default(z.boolean(), false),
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

const EmailSubscriberSchema = z.object({
  ...SubscriberBase,
  email: z.email(),
  /** At most one alert per topic per this many minutes; the rest go out folded when it ends. */
  cooldownMinutes: z.optional(z.int().check(z.gte(1), z.lte(10_080))),
  /** At most this many messages a day (in the quiet hours' time zone, else UTC). */
  maxPerDay: z.optional(z.int().check(z.gte(1), z.lte(1000))),
  /** No message between `from` and `to`; what was held goes out when they end. */
  quietHours: z.optional(
    z.object({ from: hhmm, to: hhmm, timeZone }).check(
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

const WebhookSubscriberSchema = z.object({
  ...SubscriberBase,
  webhook: z.object({
    /** A generic endpoint whose URL is no credential (see webhook-endpoints.ts); else urlSecret. */
    url: z.optional(z.url({ protocol: /^https?$/, error: 'must be an https URL' })),
    /** Secrets Manager secret holding the endpoint's URL (required for Slack, Discord and Teams). */
    urlSecret: z.optional(secretName),
    format: z._default(z.enum(['generic', 'slack', 'discord', 'teams']), 'generic'),
    /** Secrets Manager secret holding the signing secret(s), one per line during rotation. */
    secretName,
  }),
});

export const SubscribersFileSchema = z.object({
  subscribers: z.array(z.union([EmailSubscriberSchema, WebhookSubscriberSchema])),
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
        };

/**
 * Whether a subscriber gets an alert as it happens: the same rule as its SNS filter policy
 * ({@link filterPolicyOf}), for the local runtime where no SNS evaluates it.
 */
export const wantsAlert = (
  s: Subscriber,
  alert: { topicId: string; score: number; storyRole?: 'first' | 'update' },
): boolean =>
  s.mode === 'immediate' &&
  (s.updates || alert.storyRole !== 'update') &&
  (s.topics.includes('*') || s.topics.includes(alert.topicId)) &&
  alert.score >= s.minScore;

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
