import type { RelevanceLabel } from '../topics/labels.ts';
import type { Article, ArticleError, ArticleErrorKind } from '../articles/article.ts';
import type { StoryStore } from '../stories/story.ts';
import type { AlertPublisher, CachedMatcher, MatchStore } from './matching.ts';

/** One stored object to ingest, as the bucket (or the local inbox) describes it. */
export interface ObjectRef {
  /** Decoded object key, e.g. `incoming/red flower.txt`. */
  key: string;
  /** Size in bytes as announced by the event, known before anything is read. */
  size: number;
  /** Entity tag (S3) or content digest (local): tells versions of one key apart. */
  etag: string;
  versionId?: string;
  /** S3 event sequencer: orders events for one key. */
  sequencer?: string;
  /** When the object was written (ISO 8601). */
  eventTime: string;
}

/**
 * Why an object was not stored: a parse error, an object that vanished before it was read, or
 * a parser that failed on it (a fault of ours, kept with the file in quarantine to be fixed:
 * parsing again would fail the same way, so it is not retried).
 */
export type IngestErrorKind = ArticleErrorKind | 'ObjectGone' | 'ParserFailure';

/** A typed ingest failure with a sentence a person can act on. */
export interface IngestError extends Omit<ArticleError, 'kind'> {
  kind: IngestErrorKind;
}

/** Thrown by an {@link ObjectSource} when the object no longer exists. */
export class ObjectGoneError extends Error {
  override readonly name = 'ObjectGoneError';
  readonly key: string;
  constructor(key: string) {
    super(`the object ${key} no longer exists; it was deleted or overwritten before it could be read`);
    this.key = key;
  }
}

/** Where objects are read from and where rejected ones are set aside. */
export interface ObjectSource {
  /** Reads the object's bytes (the announced version when there is one). */
  read(ref: ObjectRef): Promise<Uint8Array>;
  /** Copies the object to quarantine and returns where it now is. */
  quarantine(ref: ObjectRef): Promise<string>;
}

/**
 * The state recorded for each source key: every key ends stored, duplicate or rejected. A
 * file that holds several articles ends `container`, and each of its items (`<key>#<item>`)
 * ends stored, duplicate or rejected on its own.
 */
export type SourceStatus = 'stored' | 'duplicate' | 'rejected' | 'container';

/** What is known about one source key. */
export interface SourceRecord {
  key: string;
  status: SourceStatus;
  /** The article the key's text belongs to (stored and duplicate). */
  articleId?: string;
  /** The error kind (rejected). */
  errorKind?: IngestErrorKind;
  /** A container's format and how its items ended. */
  container?: { format: string; items: number; stored: number; duplicate: number; rejected: number };
  etag: string;
  size: number;
  versionId?: string;
  sequencer?: string;
  updatedAt: string;
}

/** One rejected object: why, and where its copy is. */
export interface IngestErrorRecord {
  key: string;
  etag: string;
  size: number;
  kind: IngestErrorKind;
  message: string;
  at?: IngestError['at'];
  /** Where the file is kept; for an item of a container, the container's copy. */
  quarantineKey?: string;
  /** For an item of a container: the container's key and the item's name in it. */
  container?: { key: string; item: string };
  occurredAt: string;
}

/**
 * S3 sequencers are hex strings of varying length that order the events of one key; padded
 * to one length, they compare as strings.
 */
export const comparableSequencer = (sequencer: string): string => sequencer.toUpperCase().padStart(32, '0');

/** Result of a conditional article write. */
export type PutArticleResult = { created: true } | { created: false; existingSourceKey: string };

/** Persistence for articles, source keys and ingest errors. Every write is idempotent. */
export interface ArticleStore {
  /** Writes the article unless one with the same id exists. */
  putArticle(article: Article, ingestedAt: string): Promise<PutArticleResult>;
  /** Records the latest state of a source key; `stale` when a newer event was already recorded. */
  recordSource(record: SourceRecord): Promise<'recorded' | 'stale'>;
  /** Whether an event newer than `sequencer` was already recorded for the key. */
  newerEventRecorded(key: string, sequencer: string): Promise<boolean>;
  /** Records an ingest error once per (key, etag). */
  recordError(record: IngestErrorRecord): Promise<'recorded' | 'exists'>;
}

/** Source of the current time, so tests control it. */
export interface Clock {
  now(): Date;
}

