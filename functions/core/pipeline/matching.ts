import { createHash } from 'node:crypto';
import { type Alert, alertIdFor } from '../alerts/alert.ts';
import type { Article } from '../articles/article.ts';
import { ANALYSER_VERSION } from '../topics/analysis/analyser.ts';
import { fitExplanation } from '../topics/explain.ts';
import { compileTopics, matchArticle, type TopicCompileError, type TopicIndex } from '../topics/matcher.ts';
import { parseListItem, type TermLists } from '../topics/query.ts';
import { IndexSnapshotError, readIndexSnapshot, writeIndexSnapshot } from '../topics/snapshot.ts';
import type { StoryRole, StoryStore } from '../stories/story.ts';
import type { TopicDefinition, TopicMatch } from '../topics/topic.ts';
import type { Clock } from './ports.ts';

/** The watched topics as stored: definitions, named lists (raw items) and a version. */
export interface TopicSet {
  /** Changes whenever a topic or list changes. */
  version: string;
  topics: TopicDefinition[];
  lists: Record<string, string[]>;
}

/** Where the pipeline reads the watched topics from. */
export interface TopicSource {
  /** The version of the stored topic set (cheap: read before every rebuild decision). */
  currentVersion(): Promise<string | undefined>;
  load(): Promise<TopicSet>;
  /**
   * The stored index snapshot of that topic set version ({@link snapshotOfTopicSet}), or
   * undefined when none is stored. A source without it is always compiled.
   */
  loadIndexSnapshot?(version: string): Promise<Uint8Array | undefined>;
}

/** The named lists of a topic set, parsed. */
export const parseTopicLists = (lists: Record<string, string[]>): TermLists =>
  new Map(Object.entries(lists).map(([name, items]) => [name, items.map(parseListItem)]));

/**
 * Compiles the enabled topics of a topic set, in the order of their ids: the same index
 * whatever order the set was read in (files, or the table).
 */
export const compileTopicSet = (set: TopicSet): { index: TopicIndex; errors: TopicCompileError[] } =>
  compileTopics(
    [...set.topics].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    parseTopicLists(set.lists),
  );

/**
 * The index snapshot of a topic set, stored beside it so that containers load the index
 * rather than compile it.
 */
export const snapshotOfTopicSet = (set: TopicSet): Uint8Array =>
  writeIndexSnapshot(compileTopicSet(set), set);

/**
 * Whether a match's alert has gone out: written `pending`, claimed as `publishing` by the one
 * run that publishes it (for a short lease), set to `sent` after publishing.
 */
export type AlertState = 'pending' | 'publishing' | 'sent';

/** How long a claim to publish an alert holds; a run that died leaves it to the next try after this. */
export const ALERT_CLAIM_MS = 60_000;

/** One stored match of an article with a topic. */
export interface MatchRecord extends TopicMatch {
  articleId: string;
  articleDate: string;
  analyserVersion: string;
  topicSetVersion: string;
  matchedAt: string;
  /** Stable per (article, topic): receivers drop repeats by it. */
  alertId: string;
  alertState: AlertState;
  /** While `publishing`: until when the claim holds. */
  claimedUntil?: string;
  /** The claim holding a publishing alert (see {@link MatchStore.claimAlert}). */
  claimToken?: string;
  sentAt?: string;
  /** The story of the article, and whether this is the story's first alert for the topic. */
  storyId?: string;
  storyRole?: StoryRole;
}

/** Result of the conditional match write: new, or the state of the one already there. */
export type PutMatchResult = { created: true } | { created: false; alertState: AlertState };

/**
 * What a claim on an alert found: `claimed` (this run publishes it), `sent` (nothing to do), or
 * `held` by another run whose lease has not run out (that run may still die before sending).
 */
export type AlertClaim = 'claimed' | 'sent' | 'held';

/** What matching one article found: kept per article, the basis of per-topic figures. */
export interface MatchRun {
  articleId: string;
  articleDate: string;
  analyserVersion: string;
  topicSetVersion: string;
  /** Topics the presearch selected and evaluated. */
  candidates: string[];
  /** Topics that matched (at or above their minimum score). */
  matched: string[];
  ranAt: string;
}

