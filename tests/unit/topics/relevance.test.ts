import { describe, expect, it } from 'vitest';
import { labelLine, latestLabels, parseLabels } from '../../../functions/core/topics/labels.ts';
import {
  agreementOf,
  type JudgedArticle,
  judgeTopics,
  splitOf,
  topicFigures,
  wilsonInterval,
} from '../../../functions/core/topics/relevance.ts';
import type { TopicMatch } from '../../../functions/core/topics/topic.ts';

const match = (score: number): TopicMatch => ({
  topicId: 't',
  topicName: 'T',
  score,
  factors: {
    distinctTerms: 1,
    occurrences: 1,
    inTitle: false,
    density: 1,
    inLead: false,
    evidence: 1,
    concentration: 0.5,
    coverage: 0.1,
    bodyWords: 100,
  },
  explanation: { terms: [{ term: 'aid', count: 0, positions: [] }], countries: [], snippet: '**aid**' },
});
const judged = (article: string, label: 0 | 1, score?: number): JudgedArticle => ({
  article,
  label,
  reason: `${article} reason`,
  ...(score === undefined ? {} : { match: match(score) }),
});

describe('Function: parseLabels', () => {
  it('should read good lines, skip blanks and comments, and report each bad line by number', () => {
    // Prepare
    const good = {
      topic: 'aid',
      article: 'a1',
      label: 1,
      reason: 'masks sent',
      by: 'desk',
      at: '2026-12-01',
    };
    const text = [
      '# labels',
      JSON.stringify(good),
      '',
      '{"topic":"aid"',
      JSON.stringify({ ...good, label: 2 }),
      JSON.stringify({ ...good, reason: ' ' }),
      JSON.stringify({ ...good, extra: true }),
    ].join('\n');

    // Act
    const { labels, problems } = parseLabels(text, 'aid.jsonl');

    // Assess
    expect(labels).toEqual([good]);
    expect(problems.map((p) => p.line)).toEqual([4, 5, 6, 7]);
    expect(problems[0]?.message).toMatch(/^not JSON/);
    expect(problems[2]?.message).toContain('say why in one line');
  });

  it('should write a label as the line it reads back', () => {
    // Prepare
    const l = {
      topic: 'aid',
      article: 'a1',
      label: 0 as const,
      reason: 'bought',
      by: 'desk',
      at: '2026-12-01T10:00:00Z',
    };

    // Act & Assess
    expect(parseLabels(labelLine(l), 'x').labels).toEqual([l]);
  });

  it('should keep the latest judgement of a topic and article', () => {
    // Prepare
    const base = { topic: 'aid', article: 'a1', reason: 'r', by: 'desk' };

    // Act
    const latest = latestLabels([
      { ...base, label: 1, at: '2026-12-02' },
      { ...base, label: 0, at: '2026-12-01' },
      { ...base, article: 'a2', label: 0, at: '2026-12-01' },
    ]);

    // Assess
    expect(latest.map((l) => [l.article, l.label])).toEqual([
      ['a1', 1],
      ['a2', 0],
    ]);
  });
});

describe('Function: topicFigures', () => {
  it('should count alerts, right ones, false ones and misses at the minimum score', () => {
    // Prepare: 3 relevant (one matched under minScore, one not matched), 2 not relevant matched.
    const js = [
      judged('r1', 1, 0.9),
      judged('r2', 1, 0.2),
      judged('r3', 1),
      judged('n1', 0, 0.8),
      judged('n2', 0, 0.1),
      judged('n3', 0),
    ];

    // Act
    const f = topicFigures('t', 0.5, js);

    // Assess
    expect(f).toMatchObject({
      labelled: 6,
      relevant: 3,
      alerts: 2,
      truePositives: 1,
      falsePositives: 1,
      falseNegatives: 2,
      precision: 0.5,
      recall: 0.333,
      f1: 0.4,
    });
    expect(f.falseAlerts.map((x) => x.article)).toEqual(['n1']);
    expect(f.misses).toEqual([
      { article: 'r2', reason: 'r2 reason', score: 0.2, why: 'under minScore' },
      { article: 'r3', reason: 'r3 reason', why: 'no match' },
    ]);
  });

  it('should give the operating point at every score reached, and the best F1 among them', () => {
    // Prepare
    const js = [judged('r1', 1, 0.9), judged('r2', 1, 0.2), judged('n1', 0, 0.8), judged('n2', 0, 0.1)];

    // Act
    const f = topicFigures('t', 0, js);

    // Assess
    expect(f.thresholds.map((t) => [t.minScore, t.alerts, t.truePositives, t.precision, t.recall])).toEqual([
      [0.9, 1, 1, 1, 0.5],
      [0.8, 2, 1, 0.5, 0.5],
      [0.2, 3, 2, 0.667, 1],
      [0.1, 4, 2, 0.5, 1],
    ]);
    expect(f.bestMinScore).toBe(0.2);
  });

  it('should say precision is unknown when nothing alerts, rather than 0 or 1', () => {
    // Act
    const f = topicFigures('t', 0.5, [judged('r1', 1)]);

    // Assess
    expect(f.precision).toBeNull();
    expect(f.recall).toBe(0);
  });
});

