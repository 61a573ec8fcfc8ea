import type { Alert } from '../alerts/alert.ts';
import { type Digest, digestIdFor } from '../alerts/digest.ts';
import { isForSubscriber } from '../alerts/subscriber-rules.ts';
import type { Article } from '../articles/article.ts';
import { outletOf, type StoryRecord } from '../stories/story.ts';
import { alertOf, type MatchRecord, type MatchRun } from './matching.ts';

/** A subscriber who asked for one message a day. */
export interface DigestSubscriber {
  id: string;
  topics: string[];
  minScore: number;
  /** Only articles in these languages; every language when left out. */
  languages?: string[];
}

/** What building digests reads. */
export interface DigestSources {
  listMatchRuns(day: string): Promise<MatchRun[]>;
  getMatch(articleId: string, topicId: string): Promise<MatchRecord | undefined>;
  getArticle(articleId: string): Promise<Article | undefined>;
  locate(key: string): string;
  /** The story of an alert, to say how many outlets reported it (absent: no story counts). */
  getStory?(storyId: string): Promise<StoryRecord | undefined>;
}

/** What a subscriber's digests of one day carried so far. */
export interface DigestsSoFar {
  /**
   * The alerts the day's digests sent so far carried, or `all` once one was sent after the
   * day ended (it carried the whole day; a digest recorded before digests had parts counts so).
   */
  carried: ReadonlySet<string> | 'all';
  /** The number of the next digest of the day. */
  nextPart: number;
  /** Another run holds a digest of the day it has not finished sending (its lease runs). */
  busy: boolean;
}

/** Where digests are recorded (each part once per subscriber and day) and published. */
export interface DigestSink {
  /** What the subscriber's digests of the day carried so far, as of `now`. */
  soFar(subscriberId: string, day: string, now: string): Promise<DigestsSoFar>;
  /** Records the digest; false when it was already sent or another run holds it. */
  claim(digest: Digest): Promise<boolean>;
  publish(digest: Digest): Promise<void>;
  markSent(digest: Digest, at: string): Promise<void>;
}

/** True when `at` is after the end of `day` (UTC): no alert of that day can come any more. */
export const dayHasEnded = (day: string, at: string): boolean =>
  Date.parse(at) >= Date.parse(`${day}T00:00:00.000Z`) + 86_400_000;

/**
 * Builds each digest subscriber's digest for a day from the day's match runs: the alerts
 * of its topics at or above its minimum score that were sent that day, best first.
 * Subscribers with nothing that day get no message.
 */
export const buildDigests = async (
  day: string,
  subscribers: readonly DigestSubscriber[],
  sources: DigestSources,
): Promise<Digest[]> => {
  const runs = await sources.listMatchRuns(day);
  const wanted = new Set(subscribers.flatMap((s) => (s.topics.includes('*') ? ['*'] : s.topics)));
  const alerts: Alert[] = [];
  const articles = new Map<string, Article | undefined>();
  for (const run of runs) {
    for (const topicId of run.matched) {
      if (!wanted.has('*') && !wanted.has(topicId)) continue;
      const match = await sources.getMatch(run.articleId, topicId);
      if (match?.alertState !== 'sent') continue;
      // One entry per story and topic: later copies and versions only add to its source count.
      if (match.storyRole === 'update') continue;
      if (!articles.has(run.articleId)) articles.set(run.articleId, await sources.getArticle(run.articleId));
      const article = articles.get(run.articleId);
      if (article) alerts.push(alertOf(match, article, sources.locate(article.sourceKey)));
    }
  }
  const unique = [...new Map(alerts.map((a) => [a.id, a])).values()];
  if (sources.getStory) {
    for (const a of unique) {
      if (!a.story) continue;
      const story = await sources.getStory(a.story.id);
      const article = articles.get(a.article.id);
      // The article's own outlet first, so "also reported by" names only the others.
      const own = article ? outletOf(article) : undefined;
      if (story)
        a.story = { ...a.story, sources: [...(own ? [own] : []), ...story.sources.filter((o) => o !== own)] };
    }
  }
  return subscribers
    .map((s) => ({
      id: digestIdFor(s.id, day),
      subscriberId: s.id,
      day,
      alerts: unique
        .filter((a) =>
          isForSubscriber(s, {
            topicId: a.topic.id,
            score: a.score,
            ...(a.article.language ? { language: a.article.language } : {}),
          }),
        )
        .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)),
    }))
    .filter((d) => d.alerts.length > 0);
};

/**
 * Sends each subscriber the alerts of the day its digests have not carried yet: claimed,
 * published, then marked sent. A digest sent before its day ended is `partial` and carries
 * the alerts up to then; the next run for that day sends the rest as the next part, so an
 * early digest never keeps later alerts of the day out of digests. Once a digest went out
 * after the day ended, the day is done. Returns the digests sent now.
 */
export const sendDigests = async (
  digests: readonly Digest[],
  sink: DigestSink,
  at: string,
): Promise<Digest[]> => {
  const sent: Digest[] = [];
  for (const d of digests) {
    const soFar = await sink.soFar(d.subscriberId, d.day, at);
    if (soFar.busy || soFar.carried === 'all') continue;
    const carried = soFar.carried;
    const alerts = d.alerts.filter((a) => !carried.has(a.id));
    if (alerts.length === 0) continue;
    const part: Digest = {
      ...d,
      id: digestIdFor(d.subscriberId, d.day, soFar.nextPart),
      alerts,
      ...(soFar.nextPart > 1 ? { part: soFar.nextPart } : {}),
      ...(dayHasEnded(d.day, at) ? {} : { partial: true }),
    };
    if (!(await sink.claim(part))) continue;
    await sink.publish(part);
    await sink.markSent(part, at);
    sent.push(part);
  }
  return sent;
};
