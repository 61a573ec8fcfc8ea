import type { Alert } from '../alerts/alert.ts';
import { alertIdFor } from '../alerts/alert.ts';
import type { Article } from '../articles/article.ts';
import { ANALYSER_VERSION } from '../topics/analysis/analyser.ts';
import { compileTopics, matchArticle } from '../topics/matcher.ts';
import type { TermLists } from '../topics/query.ts';
import type { TopicDefinition, TopicMatch } from '../topics/topic.ts';
import {
  ALERT_CLAIM_MS,
  AlertHeldError,
  type AlertPublisher,
  alertOf,
  type MatchRecord,
  type MatchStore,
} from './matching.ts';
import type { Clock } from './ports.ts';

/** One stored article a topic would match. */
export interface BackfillMatch {
  article: Article;
  match: TopicMatch;
}

/** How to alert on backfilled matches, when asked to. */
export interface BackfillAlerting {
  store: MatchStore;
  publisher: AlertPublisher;
  clock: Clock;
  locate(key: string): string;
  topicSetVersion: string;
}

/**
 * Matches stored articles against one (new or changed) topic. Without `alerting` it only
 * reports what the topic would catch; with it, each match not stored yet is written and
 * alerted on once, marked as a backfill. Matches already stored are left as they are. With
 * `feedTopics`, the items of a feed limited to other topics are skipped, as ingest does.
 */
export const backfillTopic = async (
  topic: TopicDefinition,
  lists: TermLists,
  articles: readonly Article[],
  alerting?: BackfillAlerting,
  feedTopics?: (feedId: string) => readonly string[] | undefined,
): Promise<{ matches: BackfillMatch[]; alerted: number }> => {
  const { index, errors } = compileTopics([{ ...topic, enabled: true }], lists);
  if (errors[0]) throw errors[0].error;
  const matches: BackfillMatch[] = [];
  for (const article of articles) {
    // The items of a feed meant for other topics are not this topic's, as at ingest.
    const only = article.feed ? feedTopics?.(article.feed) : undefined;
    if (only && !only.includes(topic.id)) continue;
    const m = matchArticle(index, article).matches[0];
    if (m) matches.push({ article, match: m });
  }
  matches.sort((a, b) => b.match.score - a.match.score || b.article.date.localeCompare(a.article.date));
  if (!alerting) return { matches, alerted: 0 };

  let alerted = 0;
  const held: string[] = [];
  const now = alerting.clock.now();
  for (const { article, match } of matches) {
    const record: MatchRecord = {
      ...match,
      articleId: article.id,
      articleDate: article.date,
      analyserVersion: ANALYSER_VERSION,
      topicSetVersion: alerting.topicSetVersion,
      matchedAt: now.toISOString(),
      alertId: alertIdFor(article.id, match.topicId),
      alertState: 'pending',
    };
    const put = await alerting.store.putMatch(record);
    // Digests are built from match runs: the backfill writes one for each article it matches.
    await alerting.store.putMatchRun({
      articleId: article.id,
      articleDate: article.date,
      analyserVersion: ANALYSER_VERSION,
      topicSetVersion: alerting.topicSetVersion,
      candidates: [match.topicId],
      matched: [match.topicId],
      ranAt: now.toISOString(),
    });
    if (!put.created && put.alertState === 'sent') continue;
    const until = new Date(now.getTime() + ALERT_CLAIM_MS).toISOString();
    const token = crypto.randomUUID();
    const claim = await alerting.store.claimAlert(
      record.articleId,
      record.topicId,
      now.toISOString(),
      until,
      token,
    );
    // Held by another run (an ingest, or a backfill that was stopped): counted, and the run
    // fails at the end, so it is run again once that claim has run out.
    if (claim === 'held') held.push(record.alertId);
    if (claim !== 'claimed') continue;
    const alert: Alert = { ...alertOf(record, article, alerting.locate(article.sourceKey)), backfill: true };
    const { failed } = await alerting.publisher.publish([alert]);
    if (failed.length > 0) {
      await alerting.store.releaseAlert(record.articleId, record.topicId);
      throw new Error(`alert ${alert.id} was not published: ${failed[0]?.reason}`);
    }
    await alerting.store.markAlertsSent([record], alerting.clock.now().toISOString());
    alerted++;
  }
  if (held.length > 0) {
    throw new AlertHeldError(
      `${held.length} alerts are being published by another run (${held[0]}); run again in a minute to send any it did not`,
    );
  }
  return { matches, alerted };
};
