import { existsSync, readFileSync } from 'node:fs';
import { FeedFolderWriter } from '../functions/adapters/local/feed-folder.ts';
import { fetchFeed } from '../functions/adapters/feeds/feed-fetcher.ts';
import { DEFAULT_MAX_ARTICLE_BYTES } from '../functions/core/articles/parse-article.ts';
import { type Feed, loadFeeds } from '../functions/core/feeds/feeds-file.ts';
import { dueAt, type FeedPollOutcome, pollFeeds } from '../functions/core/feeds/poll.ts';
import type {
  Clock,
  FeedAnswer,
  FeedRequest,
  FeedState,
  FeedStateStore,
} from '../functions/core/pipeline/ports.ts';

/** Where documents go on one machine: the inbox plays `incoming/`. */
export const LOCAL_FEEDS_PREFIX = 'inbox/feeds/';

/** One feed as `newswatch feeds list` and the dashboard show it. */
export interface FeedStatus {
  id: string;
  name?: string;
  url: string;
  every: string;
  topics?: string[];
  /** When it is polled next (ISO), or `now`. */
  nextPollAt: string;
  /** `never` before its first poll. */
  lastStatus: FeedState['lastStatus'] | 'never';
  lastPolledAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  consecutiveFailures: number;
  filesWritten: number;
  lastWrittenKey?: string;
  movedTo?: string;
}

/** What the local feeds need. */
export interface LocalFeedsInit {
  /** The feeds file; none (or a missing file) means no feeds. */
  file?: string;
  inbox: string;
  states: FeedStateStore;
  clock: Clock;
  /** The fetch (plain http to this machine allowed); tests may replace it. */
  fetch?: (request: FeedRequest) => Promise<FeedAnswer>;
  maxBytes?: number;
}

/**
 * The feeds on one machine: the same file and the same poller as on AWS, documents written
 * into `inbox/feeds/<id>/`, where the watcher ingests them, and their state in the local table.
 */
export class LocalFeeds {
  feeds: readonly Feed[] = [];
  private readonly init: LocalFeedsInit;
  private readonly writer: FeedFolderWriter;

  constructor(init: LocalFeedsInit) {
    this.init = init;
    this.writer = new FeedFolderWriter(init.inbox);
  }

  /** The feeds file, when there is one. */
  get file(): string | undefined {
    return this.init.file && existsSync(this.init.file) ? this.init.file : undefined;
  }

  /** Reads the feeds file; problems (with file, line and column) are returned and the previous feeds kept. */
  reload(knownTopicIds: ReadonlySet<string>): { problems: string[] } {
    const file = this.file;
    if (!file) {
      this.feeds = [];
      return { problems: [] };
    }
    const { feeds, problems } = loadFeeds(readFileSync(file, 'utf8'), knownTopicIds, {
      allowLocalHttp: true,
    });
    if (problems.length > 0)
      return { problems: problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`) };
    this.feeds = feeds;
    return { problems: [] };
  }

  /** Polls the feeds that are due (or, with `force`, all of them or the one named). */
  poll(options: { force?: boolean; only?: string } = {}): Promise<FeedPollOutcome[]> {
    const feeds = options.only ? this.feeds.filter((f) => f.id === options.only) : this.feeds;
    return pollFeeds(
      feeds,
      {
        fetch: this.init.fetch ?? ((request) => fetchFeed(request, { allowLocalHttp: true })),
        documents: this.writer,
        states: this.init.states,
        clock: this.init.clock,
        random: Math.random,
      },
      {
        prefix: LOCAL_FEEDS_PREFIX,
        maxBytes: this.init.maxBytes ?? DEFAULT_MAX_ARTICLE_BYTES,
        ...(options.force ? { force: true } : {}),
      },
    );
  }

  /** The file a document key (`inbox/feeds/…`) names. */
  pathOf(key: string): string {
    return this.writer.pathOf(key);
  }

  /** Every feed of the file with how its last poll went. */
  async list(): Promise<FeedStatus[]> {
    const now = this.init.clock.now().getTime();
    return Promise.all(
      this.feeds.map(async (f): Promise<FeedStatus> => {
        const state = await this.init.states.get(f.id);
        const current = state?.url === f.url ? state : undefined;
        const due = dueAt(f, current);
        return {
          id: f.id,
          ...(f.name ? { name: f.name } : {}),
          url: f.url,
          every: f.every,
          ...(f.topics ? { topics: f.topics } : {}),
          nextPollAt: due <= now ? 'now' : new Date(due).toISOString(),
          lastStatus: current?.lastStatus ?? 'never',
          ...(current?.lastPolledAt ? { lastPolledAt: current.lastPolledAt } : {}),
          ...(current?.lastSuccessAt ? { lastSuccessAt: current.lastSuccessAt } : {}),
          ...(current?.lastError ? { lastError: current.lastError } : {}),
          consecutiveFailures: current?.consecutiveFailures ?? 0,
          filesWritten: state?.filesWritten ?? 0,
          ...(state?.lastWrittenKey ? { lastWrittenKey: state.lastWrittenKey } : {}),
          ...(current?.movedTo ? { movedTo: current.movedTo } : {}),
        };
      }),
    );
  }
}
