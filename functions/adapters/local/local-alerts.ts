import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../../core/alerts/alert.ts';
import { type AlertDocument, composeAlertDocument, composeAlertEmail } from '../../core/alerts/compose.ts';
import { composeDigestDocument, composeDigestEmail, type Digest } from '../../core/alerts/digest.ts';
import { UnsafeWebhookUrlError } from '../../core/alerts/ssrf.ts';
import { isLoopbackHost, type Subscriber, wantsAlert } from '../../core/alerts/subscribers.ts';
import {
  type DeliveryPorts,
  deliverWebhook,
  RetryLaterError,
  type WebhookTarget,
} from '../../core/pipeline/deliver-webhook.ts';
import type { AlertPublisher } from '../../core/pipeline/matching.ts';
import { DynamoDbDigestLedger } from '../aws/digest-sink.ts';
import { postWebhook } from '../webhook/https-poster.ts';
import type { MailSender } from './outbox.ts';

/** What happened to one alert for one recipient. */
export interface LocalDelivery {
  alertId: string;
  subscriberId: string;
  channel: 'email' | 'webhook';
  /** Where it went: the `.eml` file, the SMTP answer, or the webhook URL. */
  target: string;
  outcome: 'delivered' | 'retrying' | 'failed';
  detail?: string;
}

const POST_TIMEOUT_MS = 10_000;

/**
 * POSTs a webhook from the local runtime: https URLs go through the same guarded poster as
 * on AWS; plain http is allowed only to this machine's loopback interface, for local receivers.
 */
export const postFromLocal: DeliveryPorts['post'] = async (url, headers, body) => {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:') return postWebhook(url, headers, body, { timeoutMs: POST_TIMEOUT_MS });
  if (!isLoopbackHost(parsed.hostname)) {
    throw new UnsafeWebhookUrlError(`${url}: plain http is allowed only to this machine`);
  }
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
    await res.body?.cancel();
    return { status: res.status };
  } catch (e) {
    return { error: (e as Error).cause ? String((e as Error).cause) : (e as Error).message };
  }
};

/** Tries per alert and endpoint before giving up, as the delivery queue's redrive count on AWS. */
export const LOCAL_WEBHOOK_ATTEMPTS = 8;

/**
 * The local stand-in for the webhook queue and its delivery function: each alert is delivered
 * by the same core step, retried later with the same back-off, and given up (recorded as a
 * failure) after {@link LOCAL_WEBHOOK_ATTEMPTS} tries.
 */
export class LocalWebhookQueue {
  private readonly ports: DeliveryPorts;
  private readonly report: (d: LocalDelivery) => void;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Multiplies retry delays (tests make them short). */
  private readonly delayScale: number;

  constructor(ports: DeliveryPorts, report: (d: LocalDelivery) => void, delayScale = 1) {
    this.ports = ports;
    this.report = report;
    this.delayScale = delayScale;
  }

  enqueue(doc: AlertDocument, target: WebhookTarget, attempt = 1): void {
    const run = this.deliver(doc, target, attempt).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private async deliver(doc: AlertDocument, target: WebhookTarget, attempt: number): Promise<void> {
    const base = {
      alertId: doc.id,
      subscriberId: target.subscriberId,
      channel: 'webhook' as const,
      target: target.url,
    };
    try {
      const result = await deliverWebhook(doc, target, attempt, this.ports);
      if (result.action === 'delivered') this.report({ ...base, outcome: 'delivered' });
      else this.report({ ...base, outcome: 'failed', detail: result.reason });
    } catch (e) {
      if (e instanceof RetryLaterError && attempt < LOCAL_WEBHOOK_ATTEMPTS) {
        this.report({
          ...base,
          outcome: 'retrying',
          detail: `${e.message}; try ${attempt + 1} in ${e.delaySeconds} s`,
        });
        const timer = setTimeout(
          () => {
            this.timers.delete(timer);
            this.enqueue(doc, target, attempt + 1);
          },
          e.delaySeconds * 1000 * this.delayScale,
        );
        timer.unref();
        this.timers.add(timer);
        return;
      }
      const reason = e instanceof Error ? e.message : String(e);
      await this.ports.state
        .recordFailure({
          subscriberId: target.subscriberId,
          alertId: doc.id,
          reason,
          at: this.ports.clock.now().toISOString(),
        })
        .catch(() => undefined);
      this.report({ ...base, outcome: 'failed', detail: `given up after ${attempt} tries: ${reason}` });
    }
  }

  /** Waits for the deliveries under way (not the ones waiting for a retry). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Drops the retries still waiting; deliveries under way finish. */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.settle();
  }
}

