import { describe, expect, it } from 'vitest';
import {
  type DeliveryLedger,
  LocalAlertPublisher,
  type LocalDelivery,
  LocalWebhookQueue,
} from '../../../functions/adapters/local/local-alerts.ts';
import type { OutgoingEmail } from '../../../functions/adapters/local/outbox.ts';
import type { Alert } from '../../../functions/core/alerts/alert.ts';
import { composeAlertDocument } from '../../../functions/core/alerts/compose.ts';
import type { WebhookFailure } from '../../../functions/core/pipeline/deliver-webhook.ts';

const alert: Alert = {
  id: 'alert_0123456789abcdef01234567',
  kind: 'alert',
  createdAt: '2026-11-23T10:00:00.000Z',
  topic: { id: 'aid', name: 'Aid' },
  score: 0.9,
  article: { id: 'a1', title: 'Masks for Azerbaijan', date: '2026-11-20', location: '/inbox/a.txt' },
  explanation: { terms: [], countries: [], snippet: 'medical **masks**' },
};

const memoryLedger = (): DeliveryLedger & { items: Set<string> } => {
  const items = new Set<string>();
  return {
    items,
    delivered: (a, r) => Promise.resolve(items.has(`${a}/${r}`)),
    record: (a, r) => Promise.resolve(void items.add(`${a}/${r}`)),
  };
};

describe('Class: LocalAlertPublisher', () => {
  it('should, after a failed email, send on the retry only what is missing: one webhook, one email, one console line', async () => {
    // Prepare: an email that fails once, a webhook receiver that counts.
    const posts: string[] = [];
    const failures: WebhookFailure[] = [];
    const emails: OutgoingEmail[] = [];
    let mailCalls = 0;
    const webhooks = new LocalWebhookQueue(
      {
        secrets: () => Promise.resolve(['whsec_' + Buffer.alloc(32, 7).toString('base64')]),
        webhookUrl: (name) => Promise.reject(new Error(`no secret ${name}`)),
        post: (url) => {
          posts.push(url);
          return Promise.resolve({ status: 204 });
        },
        state: {
          isDisabled: () => Promise.resolve(false),
          disable: () => Promise.resolve(),
          recordFailure: (f) => Promise.resolve(void failures.push(f)),
        },
        clock: { now: () => new Date('2026-11-23T10:00:00Z') },
      },
      () => undefined,
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
        {
          id: 'hook',
          topics: ['*'],
          minScore: 0.5,
          mode: 'immediate',
          updates: false,
          webhook: { url: 'http://127.0.0.1:9/hook', format: 'generic', secretName: 'hook' },
        },
      ],
      mail: {
        send: (email) => {
          if (mailCalls++ === 0) return Promise.reject(new Error('connection refused'));
          emails.push(email);
          return Promise.resolve('sent');
        },
      },
      webhooks,
      ledger: memoryLedger(),
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
  });

  it('should record a webhook retry that was still waiting when it stopped as a failure', async () => {
    // Prepare: an endpoint that answers 503, so a retry is scheduled.
    const failures: WebhookFailure[] = [];
    const webhooks = new LocalWebhookQueue(
      {
        secrets: () => Promise.resolve(['whsec_' + Buffer.alloc(32, 7).toString('base64')]),
        webhookUrl: (name) => Promise.reject(new Error(`no secret ${name}`)),
        post: () => Promise.resolve({ status: 503 }),
        state: {
          isDisabled: () => Promise.resolve(false),
          disable: () => Promise.resolve(),
          recordFailure: (f) => Promise.resolve(void failures.push(f)),
        },
        clock: { now: () => new Date('2026-11-23T10:00:00Z') },
      },
      () => undefined,
    );

    // Act
    webhooks.enqueue(composeAlertDocument(alert), {
      subscriberId: 'hook',
      url: 'http://127.0.0.1:9/hook',
      format: 'generic',
      secretName: 'hook',
    });
    await webhooks.settle();
    await webhooks.close();

    // Assess
    expect(failures).toEqual([
      {
        subscriberId: 'hook',
        alertId: alert.id,
        reason: 'newswatch stopped before try 2',
        at: '2026-11-23T10:00:00.000Z',
      },
    ]);
  });

  it('should post to the URL read from the secret and report the secret, never the URL', async () => {
    // Prepare
    const secretUrl = 'https://hooks.slack.com/services/T0/B0/very-secret';
    const posts: string[] = [];
    const reports: LocalDelivery[] = [];
    const webhooks = new LocalWebhookQueue(
      {
        secrets: () => Promise.resolve(['whsec_' + Buffer.alloc(32, 7).toString('base64')]),
        webhookUrl: (name) =>
          name === 'chat-url' ? Promise.resolve(secretUrl) : Promise.reject(new Error(`no secret ${name}`)),
        post: (url) => Promise.resolve(void posts.push(url)).then(() => ({ status: 200 })),
        state: {
          isDisabled: () => Promise.resolve(false),
          disable: () => Promise.resolve(),
          recordFailure: () => Promise.resolve(),
        },
        clock: { now: () => new Date('2026-11-23T10:00:00Z') },
      },
      (d) => reports.push(d),
    );

    // Act
    webhooks.enqueue(composeAlertDocument(alert), {
      subscriberId: 'chat',
      urlSecret: 'chat-url',
      format: 'slack',
      secretName: 'hook',
    });
    await webhooks.settle();

    // Assess
    expect(posts).toEqual([secretUrl]);
    expect(reports).toEqual([
      expect.objectContaining({ outcome: 'delivered', target: 'the URL in secret chat-url' }),
    ]);
    expect(JSON.stringify(reports)).not.toContain('very-secret');
  });
});
