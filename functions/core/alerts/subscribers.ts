import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import * as z from '../validation.ts';

/** How a subscriber wants alerts: each one as it happens, or one message a day. */
export type DeliveryMode = 'immediate' | 'digest';

/** The payload shapes a webhook endpoint can take. */
export type WebhookFormat = 'generic' | 'slack' | 'discord' | 'teams';

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

const EmailSubscriberSchema = z.object({ ...SubscriberBase, email: z.email() });

const WebhookSubscriberSchema = z.object({
  ...SubscriberBase,
  webhook: z.object({
    url: z.url({ protocol: /^https?$/, error: 'must be an https URL' }),
    format: z._default(z.enum(['generic', 'slack', 'discord', 'teams']), 'generic'),
    /** Secrets Manager secret holding the signing secret(s), one per line during rotation. */
    secretName: z
      .string()
      .check(z.regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name')),
  }),
});

const SubscribersFileSchema = z.object({
  subscribers: z.array(z.union([EmailSubscriberSchema, WebhookSubscriberSchema])),
});

export type EmailSubscriber = z.infer<typeof EmailSubscriberSchema>;
export type WebhookSubscriber = z.infer<typeof WebhookSubscriberSchema>;
export type Subscriber = EmailSubscriber | WebhookSubscriber;

/** A problem in the subscribers file, with where it is. */
export interface SubscriberProblem {
  line: number;
  column: number;
  message: string;
}

/** How strict {@link loadSubscribers} is about webhook URLs. */
export interface LoadSubscribersOptions {
  /** Accept `http://` webhook URLs to this machine (the local runtime); never on AWS. */
  allowLocalHttp?: boolean;
}

/** Names and addresses of this machine's loopback interface. */
export const isLoopbackHost = (hostname: string): boolean =>
  /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(hostname.replace(/\.$/, ''));

/**
 * Reads and checks the subscribers file (YAML or JSON). Unknown topic ids, duplicate
 * subscriber ids and malformed entries are reported with line and column.
 */
export const loadSubscribers = (
  text: string,
  knownTopicIds: ReadonlySet<string>,
  options: LoadSubscribersOptions = {},
): { subscribers: Subscriber[]; problems: SubscriberProblem[] } => {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const problems: SubscriberProblem[] = [];
  const at = (offset: number, message: string) => {
    const p = lc.linePos(offset);
    problems.push({ line: p.line, column: p.col, message });
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) at(e.pos[0], e.message.split('\n')[0] as string);
    return { subscribers: [], problems };
  }
  const nodeAt = (path: ReadonlyArray<PropertyKey>): Node | undefined => {
    let node: unknown = doc.contents;
    for (const key of path) {
      if (isMap(node)) node = node.get(key, true);
      else if (isSeq(node)) node = node.get(key, true);
      else return undefined;
    }
    return node as Node | undefined;
  };
  const parsed = SubscribersFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // A union failure names the entry; point at the entry and say which shapes are allowed.
      const message =
        issue.code === 'invalid_union'
          ? 'a subscriber needs id, topics and either email or webhook { url, secretName }'
          : issue.message;
      at(nodeAt(issue.path)?.range?.[0] ?? 0, `${issue.path.join('.')}: ${message}`);
    }
    return { subscribers: [], problems };
  }
  const seen = new Set<string>();
  parsed.data.subscribers.forEach((s, i) => {
    if ('webhook' in s && s.mode === 'digest') {
      at(
        nodeAt(['subscribers', i, 'mode'])?.range?.[0] ?? 0,
        `subscriber ${s.id}: daily digests go to email subscribers; a webhook gets each alert as it happens`,
      );
    }
    if ('webhook' in s && new URL(s.webhook.url).protocol === 'http:') {
      const local = options.allowLocalHttp === true && isLoopbackHost(new URL(s.webhook.url).hostname);
      if (!local) {
        at(
          nodeAt(['subscribers', i, 'webhook', 'url'])?.range?.[0] ?? 0,
          `subscriber ${s.id}: webhook.url must be an https URL` +
            (options.allowLocalHttp ? ' (http only to this machine: localhost, 127.0.0.1 or [::1])' : ''),
        );
      }
    }
    if (seen.has(s.id))
      at(nodeAt(['subscribers', i, 'id'])?.range?.[0] ?? 0, `subscriber id "${s.id}" is used twice`);
    seen.add(s.id);
    s.topics.forEach((t, k) => {
      if (t !== '*' && !knownTopicIds.has(t)) {
        at(
          nodeAt(['subscribers', i, 'topics', k])?.range?.[0] ?? 0,
          `subscriber ${s.id}: there is no topic "${t}"`,
        );
      }
    });
  });
  return { subscribers: problems.length ? [] : parsed.data.subscribers, problems };
};

/**
 * The SNS filter policy (on message attributes) that gives a subscriber what it asked for:
 * alerts of its topics at or above its minimum score, or only its own daily digest.
 */
export const filterPolicyOf = (s: Subscriber): Record<string, unknown[]> =>
  s.mode === 'digest'
    ? { kind: ['digest'], subscriber: [s.id] }
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