/**
 * The local alert publisher, in place of SNS: each alert goes to the console (through
 * `onAlert`), as an email to every immediate email subscriber whose topics and minimum score
 * it meets, and to every such webhook through the {@link LocalWebhookQueue}.
 */
export class LocalAlertPublisher implements AlertPublisher {
  private readonly subscribers: () => readonly Subscriber[];
  private readonly mail: MailSender;
  private readonly webhooks: LocalWebhookQueue;
  private readonly onAlert: (alert: Alert) => void;
  private readonly report: (d: LocalDelivery) => void;

  constructor(options: {
    subscribers: () => readonly Subscriber[];
    mail: MailSender;
    webhooks: LocalWebhookQueue;
    onAlert: (alert: Alert) => void;
    report: (d: LocalDelivery) => void;
  }) {
    this.subscribers = options.subscribers;
    this.mail = options.mail;
    this.webhooks = options.webhooks;
    this.onAlert = options.onAlert;
    this.report = options.report;
  }

  async publish(alerts: Alert[]): Promise<{ failed: Array<{ id: string; reason: string }> }> {
    const failed: Array<{ id: string; reason: string }> = [];
    for (const alert of alerts) {
      const doc = composeAlertDocument(alert);
      const recipients = this.subscribers().filter((s) =>
        wantsAlert(s, { topicId: alert.topic.id, score: alert.score }),
      );
      this.onAlert(alert);
      let emailFailure: string | undefined;
      for (const s of recipients) {
        if ('email' in s) {
          const email = composeAlertEmail(alert);
          try {
            const where = await this.mail.send({ to: s.email, id: alert.id, json: doc, ...email });
            this.report({
              alertId: alert.id,
              subscriberId: s.id,
              channel: 'email',
              target: where,
              outcome: 'delivered',
            });
          } catch (e) {
            emailFailure = `email to ${s.email}: ${(e as Error).message}`;
            this.report({
              alertId: alert.id,
              subscriberId: s.id,
              channel: 'email',
              target: s.email,
              outcome: 'failed',
              detail: emailFailure,
            });
          }
        } else {
          this.webhooks.enqueue(doc, { subscriberId: s.id, ...s.webhook });
        }
      }
      // A failed email leaves the alert unsent: the file is retried and the email written again.
      if (emailFailure) failed.push({ id: alert.id, reason: emailFailure });
    }
    return { failed };
  }
}

/** Daily digests on one machine: recorded in the table as on AWS, sent as email. */
export class LocalDigestSink extends DynamoDbDigestLedger {
  private readonly mail: MailSender;
  private readonly emailOf: (subscriberId: string) => string | undefined;
  private readonly report: (d: LocalDelivery) => void;

  constructor(
    doc: DynamoDBDocumentClient,
    tableName: string,
    mail: MailSender,
    emailOf: (subscriberId: string) => string | undefined,
    report: (d: LocalDelivery) => void,
  ) {
    super(doc, tableName);
    this.mail = mail;
    this.emailOf = emailOf;
    this.report = report;
  }

  async publish(d: Digest): Promise<void> {
    const to = this.emailOf(d.subscriberId);
    if (!to) throw new Error(`digest subscriber ${d.subscriberId} has no email address`);
    const where = await this.mail.send({
      to,
      id: d.id,
      json: composeDigestDocument(d),
      ...composeDigestEmail(d),
    });
    this.report({
      alertId: d.id,
      subscriberId: d.subscriberId,
      channel: 'email',
      target: where,
      outcome: 'delivered',
    });
  }
}
