import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTopicFolder, saveStage } from '../../../functions/adapters/local/topic-folder.ts';
import { compileTopics, matchArticle } from '../../../functions/core/topics/matcher.ts';
import {
  checkStage,
  crossValidatedProbabilities,
  lossGradient,
  type StageExample,
  stageProbability,
  trainStage,
} from '../../../functions/core/topics/trained-stage.ts';
import { prng } from '../../../bench/corpus.ts';

/** Examples whose label depends on two features and noise, with a term feature on some. */
const examples = (n: number, seed: number): Array<StageExample & { key: string }> => {
  const rand = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const coverage = rand();
    const evidence = rand() * 3;
    const donated = rand() < 0.5 ? Math.log1p(1 + Math.floor(rand() * 3)) : 0;
    const z = 4 * coverage + 1.5 * donated - 0.5 * evidence - 1.2 + (rand() - 0.5);
    const features = new Map<string, number>([
      ['score', 0.5 * coverage + 0.1 * evidence],
      ['coverage', coverage],
      ['evidence', evidence],
    ]);
    if (donated > 0) features.set('term:donat*', donated);
    return { key: `a${i}`, features, label: z > 0 ? 1 : 0 };
  });
};

/**
 * Reference: the same regularised loss minimised by plain gradient descent, written as
 * directly as possible. Slow, but obviously right.
 */
const referenceWeights = (xs: number[][], y: number[], l2: number): number[] => {
  const d = (xs[0] as number[]).length;
  const w = new Array<number>(d + 1).fill(0);
  for (let it = 0; it < 20000; it++) {
    const g = new Array<number>(d + 1).fill(0);
    xs.forEach((x, i) => {
      const z = x.reduce((s, v, j) => s + v * (w[j + 1] as number), w[0] as number);
      const r = 1 / (1 + Math.exp(-z)) - (y[i] as number);
      g[0] = (g[0] as number) + r;
      x.forEach((v, j) => (g[j + 1] = (g[j + 1] as number) + r * v));
    });
    for (let j = 1; j <= d; j++) g[j] = (g[j] as number) + l2 * (w[j] as number);
    for (let j = 0; j <= d; j++) w[j] = (w[j] as number) - (0.5 / xs.length) * (g[j] as number);
  }
  return w;
};

describe('Function: trainStage', () => {
  it('should reach the optimum of the regularised loss: the gradient is zero and a plain descent agrees', () => {
    // Prepare
    const ex = examples(120, 7);

    // Act
    const stage = trainStage(ex, { l2: 1, at: '2026-12-01' });

    // Assess: the optimum (Newton) …
    expect(Math.max(...lossGradient(stage, ex).map(Math.abs))).toBeLessThan(1e-3);
    // … is the one gradient descent reaches on the same standardised features.
    const xs = ex.map((e) =>
      stage.features.map(
        (f, j) => ((e.features.get(f) ?? 0) - (stage.means[j] as number)) / (stage.scales[j] as number),
      ),
    );
    const ref = referenceWeights(
      xs,
      ex.map((e) => e.label),
      1,
    );
    expect(stage.bias).toBeCloseTo(ref[0] as number, 2);
    stage.weights.forEach((w, j) => expect(w).toBeCloseTo(ref[j + 1] as number, 2));
  });

  it('should be deterministic and learn the direction of each feature', () => {
    // Prepare
    const ex = examples(200, 11);

    // Act
    const a = trainStage(ex, { at: 'x' });
    const b = trainStage(ex, { at: 'x' });

    // Assess
    expect(a).toEqual(b);
    const weight = (name: string) => a.weights[a.features.indexOf(name)] as number;
    expect(weight('coverage')).toBeGreaterThan(0);
    expect(weight('term:donat*')).toBeGreaterThan(0);
    expect(weight('evidence')).toBeLessThan(0);
    expect(a.trainedOn).toEqual({ labels: 200, relevant: ex.filter((e) => e.label === 1).length, at: 'x' });
  });

  it('should score held-out folds with stages that never saw their labels', () => {
    // Prepare: labels that are pure noise: a stage that saw them could fit them, a held-out one cannot.
    const rand = prng(3);
    const noise = Array.from({ length: 50 }, (_, i): StageExample & { key: string } => ({
      key: `n${i}`,
      label: rand() < 0.5 ? 1 : 0,
      features: new Map([
        ...Array.from({ length: 20 }, (_, k) => [`term:w${k}`, rand()] as [string, number]),
      ]),
    }));

    // Act
    const inSample = trainStage(noise, { l2: 0.01, maxTerms: 40, at: '' });
    const fitted = noise.map((e) => stageProbability(inSample, e.features));
    const heldOut = crossValidatedProbabilities(noise, 5, { l2: 0.01, maxTerms: 40 });

    // Assess: accuracy on seen labels is high, on held-out ones near chance.
    const accuracy = (ps: number[]) =>
      ps.filter((p, i) => (p >= 0.5 ? 1 : 0) === noise[i]?.label).length / ps.length;
    expect(accuracy(fitted)).toBeGreaterThan(0.75);
    expect(accuracy(heldOut)).toBeLessThan(0.7);
  });
});

