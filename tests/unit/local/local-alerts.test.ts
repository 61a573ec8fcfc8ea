import { describe, expect, it } from 'vitest';
import type {
  DeliveryJournal,
  DeliveryRecord,
  NewDelivery,
} from '../../../functions/adapters/local/delivery-journal.ts';
import {
  LOCAL_WEBHOOK_ATTEMPTS,
  LocalAlertPublisher,
  type LocalDelivery,
  LocalWebhookQueue,
} from '../../../functions/adapters/local/local-alerts.ts';
import type { OutgoingEmail } from '../../../functions/adapters/local/outbox.ts';
import type { Alert } from '../../../functions/core/alerts/alert.ts';
import { composeAlertDocument } from '../../../functions/core/alerts/compose.ts';
import type { DeliveryPorts, WebhookFailure } from '../../../functions/core/pipeline/deliver-webhook.ts';

const alert: Alert = {
  id: 'alert_0123456789abcdef01234567',
  kind: 'alert',
  createdAt: '2026-11-23T10:00:00.000Z',
  topic: { id: 'aid', name: 'Aid' },
  score: 0.9,
  article: { id: 'a1', title: 'Masks for Azerbaijan', date: '2026-11-20', location: '/inbox/a.txt' },
  explanation: { terms: [], countries: [], snippet: 'medical **masks**' },
};

const HOOK = { url: 'http://127.0.0.1:9/hook', format: 'generic' as const, secretName: 'hook' };

/** A journal in memory, with the same rules as the table's: one claim at a time, per try. */
const memoryJournal = (): DeliveryJournal & {
  records: Map<string, DeliveryRecord & { claimedUntil?: string }>;
} => {
  const records = new Map<string, DeliveryRecord & { claimedUntil?: string }>();
  const id = (a: string, r: string) => `${a}/${r}`;
  const update = (a: string, r: string, change: Partial<DeliveryRecord> & { claimedUntil?: string }) => {
    const record = records.get(id(a, r));
    if (record) records.set(id(a, r), { ...record, ...change });
    return Promise.resolve();
  };
  return {
    records,
    get: (a, r) => Promise.resolve(records.get(id(a, r))),
    open: (d: NewDelivery, at: string, state = 'pending') => {
      const known = records.get(id(d.alertId, d.recipient));
      if (known) return Promise.resolve(known);
      const record: DeliveryRecord = { ...d, state, attempt: 1, dueAt: at, recordedAt: at };
      records.set(id(d.alertId, d.recipient), record);
      return Promise.resolve(record);
    },
    claim: (a, r, attempt, now, until) => {
      const record = records.get(id(a, r));
      const free = !record?.claimedUntil || record.claimedUntil < now;
      if (!record || record.state !== 'pending' || record.attempt !== attempt || !free)
        return Promise.resolve(false);
      record.claimedUntil = until;
      return Promise.resolve(true);
    },
    retryLater: (a, r, attempt, dueAt, reason) => update(a, r, { attempt, dueAt, reason, claimedUntil: '' }),
    delivered: (a, r, at) => update(a, r, { state: 'delivered', deliveredAt: at, claimedUntil: '' }),
    failed: (a, r, reason, at) =>
      update(a, r, { state: 'failed', reason, deliveredAt: at, claimedUntil: '' }),
    pendingWebhooks: () =>
      Promise.resolve([...records.values()].filter((x) => x.state === 'pending' && x.channel === 'webhook')),
  };
};

/** Delivery ports whose endpoint answers with `answer` (called once per POST). */
const ports = (
  answer: (url: string) => Promise<{ status?: number; error?: string }>,
  failures: WebhookFailure[] = [],
): DeliveryPorts => ({
  secrets: () => Promise.resolve(['whsec_' + Buffer.alloc(32, 7).toString('base64')]),
  webhookUrl: (name) => Promise.reject(new Error(`no secret ${name}`)),
  post: (url) => answer(url),
  state: {
    isDisabled: () => Promise.resolve(false),
    disable: () => Promise.resolve(),
    recordFailure: (f) => Promise.resolve(void failures.push(f)),
  },
  clock: { now: () => new Date() },
});

