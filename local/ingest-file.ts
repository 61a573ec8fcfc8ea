import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbArticleStore } from '../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbStoryStore } from '../functions/adapters/aws/dynamodb-story-store.ts';
import { DynamoDbTopicStore } from '../functions/adapters/aws/dynamodb-topic-store.ts';
import { LocalFileSource, localKeyOf, refOf, stampOf } from '../functions/adapters/local/inbox.ts';
import { LOCAL_TABLE_NAME } from '../functions/adapters/local/local-dynamodb.ts';
import { DEFAULT_MAX_ARTICLE_BYTES } from '../functions/core/articles/parse-article.ts';
import { type IngestOutcome, ingestObject, rejectObject } from '../functions/core/pipeline/ingest-object.ts';
import { type AlertPublisher, CachedMatcher } from '../functions/core/pipeline/matching.ts';
import type {
  Clock,
  IngestError,
  IngestPorts,
  ObjectRef,
  SourceRecord,
} from '../functions/core/pipeline/ports.ts';

/** Why a local file was not ingested now. */
export type FileResult =
  | IngestOutcome
  | {
      status: 'unchanged';
      key: string;
      /** How this version ended when it was ingested before. */
      previously?: SourceRecord['status'];
    };

/** Options of {@link ingestLocalFile}. */
export interface IngestFileOptions {
  /** Read a file refused before again (a newer newswatch may read it). */
  retryRejected?: boolean;
}

/** The stores, matcher and ports one local ingest runs with (on the main thread or an ingest thread). */
export interface LocalIngestParts {
  inbox: string;
  articles: DynamoDbArticleStore;
  topicStore: DynamoDbTopicStore;
  stories: DynamoDbStoryStore;
  matcher: CachedMatcher;
  source: LocalFileSource;
  ports: IngestPorts;
}

/** Builds the ingest of one machine over a document client of its table. */
export const localIngestParts = (init: {
  doc: DynamoDBDocumentClient;
  inbox: string;
  home: string;
  clock: Clock;
  publisher: AlertPublisher;
  /** The topics a feed's articles are matched against (all topics when undefined). */
  feedTopics: (feedId: string) => readonly string[] | undefined;
}): LocalIngestParts => {
  const articles = new DynamoDbArticleStore(init.doc, LOCAL_TABLE_NAME);
  const topicStore = new DynamoDbTopicStore(init.doc, LOCAL_TABLE_NAME);
  const stories = new DynamoDbStoryStore(init.doc, LOCAL_TABLE_NAME);
  const matcher = new CachedMatcher(topicStore, init.clock);
  const source = new LocalFileSource(init.inbox, join(init.home, 'quarantine'));
  const ports: IngestPorts = {
    objects: source,
    articles,
    clock: init.clock,
    limits: { maxBytes: DEFAULT_MAX_ARTICLE_BYTES },
    matching: { matcher, store: topicStore, feedTopics: init.feedTopics },
    stories,
    alerts: { publisher: init.publisher, locate: (key) => source.pathOf(key) },
  };
  return { inbox: init.inbox, articles, topicStore, stories, matcher, source, ports };
};

/**
 * Ingests one local file unless this version of it was already ingested (same size and
 * modification time, or same bytes): a restart or a second event never ingests it twice. A
 * file that vanished before it could be read is recorded as `ObjectGone`, as on AWS.
 */
export const ingestLocalFile = async (
  path: string,
  parts: LocalIngestParts,
  options: IngestFileOptions = {},
): Promise<FileResult> => {
  const { inbox, articles, ports } = parts;
  const key = localKeyOf(inbox, path);
  const stamp = await stampOf(inbox, path);
  const found = await articles.getSource(key);
  const seen = options.retryRejected && found?.status === 'rejected' ? undefined : found;
  if (stamp && seen && seen.size === stamp.size && seen.versionId === stamp.versionId) {
    return { status: 'unchanged', key, previously: seen.status };
  }
  const ref = stamp ? await refOf(stamp, path, ports.limits.maxBytes) : undefined;
  if (ref && seen && seen.etag === ref.etag) {
    // Touched, same bytes: remember the new version so the next start skips it without reading.
    await articles.recordSource({
      ...seen,
      versionId: ref.versionId,
      updatedAt: ports.clock.now().toISOString(),
    });
    return { status: 'unchanged', key, previously: seen.status };
  }
  return ingestObject(ref ?? goneRef(key, stamp, ports), ports);
};

/** The reference of a file that is gone: reading it records `ObjectGone`, as on AWS. */
const goneRef = (key: string, stamp: { size: number } | undefined, ports: IngestPorts): ObjectRef => ({
  key,
  size: stamp?.size ?? 0,
  etag: 'gone',
  eventTime: ports.clock.now().toISOString(),
});

/**
 * Refuses a local file as a whole with `error` (recorded, the file quarantined), without
 * reading it as an article: for a file whose reading stopped the thread reading it.
 */
export const rejectLocalFile = async (
  path: string,
  parts: LocalIngestParts,
  error: IngestError,
): Promise<FileResult> => {
  const { inbox, ports } = parts;
  const key = localKeyOf(inbox, path);
  const stamp = await stampOf(inbox, path);
  const ref = stamp ? await refOf(stamp, path, ports.limits.maxBytes) : undefined;
  return ref ? rejectObject(ref, error, ports) : ingestObject(goneRef(key, stamp, ports), ports);
};