describe('Function: checkStage', () => {
  it('should refuse a stage whose arrays do not line up with its features', () => {
    // Prepare
    const stage = trainStage(examples(40, 5), { at: 'x' });

    // Act & Assess
    expect(checkStage(stage).ok).toBe(true);
    expect(checkStage({ ...stage, weights: stage.weights.slice(1) })).toEqual({
      ok: false,
      message: `weights, means and scales must each have ${stage.features.length} numbers, one per feature`,
    });
    expect(checkStage({ ...stage, kind: 'tree' }).ok).toBe(false);
  });
});

describe('Topic with a trained stage', () => {
  it('should be read from stages/<id>.json and score matches by its probability, minScore applying to it', () => {
    // Prepare: a stage that only cares whether "donated" occurs.
    const dir = mkdtempSync(join(tmpdir(), 'newswatch-stage-'));
    try {
      writeFileSync(join(dir, 't.yaml'), 'id: aid\nname: Aid\nquery: masks\nminScore: 0.5\n');
      const train = [
        ...Array.from({ length: 20 }, (_, i) => ({
          key: `p${i}`,
          label: 1 as const,
          features: new Map([['term:donated', Math.log1p(1 + (i % 3))]]),
        })),
        ...Array.from({ length: 20 }, (_, i) => ({
          key: `q${i}`,
          label: 0 as const,
          features: new Map([['term:sold', Math.log1p(1 + (i % 3))]]),
        })),
      ];
      saveStage(dir, 'aid', trainStage(train, { at: '2026-12-01' }));
      mkdirSync(join(dir, 'stages'), { recursive: true });
      writeFileSync(join(dir, 'stages', 'nope.json'), '{}');

      // Act
      const { loaded } = readTopicFolder(dir);
      const topics = loaded.topics.map((t) => ({ ...t, query: 'masks AND (donated OR sold)' }));
      const { index } = compileTopics(topics);
      const given = matchArticle(index, { title: '', paragraphs: ['Masks were donated.'] }).matches;
      const sold = matchArticle(index, { title: '', paragraphs: ['Masks were sold.'] }).matches;

      // Assess
      expect(loaded.problems.map((p) => p.message)).toEqual([
        "no topic has the id nope: remove the stage or the file name's typo",
      ]);
      expect(loaded.topics[0]?.stage?.features).toContain('term:donated');
      expect(given[0]?.stage?.probability).toBeGreaterThan(0.5);
      expect(given[0]?.score).toBe(given[0]?.stage?.probability);
      expect(given[0]?.stage?.top.map((t) => t.feature)).toContain('term:donated');
      expect(sold).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
