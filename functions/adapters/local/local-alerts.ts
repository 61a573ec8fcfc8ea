import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../../core/alerts/alert.ts';
import { composeAlertDocument, composeAlertEmail } from '../../core/alerts/compose.ts';
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
import type { DeliveryJournal, DeliveryRecord } from './delivery-journal.ts';
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
 * How long one process holds a delivery while it tries it: longer than a POST may take
 * (10 s), so a second process never tries it at the same time; a process that died frees it
 * when the lease ends.
 */
export const DELIVERY_CLAIM_MS = 30_000;

const deliveryId = (alertId: string, recipient: string) => `${alertId}/${recipient}`;

/**
 * The local stand-in for the webhook queue and its delivery function. Every delivery is in
 * the {@link DeliveryJournal} before it is tried, so it outlives the process: each try is
 * claimed, made by the same core step as on AWS, and its outcome written back — delivered
 * (only after the endpoint took it), another try due after the same back-off, or given up
 * (recorded as a failure) after {@link LOCAL_WEBHOOK_ATTEMPTS} tries. Deliveries a stopped
 * or killed process left pending are taken up again by {@link resume}.
 */
export class LocalWebhookQueue {
  private readonly ports: DeliveryPorts;
  private readonly journal: DeliveryJournal;
  private readonly targetOf: (subscriberId: string) => WebhookTarget | undefined;
  private readonly report: (d: LocalDelivery) => void;
  private readonly inFlight = new Set<Promise<void>>();
  /** Deliveries this process is trying or will try (their timers), by alert and recipient. */
  private readonly known = new Map<string, NodeJS.Timeout | undefined>();
  /** Multiplies retry delays (tests make them short). */
  private readonly delayScale: number;
  private closed = false;

  constructor(options: {
    ports: DeliveryPorts;
    journal: DeliveryJournal;
    /** The subscriber's endpoint as the subscribers file says now (undefined: no longer a webhook). */
    targetOf: (subscriberId: string) => WebhookTarget | undefined;
    report: (d: LocalDelivery) => void;
    delayScale?: number;
  }) {
    this.ports = options.ports;
    this.journal = options.journal;
    this.targetOf = options.targetOf;
    this.report = options.report;
    this.delayScale = options.delayScale ?? 1;
  }

  /** Tries a recorded delivery now, unless this process already has it in hand. */
  enqueue(record: DeliveryRecord): void {
    const id = deliveryId(record.alertId, record.recipient);
    if (this.closed || this.known.has(id)) return;
    this.known.set(id, undefined);
    this.run(record);
  }

  /**
   * Takes up pending deliveries from the journal that this process does not have in hand:
   * every one (at start: a restart is when a mended receiver is most likely back), or only
   * those due. Returns how many were taken up.
   */
  async resume(options: { all?: boolean } = {}): Promise<number> {
    const now = this.ports.clock.now().toISOString();
    let taken = 0;
    for (const record of await this.journal.pendingWebhooks()) {
      if (this.closed) break;
      if (this.known.has(deliveryId(record.alertId, record.recipient))) continue;
      if (!options.all && record.dueAt > now) continue;
      this.enqueue(record);
      taken++;
    }
    return taken;
  }