/** A webhook queue for the subscriber `hook`, as one process would have it. */
const queue = (journal: DeliveryJournal, p: DeliveryPorts, delayScale = 1) =>
  new LocalWebhookQueue({
    ports: p,
    journal,
    targetOf: (id) => (id === 'hook' ? { subscriberId: 'hook', ...HOOK } : undefined),
    report: () => undefined,
    delayScale,
  });

const recordWebhook = (journal: DeliveryJournal) =>
  journal.open(
    { alertId: alert.id, recipient: 'hook', channel: 'webhook', document: composeAlertDocument(alert) },
    new Date().toISOString(),
  );

describe('Class: LocalAlertPublisher', () => {
  it('should, after a failed email, send on the retry only what is missing: one webhook, one email, one console line', async () => {
    // Prepare: an email that fails once, a webhook receiver that counts.
    const posts: string[] = [];
    const failures: WebhookFailure[] = [];
    const emails: OutgoingEmail[] = [];
    let mailCalls = 0;
    const journal = memoryJournal();
    const webhooks = queue(
      journal,
      ports((url) => {
        posts.push(url);
        return Promise.resolve({ status: 204 });
      }, failures),
    );
    const announced: string[] = [];
    const publisher = new LocalAlertPublisher({
      subscribers: () => [
        {
          id: 'desk',
          email: 'desk@example.org',
          topics: ['aid'],
          minScore: 0,
          mode: 'immediate',
          updates: false,
        },
        {
          id: 'digest',
          email: 'daily@example.org',
          topics: ['*'],
          minScore: 0,
          mode: 'digest',
          updates: false,
        },
        { id: 'hook', topics: ['*'], minScore: 0.5, mode: 'immediate', updates: false, webhook: HOOK },
      ],
      mail: {
        send: (email) => {
          if (mailCalls++ === 0) return Promise.reject(new Error('connection refused'));
          emails.push(email);
          return Promise.resolve('sent');
        },
      },
      webhooks,
      journal,
      onAlert: (a) => announced.push(a.id),
      report: () => undefined,
    });

    // Act
    const first = await publisher.publish([alert]);
    const retry = await publisher.publish([alert]);
    const third = await publisher.publish([alert]);
    await webhooks.settle();

    // Assess
    expect(first.failed).toEqual([{ id: alert.id, reason: 'email to desk@example.org: connection refused' }]);
    expect(retry.failed).toEqual([]);
    expect(third.failed).toEqual([]);
    expect(emails.map((e) => e.to)).toEqual(['desk@example.org']);
    expect(posts).toEqual(['http://127.0.0.1:9/hook']);
    expect(announced).toEqual([alert.id]);
    expect(failures).toEqual([]);
    expect(Object.fromEntries([...journal.records.values()].map((r) => [r.recipient, r.state]))).toEqual({
      console: 'delivered',
      desk: 'delivered',
      hook: 'delivered',
    });
  });

  it('should record a webhook as pending before it is tried, and as delivered only once the endpoint took it', async () => {
    // Prepare: an endpoint that answers only when told to.
    const journal = memoryJournal();
    let answer: (a: { status: number }) => void = () => undefined;
    const webhooks = queue(
      journal,
      ports(() => new Promise((resolve) => (answer = resolve))),
    );
    const publisher = new LocalAlertPublisher({
      subscribers: () => [
        { id: 'hook', topics: ['*'], minScore: 0, mode: 'immediate', updates: false, webhook: HOOK },
      ],
      mail: { send: () => Promise.reject(new Error('no mail')) },
      webhooks,
      journal,
      onAlert: () => undefined,
      report: () => undefined,
    });

    // Act
    await publisher.publish([alert]);
    await new Promise((r) => setTimeout(r, 20));
    const whileInFlight = (await journal.get(alert.id, 'hook'))?.state;
    answer({ status: 204 });
    await webhooks.settle();

    // Assess
    expect(whileInFlight).toBe('pending');
    expect((await journal.get(alert.id, 'hook'))?.state).toBe('delivered');
  });
});

