import type { Article } from '../articles/article.ts';
import type { Clock } from '../pipeline/ports.ts';
import {
  bandKeysOf,
  closestStory,
  MIN_STORY_SHINGLES,
  type StoryCandidate,
  shingleHashes,
  signatureOfShingles,
} from './near-duplicate.ts';

/**
 * Stories: articles that tell the same story (near-duplicates: the same wire text from
 * several outlets, or a later version) are grouped, so subscribers are alerted once per story.
 */

/** One story as stored. */
export interface StoryRecord {
  storyId: string;
  /** The article that started the story (its id is the story id). */
  firstArticleId: string;
  firstSeenAt: string;
  title: string;
  /** The newest article of the story. */
  latestArticleId: string;
  latestAt: string;
  /** Articles of the story (the first ones, up to a cap; see the store). */
  articleIds: string[];
  /** Outlets that reported it. */
  sources: string[];
}

/** Whether an article's alert for a topic is the story's first for that topic, or an update. */
export type StoryRole = 'first' | 'update';

/** An article's entry in the near-duplicate index. */
export interface StoryIndexEntry {
  articleId: string;
  storyId: string;
  signature: Uint32Array;
  bandKeys: readonly string[];
}

/** An article joining (or starting) a story. */
export interface StoryJoin {
  storyId: string;
  articleId: string;
  title: string;
  source: string;
  at: string;
  /** The stored article it was found close to, and how close. */
  similarity?: number;
  of?: string;
}

/** Where stories and the near-duplicate index are kept. */
export interface StoryStore {
  /** Stored articles sharing at least one band key, with their stories and signatures. */
  candidates(bandKeys: readonly string[]): Promise<StoryCandidate[]>;
  /** Indexes an article under its band keys (idempotent). */
  index(entry: StoryIndexEntry): Promise<void>;
  /** Adds an article (and its outlet) to a story, creating the story with the first one (idempotent). */
  join(entry: StoryJoin): Promise<void>;
  /** The story an article belongs to. */
  storyOf(articleId: string): Promise<string | undefined>;
  /** Adds an outlet that carried the very same text (an exact duplicate) to a story. */
  addSource(storyId: string, source: string, at: string): Promise<void>;
  get(storyId: string): Promise<StoryRecord | undefined>;
  /**
   * Claims the story's alert for a topic for this article: `first` for the first article of the
   * story to match the topic (again `first` when that same article asks again, as on a retry),
   * `update` for every later one.
   */
  claimTopic(storyId: string, topicId: string, articleId: string, at: string): Promise<StoryRole>;
}

/** The story an article joined, and how. */
export interface StoryAssignment {
  storyId: string;
  /** True when the article started the story. */
  started: boolean;
  /** The stored article it was found close to, and how close (estimated Jaccard). */
  of?: string;
  similarity?: number;
}

/**
 * The outlet of an article, as the story's source list names it: the `source` field, else the
 * host of its URL, else the folder or bucket prefix of the key it came from.
 */
export const outletOf = (article: Pick<Article, 'source' | 'url' | 'sourceKey'>): string => {
  if (article.source?.trim()) return article.source.trim();
  if (article.url) {
    try {
      return new URL(article.url).hostname.replace(/^www\./, '');
    } catch {
      // not a URL: fall through to the key
    }
  }
  const parts = article.sourceKey.replace(/^file:\/\//, '').split('/');
  return parts.length > 2 ? (parts.at(-2) as string) : 'unknown';
};

/**
 * Puts a newly stored article into a story: the story of the most similar stored article
 * (found through the band index, never by scanning), or a new story of its own. A retry finds
 * the article itself in the index and keeps the story it was given.
 */
export const assignStory = async (
  article: Article,
  store: StoryStore,
  clock: Clock,
): Promise<StoryAssignment> => {
  const at = clock.now().toISOString();
  const shingles = shingleHashes(article.paragraphs.join('\n\n'));
  const signature = shingles.size >= MIN_STORY_SHINGLES ? signatureOfShingles(shingles) : undefined;
  const join = async (assignment: StoryAssignment): Promise<StoryAssignment> => {
    await store.join({
      storyId: assignment.storyId,
      articleId: article.id,
      title: article.title,
      source: outletOf(article),
      at,
      ...(assignment.of ? { of: assignment.of, similarity: assignment.similarity } : {}),
    });
    return assignment;
  };
  if (!signature) return join({ storyId: article.id, started: true });
  const bandKeys = bandKeysOf(signature);
  const candidates = await store.candidates(bandKeys);
  const self = candidates.find((c) => c.articleId === article.id);
  const best = self
    ? undefined
    : closestStory(
        signature,
        candidates.filter((c) => c.articleId !== article.id),
      );
  const assignment: StoryAssignment = self
    ? { storyId: self.storyId, started: self.storyId === article.id }
    : best
      ? { storyId: best.storyId, started: false, of: best.articleId, similarity: best.similarity }
      : { storyId: article.id, started: true };
  // Joined before it is indexed: an article found in the index always has its story.
  await join(assignment);
  await store.index({ articleId: article.id, storyId: assignment.storyId, signature, bandKeys });
  return assignment;
};
