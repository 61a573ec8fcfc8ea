import * as z from '../validation.ts';
import { stableHash } from './stable-hash.ts';
import type { Explanation, ScoreFactors } from './explain.ts';

/**
 * A topic's second stage: logistic regression trained on the topic's labels, re-scoring the
 * articles its query matches. The boolean index stays the first stage; this runs only on
 * its candidates, and costs one dot product over a few dozen features.
 */
export interface TrainedStage {
  kind: 'logistic-regression';
  version: 1;
  /** Feature names, in the order of `weights`, `means` and `scales`. */
  features: string[];
  /** Weights on standardised features. */
  weights: number[];
  bias: number;
  means: number[];
  scales: number[];
  /** The L2 penalty it was trained with. */
  l2: number;
  trainedOn: { labels: number; relevant: number; at: string; split?: 'dev' | 'test' | 'all' };
}

/** What a stage adds to a match: the probability it gave, the score before, and why. */
export interface StageVerdict {
  probability: number;
  baseScore: number;
  /** The features that weighed most in this article, largest effect first. */
  top: Array<{ feature: string; effect: number }>;
}

/** What the stage reads of a match. */
export interface StageInput {
  score: number;
  factors: ScoreFactors;
  explanation: Explanation;
}

/** Features every stage has, whatever its topic's query. */
export const BASE_FEATURES = [
  'score',
  'evidence',
  'concentration',
  'coverage',
  'inTitle',
  'inLead',
  'bodyWords',
  'distinctTerms',
  'countries',
] as const;

/**
 * The features of a matched article: the score and its factors, and per matched term of the
 * query `term:<term>` = ln(1 + its occurrences), so a stage can learn which words count.
 */
export const stageFeatures = (m: StageInput): Map<string, number> => {
  const f = new Map<string, number>([
    ['score', m.score],
    ['evidence', Math.log1p(m.factors.evidence)],
    ['concentration', m.factors.concentration],
    ['coverage', m.factors.coverage],
    ['inTitle', m.factors.inTitle ? 1 : 0],
    ['inLead', m.factors.inLead ? 1 : 0],
    ['bodyWords', Math.log1p(m.factors.bodyWords)],
    ['distinctTerms', m.factors.distinctTerms],
    ['countries', m.explanation.countries.length],
  ]);
  for (const t of m.explanation.terms) f.set(`term:${t.term}`, Math.log1p(t.count));
  return f;
};

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Standardised feature vector of an article for a stage. */
const vectorOf = (
  stage: Pick<TrainedStage, 'features' | 'means' | 'scales'>,
  f: Map<string, number>,
): number[] =>
  stage.features.map(
    (name, i) => ((f.get(name) ?? 0) - (stage.means[i] as number)) / (stage.scales[i] as number),
  );

/** The probability a stage gives an article with these features. */
export const stageProbability = (stage: TrainedStage, features: Map<string, number>): number => {
  const x = vectorOf(stage, features);
  return sigmoid(x.reduce((s, v, j) => s + v * (stage.weights[j] as number), stage.bias));
};

/** Applies a stage to a match: the probability that the article is relevant, and the features that weighed most. */
export const applyStage = (stage: TrainedStage, m: StageInput, topN = 3): StageVerdict => {
  const x = vectorOf(stage, stageFeatures(m));
  let z = stage.bias;
  const effects: Array<{ feature: string; effect: number }> = [];
  x.forEach((v, i) => {
    const effect = (stage.weights[i] as number) * v;
    z += effect;
    effects.push({ feature: stage.features[i] as string, effect: Math.round(effect * 100) / 100 });
  });
  effects.sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect) || a.feature.localeCompare(b.feature));
  return {
    probability: Math.round(sigmoid(z) * 1000) / 1000,
    baseScore: m.score,
    top: effects.slice(0, topN),
  };
};

/** A labelled candidate to train on. */
export interface StageExample {
  features: Map<string, number>;
  label: 0 | 1;
}

/** Solves A·x = b by Gaussian elimination with partial pivoting (A is small and positive definite). */
export const solve = (a: number[][], b: number[]): number[] => {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs((m[r] as number[])[col] as number) > Math.abs((m[pivot] as number[])[col] as number))
        pivot = r;
    }
    [m[col], m[pivot]] = [m[pivot] as number[], m[col] as number[]];
    const p = (m[col] as number[])[col] as number;
    if (Math.abs(p) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = ((m[r] as number[])[col] as number) / p;
      if (factor === 0) continue;
      for (let c = col; c <= n; c++)
        (m[r] as number[])[c] =
          ((m[r] as number[])[c] as number) - factor * ((m[col] as number[])[c] as number);
    }
  }
  return m.map((row, i) => {
    const p = row[i] as number;
    return Math.abs(p) < 1e-12 ? 0 : (row[n] as number) / p;
  });
};

/**
 * Trains a stage: L2-regularised logistic regression fitted by Newton's method (the
 * optimum of a convex loss, reached in a few steps, the same on every run). Term features
 * are those found in at least two examples, the most frequent `maxTerms` of them.
 */
