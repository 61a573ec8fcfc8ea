import type { Alert } from '../../core/alerts/alert.ts';
import type { Article } from '../../core/articles/article.ts';
import type {
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
    const seq = (s?: string) => (s ?? '').toUpperCase().padStart(32, '0');
    if (current?.sequencer && record.sequencer && seq(current.sequencer) > seq(record.sequencer)) {
      return Promise.resolve('stale');
    }
    this.sources.set(record.key, record);
    return Promise.resolve('recorded');
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

  putMatch(match: MatchRecord): Promise<PutMatchResult> {
    const id = `${match.articleId}\u0000${match.topicId}`;
    const existing = this.matches.get(id);
    if (existing) return Promise.resolve({ created: false, alertState: existing.alertState });
    this.matches.set(id, { ...match });
    return Promise.resolve({ created: true });
  }

  claimAlert(articleId: string, topicId: string, now: string, until: string): Promise<boolean> {
    const m = this.matches.get(`${articleId}\u0000${topicId}`);
    const free =
      m?.alertState === 'pending' || (m?.alertState === 'publishing' && (m.claimedUntil ?? '') < now);
    if (!m || !free) return Promise.resolve(false);
    Object.assign(m, { alertState: 'publishing', claimedUntil: until });
    return Promise.resolve(true);
  }

  releaseAlert(articleId: string, topicId: string): Promise<void> {
    const m = this.matches.get(`${articleId}\u0000${topicId}`);
    if (m?.alertState === 'publishing') m.alertState = 'pending';
    return Promise.resolve();
  }

  markAlertSent(articleId: string, topicId: string, sentAt: string): Promise<void> {
    const m = this.matches.get(`${articleId}\u0000${topicId}`);
    if (m && m.alertState !== 'sent') Object.assign(m, { alertState: 'sent', sentAt });
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