/** Persistence for matches. Writes are conditional, so re-running an article adds nothing. */
export interface MatchStore {
  putMatch(match: MatchRecord): Promise<PutMatchResult>;
  putMatchRun(run: MatchRun): Promise<void>;
  /**
   * Claims an unsent alert for publishing until `until`: `claimed` for exactly one caller while
   * the claim holds (a pending alert, or one whose earlier claim has expired by `now`).
   */
  claimAlert(
    articleId: string,
    topicId: string,
    now: string,
    until: string,
    token: string,
  ): Promise<AlertClaim>;
  /** Gives a claim back after a failed publish, so the next try can send the alert. */
  releaseAlert(articleId: string, topicId: string): Promise<void>;
  /** Marks claimed alerts sent (all at once where the store can); a no-op for one that already is. */
  markAlertsSent(matches: readonly MatchRecord[], sentAt: string): Promise<void>;
}

/**
 * One run's claim on the alerts it publishes: new matches are written already claimed with it
 * (one write instead of a write and a claim), and the alerts of matches found written before
 * are claimed with the same token, so a request repeated after a lost answer finds its own.
 */
export interface AlertLease {
  now: string;
  until: string;
  token: string;
}

/** A lease of {@link ALERT_CLAIM_MS} from now, with a fresh token. */
export const alertLease = (clock: Clock): AlertLease => {
  const now = clock.now();
  return {
    now: now.toISOString(),
    until: new Date(now.getTime() + ALERT_CLAIM_MS).toISOString(),
    token: crypto.randomUUID(),
  };
};

/** Publishes alerts; reports the ones that could not be published. */
export interface AlertPublisher {
  publish(alerts: Alert[]): Promise<{ failed: Array<{ id: string; reason: string }> }>;
}

/** Some alerts could not be published: the object is retried, and only unsent alerts go out again. */
export class AlertPublishError extends Error {
  override readonly name = 'AlertPublishError';
}

/**
 * Another run holds the claim on some alerts: the object is retried after their lease, and
 * finds them sent, or claims them itself if that run died before sending. Finishing without
 * them could lose the alerts, since the other run's delivery of the message may be the one
 * that fails.
 */
export class AlertHeldError extends Error {
  override readonly name = 'AlertHeldError';
}

