import type { Alert } from '../../core/alerts/alert.ts';
import type { CooldownClaim, GateStore, HeldAlert } from '../../core/alerts/fatigue.ts';
import type { StoryCandidate } from '../../core/stories/near-duplicate.ts';
import type {
  StoryIndexEntry,
  StoryJoin,
  StoryLookup,
  StoryRecord,
  StoryRole,
  StoryStore,
} from '../../core/stories/story.ts';
import type { Article } from '../../core/articles/article.ts';
import type {
  AlertClaim,
  AlertPublisher,
  MatchRecord,
  MatchRun,
  MatchStore,
  PutMatchResult,
  TopicSet,
  TopicSource,
} from '../../core/pipeline/matching.ts';
import {
  type ArticleStore,
  comparableSequencer,
  type IngestErrorRecord,
  ObjectGoneError,
  type ObjectRef,
  type ObjectSource,
  type PutArticleResult,
  type SourceRecord,
} from '../../core/pipeline/ports.ts';

/**
 * {@link ArticleStore} held in memory, with the same idempotency rules as the DynamoDB
 * store. For benchmarks of the core and for tests of the pipeline's decisions.
 */
export class MemoryArticleStore implements ArticleStore {
  readonly articles = new Map<string, Article & { ingestedAt: string }>();
  readonly sources = new Map<string, SourceRecord>();
  readonly errors = new Map<string, IngestErrorRecord>();

  putArticle(article: Article, ingestedAt: string): Promise<PutArticleResult> {
    const existing = this.articles.get(article.id);
    if (existing) return Promise.resolve({ created: false, existingSourceKey: existing.sourceKey });
    this.articles.set(article.id, { ...article, ingestedAt });
    return Promise.resolve({ created: true });
  }

  recordSource(record: SourceRecord): Promise<'recorded' | 'stale'> {
    const current = this.sources.get(record.key);
    if (
      current?.sequencer &&
      record.sequencer &&
      comparableSequencer(current.sequencer) > comparableSequencer(record.sequencer)
    ) {
      return Promise.resolve('stale');
    }
    this.sources.set(record.key, record);
    return Promise.resolve('recorded');
  }

  newerEventRecorded(key: string, sequencer: string): Promise<boolean> {
    const current = this.sources.get(key)?.sequencer;
    return Promise.resolve(!!current && comparableSequencer(current) > comparableSequencer(sequencer));
  }

  recordError(record: IngestErrorRecord): Promise<'recorded' | 'exists'> {
    const id = `${record.key}\u0000${record.etag}`;
    if (this.errors.has(id)) return Promise.resolve('exists');
    this.errors.set(id, record);
    return Promise.resolve('recorded');
  }
}

/** {@link ObjectSource} over a map of key → bytes; quarantined copies land in the same map. */
export class MemoryObjectSource implements ObjectSource {
  readonly objects: Map<string, Uint8Array>;
  readonly reads: string[] = [];

  constructor(objects: Map<string, Uint8Array> = new Map()) {
    this.objects = objects;
  }

  read(ref: ObjectRef): Promise<Uint8Array> {
    this.reads.push(ref.key);
    const bytes = this.objects.get(ref.key);
    return bytes ? Promise.resolve(bytes) : Promise.reject(new ObjectGoneError(ref.key));
  }

  quarantine(ref: ObjectRef): Promise<string> {
    const target = `quarantine/${ref.key.replace(/^incoming\//, '')}`;
    const bytes = this.objects.get(ref.key);
    if (bytes) this.objects.set(target, bytes);
    return Promise.resolve(target);
  }
}

/** Topic source and match store in memory. */
export class MemoryTopicStore implements TopicSource, MatchStore {
  set: TopicSet | undefined;
  /** Index snapshots by topic set version. */
  readonly snapshots = new Map<string, Uint8Array>();
  readonly matches = new Map<string, MatchRecord>();
  readonly runs: MatchRun[] = [];

  constructor(set?: TopicSet) {
    this.set = set;
  }

  currentVersion(): Promise<string | undefined> {
    return Promise.resolve(this.set?.version);
  }

  load(): Promise<TopicSet> {
    return Promise.resolve(this.set ?? { version: '', topics: [], lists: {} });
  }

