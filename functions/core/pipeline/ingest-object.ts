import type { Article } from '../articles/article.ts';
import { type FileReading, readArticleFile } from '../articles/read-file.ts';
import { assignStory, outletOf, type StoryRole } from '../stories/story.ts';
import { type AlertState, alertLease, matchAndStore, publishPending } from './matching.ts';
import { type IngestError, type IngestPorts, ObjectGoneError, type ObjectRef } from './ports.ts';

/** What happened to one article: stored under its key, a duplicate of one stored, or refused. */
export type ArticleOutcome =
  | {
      status: 'stored';
      key: string;
      articleId: string;
      title: string;
      /** The story the article joined, and whether it started it. */
      storyId?: string;
      newStory?: boolean;
      matches: Array<{
        topicId: string;
        score: number;
        alertId: string;
        alertState: AlertState;
        storyRole?: StoryRole;
      }>;
    }
  | { status: 'duplicate'; key: string; articleId: string; of: string }
  | { status: 'rejected'; key: string; error: IngestError; quarantineKey?: string };

/**
 * What happened to one object: the outcome of its article; or, for a file holding several
 * (a feed, a JSON array, an export), the outcome of each item under its own key
 * `<key>#<item>`; or `stale` when a newer version of the key was already recorded.
 */
export type IngestOutcome =
  | ArticleOutcome
  | { status: 'container'; key: string; format: string; items: ArticleOutcome[] }
  | { status: 'stale'; key: string };

/** The article outcomes of an ingest outcome: one, one per item of a container, or none. */
export const articleOutcomes = (outcome: IngestOutcome): ArticleOutcome[] =>
  outcome.status === 'container' ? outcome.items : outcome.status === 'stale' ? [] : [outcome];

/** CopyObject cannot copy objects above 5 GiB in one call; such files are recorded, not copied. */
const MAX_QUARANTINE_COPY_BYTES = 5 * 1024 ** 3;

const readObject = async (ref: ObjectRef, ports: IngestPorts): Promise<Uint8Array | IngestError> => {
  try {
    return await ports.objects.read(ref);
  } catch (e) {
    if (e instanceof ObjectGoneError) return { kind: 'ObjectGone', message: e.message };
    throw e;
  }
};

/**
 * Ingests one object: size check, read, parse, store. The outcome is always stored, duplicate
 * (same text as an existing article) or rejected (error recorded, copy quarantined), for the
 * file or for each item of a container. Store and read failures are thrown so the caller can
 * retry the object; every write is idempotent, so a retry or a re-delivered event never
 * doubles anything, and a container read again adds nothing.
 */
export const ingestObject = async (ref: ObjectRef, ports: IngestPorts): Promise<IngestOutcome> => {
  const now = ports.clock.now().toISOString();
  const quarantine = (error: IngestError) => quarantineCopy(ref, error, ports);
  const reject = (error: IngestError) => rejectObject(ref, error, ports);

  // An older event that arrives after a newer one for the same key changes nothing: its
  // version is neither read nor stored, matched or alerted on.
  if (ref.sequencer && (await ports.articles.newerEventRecorded(ref.key, ref.sequencer))) {
    return { status: 'stale', key: ref.key };
  }
  if (ref.size > ports.limits.maxBytes) {
    return reject({
      kind: 'TooLarge',
      message: `the object is ${ref.size} bytes, over the ${ports.limits.maxBytes}-byte limit for one article; it was not read`,
    });
  }
  const bytes = await readObject(ref, ports);
  if (!(bytes instanceof Uint8Array)) return reject(bytes);

  const reading = await readSafely(ref, bytes, ports);
  if (reading.kind === 'error') return reject(reading.error);
  if (reading.kind === 'article') {
    const outcome = await storeArticle(reading.article, ref, ports, now);
    const recorded = await ports.articles.recordSource({
      ...sourceFields(ref, now),
      status: outcome.status,
      articleId: outcome.articleId,
    });
    return recorded === 'stale' ? { status: 'stale', key: ref.key } : outcome;
  }

  // A container: each item ends on its own; a bad one is recorded against the one copy of
  // the file in quarantine, by its item name.
  const items: ArticleOutcome[] = [];
  let quarantineKey: string | undefined;
  for (const item of reading.items) {
    const itemRef = { ...ref, key: item.key };
    if (item.result.ok) {
      const outcome = await storeArticle(item.result.value, itemRef, ports, now);
      await ports.articles.recordSource({
        ...sourceFields(itemRef, now),
        status: outcome.status,
        articleId: outcome.articleId,
      });
      items.push(outcome);
      continue;
    }
    const error = item.result.error;
    quarantineKey ??= await quarantine(error);
    await recordRejection(itemRef, item.key, error, quarantineKey, ports, now, {
      key: ref.key,
      item: item.item,
    });
    await ports.articles.recordSource({
      ...sourceFields(itemRef, now),
      status: 'rejected',
      errorKind: error.kind,
    });
    items.push({ status: 'rejected', key: item.key, error, ...(quarantineKey ? { quarantineKey } : {}) });
  }
  const count = (s: ArticleOutcome['status']) => items.filter((i) => i.status === s).length;
  const recorded = await ports.articles.recordSource({
    ...sourceFields(ref, now),
    status: 'container',
    container: {
      format: reading.format,
      items: items.length,
      stored: count('stored'),
      duplicate: count('duplicate'),
      rejected: count('rejected'),
    },
  });
  if (recorded === 'stale') return { status: 'stale', key: ref.key };
  return { status: 'container', key: ref.key, format: reading.format, items };
};

