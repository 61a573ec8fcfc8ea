import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../../core/alerts/alert.ts';
import { type AlertDocument, composeAlertDocument, composeAlertEmail } from '../../core/alerts/compose.ts';
import { composeDigestDocument, composeDigestEmail, type Digest } from '../../core/alerts/digest.ts';
import { UnsafeWebhookUrlError } from '../../core/alerts/ssrf.ts';
import { isGated, isLoopbackHost, type Subscriber, wantsAlert } from '../../core/alerts/subscribers.ts';
import {
  type DeliveryPorts,
  deliverWebhook,
  describeEndpoint,
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
  /** Where it went: the `.eml` file, the SMTP answer, or the webhook URL (or the secret that holds it). */
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
    throw new UnsafeWebhookUrlError(`${parsed.hostname}: plain http is allowed only to this machine`);
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
  private readonly timers = new Map<
    NodeJS.Timeout,
    { doc: AlertDocument; target: WebhookTarget; attempt: number }
  >();
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
      target: describeEndpoint(target),
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
        this.timers.set(timer, { doc, target, attempt: attempt + 1 });
        return;
      }
      const reason = e instanceof Error ? e.message : String(e);
      await this.giveUp(doc, target, reason, `given up after ${attempt} tries: ${reason}`);
    }
  }

  /** Records a delivery that will not be tried again, and reports it. */
  private async giveUp(
    doc: AlertDocument,
    target: WebhookTarget,
    reason: string,
    detail: string,
  ): Promise<void> {
    await this.ports.state
      .recordFailure({
        subscriberId: target.subscriberId,
        alertId: doc.id,
        reason,
        at: this.ports.clock.now().toISOString(),
      })
      .catch(() => undefined);
    this.report({
      alertId: doc.id,
      subscriberId: target.subscriberId,
      channel: 'webhook',
      target: describeEndpoint(target),
      outcome: 'failed',
      detail,
    });
  }

  /** Waits for the deliveries under way (not the ones waiting for a retry). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Stops: deliveries under way finish; retries still waiting are recorded as failures (the
   * process that would make them is ending), so no alert disappears without a trace.
   */
  async close(): Promise<void> {
    const waiting = [...this.timers];
    this.timers.clear();
    for (const [timer, { doc, target, attempt }] of waiting) {
      clearTimeout(timer);
      const reason = `newswatch stopped before try ${attempt}`;
      await this.giveUp(doc, target, reason, reason);
    }
    await this.settle();
  }
}

/**
 * Which recipients have been handed an alert: a retry of a file after a failed email sends
 * only what is still missing, never a second copy to the others.
 */
export interface DeliveryLedger {
  delivered(alertId: string, recipient: string): Promise<boolean>;
  record(alertId: string, recipient: string, at: string): Promise<void>;
}

/** {@link DeliveryLedger} in the table: `DELIVERY#<alert id>` / `TO#<recipient>`. */
export class DynamoDbDeliveryLedger implements DeliveryLedger {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  private key(alertId: string, recipient: string) {
    return { pk: `DELIVERY#${alertId}`, sk: `TO#${recipient}` };
  }

  async delivered(alertId: string, recipient: string): Promise<boolean> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(alertId, recipient), ConsistentRead: true }),
    );
    return res.Item !== undefined;
  }

  async record(alertId: string, recipient: string, at: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...this.key(alertId, recipient), type: 'delivery', alertId, recipient, at },
      }),
    );
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
  private readonly ledger: DeliveryLedger;
  private readonly onAlert: (alert: Alert) => void;
  private readonly report: (d: LocalDelivery) => void;
  private readonly now: () => string;

  constructor(options: {
    subscribers: () => readonly Subscriber[];
    mail: MailSender;
    webhooks: LocalWebhookQueue;
    ledger: DeliveryLedger;
    onAlert: (alert: Alert) => void;
    report: (d: LocalDelivery) => void;
    now?: () => string;
  }) {
    this.subscribers = options.subscribers;
    this.mail = options.mail;
    this.webhooks = options.webhooks;
    this.ledger = options.ledger;
    this.onAlert = options.onAlert;
    this.report = options.report;
    this.now = options.now ?? (() => new Date().toISOString());
  }

  async publish(alerts: Alert[]): Promise<{ failed: Array<{ id: string; reason: string }> }> {
    const failed: Array<{ id: string; reason: string }> = [];
    for (const alert of alerts) {
      if (!(await this.ledger.delivered(alert.id, 'console'))) {
        this.onAlert(alert);
        await this.ledger.record(alert.id, 'console', this.now());
      }
      const doc = composeAlertDocument(alert);
      // Subscribers with fatigue controls get their messages through the gate instead.
      const recipients = this.subscribers().filter(
        (s) =>
          !isGated(s) &&
          wantsAlert(s, {
            topicId: alert.topic.id,
            score: alert.score,
            storyRole: alert.story?.role ?? 'first',
          }),
      );
      let emailFailure: string | undefined;
      for (const s of recipients) {
        // Each recipient once: after a failed email the alert is tried again, for the rest only.
        if (await this.ledger.delivered(alert.id, s.id)) continue;
        if ('email' in s) {
          const email = composeAlertEmail(alert);
          try {
            const where = await this.mail.send({ to: s.email, id: alert.id, json: doc, ...email });
            await this.ledger.record(alert.id, s.id, this.now());
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
          // Handed to the webhook queue, which retries and records what it gives up.
          this.webhooks.enqueue(doc, { subscriberId: s.id, ...s.webhook });
          await this.ledger.record(alert.id, s.id, this.now());
        }
      }
      // A failed email leaves the alert unsent: the file is retried and only that email sent again.
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
