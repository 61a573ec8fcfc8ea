import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import {
  fileStamp,
  INBOX_RESCAN_MS,
  isIgnoredName,
  InboxLister,
  settled,
  watchInbox,
  WRITE_SETTLE_MS,
} from '../functions/adapters/local/inbox.ts';
import type { CatalogSnapshot } from '../functions/adapters/local/local-catalog.ts';
import { DataFolderBusyError } from '../functions/adapters/local/local-dynamodb.ts';
import { ALERT_CLAIM_MS, AlertHeldError } from '../functions/core/pipeline/matching.ts';
import { type DashboardServer, startDashboard } from './dashboard/server.ts';
import {
  type LocalEvent,
  type LocalNewswatch,
  type LocalOptions,
  localSubscribersOf,
  localTopicsOf,
  openLocalNewswatch,
  runningRuntime,
  StartupError,
} from './local-newswatch.ts';

/** Options of {@link startLocalRuntime}. */
export interface RuntimeOptions extends Omit<LocalOptions, 'table'> {
  /** Dashboard port on 127.0.0.1; 0 picks a free one; undefined serves no dashboard. */
  port?: number;
  /** Copy the seed articles into the inbox on the very first start (default true). */
  seed?: boolean;
  /** How long a file must stay the same size before it is read. */
  settleMs?: number;
  /** Files ingested at once (default {@link filesAtOnce}). */
  concurrency?: number;
  /**
   * Threads the files are ingested on (the pipeline's core; the table stays on the main
   * thread). 0 ingests on the main thread, as a runtime with a clock of its own always does.
   * The default is {@link defaultIngestThreads}.
   */
  ingestThreads?: number;
  /** How often the inbox is listed for files the watcher missed (default 30 s). */
  rescanMs?: number;
  /** How often feeds are looked at for those due (default a minute; each keeps its own interval). */
  feedTickMs?: number;
}

/** A running local runtime. */
export interface LocalRuntime {
  local: LocalNewswatch;
  /** The dashboard's address, when one is served. */
  url?: string;
  /** Resolves when the first scan of the inbox is done and no file is waiting or being ingested. */
  idle(): Promise<void>;
  /** The table as it is now (cached until the next ingest). */
  snapshot(): Promise<CatalogSnapshot>;
  stop(): Promise<void>;
}

/** The most ingest threads a runtime starts. */
export const MAX_INGEST_THREADS = 4;

/** One ingest thread for each core but the one the table and the rest of the runtime run on, from one to four. */
export const defaultIngestThreads = (): number =>
  Math.min(MAX_INGEST_THREADS, Math.max(1, availableParallelism() - 1));

/**
 * Files ingested at once: sixteen for each ingest thread (or without threads), at most 32. The
 * writes of the files in flight are committed together, so more in flight means fewer commits;
 * past that, a file waits longer for its turn than it saves.
 */
export const filesAtOnce = (threads: number): number => Math.min(32, 16 * Math.max(1, threads));

/** How often the feeds are looked at; each is polled when its own interval says. */
const FEED_TICK_MS = 60_000;

/** How often alerts held by fatigue controls are checked for release. */
const RELEASE_EVERY_MS = 30_000;

/** How long the dashboard's view of the table is reused. */
const SNAPSHOT_TTL_MS = 2_000;

/** How often and how long a file whose ingest failed (store unavailable, say) is tried again. */
const FILE_RETRIES = [1_000, 4_000, 15_000];

/**
 * Ingests files a few at a time. A file queued again before its turn is ingested once; a file
 * that changes while it is being ingested is ingested again after, never twice at once.
 */
class FileQueue {
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  private readonly work: (path: string) => Promise<void>;
  private readonly concurrency: number;

  constructor(work: (path: string) => Promise<void>, concurrency: number) {
    this.work = work;
    this.concurrency = concurrency;
  }

  add(path: string): void {
    if (this.running.has(path)) {
      this.again.add(path);
      return;
    }
    if (this.queued.has(path)) return;
    this.queued.add(path);
    this.waiting.push(path);
    this.pump();
  }

  /** Whether the file is waiting or being ingested. */
  has(path: string): boolean {
    return this.queued.has(path) || this.running.has(path);
  }

  get pending(): number {
    return this.waiting.length + this.running.size;
  }

