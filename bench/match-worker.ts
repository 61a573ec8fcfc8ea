/**
 * One of the matcher bench's worker threads: compiles the topics it is given into its own
 * index (as a second process or container would), warms up on all the articles (as the
 * one-thread run does), says it is ready, and on `go` matches its share, timing each article.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MatchableArticle } from '../functions/core/topics/article-view.ts';
import { compileTopics, matchArticle } from '../functions/core/topics/matcher.ts';
import type { TopicDefinition } from '../functions/core/topics/topic.ts';

/** What the bench sends a worker. */
export interface WorkerInput {
  topics: readonly TopicDefinition[];
  articles: readonly MatchableArticle[];
  /** The worker's share: articles[from] up to, not including, articles[to]. */
  from: number;
  to: number;
}

/** What a worker sends back: `ready` once compiled and warm, `done` after the timed pass. */
export type WorkerMessage =
  { type: 'ready'; buildMs: number } | { type: 'done'; times: number[]; matches: string[][] };

const port = parentPort;
if (!port) throw new Error('bench/match-worker.ts runs as a worker thread of bench/match.ts');
const { topics, articles, from, to } = workerData as WorkerInput;
const t0 = performance.now();
const { index, errors } = compileTopics(topics);
const buildMs = performance.now() - t0;
if (errors.length) throw new Error(`${errors.length} topics failed to compile: ${errors[0]?.error.message}`);
for (const a of articles) matchArticle(index, a); // warm-up pass, as on one thread
port.once('message', () => {
  const times: number[] = [];
  const matches: string[][] = [];
  for (const a of articles.slice(from, to)) {
    const t = performance.now();
    const r = matchArticle(index, a);
    times.push(performance.now() - t);
    matches.push(r.matches.map((m) => m.topicId));
  }
  port.postMessage({ type: 'done', times, matches } satisfies WorkerMessage);
  port.close();
});
port.postMessage({ type: 'ready', buildMs } satisfies WorkerMessage);