/** Everything {@link ingestObject} needs from the outside world. */
export interface IngestPorts {
  objects: ObjectSource;
  articles: ArticleStore;
  clock: Clock;
  limits: { maxBytes: number };
  /** Matching against watched topics; absent, articles are stored without matching. */
  matching?: {
    matcher: CachedMatcher;
    store: MatchStore;
    /**
     * The topics a watched feed is meant for (`topics:` in feeds.yaml), by feed id: the items
     * of such a feed are matched against those topics only. A feed without a list, and a file
     * from no feed, are matched against every topic.
     */
    feedTopics?: (feedId: string) => readonly string[] | undefined;
  };
  /** Near-duplicate stories; absent, every article is a story of its own. */
  stories?: StoryStore;
  /** Alerting on matches; absent, matches are stored with their alerts pending. */
  alerts?: { publisher: AlertPublisher; locate: (key: string) => string };
}

/**
 * Where analysts' judgements of matches are kept: files beside the topics on one machine,
 * items in the table on AWS. A later label of the same topic and article replaces the earlier.
 */
export interface LabelStore {
  putLabel(label: RelevanceLabel): Promise<void>;
  /** Every label, or one topic's. */
  listLabels(topicId?: string): Promise<RelevanceLabel[]>;
}

/** A conditional GET of one feed. */
export interface FeedRequest {
  url: string;
  /** `accept`, `user-agent` and the validators (`if-none-match`, `if-modified-since`). */
  headers: Record<string, string>;
  /** Most bytes of body read; a longer answer is a failure. */
  maxBytes: number;
  /** Total time of the fetch: name resolution, connection, redirects and the whole body. */
  timeoutMs: number;
}

/** What fetching a feed gave. */
export type FeedAnswer =
  | {
      kind: 'document';
      body: Uint8Array;
      etag?: string;
      lastModified?: string;
      contentType?: string;
      /** Where a permanent redirect (301, 308) said the feed now is. */
      movedTo?: string;
    }
  | { kind: 'not-modified'; etag?: string; lastModified?: string; movedTo?: string }
  | {
      kind: 'failed';
      /** A sentence a person can act on; never the body of the answer. */
      error: string;
      /** The HTTP status, when there was an answer. */
      status?: number;
      /** How long the server asked to wait (`Retry-After`), in milliseconds. */
      retryAfterMs?: number;
    };

/** A fetched feed document to drop where the ingest path reads files. */
export interface FeedDocument {
  /** `incoming/feeds/<feed id>/<content hash>.xml` (locally `inbox/feeds/…`). */
  key: string;
  body: Uint8Array;
  contentType: string;
  /** Object metadata: which feed, from where, when. */
  metadata: Record<string, string>;
}

/** Where fetched feed documents are written. */
export interface FeedDocumentWriter {
  /** Writes the document unless its key exists already (same key, same content). */
  write(document: FeedDocument): Promise<'written' | 'exists'>;
}

/** How the last poll of a feed ended. */
export type FeedPollStatus = 'new' | 'not-modified' | 'unchanged' | 'failed';

/** What is remembered about one feed between polls. */
export interface FeedState {
  feedId: string;
  /** The URL the validators and failures belong to; a feed given a new URL starts afresh. */
  url: string;
  /** Validators of the last document, sent back as `If-None-Match` and `If-Modified-Since`. */
  etag?: string;
  lastModified?: string;
  /** When the feed was last fetched, whatever came of it. */
  lastPolledAt?: string;
  lastSuccessAt?: string;
  lastStatus?: FeedPollStatus;
  lastHttpStatus?: number;
  lastError?: string;
  /** Failed polls since the last one that worked. */
  consecutiveFailures: number;
  /** When the feed is polled next (its interval, or the back-off after a failure). */
  nextDueAt: string;
  /** SHA-256 (hex) of the documents written, newest first: the same content is not written again. */
  recentHashes: string[];
  lastWrittenKey?: string;
  lastWrittenAt?: string;
  /** Documents written in all. */
  filesWritten: number;
  /** Where a permanent redirect said the feed has moved (the feeds file still names the old URL). */
  movedTo?: string;
}

/** Per-feed state, one item per feed. */
export interface FeedStateStore {
  get(feedId: string): Promise<FeedState | undefined>;
  /**
   * Takes the feed for one poll until `until` unless another poll holds it: two runs at once
   * (a slow run and the next, or the CLI beside the runtime) never fetch the same feed twice.
   */
  claim(feedId: string, now: string, until: string): Promise<boolean>;
  /** Records the state after a poll and lets the claim go. */
  put(state: FeedState): Promise<void>;
}

/** Everything polling feeds needs from the outside world. */
export interface FeedPollPorts {
  fetch(request: FeedRequest): Promise<FeedAnswer>;
  documents: FeedDocumentWriter;
  states: FeedStateStore;
  clock: Clock;
  /** A number in [0, 1): the jitter of back-off delays. */
  random(): number;
}
