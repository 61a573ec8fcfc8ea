import type { Article } from '../articles/article.ts';
import { parseArticle } from '../articles/parse-article.ts';
import { assignStory, outletOf, type StoryRole } from '../stories/story.ts';
import { type AlertState, matchAndStore, publishPending } from './matching.ts';
import { type IngestError, type IngestPorts, ObjectGoneError, type ObjectRef } from './ports.ts';

/** What happened to one object. */
export type IngestOutcome =
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
  | { status: 'rejected'; key: string; error: IngestError; quarantineKey?: string }
  | { status: 'stale'; key: string };

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
 * Ingests one object: size check, read, parse, store. The outcome is always one of
 * stored, duplicate (same text as an existing article) or rejected (error recorded, copy
 * quarantined). Store and read failures are thrown so the caller can retry the object;
 * every write is idempotent, so a retry or a re-delivered event never doubles anything.
 */
export const ingestObject = async (ref: ObjectRef, ports: IngestPorts): Promise<IngestOutcome> => {
  const now = ports.clock.now().toISOString();
  const reject = async (error: IngestError): Promise<IngestOutcome> => {
    const copyable = error.kind !== 'ObjectGone' && ref.size <= MAX_QUARANTINE_COPY_BYTES;
    const quarantineKey = copyable ? await ports.objects.quarantine(ref) : undefined;
    await ports.articles.recordError({
      key: ref.key,
      etag: ref.etag,
      size: ref.size,
      kind: error.kind,
      message: error.message,
      ...(error.at ? { at: error.at } : {}),
      ...(quarantineKey ? { quarantineKey } : {}),
      occurredAt: now,
    });
    const recorded = await ports.articles.recordSource({
      ...sourceFields(ref, now),
      status: 'rejected',
      errorKind: error.kind,
    });
    if (recorded === 'stale') return { status: 'stale', key: ref.key };
    return { status: 'rejected', key: ref.key, error, ...(quarantineKey ? { quarantineKey } : {}) };
  };

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

  const parsed = parseSafely(ref, bytes, ports);
  if (!parsed.ok) return reject(parsed.error);
  const article = parsed.value;

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
  const matches =
    status === 'stored' && ports.matching
      ? await matchAndStore(
          article,
          ports.matching.matcher,
          ports.matching.store,
          ports.clock,
          story && ports.stories ? { storyId: story.storyId, store: ports.stories } : undefined,
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
    );
  }
  const recorded = await ports.articles.recordSource({
    ...sourceFields(ref, now),
    status,
    articleId: article.id,
  });
  if (recorded === 'stale') return { status: 'stale', key: ref.key };
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
 * Parses, turning a parser that throws into a rejection: parsing is pure, so a retry would
 * throw again and the file would end with no outcome after its retries.
 */
const parseSafely = (
  ref: ObjectRef,
  bytes: Uint8Array,
  ports: IngestPorts,
): { ok: true; value: Article } | { ok: false; error: IngestError } => {
  try {
    return parseArticle({ key: ref.key, bytes, receivedAt: ref.eventTime }, ports.limits);
  } catch (e) {
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return {
      ok: false,
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
