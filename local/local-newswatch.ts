import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamoDbArticleStore } from '../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbGateStore } from '../functions/adapters/aws/dynamodb-gate-store.ts';
import type { DynamoDbStoryStore } from '../functions/adapters/aws/dynamodb-story-store.ts';
import type { DynamoDbTopicStore } from '../functions/adapters/aws/dynamodb-topic-store.ts';
import { DynamoDbWebhookState } from '../functions/adapters/aws/dynamodb-webhook-state.ts';
import { DynamoDbFeedStateStore } from '../functions/adapters/aws/dynamodb-feed-state.ts';
import { DynamoDbDeliveryJournal } from '../functions/adapters/local/delivery-journal.ts';
import {
  type LocalDelivery,
  LocalAlertPublisher,
  LocalDigestSink,
  LocalWebhookQueue,
  postFromLocal,
} from '../functions/adapters/local/local-alerts.ts';
import { LocalCatalog } from '../functions/adapters/local/local-catalog.ts';
import {
  LOCAL_TABLE_NAME,
  type LocalTable,
  openLocalTable,
} from '../functions/adapters/local/local-dynamodb.ts';
import { UNSENT_ALERT_STATES } from '../functions/adapters/local/embedded-table.ts';
import { withoutKeys } from '../functions/adapters/aws/table-layout.ts';
import { LocalSecrets } from '../functions/adapters/local/local-secrets.ts';
import { EmlOutbox, type MailSender, SmtpSender } from '../functions/adapters/local/outbox.ts';
import { readTopicFolder } from '../functions/adapters/local/topic-folder.ts';
import { type RecipientStatus, recipientsOf } from '../functions/core/alerts/recipients.ts';
import type { Alert } from '../functions/core/alerts/alert.ts';
import { composeGatedMessage, type HoldReason } from '../functions/core/alerts/fatigue.ts';
import {
  type EmailSubscriber,
  isGated,
  loadSubscribers,
  type Subscriber,
} from '../functions/core/alerts/subscribers.ts';
import { GatedAlertPublisher, releaseAllHeld } from '../functions/core/pipeline/gated.ts';
import { buildDigests, sendDigests } from '../functions/core/pipeline/digests.ts';
import type { IngestOutcome } from '../functions/core/pipeline/ingest-object.ts';
import {
  AlertHeldError,
  type CachedMatcher,
  type MatchRecord,
  publishPending,
  type TopicSet,
  topicSetVersion,
} from '../functions/core/pipeline/matching.ts';
import type { Clock, IngestPorts } from '../functions/core/pipeline/ports.ts';
import { formatProblem } from '../functions/core/topics/topic-files.ts';
import type { FeedPollOutcome } from '../functions/core/feeds/poll.ts';
import { LocalFeeds } from './feeds.ts';
import {
  type FileResult,
  type IngestFileOptions,
  ingestLocalFile,
  rejectLocalFile,
  type LocalIngestParts,
  localIngestParts,
} from './ingest-file.ts';
import { IngestThreadCrash, IngestThreads } from './ingest-threads.ts';

/** The repository root, where `seeds/` is. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Where one machine keeps things. */
export interface LocalPaths {
  /** State: `data/` (the table), `outbox/`, `quarantine/`, `secrets/`, `runtime.json`. */
  home: string;
  /** The folder that plays the bucket. */
  inbox: string;
  /** Topic files, reloaded when they change. */
  topics: string;
  /** The subscribers file, the same one the CDK app reads. */
  subscribers: string;
  /** Relevance labels, one `<topic>.jsonl` file per topic. */
  labels: string;
  /** Articles copied into the inbox on the very first start. */
  seedArticles: string;
  /** The feeds file, the same one the CDK app reads; none polls no feeds. */
  feeds?: string;
}

/**
 * This machine's own topics: topics saved from the dashboard, and copies of shared topics
 * changed or switched off here. Read over the shared topics folder (a topic or list here
 * replaces the shared one of the same id or name); never deployed.
 */
