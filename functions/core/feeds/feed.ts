import { checkFeedUrl } from '../alerts/ssrf.ts';
import * as z from '../validation.ts';

/**
 * Feeds: which RSS or Atom feeds are polled and how often. Each fetched document is dropped
 * under `incoming/feeds/<id>/` and read by the ingest path like any uploaded file. No file
 * format here (that is feeds-file.ts, with the YAML reader), so the poll function stays small.
 */

/** Poll intervals: the shortest a feed may ask for, the one it gets by default, the longest. */
export const FEED_INTERVALS = { minMinutes: 5, defaultEvery: '30m', maxMinutes: 24 * 60 } as const;

/**
 * The `feed` dimension value of the poll function's per-feed metrics for every feed without
 * metrics of its own (each feed's own is a billed custom metric, so their number is bounded).
 */
export const OTHER_FEEDS = '(other)';

/** Longest feed URL accepted (S3 object metadata and the function environment carry it). */
export const MAX_FEED_URL_LENGTH = 1024;

const EVERY = /^(\d{1,4})(m|h)$/;

/** The minutes of {@link FEED_INTERVALS}.defaultEvery. */
const DEFAULT_MINUTES = 30;

/** Minutes of an interval written as `15m` or `2h`; undefined when it is not one. */
export const minutesOf = (every: string): number | undefined => {
  const m = EVERY.exec(every);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'h' ? 60 : 1);
};

const every = z.string().check(
  z.regex(EVERY, 'must be a number of minutes or hours, such as 15m or 2h'),
  z.refine((v) => {
    const minutes = minutesOf(v);
    return minutes === undefined || minutes >= FEED_INTERVALS.minMinutes;
  }, `must be at least ${FEED_INTERVALS.minMinutes}m: feeds are not polled more often`),
  z.refine(
    (v) => {
      const minutes = minutesOf(v);
      return minutes === undefined || minutes <= FEED_INTERVALS.maxMinutes;
    },
    `must be at most ${FEED_INTERVALS.maxMinutes / 60}h`,
  ),
);

const FeedSchema = z.strictObject({
  /** Lower-case letters, digits and dashes: part of object keys and of the feed's metric. */
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes')),
  url: z.string().check(z.minLength(1), z.maxLength(MAX_FEED_URL_LENGTH)),
  name: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  every: z._default(every, FEED_INTERVALS.defaultEvery),
  /** Topic ids the feed's items are meant for: its items are matched against these only. */
  topics: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
});

export const FeedsFileSchema = z.strictObject({ feeds: z.array(FeedSchema) });

/** One feed to poll. */
export type Feed = z.infer<typeof FeedSchema>;

/** How often a feed is polled, in milliseconds. */
export const intervalMs = (feed: Pick<Feed, 'every'>): number =>
  (minutesOf(feed.every) ?? DEFAULT_MINUTES) * 60_000;

/** The feeds as the CDK app writes them into the poll function's environment: no display names. */
export const feedListJson = (feeds: readonly Feed[]): string =>
  JSON.stringify(
    feeds.map(({ id, url, every: e, topics }) => ({ id, url, every: e, ...(topics ? { topics } : {}) })),
  );

/** Reads the JSON list of feeds the CDK app wrote (see {@link feedListJson}), checked again. */
export const parseFeedList = (json: string): Feed[] => {
  const parsed = FeedsFileSchema.safeParse({ feeds: JSON.parse(json) as unknown });
  if (!parsed.success) throw new Error(z.firstIssue(parsed.error));
  for (const f of parsed.data.feeds) checkFeedUrl(f.url);
  return parsed.data.feeds;
};