  loadIndexSnapshot(version: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.snapshots.get(version));
  }

  putMatch(match: MatchRecord): Promise<PutMatchResult> {
    const id = `${match.articleId}\u0000${match.topicId}`;
    const existing = this.matches.get(id);
    if (existing) return Promise.resolve({ created: false, alertState: existing.alertState });
    this.matches.set(id, { ...match });
    return Promise.resolve({ created: true });
  }

  claimAlert(
    articleId: string,
    topicId: string,
    now: string,
    until: string,
    token: string,
  ): Promise<AlertClaim> {
    const m = this.matches.get(`${articleId}\u0000${topicId}`);
    if (!m || m.alertState === 'sent') return Promise.resolve('sent');
    const free = m.alertState === 'pending' || (m.claimedUntil ?? '') < now || m.claimToken === token;
    if (!free) return Promise.resolve('held');
    Object.assign(m, { alertState: 'publishing', claimedUntil: until, claimToken: token });
    return Promise.resolve('claimed');
  }

  releaseAlert(articleId: string, topicId: string): Promise<void> {
    const m = this.matches.get(`${articleId}\u0000${topicId}`);
    if (m?.alertState === 'publishing') m.alertState = 'pending';
    return Promise.resolve();
  }

  markAlertsSent(matches: readonly MatchRecord[], sentAt: string): Promise<void> {
    for (const { articleId, topicId } of matches) {
      const m = this.matches.get(`${articleId}\u0000${topicId}`);
      if (m && m.alertState !== 'sent') Object.assign(m, { alertState: 'sent', sentAt });
    }
    return Promise.resolve();
  }

  putMatchRun(run: MatchRun): Promise<void> {
    this.runs.push(run);
    return Promise.resolve();
  }
}

/** Alert publisher that keeps what it was given; `failNext` makes the next calls fail. */
export class MemoryAlertPublisher implements AlertPublisher {
  readonly published: Alert[] = [];
  failNext = 0;

  publish(alerts: Alert[]): Promise<{ failed: Array<{ id: string; reason: string }> }> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.resolve({ failed: alerts.map((a) => ({ id: a.id, reason: 'unavailable' })) });
    }
    this.published.push(...alerts);
    return Promise.resolve({ failed: [] });
  }
}

/** {@link StoryStore} in memory, with the same band read limit as the DynamoDB store. */
export class MemoryStoryStore implements StoryStore {
  readonly bands = new Map<string, Map<string, StoryCandidate>>();
  readonly stories = new Map<string, StoryRecord>();
  readonly articleStory = new Map<string, string>();
  readonly topicClaims = new Map<string, string>();
  /** Band items read by lookups so far (what DynamoDB would bill as reads). */
  itemsRead = 0;
  private readonly bandReadLimit: number;

  constructor(bandReadLimit = 25) {
    this.bandReadLimit = bandReadLimit;
  }

  lookup(articleId: string, bandKeys: readonly string[]): Promise<StoryLookup> {
    const found = new Map<string, StoryCandidate>();
    const bands = new Map<string, Map<string, string>>();
    const linked = this.articleStory.get(articleId);
    let self = linked === undefined ? undefined : { storyId: linked };
    for (const key of bandKeys) {
      const members = new Map<string, string>();
      let n = 0;
      for (const c of this.bands.get(key)?.values() ?? []) {
        if (n++ >= this.bandReadLimit) break;
        this.itemsRead++;
        members.set(c.articleId, c.storyId);
        if (c.articleId === articleId) self ??= { storyId: c.storyId };
        else if (!found.has(c.articleId)) found.set(c.articleId, c);
      }
      bands.set(key, members);
    }
    return Promise.resolve({ ...(self ? { self } : {}), candidates: [...found.values()], bands });
  }

  join(entry: StoryJoin, index?: StoryIndexEntry): Promise<void> {
    const s = this.stories.get(entry.storyId) ?? {
      storyId: entry.storyId,
      firstArticleId: entry.articleId,
      firstSeenAt: entry.at,
      title: entry.title,
      latestArticleId: entry.articleId,
      latestAt: entry.at,
      articleIds: [],
      sources: [],
    };
    if (!s.articleIds.includes(entry.articleId)) s.articleIds.push(entry.articleId);
    if (!s.sources.includes(entry.source)) s.sources.push(entry.source);
    s.latestArticleId = entry.articleId;
    s.latestAt = entry.at;
    this.stories.set(entry.storyId, s);
    this.articleStory.set(entry.articleId, entry.storyId);
    if (!index) return Promise.resolve();
    for (const key of index.bandKeys) {
      const band = this.bands.get(key) ?? new Map<string, StoryCandidate>();
      band.set(entry.articleId, {
        articleId: entry.articleId,
        storyId: entry.storyId,
        signature: index.signature,
      });
      this.bands.set(key, band);
    }
    return Promise.resolve();
  }

  storyOf(articleId: string): Promise<string | undefined> {
    return Promise.resolve(this.articleStory.get(articleId));
  }

  addSource(storyId: string, source: string, at: string): Promise<void> {
    const s = this.stories.get(storyId);
    if (s && !s.sources.includes(source)) s.sources.push(source);
    if (s) s.latestAt = at;
    return Promise.resolve();
  }

  get(storyId: string): Promise<StoryRecord | undefined> {
    return Promise.resolve(this.stories.get(storyId));
  }