export const localTopicsOf = (paths: Pick<LocalPaths, 'home'>): string => join(paths.home, 'topics');

/**
 * This machine's own subscribers (webhooks to localhost, mail through a local SMTP server),
 * read after the shared subscribers file: one with the id of a shared one replaces it. Never
 * deployed.
 */
export const localSubscribersOf = (paths: Pick<LocalPaths, 'home'>): string =>
  join(paths.home, 'subscribers.yaml');

/** Default paths under a root folder (the repository), each overridable by environment variable. */
export const defaultPaths = (root = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): LocalPaths => {
  const home = resolve(env.NEWSWATCH_HOME ?? join(root, '.newswatch'));
  return {
    home,
    inbox: resolve(env.NEWSWATCH_INBOX ?? join(root, 'inbox')),
    topics: resolve(env.NEWSWATCH_TOPICS ?? join(root, 'seeds', 'topics')),
    subscribers: resolve(env.NEWSWATCH_SUBSCRIBERS ?? join(root, 'seeds', 'subscribers.yaml')),
    labels: resolve(env.NEWSWATCH_LABELS ?? join(root, 'seeds', 'labels')),
    seedArticles: join(root, 'seeds', 'articles'),
    feeds: resolve(env.NEWSWATCH_FEEDS ?? join(root, 'seeds', 'feeds.yaml')),
  };
};

/** Something a person should hear about, as it happens. */
export type LocalEvent =
  | { type: 'ingested'; path: string; outcome: IngestOutcome }
  | { type: 'ingest-failed'; path: string; message: string }
  | { type: 'alert'; alert: Alert; recipients: RecipientStatus[] }
  | { type: 'delivery'; delivery: LocalDelivery }
  | { type: 'topics'; topics: number; version: string; changed: boolean }
  | { type: 'subscribers'; subscribers: number }
  | { type: 'secret'; subscriberId: string; where: string; purpose?: 'signing' | 'url'; present?: boolean }
  | { type: 'feed'; feedId: string; status: FeedPollOutcome['status']; key?: string; error?: string }
  | { type: 'notice'; message: string }
  | { type: 'problem'; message: string };

/** A problem that stops newswatch from starting, said in one line. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** What `runtime.json` says about a running local runtime. */
export interface RuntimeInfo {
  pid: number;
  url?: string;
  startedAt: string;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
};

/** The running local runtime of a home folder, if there is one. */
export const runningRuntime = (home: string): RuntimeInfo | undefined => {
  const file = join(home, 'runtime.json');
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo;
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
};

/** Options of {@link openLocalNewswatch}. */
export interface LocalOptions {
  paths: LocalPaths;
  onEvent?: (e: LocalEvent) => void;
  clock?: Clock;
  /** `smtp://…` to send email through a server instead of writing `.eml` files. */
  smtpUrl?: string;
  /** Multiplies webhook retry delays (tests make them short). */
  webhookDelayScale?: number;
}

export type { FileResult } from './ingest-file.ts';

/**
 * The pipeline on one machine: the Lambda's core and DynamoDB adapter, with local edges
 * (dynalite, local files, console, `.eml` or SMTP, local webhooks). Used by `npm start`
 * and by the CLI.
 */
export class LocalNewswatch {
  readonly paths: LocalPaths;
  readonly articles: DynamoDbArticleStore;
  readonly topicStore: DynamoDbTopicStore;
  readonly catalog: LocalCatalog;
  readonly gates: DynamoDbGateStore;
  readonly stories: DynamoDbStoryStore;
  readonly matcher: CachedMatcher;
  readonly ports: IngestPorts;
  readonly webhooks: LocalWebhookQueue;
  /** The feeds polled into the inbox. */
  readonly feeds: LocalFeeds;
  /** True when this is the table of a running runtime (whose topic set is left alone). */
  readonly shared: boolean;
  /** True until the seed articles have been put in the inbox once (a marker file in the home folder). */
  get needsSeeds(): boolean {
    return !existsSync(join(this.paths.home, 'seeded'));
  }