describe('Function: splitOf', () => {
  it('should put about 40 % of ids in test, the same way every time', () => {
    // Prepare
    const ids = Array.from({ length: 5000 }, (_, i) => `corpus#${i}`);

    // Act
    const test = ids.filter((id) => splitOf(id) === 'test').length;

    // Assess
    expect(test / ids.length).toBeGreaterThan(0.37);
    expect(test / ids.length).toBeLessThan(0.43);
    expect(ids.map(splitOf)).toEqual(ids.map(splitOf));
  });
});

describe('Function: wilsonInterval', () => {
  it('should match the textbook values', () => {
    // Act & Assess: 8 of 10 → 0.49–0.94; 0 of 10 → 0–0.28 (Wilson, 95 %).
    expect(wilsonInterval(8, 10)).toEqual([0.49, 0.94]);
    expect(wilsonInterval(0, 10)).toEqual([0, 0.28]);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('Function: judgeTopics', () => {
  it('should match every labelled article at any score, and return labels whose article is missing', () => {
    // Prepare
    const topics = [{ id: 'aid', name: 'Aid', query: 'masks', minScore: 0.99, enabled: false }];
    const articles = new Map([
      ['a1', { id: 'a1', title: 'Masks', paragraphs: ['Masks were donated.'] }],
      ['a2', { id: 'a2', title: 'Roads', paragraphs: ['Roads were built.'] }],
    ]);
    const label = (article: string, l: 0 | 1) => ({
      topic: 'aid',
      article,
      label: l,
      reason: 'r',
      by: 'b',
      at: '2026-12-01',
    });

    // Act
    const { judged: j, missing } = judgeTopics(topics, new Map(), articles, [
      label('a1', 1),
      label('a2', 0),
      label('gone', 1),
    ]);

    // Assess: a disabled topic with a high minimum score is still judged, at every score.
    const aid = j.get('aid') ?? [];
    expect(aid.map((x) => [x.article, x.match !== undefined])).toEqual([
      ['a1', true],
      ['a2', false],
    ]);
    expect(missing.map((m) => m.article)).toEqual(['gone']);
  });
});

describe('Function: agreementOf', () => {
  it("should count agreement on the pairs both labelled and give Cohen's kappa", () => {
    // Prepare: 10 pairs; the textbook case 0.8 observed, 0.5 by chance → kappa 0.6.
    const l = (article: string, label: 0 | 1) => ({
      topic: 't',
      article,
      label,
      reason: 'r',
      by: 'b',
      at: '2026-12-01',
    });
    const first = ['1', '1', '1', '1', '1', '0', '0', '0', '0', '0'].map((v, i) =>
      l(`a${i}`, Number(v) as 0 | 1),
    );
    const second = ['1', '1', '1', '1', '0', '1', '0', '0', '0', '0'].map((v, i) =>
      l(`a${i}`, Number(v) as 0 | 1),
    );

    // Act
    const agreement = agreementOf(first, [...second, l('only-second', 1)]);

    // Assess
    expect(agreement).toEqual({
      pairs: 10,
      bothRelevant: 4,
      bothNot: 4,
      onlyFirst: 1,
      onlySecond: 1,
      observed: 0.8,
      kappa: 0.6,
    });
  });
});