describe('Class: LocalWebhookQueue', () => {
  it('should keep a retry still waiting when it stops, and make it after the next start, once', async () => {
    // Prepare: an endpoint that answers 503, so a retry is scheduled.
    const journal = memoryJournal();
    const failures: WebhookFailure[] = [];
    const down = queue(
      journal,
      ports(() => Promise.resolve({ status: 503 }), failures),
    );
    const posts: string[] = [];

    // Act: tried once, stopped while the retry waits; a new process takes it up.
    down.enqueue(await recordWebhook(journal));
    await down.settle();
    await down.close();
    const afterStop = await journal.get(alert.id, 'hook');
    const up = queue(
      journal,
      ports((url) => {
        posts.push(url);
        return Promise.resolve({ status: 204 });
      }, failures),
    );
    const resumed = await up.resume({ all: true });
    await up.settle();
    const again = await up.resume({ all: true });
    await up.close();

    // Assess
    expect(afterStop).toMatchObject({ state: 'pending', attempt: 2, reason: 'HTTP 503' });
    expect(failures).toEqual([]);
    expect([resumed, again]).toEqual([1, 0]);
    expect(posts).toEqual([HOOK.url]);
    expect((await journal.get(alert.id, 'hook'))?.state).toBe('delivered');
  });

  it('should let only one process try a delivery, whichever takes it up first', async () => {
    // Prepare: two processes sharing the journal, the endpoint slow to answer.
    const journal = memoryJournal();
    await recordWebhook(journal);
    const posts: string[] = [];
    const slow = () =>
      new Promise<{ status: number }>((resolve) => {
        posts.push('post');
        setTimeout(() => resolve({ status: 204 }), 30);
      });
    const a = queue(journal, ports(slow));
    const b = queue(journal, ports(slow));

    // Act
    await Promise.all([a.resume({ all: true }), b.resume({ all: true })]);
    await Promise.all([a.settle(), b.settle()]);

    // Assess
    expect(posts).toHaveLength(1);
    expect((await journal.get(alert.id, 'hook'))?.state).toBe('delivered');
  });

  it(`should give up after ${LOCAL_WEBHOOK_ATTEMPTS} tries and record the failure`, async () => {
    // Prepare: an endpoint that always answers 503, retries without delay.
    const journal = memoryJournal();
    const failures: WebhookFailure[] = [];
    let posts = 0;
    const webhooks = queue(
      journal,
      ports(() => {
        posts++;
        return Promise.resolve({ status: 503 });
      }, failures),
      0,
    );

    // Act
    webhooks.enqueue(await recordWebhook(journal));
    for (let i = 0; i < 100 && (await journal.get(alert.id, 'hook'))?.state === 'pending'; i++)
      await new Promise((r) => setTimeout(r, 10));
    await webhooks.close();

    // Assess
    expect(posts).toBe(LOCAL_WEBHOOK_ATTEMPTS);
    expect(await journal.get(alert.id, 'hook')).toMatchObject({ state: 'failed' });
    expect(failures.map((f) => [f.subscriberId, f.alertId])).toEqual([['hook', alert.id]]);
  });

  it('should post to the URL read from the secret and report the secret, never the URL', async () => {
    // Prepare
    const secretUrl = 'https://hooks.slack.com/services/T0/B0/very-secret';
    const posts: string[] = [];
    const reports: LocalDelivery[] = [];
    const journal = memoryJournal();
    const webhooks = new LocalWebhookQueue({
      ports: {
        ...ports((url) => Promise.resolve(void posts.push(url)).then(() => ({ status: 200 }))),
        webhookUrl: (name) =>
          name === 'chat-url' ? Promise.resolve(secretUrl) : Promise.reject(new Error(`no secret ${name}`)),
      },
      journal,
      targetOf: (id) =>
        id === 'hook'
          ? { subscriberId: 'hook', urlSecret: 'chat-url', format: 'slack', secretName: 'hook' }
          : undefined,
      report: (d) => reports.push(d),
    });

    // Act
    webhooks.enqueue(await recordWebhook(journal));
    await webhooks.settle();

    // Assess
    expect(posts).toEqual([secretUrl]);
    expect(reports).toEqual([
      expect.objectContaining({ outcome: 'delivered', target: 'the URL in secret chat-url' }),
    ]);
    expect(JSON.stringify(reports)).not.toContain('very-secret');
    expect((await journal.get(alert.id, 'hook'))?.state).toBe('delivered');
  });
});