  /** Remembers that the seed articles were put in the inbox. */
  markSeeded(): void {
    writeFileSync(join(this.paths.home, 'seeded'), `${new Date().toISOString()}\n`);
  }
  subscribers: readonly Subscriber[] = [];
  topicSet?: TopicSet;
  private readonly emit: (e: LocalEvent) => void;
  private readonly mail: MailSender;
  private readonly clock: Clock;
  private readonly closeStore: () => Promise<void>;
  private readonly doc: LocalTable['doc'];
  private readonly table: LocalTable['table'];
  private wroteRuntimeInfo = false;
  private readonly secrets: LocalSecrets;
  private readonly parts: LocalIngestParts;
  private threads?: IngestThreads;

  constructor(init: {
    options: LocalOptions;
    shared: boolean;
    doc: LocalTable['doc'];
    table: LocalTable['table'];
    closeStore: () => Promise<void>;
  }) {
    const { options } = init;
    this.paths = options.paths;
    this.emit = options.onEvent ?? (() => undefined);
    this.clock = options.clock ?? { now: () => new Date() };
    this.shared = init.shared;
    this.closeStore = init.closeStore;
    this.doc = init.doc;
    this.table = init.table;
    this.catalog = new LocalCatalog(init.doc, LOCAL_TABLE_NAME, init.table);
    this.gates = new DynamoDbGateStore(init.doc, LOCAL_TABLE_NAME);
    this.mail = options.smtpUrl
      ? new SmtpSender(options.smtpUrl, process.env.NEWSWATCH_MAIL_FROM)
      : new EmlOutbox(join(this.paths.home, 'outbox'), process.env.NEWSWATCH_MAIL_FROM);
    this.secrets = new LocalSecrets(join(this.paths.home, 'secrets'));
    const report = (delivery: LocalDelivery) => this.emit({ type: 'delivery', delivery });
    const journal = new DynamoDbDeliveryJournal(init.doc, LOCAL_TABLE_NAME);
    this.webhooks = new LocalWebhookQueue({
      ports: {
        secrets: (name) => this.secrets.secrets(name),
        webhookUrl: (name) => this.secrets.webhookUrl(name),
        post: postFromLocal,
        state: new DynamoDbWebhookState(init.doc, LOCAL_TABLE_NAME),
        clock: this.clock,
      },
      journal,
      targetOf: (id) => {
        const s = this.subscribers.find((x) => x.id === id);
        return s && 'webhook' in s ? { subscriberId: id, ...s.webhook } : undefined;
      },
      report,
      ...(options.webhookDelayScale === undefined ? {} : { delayScale: options.webhookDelayScale }),
    });
    this.feeds = new LocalFeeds({
      ...(this.paths.feeds ? { file: this.paths.feeds } : {}),
      inbox: this.paths.inbox,
      states: new DynamoDbFeedStateStore(init.doc, LOCAL_TABLE_NAME),
      clock: this.clock,
    });
    const parts = localIngestParts({
      doc: init.doc,
      inbox: this.paths.inbox,
      home: this.paths.home,
      clock: this.clock,
      publisher: new GatedAlertPublisher({
        inner: this.localPublisher(journal, report),
        gated: () => this.subscribers.filter(isGated),
        store: this.gates,
        clock: this.clock,
        send: (s, alerts, reason) => this.sendGated(s, alerts, reason),
      }),
      feedTopics: (id) => this.feeds.feeds.find((f) => f.id === id)?.topics,
    });
    this.parts = parts;
    this.articles = parts.articles;
    this.topicStore = parts.topicStore;
    this.stories = parts.stories;
    this.matcher = parts.matcher;
    this.ports = parts.ports;
  }

