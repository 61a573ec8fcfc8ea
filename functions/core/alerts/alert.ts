import { createHash } from 'node:crypto';
import type { Explanation } from '../topics/explain.ts';
import type { StageVerdict } from '../topics/trained-stage.ts';

/** Everything an alert says: one article that matched one topic. */
export interface Alert {
  /** Stable for the (article, topic) pair: the same match always has the same id. */
  id: string;
  kind: 'alert';
  /** Set when the alert comes from matching older articles against a new or changed topic. */
  backfill?: boolean;
  createdAt: string;
  topic: { id: string; name: string };
  score: number;
  article: {
    id: string;
    title: string;
    date: string;
    author?: string;
    url?: string;
    source?: string;
    /** Where the file is (s3://bucket/key, or a local path). */
    location: string;
    /** The format the file was read as (`text`, `json`, `rss`, …). */
    format?: string;
    /** For one item of a file holding several: the item's name in it. */
    item?: string;
    /** The file held only a summary of the article (a feed item without its text). */
    summaryOnly?: boolean;
    /**
     * The article's language: lower-case primary subtag, stated by the file or detected from
     * the text; `und` when it could not be determined.
     */
    language?: string;
    /** Whether the file stated the language or it was detected. */
    languageSource?: 'declared' | 'detected';
    /** The watched feed the file was fetched from. */
    feed?: string;
  };
  explanation: Explanation;
  /** Set when the topic's trained stage scored the match: its probability is `score`. */
  stage?: StageVerdict;
  /**
   * The story the article belongs to: `first` for the story's first alert on this topic,
   * `update` for a later copy or version (sent only to subscribers who asked for updates).
   */
  story?: { id: string; role: 'first' | 'update'; sources?: string[] };
}

/** The alert id of an (article, topic) pair: `alert_` and 24 hex characters of SHA-256. */
export const alertIdFor = (articleId: string, topicId: string): string =>
  `alert_${createHash('sha256').update(`${articleId}\u0000${topicId}`).digest('hex').slice(0, 24)}`;

/** A score as people read it. */
export const scoreLabel = (score: number): string =>
  score >= 0.8 ? 'strong' : score >= 0.5 ? 'good' : score >= 0.3 ? 'fair' : 'weak';