  /** Forgets the files not started yet (they have no record, so the next start finds them). */
  drop(): void {
    this.waiting.splice(0);
    this.queued.clear();
    this.again.clear();
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.waiting.length > 0) {
      const path = this.waiting.shift() as string;
      this.queued.delete(path);
      this.running.add(path);
      void this.work(path).finally(() => {
        this.running.delete(path);
        if (this.again.delete(path)) this.add(path);
        this.pump();
        if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }
}

/** Copies the seed articles into the inbox (files already there are left alone). */
const copySeeds = (seedDir: string, inbox: string): number => {
  if (!existsSync(seedDir)) return 0;
  mkdirSync(inbox, { recursive: true });
  let copied = 0;
  for (const name of readdirSync(seedDir).sort()) {
    const target = join(inbox, name);
    if (isIgnoredName(name) || existsSync(target)) continue;
    copyFileSync(join(seedDir, name), target);
    copied++;
  }
  return copied;
};

/** Milliseconds until the next 00:15 UTC, when the day before's digests go out (as on AWS). */
const untilNextDigestRun = (now: Date): number => {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 0, 15));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next.getTime() - now.getTime();
};

/**
 * Starts newswatch on one machine: the table in dynalite under the home folder, topics and
 * subscribers from their files (reloaded on change), the inbox watched, the seed articles
 * ingested on the very first start, daily digests at 00:15 UTC and the dashboard.
 * Startup problems throw a {@link StartupError} with one line to show.
 */
