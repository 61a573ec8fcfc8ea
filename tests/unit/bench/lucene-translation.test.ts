import { describe, expect, it } from 'vitest';
import { logLogChart } from '../../../bench/chart.ts';
import {
  bestConfig,
  compareMatches,
  configLabel,
  toLucene,
  translateTopics,
} from '../../../bench/peers/lucene.ts';
import { parseQuery, parseListItem } from '../../../functions/core/topics/query.ts';

describe('translating topics for Lucene Monitor', () => {
  it('keeps words as written (Lucene stems them), phrases and prefixes folded, and the tree', () => {
    expect(toLucene(parseQuery('Donations AND "Medical Masks" NOT vaccin*'))).toEqual({
      type: 'and',
      children: [
        { type: 'term', field: 'any', text: 'Donations' },
        { type: 'phrase', field: 'any', text: 'medical masks' },
        { type: 'not', child: { type: 'prefix', field: 'any', text: 'vaccin' } },
      ],
    });
  });

  it('turns inner punctuation into a phrase and field scopes into fields', () => {
    expect(toLucene(parseQuery('covid-19 OR title:aid'))).toEqual({
      type: 'or',
      children: [
        { type: 'phrase', field: 'any', text: 'covid 19' },
        { type: 'term', field: 'title', text: 'aid' },
      ],
    });
  });

  it('expands lists into OR, also as NEAR operands, and keeps distance and order', () => {
    const lists = new Map([['aid', ['donation', 'field hospital'].map(parseListItem)]]);
    expect(toLucene(parseQuery('@aid ONEAR/3 (masks OR vacc*)', lists))).toEqual({
      type: 'near',
      distance: 3,
      ordered: true,
      left: {
        type: 'or',
        children: [
          { type: 'term', field: 'any', text: 'donation' },
          { type: 'phrase', field: 'any', text: 'field hospital' },
        ],
      },
      right: {
        type: 'or',
        children: [
          { type: 'term', field: 'any', text: 'masks' },
          { type: 'prefix', field: 'any', text: 'vacc' },
        ],
      },
    });
  });

  it('skips topics with country filters and says why', () => {
    const t = translateTopics([
      { id: 'a', name: 'a', query: 'aid AND country:KR', minScore: 0, enabled: true },
      { id: 'b', name: 'b', query: 'aid AND countries>=2', minScore: 0, enabled: true },
      { id: 'c', name: 'c', query: 'aid', minScore: 0, enabled: true },
    ]);
    expect(t.topics.map((x) => x.id)).toEqual(['c']);
    expect(t.skipped).toEqual([
      { id: 'a', reason: 'country:KR needs a gazetteer of place names' },
      { id: 'b', reason: 'countries>=2 needs a gazetteer of place names' },
    ]);
  });

  it('compares matches on the translatable topics only', () => {
    const a = compareMatches(
      [['t1', 't2', 'country-topic'], ['t3']],
      [['t1'], ['t3', 't4']],
      new Set(['t1', 't2', 't3', 't4']),
    );
    expect(a.both).toBe(2);
    expect(a.onlyNewswatch).toEqual([{ article: 0, topic: 't2' }]);
    expect(a.onlyLucene).toEqual([{ article: 1, topic: 't4' }]);
  });
});

describe('choosing the Lucene Monitor configuration to compare against', () => {
  const run = (config: string, p50: number, onlyNewswatch = 0, onlyLucene = 0) => ({
    config,
    p50,
    agreement: { onlyNewswatch, onlyLucene },
  });

  it('names a configuration by its presearcher, and its matcher when not the calling thread', () => {
    expect(configLabel({ presearcher: 'term', matcher: 'simple' })).toBe('term');
    expect(configLabel({ presearcher: 'multipass:3:0', matcher: 'partition:2' })).toBe(
      'multipass:3:0 + partition:2',
    );
  });

  it('takes the lowest p50 among the runs whose matches are ours', () => {
    const runs = [run('term', 100), run('multipass:3:0', 20, 0, 1), run('multipass:2:0', 40), run('x', 60)];
    expect(bestConfig(runs)?.config).toBe('multipass:2:0');
  });

  it('takes none when every run disagrees with ours', () => {
    expect(bestConfig([run('term', 100, 1), run('multipass:2:0', 40, 0, 2)])).toBeUndefined();
    expect(bestConfig([])).toBeUndefined();
  });
});

describe('the benchmark chart', () => {
  it('draws each series on log–log axes spanning whole decades', () => {
    const svg = logLogChart({
      title: 'T & <x>',
      xLabel: 'topics',
      yLabel: 'ms',
      series: [
        {
          name: 'a',
          colour: '#000',
          points: [
            [1000, 0.5],
            [1_000_000, 5],
          ],
        },
        { name: 'b', colour: '#f00', points: [[1000, 50]] },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('T &amp; &lt;x&gt;');
    for (const tick of ['>1k<', '>10k<', '>100k<', '>1M<', '>0.1<', '>100<']) expect(svg).toContain(tick);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    // The first series runs from the left edge of the plot (x = 1k) to the right edge (x = 1M).
    expect(svg).toMatch(/<path d="M78\.0,[\d.]+ L570\.0,[\d.]+"/);
  });
});
