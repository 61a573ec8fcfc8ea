import type { MatchableArticle } from './article-view.ts';
import { latestLabels, type RelevanceLabel } from './labels.ts';
import { compileTopics, matchArticle, type TopicCompileError } from './matcher.ts';
import type { TermLists } from './query.ts';
import { stableHash } from './stable-hash.ts';
import type { TopicDefinition, TopicMatch } from './topic.ts';
import {
  applyStage,
  crossValidatedProbabilities,
  type StageExample,
  stageFeatures,
  type TrainedStage,
  trainStage,
} from './trained-stage.ts';

/** Which part of a labelled collection a label belongs to, fixed by its article id alone. */
export type Split = 'dev' | 'test';

/**
 * The split of an article: 40 % of ids are `test`, the rest `dev`. Queries are tuned on
 * `dev` labels; figures are reported on `test` labels, which tuning never reads.
 */
export const splitOf = (articleId: string): Split => (stableHash(articleId) % 10 < 4 ? 'test' : 'dev');

/** A labelled article and what the topic did with it. */
export interface JudgedArticle {
  article: string;
  label: 0 | 1;
  reason: string;
  /** The match at any score (the threshold is applied by the figures), or undefined when the query does not match. */
  match?: TopicMatch;
}

/** Precision, recall and F1 at one minimum score. */
export interface OperatingPoint {
  minScore: number;
  alerts: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/** How a topic does on its labels. */
export interface TopicFigures extends OperatingPoint {
  topicId: string;
  labelled: number;
  relevant: number;
  falsePositives: number;
  falseNegatives: number;
  /** Alerts on articles labelled not relevant, highest score first, with why they matched. */
  falseAlerts: Array<{ article: string; score: number; reason: string; snippet: string; terms: string[] }>;
  /** Relevant articles with no alert: not matched, or matched under the minimum score. */
  misses: Array<{ article: string; reason: string; score?: number; why: 'no match' | 'under minScore' }>;
  /** One operating point per distinct score of a matched article, highest first. */
  thresholds: OperatingPoint[];
  /** The minimum score with the best F1 on these labels. */
  bestMinScore: number | null;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 1000) / 1000);
const f1Of = (p: number | null, r: number | null): number | null =>
  p === null || r === null || p + r === 0
    ? p === null || r === null
      ? null
      : 0
    : Math.round(((2 * p * r) / (p + r)) * 1000) / 1000;

const pointAt = (judged: readonly JudgedArticle[], minScore: number, relevant: number): OperatingPoint => {
  let alerts = 0;
  let tp = 0;
  for (const j of judged) {
    if (!j.match || j.match.score < minScore) continue;
    alerts++;
    if (j.label === 1) tp++;
  }
  const precision = ratio(tp, alerts);
  const recall = ratio(tp, relevant);
  return { minScore, alerts, truePositives: tp, precision, recall, f1: f1Of(precision, recall) };
};

/**
 * Figures for one topic from its judged articles: counts, precision, recall and F1 at the
 * topic's minimum score, the false alerts and misses with their explanations, and the
 * operating point at every score a match reached (so a minimum score can be chosen).
 * Linear in the labels, plus a sort of the distinct scores.
 */