export const trainStage = (
  examples: readonly StageExample[],
  options: { l2?: number; maxTerms?: number; at: string },
): TrainedStage => {
  const l2 = options.l2 ?? 1;
  const termCounts = new Map<string, number>();
  for (const e of examples) {
    for (const name of e.features.keys())
      if (name.startsWith('term:')) termCounts.set(name, (termCounts.get(name) ?? 0) + 1);
  }
  const terms = [...termCounts]
    .filter(([, n]) => n >= 2)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, options.maxTerms ?? 30)
    .map(([name]) => name)
    .sort();
  const features = [...BASE_FEATURES, ...terms];
  const raw = examples.map((e) => features.map((f) => e.features.get(f) ?? 0));
  const means = features.map(
    (_, j) => raw.reduce((s, r) => s + (r[j] as number), 0) / Math.max(1, raw.length),
  );
  const scales = features.map((_, j) => {
    const v =
      raw.reduce((s, r) => s + ((r[j] as number) - (means[j] as number)) ** 2, 0) / Math.max(1, raw.length);
    return v > 1e-12 ? Math.sqrt(v) : 1;
  });
  const xs = raw.map((r) => r.map((v, j) => (v - (means[j] as number)) / (scales[j] as number)));
  const y = examples.map((e) => e.label);
  const d = features.length;
  // w[0] is the bias (not penalised), w[1..d] the feature weights.
  let w = new Array<number>(d + 1).fill(0);
  for (let iter = 0; iter < 50; iter++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    xs.forEach((x, i) => {
      const z = x.reduce((s, v, j) => s + v * (w[j + 1] as number), w[0] as number);
      const p = sigmoid(z);
      const r = p - (y[i] as number);
      const s = p * (1 - p);
      const row = [1, ...x];
      for (let a = 0; a <= d; a++) {
        grad[a] = (grad[a] as number) + r * (row[a] as number);
        for (let b = 0; b <= d; b++)
          (hess[a] as number[])[b] =
            ((hess[a] as number[])[b] as number) + s * (row[a] as number) * (row[b] as number);
      }
    });
    for (let a = 1; a <= d; a++) {
      grad[a] = (grad[a] as number) + l2 * (w[a] as number);
      (hess[a] as number[])[a] = ((hess[a] as number[])[a] as number) + l2;
    }
    (hess[0] as number[])[0] = ((hess[0] as number[])[0] as number) + 1e-9;
    const step = solve(hess, grad);
    w = w.map((v, i) => v - (step[i] as number));
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    kind: 'logistic-regression',
    version: 1,
    features,
    weights: w.slice(1).map(round),
    bias: round(w[0] as number),
    means: means.map(round),
    scales: scales.map(round),
    l2,
    trainedOn: { labels: examples.length, relevant: y.filter((v) => v === 1).length, at: options.at },
  };
};

/** The regularised loss's gradient at a stage's weights, for checking that training reached the optimum. */
export const lossGradient = (stage: TrainedStage, examples: readonly StageExample[]): number[] => {
  const grad = new Array<number>(stage.features.length + 1).fill(0);
  for (const e of examples) {
    const x = vectorOf(stage, e.features);
    const r = stageProbability(stage, e.features) - e.label;
    grad[0] = (grad[0] as number) + r;
    x.forEach((v, j) => (grad[j + 1] = (grad[j + 1] as number) + r * v));
  }
  stage.weights.forEach((w, j) => (grad[j + 1] = (grad[j + 1] as number) + stage.l2 * w));
  return grad;
};

/**
 * Out-of-fold probabilities: each example scored by a stage trained on the other folds only,
 * so figures computed from them never score an article on a stage that saw its label.
 * Folds are fixed by the examples' keys.
 */
export const crossValidatedProbabilities = (
  examples: ReadonlyArray<StageExample & { key: string }>,
  k: number,
  options: { l2?: number; maxTerms?: number },
): number[] => {
  const folds = examples.map((e) => stableHash(e.key) % k);
  const out = new Array<number>(examples.length).fill(0);
  for (let f = 0; f < k; f++) {
    const train = examples.filter((_, i) => folds[i] !== f);
    if (train.length === 0) continue;
    const stage = trainStage(train, { ...options, at: '' });
    examples.forEach((e, i) => {
      if (folds[i] === f) out[i] = stageProbability(stage, e.features);
    });
  }
  return out;
};

const StageSchema = z.strictObject({
  kind: z.literal('logistic-regression'),
  version: z.literal(1),
  features: z
    .array(z.string().check(z.minLength(1), z.maxLength(300)))
    .check(z.minLength(1), z.maxLength(200)),
  weights: z.array(z.number()),
  bias: z.number(),
  means: z.array(z.number()),
  scales: z.array(z.number().check(z.gt(0))),
  l2: z.number().check(z.gte(0)),
  trainedOn: z.strictObject({
    labels: z.number(),
    relevant: z.number(),
    at: z.string(),
    split: z.optional(z.enum(['dev', 'test', 'all'])),
  }),
});

/** Checks a stored stage: every array as long as the features, numbers finite. */
export const checkStage = (
  value: unknown,
): { ok: true; stage: TrainedStage } | { ok: false; message: string } => {
  const parsed = StageSchema.safeParse(value);
  if (!parsed.success) return { ok: false, message: z.firstIssue(parsed.error) };
  const s = parsed.data;
  const n = s.features.length;
  if (s.weights.length !== n || s.means.length !== n || s.scales.length !== n)
    return { ok: false, message: `weights, means and scales must each have ${n} numbers, one per feature` };
  if (![...s.weights, ...s.means, ...s.scales, s.bias].every(Number.isFinite))
    return { ok: false, message: 'every number must be finite' };
  return { ok: true, stage: s };
};
