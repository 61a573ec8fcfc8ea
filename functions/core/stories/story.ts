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

/**
 * The articles each band key held when it was looked up (article id → story id), by band key:
 * handed back to {@link StoryStore.join}, which adds the article to the bands that lack it.
 */
export type BandMembers = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** What a lookup in the near-duplicate index found. */
export interface StoryLookup {
  /**
   * The story an earlier try gave this very article (a retry: it was joined or indexed
   * before); the article keeps it.
   */
  self?: { storyId: string };
  /** Other stored articles sharing at least one band key, with their stories and signatures. */
  candidates: StoryCandidate[];
  bands: BandMembers;
}

/** An article's entry in the near-duplicate index. */
export interface StoryIndexEntry {
  signature: Uint32Array;
  bandKeys: readonly string[];
  /** The bands as the lookup read them. */
  bands: BandMembers;
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
  /** The article's earlier story (on a retry), and the stored articles sharing a band key with it. */
  lookup(articleId: string, bandKeys: readonly string[]): Promise<StoryLookup>;
  /**
   * Adds an article (and its outlet) to a story, creating the story with the first one, and
   * with `index` puts it in the near-duplicate index under its band keys, after the story
   * exists: an article found in the index always has its story (idempotent).
   */
  join(entry: StoryJoin, index?: StoryIndexEntry): Promise<void>;
  /** The story an article belongs to. */
  storyOf(articleId: string): Promise<string | undefined>;
  /** Adds an outlet that carried the very same text (an exact duplicate) to a story. */
  addSource(storyId: string, source: string, at: string): Promise<void>;
  get(storyId: string): Promise<StoryRecord | undefined>;
  /**
   * Claims the story's alert for each topic for this article: `first` for the first article of
   * the story to match the topic (again `first` when that same article asks again, as on a
   * retry), `update` for every later one.
   */
  claimTopics(
    storyId: string,
    topicIds: readonly string[],
    articleId: string,
    at: string,
  ): Promise<Map<string, StoryRole>>;
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
 * the story the article was given (its link, or itself in the index) and keeps it.
 */
export const assignStory = async (
  article: Article,
  store: StoryStore,
  clock: Clock,
): Promise<StoryAssignment> => {
  const at = clock.now().toISOString();
  const shingles = shingleHashes(article.paragraphs.join('\n\n'));
  const signature = shingles.size >= MIN_STORY_SHINGLES ? signatureOfShingles(shingles) : undefined;
  const join = async (assignment: StoryAssignment, index?: StoryIndexEntry): Promise<StoryAssignment> => {
    await store.join(
      {
        storyId: assignment.storyId,
        articleId: article.id,
        title: article.title,
        source: outletOf(article),
        at,
        ...(assignment.of ? { of: assignment.of, similarity: assignment.similarity } : {}),
      },
      index,
    );
    return assignment;
  };
  if (!signature) return join({ storyId: article.id, started: true });
  const bandKeys = bandKeysOf(signature);
  const { self, candidates, bands } = await store.lookup(article.id, bandKeys);
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
  return join(assignment, { signature, bandKeys, bands });
};