export const topicFigures = (
  topicId: string,
  minScore: number,
  judged: readonly JudgedArticle[],
): TopicFigures => {
  const relevant = judged.filter((j) => j.label === 1).length;
  const point = pointAt(judged, minScore, relevant);
  const falseAlerts = judged
    .filter((j) => j.label === 0 && j.match && j.match.score >= minScore)
    .map((j) => {
      const m = j.match as TopicMatch;
      return {
        article: j.article,
        score: m.score,
        reason: j.reason,
        snippet: m.explanation.snippet,
        terms: m.explanation.terms.map((t) => t.term),
      };
    })
    .sort((a, b) => b.score - a.score || a.article.localeCompare(b.article));
  const misses = judged
    .filter((j) => j.label === 1 && !(j.match && j.match.score >= minScore))
    .map((j) => ({
      article: j.article,
      reason: j.reason,
      ...(j.match ? { score: j.match.score } : {}),
      why: j.match ? ('under minScore' as const) : ('no match' as const),
    }))
    .sort((a, b) => a.article.localeCompare(b.article));
  const scores = [...new Set(judged.flatMap((j) => (j.match ? [j.match.score] : [])))].sort((a, b) => b - a);
  // One pass from the highest score down: each step adds the articles at that score.
  const thresholds: OperatingPoint[] = [];
  const byScore = new Map<number, { alerts: number; tp: number }>();
  for (const j of judged) {
    if (!j.match) continue;
    const s = byScore.get(j.match.score) ?? { alerts: 0, tp: 0 };
    s.alerts++;
    if (j.label === 1) s.tp++;
    byScore.set(j.match.score, s);
  }
  let alerts = 0;
  let tp = 0;
  for (const score of scores) {
    const s = byScore.get(score) as { alerts: number; tp: number };
    alerts += s.alerts;
    tp += s.tp;
    const precision = ratio(tp, alerts);
    const recall = ratio(tp, relevant);
    thresholds.push({
      minScore: score,
      alerts,
      truePositives: tp,
      precision,
      recall,
      f1: f1Of(precision, recall),
    });
  }
  const best = thresholds.reduce<OperatingPoint | undefined>(
    (b, t) => ((t.f1 ?? -1) > (b?.f1 ?? -1) ? t : b),
    undefined,
  );
  return {
    topicId,
    labelled: judged.length,
    relevant,
    ...point,
    falsePositives: point.alerts - point.truePositives,
    falseNegatives: relevant - point.truePositives,
    falseAlerts,
    misses,
    thresholds,
    bestMinScore: best && (best.f1 ?? 0) > 0 ? best.minScore : null,
  };
};

/** The labels of one topic, optionally of one split, latest judgement per article. */
export const labelsOf = (
  labels: readonly RelevanceLabel[],
  topicId: string,
  split?: Split,
): RelevanceLabel[] =>
  labels.filter((l) => l.topic === topicId && (split === undefined || splitOf(l.article) === split));

/**
 * Wilson score interval (95 %) for a proportion: what a precision or recall measured on few
 * labels can honestly be said to be.
 */
