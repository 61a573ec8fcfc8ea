import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type * as z from '../validation.ts';
import { yamlErrorMessage, yamlValue } from '../yaml-value.ts';
import { hasControls } from './fatigue.ts';
import {
  isLoopbackHost,
  SUBSCRIBER_KEYS,
  type Subscriber,
  SubscribersFileSchema,
} from './subscriber-rules.ts';
import { webhookEndpointProblem } from './webhook-endpoints.ts';

export * from './subscriber-rules.ts';

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

/**
 * Reads and checks the subscribers file (YAML or JSON). Unknown topic ids, duplicate
 * subscriber ids, malformed entries and webhook URLs that are credentials (which must be
 * named by `urlSecret` instead) are reported with line and column, without repeating the URL.
 */
type Issue = z.core.$ZodIssue;

/**
 * The problems of a failed parse, with a failed union (an entry that is neither an email nor
 * a webhook subscriber) replaced by the problems of the kind the entry says it is: the one
 * with its `webhook` key, else the email one.
 */
const issuesOf = (issues: readonly Issue[], value: unknown): Issue[] =>
  issues.flatMap((issue): Issue[] => {
    if (issue.code !== 'invalid_union') return [issue];
    let entry: unknown = value;
    for (const key of issue.path) entry = (entry as Record<PropertyKey, unknown> | undefined)?.[key];
    const isObject = typeof entry === 'object' && entry !== null && !Array.isArray(entry);
    if (!isObject)
      return [{ ...issue, message: 'must be a subscriber: id, topics and either email or webhook' }];
    const record = entry as Record<string, unknown>;
    if (!('email' in record) && !('webhook' in record))
      return [
        {
          ...issue,
          message: 'a subscriber needs either email or webhook { urlSecret or url, secretName }',
        },
      ];
    const branch = issue.errors['webhook' in record ? 1 : 0] ?? [];
    return issuesOf(
      branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
      value,
    );
  });

/** Which keys a subscriber has, by the path of the entry that had an unknown one. */
const keysMessage = (path: readonly PropertyKey[]): string => {
  const last = path.at(-1);
  if (path.length === 0) return 'a subscribers file has subscribers:';
  if (last === 'webhook') return 'a webhook has url or urlSecret, format, secretName';
  if (last === 'quietHours') return 'quiet hours have from, to, timeZone';
  return `a subscriber has ${[...new Set([...SUBSCRIBER_KEYS.email, ...SUBSCRIBER_KEYS.webhook])].join(', ')}`;
};

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
    for (const e of doc.errors) at(e.pos[0], yamlErrorMessage(e));
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
  const read = yamlValue(doc);
  if (!read.ok) {
    at(read.offset, read.message);
    return { subscribers: [], problems };
  }
  const parsed = SubscribersFileSchema.safeParse(read.value);
  if (!parsed.success) {
    for (const issue of issuesOf(parsed.error.issues, read.value)) {
      const where = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const parent = nodeAt(issue.path);
          const keyNode = isMap(parent)
            ? (parent.items.find((p) => isScalar(p.key) && p.key.value === key)?.key as Node | undefined)
            : undefined;
          at(
            (keyNode ?? parent)?.range?.[0] ?? 0,
            `${where ? `${where}: ` : ''}unknown key "${key}" (${keysMessage(issue.path)})`,
          );
        }
        continue;
      }
      at(nodeAt(issue.path)?.range?.[0] ?? 0, `${where}: ${issue.message}`);
    }
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { subscribers: [], problems };
  }
  const seen = new Set<string>();
  parsed.data.subscribers.forEach((s, i) => {
    if ('email' in s && s.mode === 'digest' && hasControls(s)) {
      at(
        nodeAt(['subscribers', i, 'mode'])?.range?.[0] ?? 0,
        `subscriber ${s.id}: cooldown, daily limit and quiet hours apply to immediate alerts; a digest is already one message a day`,
      );
    }
    if ('webhook' in s && s.mode === 'digest') {
      at(
        nodeAt(['subscribers', i, 'mode'])?.range?.[0] ?? 0,
        `subscriber ${s.id}: daily digests go to email subscribers; a webhook gets each alert as it happens`,
      );
    }
    const endpoint = 'webhook' in s ? webhookEndpointProblem(s.webhook) : undefined;
    if ('webhook' in s && endpoint) {
      at(
        (nodeAt(['subscribers', i, 'webhook', endpoint.field]) ?? nodeAt(['subscribers', i, 'webhook']))
          ?.range?.[0] ?? 0,
        `subscriber ${s.id}: ${endpoint.message}`,
      );
    }
    if ('webhook' in s && s.webhook.url && new URL(s.webhook.url).protocol === 'http:') {
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