  private run(record: DeliveryRecord): void {
    const run = this.deliver(record)
      .catch((e: unknown) => {
        // The journal could not be written: the delivery stays pending, for a later resume.
        this.known.delete(deliveryId(record.alertId, record.recipient));
        this.report({
          alertId: record.alertId,
          subscriberId: record.recipient,
          channel: 'webhook',
          target: ((t) => (t ? describeEndpoint(t) : record.recipient))(this.targetOf(record.recipient)),
          outcome: 'retrying',
          detail: `not recorded: ${(e as Error).message}; tried again later`,
        });
      })
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private async deliver(record: DeliveryRecord): Promise<void> {
    const { alertId, recipient, attempt } = record;
    const id = deliveryId(alertId, recipient);
    const now = this.ports.clock.now();
    const until = new Date(now.getTime() + DELIVERY_CLAIM_MS).toISOString();
    if (!(await this.journal.claim(alertId, recipient, attempt, now.toISOString(), until))) {
      // Done, given up, or in another process's hands (the CLI, or a run that died a moment ago).
      this.known.delete(id);
      return;
    }
    const target = this.targetOf(recipient);
    const base = {
      alertId,
      subscriberId: recipient,
      channel: 'webhook' as const,
      target: target ? describeEndpoint(target) : '',
    };
    if (!target || !record.document) {
      const reason = target
        ? 'the delivery has no alert document'
        : `${recipient} is no longer a webhook subscriber`;
      await this.giveUp(record, base, reason, reason);
      return;
    }
    try {
      const result = await deliverWebhook(record.document, target, attempt, this.ports);
      const at = this.ports.clock.now().toISOString();
      if (result.action === 'delivered') {
        await this.journal.delivered(alertId, recipient, at);
        this.report({ ...base, outcome: 'delivered' });
      } else {
        await this.journal.failed(alertId, recipient, result.reason, at);
        this.report({ ...base, outcome: 'failed', detail: result.reason });
      }
      this.known.delete(id);
    } catch (e) {
      if (e instanceof RetryLaterError && attempt < LOCAL_WEBHOOK_ATTEMPTS) {
        const delayMs = e.delaySeconds * 1000 * this.delayScale;
        const dueAt = new Date(this.ports.clock.now().getTime() + delayMs).toISOString();
        await this.journal.retryLater(alertId, recipient, attempt + 1, dueAt, e.message);
        this.report({
          ...base,
          outcome: 'retrying',
          detail: `${e.message}; try ${attempt + 1} in ${e.delaySeconds} s`,
        });
        if (this.closed) {
          this.known.delete(id);
          return;
        }
        const timer = setTimeout(() => {
          this.known.set(id, undefined);
          this.run({ ...record, attempt: attempt + 1, dueAt });
        }, delayMs);
        timer.unref();
        this.known.set(id, timer);
        return;
      }
      const reason = e instanceof Error ? e.message : String(e);
      await this.giveUp(record, base, reason, `given up after ${attempt} tries: ${reason}`);
    }
  }

  /** Records a delivery that will not be tried again, and reports it. */
  private async giveUp(
    record: DeliveryRecord,
    base: Omit<LocalDelivery, 'outcome'>,
    reason: string,
    detail: string,
  ): Promise<void> {
    const at = this.ports.clock.now().toISOString();
    await this.ports.state
      .recordFailure({ subscriberId: record.recipient, alertId: record.alertId, reason, at })
      .catch(() => undefined);
    await this.journal.failed(record.alertId, record.recipient, reason, at);
    this.known.delete(deliveryId(record.alertId, record.recipient));
    this.report({ ...base, outcome: 'failed', detail });
  }

  /** Waits for the deliveries under way (not the ones waiting for a retry). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Stops: deliveries under way finish; retries still waiting stay pending in the journal,
   * with their count of tries, and are taken up by the next start.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.known.values()) clearTimeout(timer);
    await this.settle();
    this.known.clear();
  }
}

/**
 * The local alert publisher, in place of SNS: each alert goes to the console (through
 * `onAlert`), as an email to every immediate email subscriber whose topics and minimum score
 * it meets, and to every such webhook through the {@link LocalWebhookQueue}. Each delivery is
 * recorded in the {@link DeliveryJournal} before it is attempted and marked delivered after,
 * so a second publish of the alert (after a failed email, or at the next start) sends only
 * what was not delivered.
 */
export class LocalAlertPublisher implements AlertPublisher {
  private readonly subscribers: () => readonly Subscriber[];
  private readonly mail: MailSender;
  private readonly webhooks: LocalWebhookQueue;
  private readonly journal: DeliveryJournal;
  private readonly onAlert: (alert: Alert) => void;
  private readonly report: (d: LocalDelivery) => void;
  private readonly now: () => string;

  constructor(options: {
    subscribers: () => readonly Subscriber[];
    mail: MailSender;
    webhooks: LocalWebhookQueue;
    journal: DeliveryJournal;
    onAlert: (alert: Alert) => void;
    report: (d: LocalDelivery) => void;
    now?: () => string;
  }) {
    this.subscribers = options.subscribers;
    this.mail = options.mail;
    this.webhooks = options.webhooks;
    this.journal = options.journal;
    this.onAlert = options.onAlert;
    this.report = options.report;
    this.now = options.now ?? (() => new Date().toISOString());
  }

  async publish(alerts: Alert[]): Promise<{ failed: Array<{ id: string; reason: string }> }> {
    const failed: Array<{ id: string; reason: string }> = [];
    for (const alert of alerts) {
      if ((await this.journal.get(alert.id, 'console'))?.state !== 'delivered') {
        this.onAlert(alert);
        await this.journal.open(
          { alertId: alert.id, recipient: 'console', channel: 'console' },
          this.now(),
          'delivered',
        );
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
            ...(alert.article.language ? { language: alert.article.language } : {}),
          }),
      );
      let emailFailure: string | undefined;
      for (const s of recipients) {
        // Recorded before it is attempted; one recorded already (delivered, given up, or
        // pending a retry) is not started again.
        const record = await this.journal.open(
          {
            alertId: alert.id,
            recipient: s.id,
            channel: 'email' in s ? 'email' : 'webhook',
            ...('email' in s ? {} : { document: doc }),
          },
          this.now(),
        );
        if (record.state !== 'pending') continue;
        if ('email' in s) {
          // The UTF-8 subject: local mail is not bound by SNS's ASCII rule.
          const { subject, text } = composeAlertEmail(alert);
          try {
            const where = await this.mail.send({ to: s.email, id: alert.id, json: doc, subject, text });
            await this.journal.delivered(alert.id, s.id, this.now());
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
          // The queue tries it, retries it and writes the outcome back to the journal.
          this.webhooks.enqueue(record);
        }
      }
      // A failed email leaves the alert unsent: it is published again and only that email sent.
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
    const { subject, text } = composeDigestEmail(d);
    const where = await this.mail.send({ to, id: d.id, json: composeDigestDocument(d), subject, text });
    this.report({
      alertId: d.id,
      subscriberId: d.subscriberId,
      channel: 'email',
      target: where,
      outcome: 'delivered',
    });
  }
}