  /** The publisher for subscribers without fatigue controls (console, email, webhooks). */
  private localPublisher(journal: DynamoDbDeliveryJournal, report: (d: LocalDelivery) => void) {
    return new LocalAlertPublisher({
      subscribers: () => this.subscribers,
      mail: this.mail,
      webhooks: this.webhooks,
      journal,
      onAlert: (alert) =>
        this.emit({
          type: 'alert',
          alert,
          recipients: recipientsOf(
            {
              topicId: alert.topic.id,
              score: alert.score,
              storyRole: alert.story?.role ?? 'first',
              language: alert.article.language ?? 'und',
            },
            this.subscribers,
          ),
        }),
      report,
      now: () => this.clock.now().toISOString(),
    });
  }

  /** Emails a gated subscriber one alert, or the alerts held for it folded into one message. */
  private async sendGated(s: EmailSubscriber, alerts: readonly Alert[], reason?: HoldReason): Promise<void> {
    const m = composeGatedMessage(alerts, reason);
    const id =
      alerts.length === 1 && !reason
        ? (alerts[0] as Alert).id
        : `held_${createHash('sha256')
            .update(alerts.map((a) => a.id).join(','))
            .digest('hex')
            .slice(0, 24)}`;
    const where = await this.mail.send({
      to: s.email,
      id,
      subject: m.subject,
      text: m.text,
      json: m.document,
    });
    this.emit({
      type: 'delivery',
      delivery: {
        alertId: id,
        subscriberId: s.id,
        channel: 'email',
        target: where,
        outcome: 'delivered',
        ...(reason ? { detail: `${alerts.length} held alerts (${reason})` } : {}),
      },
    });
  }

  /** Sends gated subscribers the held alerts whose hold has ended. */
  /** The table requests made since it was opened, by DynamoDB operation. */
  tableRequests(): Record<string, number> {
    return this.table.requests();
  }

  releaseHeld() {
    return releaseAllHeld(this.subscribers.filter(isGated), this.gates, this.clock, (s, alerts, reason) =>
      this.sendGated(s, alerts, reason),
    );
  }

  /**
   * Reads the topic files and stores them when they changed. Problems are returned (with
   * file, line and column) and the stored set is left as it was.
   */
  async reloadTopics(): Promise<{ problems: string[] }> {
    let loaded;
    try {
      loaded = readTopicFolder(this.paths.topics, localTopicsOf(this.paths)).loaded;
    } catch (e) {
      return { problems: [`cannot read the topics folder ${this.paths.topics}: ${(e as Error).message}`] };
    }
    if (loaded.problems.length > 0) return { problems: loaded.problems.map(formatProblem) };
    const version = topicSetVersion(loaded.topics, loaded.rawLists);
    const set: TopicSet = { version, topics: loaded.topics, lists: loaded.rawLists };
    const { changed } = await this.topicStore.syncTopicSet(set, this.clock.now().toISOString());
    this.topicSet = set;
    this.matcher.refresh();
    this.threads?.topicsChanged();
    this.emit({ type: 'topics', topics: loaded.topics.length, version, changed });
    return { problems: [] };
  }

  /** Uses the topic set stored in the table as it is (a running runtime's), without reading the files. */
  async useStoredTopics(): Promise<void> {
    if ((await this.topicStore.currentVersion()) !== undefined) this.topicSet = await this.topicStore.load();
  }