export const startLocalRuntime = async (options: RuntimeOptions): Promise<LocalRuntime> => {
  const emit = options.onEvent ?? (() => undefined);
  const { paths } = options;
  const other = runningRuntime(paths.home);
  if (other) {
    throw new StartupError(
      `newswatch is already running for ${paths.home} (pid ${other.pid}${other.url ? `, ${other.url}` : ''})`,
    );
  }
  let cached: Promise<CatalogSnapshot> | undefined;
  let cachedAt = 0;
  let local: LocalNewswatch;
  try {
    local = await openLocalNewswatch({
      ...options,
      onEvent: (e: LocalEvent) => {
        if (e.type === 'ingested' || e.type === 'alert') cached = undefined;
        emit(e);
      },
    });
  } catch (e) {
    if (e instanceof DataFolderBusyError) throw new StartupError(e.message);
    throw e;
  }
  const cleanup: Array<() => Promise<void> | void> = [() => local.close()];
  const stop = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    // Everything that can refuse the start comes first, before a file is touched.
    const topics = await local.reloadTopics();
    if (topics.problems.length > 0) {
      const n = topics.problems.length - 1;
      const more =
        n > 0
          ? ` (and ${n} more ${n === 1 ? 'problem' : 'problems'}: newswatch topics validate lists them all)`
          : '';
      throw new StartupError(`a topic file has a problem: ${topics.problems[0]?.split('\n')[0]}${more}`);
    }
    const subscribers = local.reloadSubscribers();
    if (subscribers.problems.length > 0) {
      const n = subscribers.problems.length - 1;
      const more = n > 0 ? ` (and ${n} more ${n === 1 ? 'problem' : 'problems'})` : '';
      throw new StartupError(`the subscribers file has a problem: ${subscribers.problems[0]}${more}`);
    }
    const feeds = local.reloadFeeds();
    if (feeds.problems.length > 0)
      throw new StartupError(`the feeds file has a problem: ${feeds.problems[0]}`);
    const threads = options.clock ? 0 : (options.ingestThreads ?? defaultIngestThreads());
    local.startIngestThreads(threads);
    const snapshot = () => {
      // Another process (the CLI) may write to the table too: the cached view lives 2 seconds.
      if (!cached || Date.now() - cachedAt > SNAPSHOT_TTL_MS) {
        cachedAt = Date.now();
        cached = local.catalog.snapshot();
        cached.catch(() => (cached = undefined));
      }
      return cached;
    };
    let dashboard: DashboardServer | undefined;
    if (options.port !== undefined) {
      dashboard = await startDashboard(local, { port: options.port, snapshot });
      cleanup.push(() => dashboard?.close());
    }
    local.writeRuntimeInfo(dashboard?.url);
    for (const s of await local.prepareSecrets()) emit({ type: 'secret', ...s });

    // Deliveries a previous run (or the CLI) left pending are tried now, with their count of
    // tries; then the alerts it left unsent go out.
    await local.webhooks.resume({ all: true });
    await local.resumeUnsentAlerts();

    if (local.needsSeeds && options.seed !== false) {
      copySeeds(paths.seedArticles, paths.inbox);
      local.markSeeded();
    }

    const stopping = new AbortController();
    const settleMs = options.settleMs ?? WRITE_SETTLE_MS;
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        stopping.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
    const unsettled = new Set<string>();
    /** Size and modification time of each file when its ingest started. */
    const ingested = new Map<string, string>();
    const queue = new FileQueue(
      async (path) => {
        // Files the first scan found may still be being copied: wait until they stop changing.
        if (unsettled.delete(path)) await settled(path, settleMs, stopping.signal);
        if (stopping.signal.aborted) return;
        const stamp = await fileStamp(paths.inbox, path).catch(() => undefined);
        if (stamp) ingested.set(path, stamp);
        else ingested.delete(path);
        for (let attempt = 0; ; attempt++) {
          try {
            await local.ingestFile(path);
            return;
          } catch (e) {
            // Alerts claimed by another run (one that died, or the CLI): try again after its lease.
            const delay =
              e instanceof AlertHeldError && attempt < 2 ? ALERT_CLAIM_MS + 1_000 : FILE_RETRIES[attempt];
            if (delay === undefined || stopping.signal.aborted) {
              // Not ingested: the next listing of the inbox queues it again.
              ingested.delete(path);
              emit({ type: 'ingest-failed', path, message: (e as Error).message });
              return;
            }
            await pause(delay);
          }
        }
      },
      options.concurrency ?? filesAtOnce(threads),
    );
    cleanup.push(async () => {
      stopping.abort();
      queue.drop();
      await queue.idle();
    });

    const problem = (what: string) => (e: Error) =>
      emit({ type: 'problem', message: `${what}: ${e.message}` });
    // The first scan of the inbox goes on after the start (seconds with 50,000 files): the
    // files it finds are queued as it finds them, and `idle` waits for it.
    const inboxWatch = await watchInbox(
      paths.inbox,
      (p, initial) => {
        if (initial) unsettled.add(p);
        queue.add(p);
      },
      problem('watching the inbox'),
      settleMs,
    );
    cleanup.push(() => inboxWatch.watcher.close());
    const inboxScanned = inboxWatch.scanned.catch(problem('listing the inbox at start'));

    // The watcher can miss files (the kernel drops events in a burst): every 30 seconds the inbox
    // is listed, and files new or changed since their ingest are queued, after they settle.
    let rescanTimer: NodeJS.Timeout | undefined;
    let rescanning = true;
    const lister = new InboxLister(paths.inbox);
    const rescan = async () => {
      for (const [path, stamp] of await lister.list()) {
        if (stopping.signal.aborted) return;
        if (ingested.get(path) === stamp || queue.has(path)) continue;
        unsettled.add(path);
        queue.add(path);
      }
    };
    const scheduleRescan = () => {
      if (!rescanning) return;
      rescanTimer = setTimeout(
        () => void rescan().catch(problem('listing the inbox')).finally(scheduleRescan),
        options.rescanMs ?? INBOX_RESCAN_MS,
      );
      rescanTimer.unref();
    };
    scheduleRescan();
    cleanup.push(() => {
      rescanning = false;
      clearTimeout(rescanTimer);
    });

    // Topic and subscriber files: reloaded a moment after they change; a broken file keeps the last good set.
    let reloadTimer: NodeJS.Timeout | undefined;
    const reload = () => {
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(() => {
        void (async () => {
          const t = await local.reloadTopics();
          for (const p of t.problems) emit({ type: 'problem', message: `topics not reloaded: ${p}` });
          const s = local.reloadSubscribers();
          for (const p of s.problems) emit({ type: 'problem', message: `subscribers not reloaded: ${p}` });
          for (const p of local.reloadFeeds().problems)
            emit({ type: 'problem', message: `feeds not reloaded: ${p}` });
          if (s.problems.length === 0)
            for (const secret of await local.prepareSecrets()) emit({ type: 'secret', ...secret });
          cached = undefined;
        })().catch((e: Error) => emit({ type: 'problem', message: `reload failed: ${e.message}` }));
      }, 150);
    };
    const watchedFeeds = local.feeds.file;
    const localTopics = localTopicsOf(paths);
    const localSubscribers = localSubscribersOf(paths);
    mkdirSync(localTopics, { recursive: true });
    const configWatcher: FSWatcher = watch(
      [
        paths.topics,
        localTopics,
        paths.subscribers,
        localSubscribers,
        ...(watchedFeeds ? [watchedFeeds] : []),
      ],
      {
        ignoreInitial: true,
        depth: 0,
        ignored: (p: string, stats?: { isFile(): boolean }) =>
          stats?.isFile() === true &&
          p !== paths.subscribers &&
          p !== localSubscribers &&
          p !== watchedFeeds &&
          !/\.(ya?ml|json)$/i.test(p),
      },
    );
    configWatcher.on('all', reload);
    configWatcher.on('error', (e: unknown) => problem('watching the topic and subscriber files')(e as Error));
    await new Promise<void>((r) => configWatcher.once('ready', () => r()));
    cleanup.push(async () => {
      clearTimeout(reloadTimer);
      await configWatcher.close();
    });

    // Feeds: the due ones are polled every minute, each on its own interval and back-off; a new
    // document is written into inbox/feeds/<id>/, where the watcher ingests it like any file.
    let feedTimer: NodeJS.Timeout | undefined;
    let feedPolling = true;
    let feedRun: Promise<void> = Promise.resolve();
    const pollDueFeeds = async () => {
      try {
        for (const o of await local.feeds.poll()) {
          if (o.status !== 'new' && o.status !== 'failed' && o.status !== 'error') continue;
          emit({
            type: 'feed',
            feedId: o.feedId,
            status: o.status,
            ...(o.status === 'new' ? { key: o.key } : { error: o.error }),
          });
        }
      } catch (e) {
        emit({ type: 'problem', message: `feeds not polled: ${(e as Error).message}` });
      }
    };
    const scheduleFeeds = () => {
      if (!feedPolling) return;
      feedTimer = setTimeout(() => {
        feedRun = pollDueFeeds().finally(scheduleFeeds);
      }, options.feedTickMs ?? FEED_TICK_MS);
      feedTimer.unref();
    };
    // The first poll runs in the background: a slow feed never holds up the start.
    feedRun = pollDueFeeds().finally(scheduleFeeds);
    cleanup.push(async () => {
      feedPolling = false;
      clearTimeout(feedTimer);
      await feedRun;
    });

    // Daily digests at 00:15 UTC; at start, yesterday's if they have not gone out (a day is sent once).
    const sendDigests = (day: string) =>
      local
        .sendDigests(day)
        .catch((e: Error) => emit({ type: 'problem', message: `digests of ${day} not sent: ${e.message}` }));
    const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const catchUp = sendDigests(yesterday());
    cleanup.push(() => catchUp.then(() => undefined));
    let digestTimer: NodeJS.Timeout | undefined;
    const scheduleDigests = () => {
      digestTimer = setTimeout(
        () => void sendDigests(yesterday()).finally(scheduleDigests),
        untilNextDigestRun(new Date()),
      );
      digestTimer.unref();
    };
    scheduleDigests();
    cleanup.push(() => clearTimeout(digestTimer));

    // Alerts held by fatigue controls go out when their hold ends, and webhook deliveries this
    // process does not have in hand (left by the CLI, or by a run whose claim ran out) are
    // taken up when due: both checked every 30 seconds.
    const release = async () => {
      try {
        const { failed } = await local.releaseHeld();
        for (const f of failed)
          emit({ type: 'problem', message: `held alerts of ${f.subscriberId} not sent: ${f.reason}` });
      } catch (e) {
        emit({ type: 'problem', message: `held alerts not sent: ${(e as Error).message}` });
      }
      await local.webhooks
        .resume()
        .catch((e: Error) =>
          emit({ type: 'problem', message: `pending webhooks not resumed: ${e.message}` }),
        );
    };
    await release();
    // Re-armed after each run, so a slow run never overlaps the next.
    let releaseTimer: NodeJS.Timeout | undefined;
    const scheduleRelease = () => {
      releaseTimer = setTimeout(() => void release().finally(scheduleRelease), RELEASE_EVERY_MS);
      releaseTimer.unref();
    };
    scheduleRelease();
    cleanup.push(() => clearTimeout(releaseTimer));

    return {
      local,
      ...(dashboard ? { url: dashboard.url } : {}),
      idle: async () => {
        await inboxScanned;
        await queue.idle();
      },
      snapshot,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
};

/** The name under which a file appears in messages: its path below the inbox when it is there. */
export const displayName = (inbox: string, path: string): string =>
  path.startsWith(`${inbox}/`) ? path.slice(inbox.length + 1) : basename(path);