  claimTopics(
    storyId: string,
    topicIds: readonly string[],
    articleId: string,
  ): Promise<Map<string, StoryRole>> {
    const roles = new Map<string, StoryRole>();
    for (const topicId of topicIds) {
      const key = `${storyId}\u0000${topicId}`;
      const holder = this.topicClaims.get(key);
      if (holder === undefined) this.topicClaims.set(key, articleId);
      roles.set(topicId, holder === undefined || holder === articleId ? 'first' : 'update');
    }
    return Promise.resolve(roles);
  }
}

/** {@link GateStore} in memory, with the same conditional rules as the DynamoDB store. */
export class MemoryGateStore implements GateStore {
  readonly claims = new Map<string, { state: 'claimed' | 'done'; leaseUntil?: string; token?: string }>();
  readonly lastSentAt = new Map<string, string>();
  readonly daily = new Map<string, number>();
  readonly held = new Map<string, HeldAlert & { state: 'held' | 'releasing'; leaseUntil?: string }>();

  claimAlert(
    subscriberId: string,
    alertId: string,
    now: string,
    leaseUntil: string,
    token: string,
  ): Promise<boolean> {
    const key = `${subscriberId}/${alertId}`;
    const c = this.claims.get(key);
    const mine = c?.state === 'claimed' && c.token === token;
    if (c && !mine && (c.state === 'done' || (c.leaseUntil ?? '') >= now)) return Promise.resolve(false);
    this.claims.set(key, { state: 'claimed', leaseUntil, token });
    return Promise.resolve(true);
  }

  finishAlert(subscriberId: string, alertId: string): Promise<void> {
    this.claims.set(`${subscriberId}/${alertId}`, { state: 'done' });
    return Promise.resolve();
  }

  unclaimAlert(subscriberId: string, alertId: string): Promise<void> {
    const c = this.claims.get(`${subscriberId}/${alertId}`);
    if (c?.state === 'claimed') c.leaseUntil = '0000';
    return Promise.resolve();
  }

  claimCooldown(subscriberId: string, topicId: string, now: string, cutoff: string): Promise<CooldownClaim> {
    const key = `${subscriberId}/${topicId}`;
    const last = this.lastSentAt.get(key);
    if (last !== undefined && last > cutoff) return Promise.resolve({ taken: false, lastSentAt: last });
    this.lastSentAt.set(key, now);
    return Promise.resolve({ taken: true, ...(last !== undefined ? { previous: last } : {}) });
  }

  undoCooldown(
    subscriberId: string,
    topicId: string,
    now: string,
    previous: string | undefined,
  ): Promise<void> {
    const key = `${subscriberId}/${topicId}`;
    if (this.lastSentAt.get(key) === now) {
      if (previous) this.lastSentAt.set(key, previous);
      else this.lastSentAt.delete(key);
    }
    return Promise.resolve();
  }

  claimDaily(subscriberId: string, day: string, max: number): Promise<boolean> {
    const key = `${subscriberId}/${day}`;
    const sent = this.daily.get(key) ?? 0;
    if (sent >= max) return Promise.resolve(false);
    this.daily.set(key, sent + 1);
    return Promise.resolve(true);
  }

  undoDaily(subscriberId: string, day: string): Promise<void> {
    const key = `${subscriberId}/${day}`;
    this.daily.set(key, Math.max(0, (this.daily.get(key) ?? 0) - 1));
    return Promise.resolve();
  }

  hold(subscriberId: string, held: HeldAlert): Promise<void> {
    this.held.set(`${subscriberId}/${held.alert.id}`, { ...held, state: 'held' });
    return Promise.resolve();
  }

  due(subscriberId: string, now: string): Promise<HeldAlert[]> {
    return Promise.resolve(
      [...this.held.entries()]
        .filter(
          ([k, h]) =>
            k.startsWith(`${subscriberId}/`) &&
            h.until <= now &&
            (h.state === 'held' || (h.leaseUntil ?? '') < now),
        )
        .map(([, h]) => ({ alert: h.alert, until: h.until, reason: h.reason }))
        .sort((a, b) => a.until.localeCompare(b.until) || a.alert.id.localeCompare(b.alert.id)),
    );
  }

  claimRelease(subscriberId: string, alertId: string, now: string, leaseUntil: string): Promise<boolean> {
    const h = this.held.get(`${subscriberId}/${alertId}`);
    if (!h || h.until > now || (h.state === 'releasing' && (h.leaseUntil ?? '') >= now))
      return Promise.resolve(false);
    h.state = 'releasing';
    h.leaseUntil = leaseUntil;
    return Promise.resolve(true);
  }

  release(subscriberId: string, held: readonly HeldAlert[]): Promise<void> {
    for (const h of held) this.held.delete(`${subscriberId}/${h.alert.id}`);
    return Promise.resolve();
  }
}