/** A version for a topic set: a hash of its canonical JSON, prefixed by the analyser version. */
export const topicSetVersion = (
  topics: readonly TopicDefinition[],
  lists: Record<string, string[]>,
): string => {
  const canonical = JSON.stringify([
    [...topics].sort((a, b) => a.id.localeCompare(b.id)),
    Object.entries(lists).sort(([a], [b]) => a.localeCompare(b)),
  ]);
  return `${ANALYSER_VERSION}-${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
};

/**
 * Most bytes of JSON the explanation of one stored match may take. A match is one DynamoDB
 * item (400 KB at most): this leaves room for its keys, score factors and states in any case,
 * however often the matched words recur (see {@link fitExplanation}).
 */
export const MAX_EXPLANATION_BYTES = 256 * 1024;

/** How long a container trusts its compiled topics before asking for the version again. */
export const TOPIC_VERSION_CHECK_MS = 10_000;

/** How a container got its index: loaded from the stored snapshot, or compiled (and why the snapshot was not used). */
export interface IndexBuild {
  version: string;
  from: 'snapshot' | 'compiled';
  /** Time to read and build the index. */
  ms: number;
  /** Why a stored snapshot was refused, when one was. */
  snapshotProblem?: string;
}

/**
 * The compiled matcher, built once per container and rebuilt only when the stored topic
 * set's version changes (checked at most every {@link TOPIC_VERSION_CHECK_MS}). The index is
 * loaded from the stored snapshot of that version when there is a usable one, compiled from
 * the topic set otherwise (a snapshot of another format or version, or a damaged one, is
 * never used).
 */
export class CachedMatcher {
  private readonly source: TopicSource;
  private readonly clock: Clock;
  private cached?: { version: string; index: TopicIndex; checkedAt: number };
  /** Topic ids that failed to compile in the current set, with why. */
  errors: Array<{ topicId: string; message: string }> = [];
  /** How the current index was built. */
  lastBuild?: IndexBuild;

  constructor(source: TopicSource, clock: Clock) {
    this.source = source;
    this.clock = clock;
  }

  /** Asks for the stored version at the next use, so a change just written is picked up at once. */
  refresh(): void {
    if (this.cached) this.cached.checkedAt = Number.NEGATIVE_INFINITY;
  }

  /** The index for the current topic set, or undefined when no topics are stored. */
  async current(): Promise<{ version: string; index: TopicIndex } | undefined> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.checkedAt < TOPIC_VERSION_CHECK_MS) return this.cached;
    const version = await this.source.currentVersion();
    if (version === undefined) return undefined;
    if (this.cached?.version === version) {
      this.cached.checkedAt = now;
      return this.cached;
    }
    const started = performance.now();
    let snapshotProblem: string | undefined;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.source.loadIndexSnapshot?.(version);
    } catch (e) {
      // The snapshot is a shortcut: a failed read of it is a compile, not a failed article.
      snapshotProblem = `the index snapshot could not be read: ${(e as Error).message}`;
    }
    if (bytes) {
      try {
        const { index, errors } = readIndexSnapshot(bytes, version);
        return this.use(index, errors, now, started, { version, from: 'snapshot' });
      } catch (e) {
        if (!(e instanceof IndexSnapshotError)) throw e;
        snapshotProblem = e.message;
      }
    }
    const set = await this.source.load();
    const { index, errors } = compileTopicSet(set);
    return this.use(index, errors, now, started, {
      version: set.version,
      from: 'compiled',
      ...(snapshotProblem ? { snapshotProblem } : {}),
    });
  }

  /** Keeps an index built from `started` on as the current one. */
  private use(
    index: TopicIndex,
    errors: readonly TopicCompileError[],
    now: number,
    started: number,
    build: Omit<IndexBuild, 'ms'>,
  ): { version: string; index: TopicIndex } {
    this.errors = errors.map((e) => ({ topicId: e.topicId, message: e.error.message }));
    this.lastBuild = { ...build, ms: performance.now() - started };
    this.cached = { version: build.version, index, checkedAt: now };
    return this.cached;
  }
}

/**
 * Matches a stored article and writes its matches and its match run. With `onlyTopics`
 * (the topics its feed is meant for), any other topic is neither matched nor counted as a
 * candidate. With `lease` (the alerts are published next, by {@link publishPending} with the
 * same lease), a new match is written claimed for publishing.
 */
export const matchAndStore = async (
  article: Article,
  matcher: CachedMatcher,
  store: MatchStore,
  clock: Clock,
  story?: { storyId: string; store: StoryStore },
  onlyTopics?: readonly string[],
  lease?: AlertLease,
): Promise<MatchRecord[]> => {
  const current = await matcher.current();
  if (!current) return [];
  const found = matchArticle(current.index, article);
  const allowed = onlyTopics ? new Set(onlyTopics) : undefined;
  const matches = allowed ? found.matches.filter((m) => allowed.has(m.topicId)) : found.matches;
  const candidates = allowed ? found.candidates.filter((t) => allowed.has(t)) : found.candidates;
  const now = clock.now().toISOString();
  const records = matches.map((m): MatchRecord => ({
    ...m,
    explanation: fitExplanation(m.explanation, MAX_EXPLANATION_BYTES),
    articleId: article.id,
    articleDate: article.date,
    analyserVersion: ANALYSER_VERSION,
    topicSetVersion: current.version,
    matchedAt: now,
    alertId: alertIdFor(article.id, m.topicId),
    ...(lease
      ? { alertState: 'publishing', claimedUntil: lease.until, claimToken: lease.token }
      : { alertState: 'pending' }),
  }));
  // One alert per story and topic: later versions and copies are updates.
  const roles =
    story && records.length > 0
      ? await story.store.claimTopics(
          story.storyId,
          records.map((r) => r.topicId),
          article.id,
          now,
        )
      : undefined;
  for (const r of records) {
    if (story) {
      r.storyId = story.storyId;
      r.storyRole = roles?.get(r.topicId) ?? 'update';
    }
    const put = await store.putMatch(r);
    // A retry finds the match already written: keep its state, so a sent alert stays sent; a
    // claim of its own is taken by publishPending.
    if (!put.created) {
      r.alertState = put.alertState;
      delete r.claimedUntil;
      delete r.claimToken;
    }
  }
  await store.putMatchRun({
    articleId: article.id,
    articleDate: article.date,
    analyserVersion: ANALYSER_VERSION,
    topicSetVersion: current.version,
    candidates,
    matched: records.map((r) => r.topicId),
    ranAt: now,
  });
  return records;
};

/** The alert of a stored match. */
export const alertOf = (match: MatchRecord, article: Article, location: string): Alert => ({
  id: match.alertId,
  kind: 'alert',
  createdAt: match.matchedAt,
  topic: { id: match.topicId, name: match.topicName },
  score: match.score,
  article: {
    id: article.id,
    title: article.title,
    date: article.date,
    ...(article.author ? { author: article.author } : {}),
    ...(article.url ? { url: article.url } : {}),
    ...(article.source ? { source: article.source } : {}),
    location,
    format: article.format,
    ...(article.container ? { item: article.container.item } : {}),
    ...(article.summaryOnly ? { summaryOnly: true } : {}),
    ...(article.language ? { language: article.language } : {}),
    ...(article.languageSource ? { languageSource: article.languageSource } : {}),
    ...(article.feed ? { feed: article.feed } : {}),
  },
  explanation: match.explanation,
  ...(match.stage ? { stage: match.stage } : {}),
  ...(match.storyId ? { story: { id: match.storyId, role: match.storyRole ?? 'first' } } : {}),
});

/**
 * Publishes the pending alerts of an article's matches and marks the published ones sent.
 * Throws {@link AlertPublishError} when some could not be published, after marking the rest,
 * so the retry sends only what is still pending. A match that {@link matchAndStore} wrote
 * claimed with this `lease` is published without claiming it again.
 */
export const publishPending = async (
  matches: readonly MatchRecord[],
  article: Article,
  location: string,
  publisher: AlertPublisher,
  store: MatchStore,
  clock: Clock,
  lease: AlertLease = alertLease(clock),
): Promise<number> => {
  // Only the run that claims an alert publishes it: a concurrent run of the same event skips it.
  // The token makes a repeated claim of this run (a request retried after a lost answer) succeed.
  const { now, until, token } = lease;
  const pending: MatchRecord[] = [];
  const held: MatchRecord[] = [];
  for (const m of matches) {
    if (m.alertState === 'sent') continue;
    if (m.alertState === 'publishing' && m.claimToken === token) {
      pending.push(m);
      continue;
    }
    const claim = await store.claimAlert(m.articleId, m.topicId, now, until, token);
    if (claim === 'claimed') pending.push(m);
    else if (claim === 'held') held.push(m);
    else m.alertState = 'sent';
  }
  const heldError = () =>
    new AlertHeldError(
      `${held.length} alerts are being published by another run (${held[0]?.alertId}); retry after its lease`,
    );
  if (pending.length === 0) {
    if (held.length > 0) throw heldError();
    return 0;
  }
  let failed: Array<{ id: string; reason: string }>;
  try {
    ({ failed } = await publisher.publish(pending.map((m) => alertOf(m, article, location))));
  } catch (e) {
    // Nothing is known to have gone out: give the claims back so the retry sends at once.
    for (const m of pending) await store.releaseAlert(m.articleId, m.topicId).catch(() => undefined);
    throw e;
  }
  const failedIds = new Set(failed.map((f) => f.id));
  const sentAt = clock.now().toISOString();
  for (const m of pending) {
    if (failedIds.has(m.alertId)) await store.releaseAlert(m.articleId, m.topicId);
  }
  const sent = pending.filter((m) => !failedIds.has(m.alertId));
  if (sent.length > 0) await store.markAlertsSent(sent, sentAt);
  for (const m of sent) m.alertState = 'sent';
  if (failed.length > 0) {
    throw new AlertPublishError(
      `${failed.length} of ${pending.length} alerts were not published: ${failed[0]?.reason}`,
    );
  }
  if (held.length > 0) throw heldError();
  return pending.length;
};

/** Per-topic presearch figures over a set of match runs (how a topic's words select, not whether its alerts are right). */
export interface CandidateFigures {
  topicId: string;
  /** Articles the presearch sent to full evaluation. */
  candidates: number;
  /** Articles that matched. */
  matches: number;
  /**
   * matches / candidates: low means the topic's words are common but its full query rarely
   * holds. Not precision: whether a match is right is measured on labels (`topics eval`).
   */
  matchRate: number;
}

/**
 * Counts, per topic, how often it was a candidate and how often it matched. Topics given in
 * `topicIds` that never came up are listed with zeros, so a topic that never fires shows.
 */
export const summariseTopicFigures = (
  runs: readonly MatchRun[],
  topicIds: readonly string[] = [],
): CandidateFigures[] => {
  const figures = new Map<string, { candidates: number; matches: number }>();
  for (const id of topicIds) figures.set(id, { candidates: 0, matches: 0 });
  for (const run of runs) {
    for (const id of run.candidates) {
      const f = figures.get(id) ?? { candidates: 0, matches: 0 };
      f.candidates++;
      figures.set(id, f);
    }
    for (const id of run.matched) {
      const f = figures.get(id) ?? { candidates: 0, matches: 0 };
      f.matches++;
      figures.set(id, f);
    }
  }
  return [...figures.entries()]
    .map(([topicId, f]) => ({
      topicId,
      ...f,
      matchRate: f.candidates === 0 ? 0 : Math.round((f.matches / f.candidates) * 1000) / 1000,
    }))
    .sort(
      (a, b) => b.matches - a.matches || b.candidates - a.candidates || a.topicId.localeCompare(b.topicId),
    );
};