  /**
   * Reads the subscribers file and this machine's own (which replace shared ones of the same
   * id); problems are returned and the previous subscribers kept.
   */
  reloadSubscribers(): { problems: string[] } {
    const known = new Set(this.topicSet?.topics.map((t) => t.id) ?? []);
    const byId = new Map<string, Subscriber>();
    const problems: string[] = [];
    for (const file of [this.paths.subscribers, localSubscribersOf(this.paths)]) {
      if (!existsSync(file)) continue;
      const loaded = loadSubscribers(readFileSync(file, 'utf8'), known, { allowLocalHttp: true });
      problems.push(...loaded.problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`));
      for (const sub of loaded.subscribers) byId.set(sub.id, sub);
    }
    if (problems.length > 0) return { problems };
    const subscribers = [...byId.values()];
    this.subscribers = subscribers;
    this.emit({ type: 'subscribers', subscribers: subscribers.length });
    return { problems: [] };
  }

  /** Reads the feeds file, checked against the topics; problems are returned and the previous feeds kept. */
  reloadFeeds(): { problems: string[] } {
    const reloaded = this.feeds.reload(new Set(this.topicSet?.topics.map((t) => t.id) ?? []));
    this.threads?.feedsChanged();
    return reloaded;
  }

  /**
   * Ingests files on `count` threads of their own from now on ({@link IngestThreads}): the
   * table and the publishing stay on this one. Ingest threads keep the time of this machine's
   * clock, so a runtime with a clock of its own ingests here.
   */
  startIngestThreads(count: number, script?: URL): void {
    if (this.threads || count < 1) return;
    this.threads = new IngestThreads(
      count,
      { inbox: this.paths.inbox, home: this.paths.home },
      {
        doc: this.doc,
        publisher: this.ports.alerts?.publisher as NonNullable<IngestPorts['alerts']>['publisher'],
        feedTopics: () => this.feeds.feeds.map((f) => [f.id, f.topics]),
      },
      script,
    );
  }

  /**
   * Makes sure every webhook subscriber has a signing secret, so the receiver can be given it
   * before the first alert, and says where each one is (or the variable that holds it); for an
   * endpoint URL kept in a secret, says where it is read from and whether it is there yet.
   */
  async prepareSecrets(): Promise<
    Array<{ subscriberId: string; where: string; purpose: 'signing' | 'url'; present: boolean }>
  > {
    const out: Array<{ subscriberId: string; where: string; purpose: 'signing' | 'url'; present: boolean }> =
      [];
    for (const s of this.subscribers) {
      if (!('webhook' in s)) continue;
      if (!this.secrets.whereIs(s.webhook.secretName).present)
        await this.secrets.secrets(s.webhook.secretName);
      out.push({
        subscriberId: s.id,
        where: this.secrets.whereIs(s.webhook.secretName).where,
        purpose: 'signing',
        present: true,
      });
      if (s.webhook.urlSecret !== undefined) {
        out.push({ subscriberId: s.id, purpose: 'url', ...this.secrets.whereIs(s.webhook.urlSecret) });
      }
    }
    return out;
  }

  /**
   * Sends the alerts a stopped run left unsent: matches still `pending`, or `publishing` with a
   * claim that has run out (the process died between claiming and sending). On AWS the queue
   * hands the message out again; on one machine this runs at start.
   */
  async resumeUnsentAlerts(): Promise<number> {
    const now = this.clock.now().toISOString();
    // Through the table's index of unsent alerts: the few left, however many are stored.
    const unsent = this.table
      .itemsWith('alertState', UNSENT_ALERT_STATES)
      .filter((item) => String(item.sk).startsWith('MATCH#'))
      .map((item) => withoutKeys(item) as unknown as MatchRecord)
      .filter(
        (m) => m.alertState === 'pending' || (m.alertState === 'publishing' && (m.claimedUntil ?? '') < now),
      );
    let sent = 0;
    for (const articleId of new Set(unsent.map((m) => m.articleId))) {
      const article = await this.articles.getArticle(articleId);
      const alerts = this.ports.alerts;
      const matching = this.ports.matching;
      if (!article || !alerts || !matching) continue;
      try {
        sent += await publishPending(
          unsent.filter((m) => m.articleId === articleId),
          article,
          alerts.locate(article.sourceKey),
          alerts.publisher,
          matching.store,
          this.clock,
        );
      } catch (e) {
        // Claimed meanwhile by another process sharing the table: that one sends them.
        if (!(e instanceof AlertHeldError)) throw e;
      }
    }
    return sent;
  }

  /**
   * Ingests one local file unless this version of it was already ingested (same size and
   * modification time, or same bytes): a restart or a second event never ingests it twice. A
   * file that vanished before it could be read is recorded as `ObjectGone`, as on AWS. With
   * ingest threads started, the file is ingested on one of them.
   */
  async ingestFile(path: string, options: IngestFileOptions = {}): Promise<FileResult> {
    const outcome = this.threads
      ? await this.threads.ingest(path, options).catch((e: unknown) => {
          // A file that stops the thread reading it, even alone, is refused here, unread.
          if (!(e instanceof IngestThreadCrash)) throw e;
          return rejectLocalFile(path, this.parts, { kind: 'ParserFailure', message: e.message });
        })
      : await ingestLocalFile(path, this.parts, options);
    if (outcome.status !== 'unchanged') this.emit({ type: 'ingested', path, outcome });
    return outcome;
  }

  /**
   * Sends the digests of a day (`YYYY-MM-DD`): to each digest subscriber, the alerts of that
   * day its digests have not carried yet. For a day that has not ended the digest is partial
   * (the alerts up to now) and the next run for the day sends the rest.
   */
  async sendDigests(
    day: string,
  ): Promise<Array<{ subscriberId: string; alerts: number; part: number; partial: boolean }>> {
    const digestSubscribers = this.subscribers.filter((s) => s.mode === 'digest' && 'email' in s);
    const emailOf = (id: string) => {
      const s = digestSubscribers.find((d) => d.id === id);
      return s && 'email' in s ? s.email : undefined;
    };
    const source = this.parts.source;
    const digests = await buildDigests(day, digestSubscribers, {
      listMatchRuns: (d) => this.topicStore.listMatchRuns(d),
      getMatch: (a, t) => this.topicStore.getMatch(a, t),
      getArticle: (id) => this.articles.getArticle(id),
      locate: (key) => source.pathOf(key),
      getStory: (id) => this.stories.get(id),
    });
    const sink = new LocalDigestSink(this.doc, LOCAL_TABLE_NAME, this.mail, emailOf, (delivery) =>
      this.emit({ type: 'delivery', delivery }),
    );
    const sent = await sendDigests(digests, sink, this.clock.now().toISOString());
    return sent.map((d) => ({
      subscriberId: d.subscriberId,
      alerts: d.alerts.length,
      part: d.part ?? 1,
      partial: d.partial === true,
    }));
  }

  /**
   * Records this process as the running runtime of the home folder in `runtime.json`, which
   * tells the `newswatch` command to leave the topic set and the inbox to it.
   */
  writeRuntimeInfo(url?: string): void {
    const info: RuntimeInfo = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      ...(url ? { url } : {}),
    };
    writeFileSync(join(this.paths.home, 'runtime.json'), `${JSON.stringify(info, null, 2)}\n`);
    this.wroteRuntimeInfo = true;
  }

  /**
   * Waits for webhook deliveries under way and closes the store; retries still waiting stay
   * pending in the table, for the next start.
   */
  async close(): Promise<void> {
    await this.threads?.close();
    await this.webhooks.close();
    if (this.wroteRuntimeInfo) {
      rmSync(join(this.paths.home, 'runtime.json'), { force: true });
    }
    await this.closeStore();
  }
}

/**
 * Opens the local pipeline over the table in the data folder; beside a running runtime of the
 * same home folder (the `newswatch` command while `npm start` runs), the same table, shared.
 */
export const openLocalNewswatch = async (options: LocalOptions): Promise<LocalNewswatch> => {
  mkdirSync(options.paths.home, { recursive: true });
  const running = runningRuntime(options.paths.home);
  const table = await openLocalTable(join(options.paths.home, 'data'));
  if (table.migrated) {
    options.onEvent?.({
      type: 'notice',
      message: `copied ${table.migrated.items} items from the old data folder into data/newswatch.sqlite; the old files are kept in ${table.migrated.keptIn}`,
    });
  }
  return new LocalNewswatch({
    options,
    shared: running !== undefined && running.pid !== process.pid,
    doc: table.doc,
    table: table.table,
    closeStore: () => table.close(),
  });
};