export const wilsonInterval = (successes: number, trials: number): [number, number] | null => {
  if (trials === 0) return null;
  const z = 1.96;
  const p = successes / trials;
  const denom = 1 + (z * z) / trials;
  const centre = (p + (z * z) / (2 * trials)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denom;
  const r = (x: number) => Math.round(x * 100) / 100;
  return [r(Math.max(0, centre - half)), r(Math.min(1, centre + half))];
};

/** An article of a labelled collection, ready to be matched. */
export interface LabelledArticle extends MatchableArticle {
  id: string;
}

/**
 * Matches every labelled article of each topic, with the topic's minimum score set aside
 * so the figures can show every threshold. Articles missing from the collection are
 * returned apart: a label whose article cannot be found is not silently dropped.
 */
export const judgeTopics = (
  topics: readonly TopicDefinition[],
  lists: TermLists,
  articles: ReadonlyMap<string, LabelledArticle>,
  labels: readonly RelevanceLabel[],
): { judged: Map<string, JudgedArticle[]>; missing: RelevanceLabel[]; errors: TopicCompileError[] } => {
  // The first stage alone: a trained stage is judged by cross-validation, never on its own labels.
  const { index, errors } = compileTopics(
    topics.map(({ stage: _stage, ...t }) => ({ ...t, minScore: 0, enabled: true })),
    lists,
  );
  const judged = new Map<string, JudgedArticle[]>(topics.map((t) => [t.id, []]));
  const missing: RelevanceLabel[] = [];
  const byArticle = new Map<string, RelevanceLabel[]>();
  for (const l of latestLabels(labels)) {
    if (!judged.has(l.topic)) continue;
    const list = byArticle.get(l.article) ?? [];
    list.push(l);
    byArticle.set(l.article, list);
  }
  for (const [id, ls] of byArticle) {
    const article = articles.get(id);
    if (!article) {
      missing.push(...ls);
      continue;
    }
    const matches = new Map(matchArticle(index, article).matches.map((m) => [m.topicId, m]));
    for (const l of ls) {
      const match = matches.get(l.topic);
      (judged.get(l.topic) as JudgedArticle[]).push({
        article: id,
        label: l.label,
        reason: l.reason,
        ...(match ? { match } : {}),
      });
    }
  }
  return { judged, missing, errors };
};

/** The labelled candidates of a topic (matched by its query at any score), as stage examples. */
export const stageExamples = (judged: readonly JudgedArticle[]): Array<StageExample & { key: string }> =>
  judged.flatMap((j) =>
    j.match ? [{ key: j.article, label: j.label, features: stageFeatures(j.match) }] : [],
  );

/** Folds of the cross-validation `topics eval` and the relevance benchmark report a trained stage with. */
export const STAGE_FOLDS = 5;

/**
 * Figures of a topic with a trained stage, by k-fold cross-validation: each labelled
 * candidate is re-scored by a stage trained on the other folds only; articles the query does
 * not match stay misses. No article is ever scored by a stage that saw its label.
 */
export const crossValidatedFigures = (
  topicId: string,
  minScore: number,
  judged: readonly JudgedArticle[],
  options: { l2?: number; maxTerms?: number } = {},
  k = STAGE_FOLDS,
): TopicFigures => {
  const candidates = judged.filter((j) => j.match);
  const probabilities = crossValidatedProbabilities(stageExamples(candidates), k, options);
  const rescored = new Map(
    candidates.map((j, i) => [j, Math.round((probabilities[i] as number) * 1000) / 1000]),
  );
  return topicFigures(
    topicId,
    minScore,
    judged.map((j) => {
      const p = rescored.get(j);
      return p === undefined || !j.match ? j : { ...j, match: { ...j.match, score: p } };
    }),
  );
};

/** Trains a topic's stage on its labelled candidates. */
export const trainTopicStage = (
  judged: readonly JudgedArticle[],
  at: string,
  split: 'dev' | 'test' | 'all',
  options: { l2?: number; maxTerms?: number } = {},
): TrainedStage => {
  const stage = trainStage(stageExamples(judged), { ...options, at });
  return { ...stage, trainedOn: { ...stage.trainedOn, split } };
};

/** Figures of a topic as shipped: with its trained stage applied (the stage must not have seen these labels). */
export const figuresWithStage = (
  topicId: string,
  minScore: number,
  judged: readonly JudgedArticle[],
  stage: TrainedStage,
): TopicFigures =>
  topicFigures(
    topicId,
    minScore,
    judged.map((j) =>
      j.match ? { ...j, match: { ...j.match, score: applyStage(stage, j.match).probability } } : j,
    ),
  );

/** How far two sets of labels of the same (topic, article) pairs agree. */
export interface Agreement {
  pairs: number;
  /** Pairs both call relevant, both not, and each way of disagreeing. */
  bothRelevant: number;
  bothNot: number;
  onlyFirst: number;
  onlySecond: number;
  /** Share of pairs with the same label. */
  observed: number | null;
  /** Cohen's kappa: agreement beyond what chance would give with these label rates. */
  kappa: number | null;
}

/** Agreement of two labellers on the pairs both labelled (the latest label of each). */
export const agreementOf = (
  first: readonly RelevanceLabel[],
  second: readonly RelevanceLabel[],
): Agreement => {
  const key = (l: RelevanceLabel) => `${l.topic}\u0000${l.article}`;
  const a = new Map(latestLabels(first).map((l) => [key(l), l.label]));
  let bothRelevant = 0;
  let bothNot = 0;
  let onlyFirst = 0;
  let onlySecond = 0;
  for (const l of latestLabels(second)) {
    const x = a.get(key(l));
    if (x === undefined) continue;
    if (x === 1 && l.label === 1) bothRelevant++;
    else if (x === 0 && l.label === 0) bothNot++;
    else if (x === 1) onlyFirst++;
    else onlySecond++;
  }
  const n = bothRelevant + bothNot + onlyFirst + onlySecond;
  if (n === 0) return { pairs: 0, bothRelevant, bothNot, onlyFirst, onlySecond, observed: null, kappa: null };
  const observed = (bothRelevant + bothNot) / n;
  const p1 = (bothRelevant + onlyFirst) / n;
  const p2 = (bothRelevant + onlySecond) / n;
  const chance = p1 * p2 + (1 - p1) * (1 - p2);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    pairs: n,
    bothRelevant,
    bothNot,
    onlyFirst,
    onlySecond,
    observed: round(observed),
    kappa: chance === 1 ? null : round((observed - chance) / (1 - chance)),
  };
};