/** A copy of the object in quarantine, unless it is gone or too large to copy. */
const quarantineCopy = async (ref: ObjectRef, error: IngestError, ports: IngestPorts) =>
  error.kind !== 'ObjectGone' && ref.size <= MAX_QUARANTINE_COPY_BYTES
    ? await ports.objects.quarantine(ref)
    : undefined;

/**
 * Refuses an object as a whole: its error recorded, a copy quarantined, its source marked
 * rejected. For an object that cannot be read at all, and for one whose reading could not
 * finish (it stopped the thread reading it).
 */
export const rejectObject = async (
  ref: ObjectRef,
  error: IngestError,
  ports: IngestPorts,
): Promise<IngestOutcome> => {
  const now = ports.clock.now().toISOString();
  const quarantineKey = await quarantineCopy(ref, error, ports);
  await recordRejection(ref, ref.key, error, quarantineKey, ports, now);
  const recorded = await ports.articles.recordSource({
    ...sourceFields(ref, now),
    status: 'rejected',
    errorKind: error.kind,
  });
  if (recorded === 'stale') return { status: 'stale', key: ref.key };
  return { status: 'rejected', key: ref.key, error, ...(quarantineKey ? { quarantineKey } : {}) };
};

const recordRejection = (
  ref: ObjectRef,
  key: string,
  error: IngestError,
  quarantineKey: string | undefined,
  ports: IngestPorts,
  now: string,
  container?: { key: string; item: string },
) =>
  ports.articles.recordError({
    key,
    etag: ref.etag,
    size: ref.size,
    kind: error.kind,
    message: error.message,
    ...(error.at ? { at: error.at } : {}),
    ...(quarantineKey ? { quarantineKey } : {}),
    ...(container ? { container } : {}),
    occurredAt: now,
  });

/**
 * Stores one article read from `ref` (a file, or one item of a container under its item key),
 * then joins its story, matches it and publishes its alerts.
 */
const storeArticle = async (
  article: Article,
  ref: ObjectRef,
  ports: IngestPorts,
  now: string,
): Promise<Extract<ArticleOutcome, { status: 'stored' | 'duplicate' }>> => {
  const put = await ports.articles.putArticle(article, now);
  // A retry of the same key finds its own article: it is still the key that stored it.
  const firstKey = put.created ? article.sourceKey : put.existingSourceKey;
  const status = firstKey === ref.key ? 'stored' : 'duplicate';
  // The key that stored the text joins (or starts) a story and is matched; on a retry the
  // conditional writes add nothing. The same text under another key adds its outlet to the story.
  const story =
    status === 'stored' && ports.stories ? await assignStory(article, ports.stories, ports.clock) : undefined;
  if (status === 'duplicate' && ports.stories) {
    const storyId = await ports.stories.storyOf(article.id);
    if (storyId) await ports.stories.addSource(storyId, outletOf(article), now);
  }
  // The alerts are published right after: new matches are written claimed by this run.
  const lease = ports.alerts ? alertLease(ports.clock) : undefined;
  const matches =
    status === 'stored' && ports.matching
      ? await matchAndStore(
          article,
          ports.matching.matcher,
          ports.matching.store,
          ports.clock,
          story && ports.stories ? { storyId: story.storyId, store: ports.stories } : undefined,
          article.feed ? ports.matching.feedTopics?.(article.feed) : undefined,
          lease,
        )
      : [];
  if (ports.matching && ports.alerts && matches.length > 0) {
    const location = ports.alerts.locate(ref.key);
    await publishPending(
      matches,
      article,
      location,
      ports.alerts.publisher,
      ports.matching.store,
      ports.clock,
      lease,
    );
  }
  return status === 'stored'
    ? {
        status,
        key: ref.key,
        articleId: article.id,
        title: article.title,
        ...(story ? { storyId: story.storyId, newStory: story.started } : {}),
        matches: matches.map((m) => ({
          topicId: m.topicId,
          score: m.score,
          alertId: m.alertId,
          alertState: m.alertState,
          ...(m.storyRole ? { storyRole: m.storyRole } : {}),
        })),
      }
    : { status, key: ref.key, articleId: article.id, of: firstKey };
};

/**
 * Reads the file, turning a reader that throws into a rejection: reading is pure, so a retry
 * would throw again and the file would end with no outcome after its retries.
 */
const readSafely = async (
  ref: ObjectRef,
  bytes: Uint8Array,
  ports: IngestPorts,
): Promise<FileReading | { kind: 'error'; error: IngestError }> => {
  try {
    return await readArticleFile({ key: ref.key, bytes, receivedAt: ref.eventTime }, ports.limits);
  } catch (e) {
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return {
      kind: 'error',
      error: { kind: 'ParserFailure', message: `the parser failed on this file (${what.slice(0, 200)})` },
    };
  }
};

const sourceFields = (ref: ObjectRef, now: string) => ({
  key: ref.key,
  etag: ref.etag,
  size: ref.size,
  ...(ref.versionId ? { versionId: ref.versionId } : {}),
  ...(ref.sequencer ? { sequencer: ref.sequencer } : {}),
  updatedAt: now,
});
