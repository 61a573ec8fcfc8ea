import { readTopicFolder } from '../../../functions/adapters/local/topic-folder.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ArticleFile, parseArticle } from '../../../functions/core/articles/parse-article.ts';
import {
  fitExplanation,
  MAX_POSITIONS_PER_TERM,
  rarityOf,
  scoreOf,
  snippetOf,
  SNIPPET_LENGTH,
} from '../../../functions/core/topics/explain.ts';
import { compileTopics, matchArticle } from '../../../functions/core/topics/matcher.ts';
import { parseListItem } from '../../../functions/core/topics/query.ts';
import type { TopicDefinition } from '../../../functions/core/topics/topic.ts';

const topic = (query: string, minScore = 0): TopicDefinition => ({
  id: 't',
  name: 'T',
  query,
  minScore,
  enabled: true,
});
const article = (body: string, title = 'Untitled report', author?: string) => ({
  title,
  paragraphs: body.split('\n\n'),
  ...(author ? { author } : {}),
});
const lists = new Map([['supplies', ['masks', 'medical masks', 'ventilator*'].map(parseListItem)]]);
const matches = (query: string, a: ReturnType<typeof article>) => {
  const { index, errors } = compileTopics([topic(query)], lists);
  expect(errors).toEqual([]);
  return matchArticle(index, a).matches.length === 1;
};

describe('Function: matchArticle (query semantics)', () => {
  const text = article(
    'The government delivered medical masks and ventilators to hospitals.\n\nOfficials said the donation was timely.',
    'Masks arrive',
    'Ayya Lmahamad',
  );

  it.each([
    ['mask', true],
    ['masked', true],
    ['donated', true],
    ['"medical masks"', true],
    ['"masks medical"', false],
    ['ventil*', true],
    ['vent*', true],
    ['vax*', false],
    ['mask AND ventilator', true],
    ['mask AND helicopter', false],
    ['mask NOT helicopter', true],
    ['mask AND NOT donation', false],
    ['helicopter OR donation', true],
    ['delivered NEAR/1 masks', true],
    ['delivered NEAR/0 masks', false],
    ['masks NEAR/1 delivered', true],
    ['masks ONEAR/1 delivered', false],
    ['delivered ONEAR/1 masks', true],
    ['delivered NEAR/3 hospitals', false],
    ['delivered NEAR/5 hospitals', true],
    ['masks NEAR/2 (timely OR hospitals)', false],
    ['masks NEAR/5 (timely OR hospitals)', true],
    ['title:masks', true],
    ['title:ventilators', false],
    ['body:ventilators', true],
    ['author:lmahamad', true],
    ['lmahamad', false],
    ['@supplies', true],
    ['title:@supplies', true],
    ['author:@supplies', false],
    ['GOVERNMENT delivered', true],
  ])('should evaluate %j as %s', (query, expected) => {
    // Act & Assess
    expect(matches(query, text)).toBe(expected);
  });

  it('should not take one occurrence for two words near each other', () => {
    // Act & Assess
    expect(matches('vaccine NEAR/3 vaccines', article('One vaccine only.'))).toBe(false);
    expect(matches('"new york" NEAR/0 york', article('Flights to New York resumed.'))).toBe(false);
    expect(matches('vaccine NEAR/3 vaccines', article('One vaccine, then more vaccines.'))).toBe(true);
  });

  it('should not match NEAR across fields', () => {
    // Act & Assess
    expect(matches('arrive NEAR/1 government', text)).toBe(false);
  });

  it('should match place conditions on the countries the article names', () => {
    // Prepare
    const a = article('South Korea sent masks to Azerbaijan, and officials in Baku thanked Seoul.');

    // Act & Assess
    expect(matches('country:KR', a)).toBe(true);
    expect(matches('country:AM', a)).toBe(false);
    expect(matches('countries>=2', a)).toBe(true);
    expect(matches('countries>=3', a)).toBe(false);
  });
});

describe('Function: scoreOf', () => {
  it('should follow the documented formula', () => {
    // Act & Assess
    const f = { evidence: 20, concentration: 0.5, coverage: 0.25, inTitle: false, inLead: true };
    expect(scoreOf(f)).toBe(Math.round((0.35 * (1 - Math.exp(-1)) + 0.075 + 0.35 + 0.09) * 1000) / 1000);
    expect(scoreOf({ evidence: 1e6, concentration: 1, coverage: 1, inTitle: true, inLead: true })).toBe(1);
    expect(scoreOf({ evidence: 0, concentration: 0, coverage: 0, inTitle: false, inLead: false })).toBe(0);
  });

  it('should weigh a rare word above a common one, and saturate repeated words', () => {
    // Prepare
    const { index } = compileTopics([topic('ventilators OR government')]);
    const score = (text: string) => matchArticle(index, article(text)).matches[0]?.factors.evidence ?? 0;

    // Act & Assess
    expect(rarityOf('ventil')).toBeGreaterThan(rarityOf('govern'));
    expect(score('Some ventilators arrived.')).toBeGreaterThan(score('Some government arrived.'));
    const once = score('Ventilators arrived.');
    const ten = score('Ventilators arrived. '.repeat(10));
    expect(ten).toBeGreaterThan(once);
    expect(ten).toBeLessThan(once * 3);
  });

  it('should score an article lower when the same mentions sit in a longer text', () => {
    // Prepare
    const { index } = compileTopics([topic('masks AND donated')]);
    const filler = 'The council discussed the budget and the roads again. '.repeat(60);
    const score = (paragraphs: string[]) =>
      matchArticle(index, { title: '', paragraphs }).matches[0]?.score ?? 0;

    // Act & Assess
    expect(score(['Masks were donated.', 'Officials spoke.'])).toBeGreaterThan(
      score(['Masks were donated.', filler, filler]),
    );
  });

  it('should rank a passing mention below a story about the topic', () => {
    // Prepare
    const { index } = compileTopics([topic('vaccine OR vaccines')]);
    const passing = article(
      `${'The council discussed the budget and roads. '.repeat(10)}One speaker mentioned a vaccine.`,
    );
    const story = article(
      'Vaccines arrived. The vaccine campaign starts today; vaccine doses are ready.',
      'Vaccine drive',
    );

    // Act
    const low = matchArticle(index, passing).matches[0]?.score ?? 0;
    const high = matchArticle(index, story).matches[0]?.score ?? 0;

    // Assess
    expect(low).toBeLessThan(0.45);
    expect(high).toBeGreaterThan(0.65);
    expect(high - low).toBeGreaterThan(0.3);
  });

  it('should give the same score whatever the order of scoped and unscoped forms of a word', () => {
    // Prepare
    const a = article(
      'The vaccine campaign starts. Vaccines arrived; vaccine doses and vaccines are ready.',
      'Vaccine drive',
    );
    const score = (q: string) => matchArticle(compileTopics([topic(q)]).index, a).matches[0]?.score;

    // Act & Assess
    expect(score('title:vaccine AND vaccines')).toBe(score('vaccines AND title:vaccine'));
    expect(score('title:vaccine AND vaccines')).toBeGreaterThan(0.5);
  });

  it('should drop matches under the topic minimum score', () => {
    // Prepare
    const { index } = compileTopics([topic('vaccine', 0.5)]);
    const roads = 'The council discussed the roads again. '.repeat(20);

    // Act & Assess
    expect(matchArticle(index, article(`${roads}A vaccine was mentioned once.`)).matches).toEqual([]);
  });
});

describe('Explanations of floods', () => {
  const jsonBytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;

  it('should count every occurrence but list only the first positions of a term', () => {
    // Prepare: one word 20,000 times.
    const { index } = compileTopics([topic('aid AND masks')], lists);

    // Act
    const [m] = matchArticle(index, article(`${'aid '.repeat(20_000)}\n\nmasks`)).matches;

    // Assess
    const aid = m?.explanation.terms.find((t) => t.term === 'aid');
    expect(aid?.count).toBe(20_000);
    expect(aid?.positions).toHaveLength(MAX_POSITIONS_PER_TERM);
    expect(m?.factors.occurrences).toBe(20_001);
  });

  it('should cut an explanation to its byte budget: positions first, then the rarest terms', () => {
    // Prepare: 300 terms, each with 50 listed positions.
    const terms = Array.from({ length: 300 }, (_, i) => ({
      term: `term${i}`,
      count: 1000 + i,
      positions: Array.from({ length: 50 }, (_, k) => ({
        field: 'body' as const,
        start: k * 10,
        end: k * 10 + 6,
        text: `term${i}`,
      })),
    }));
    const explanation = { terms, countries: ['RS', 'CN'], snippet: '**term1** …' };

    // Act
    const roomy = fitExplanation(explanation, 10 * 1024 * 1024);
    const fewer = fitExplanation(explanation, 100_000);
    const tiny = fitExplanation(explanation, 2_000);

    // Assess
    expect(roomy).toBe(explanation);
    expect(jsonBytes(fewer)).toBeLessThanOrEqual(100_000);
    expect(fewer.truncated).toBe(true);
    expect(fewer.terms).toHaveLength(300);
    expect(fewer.terms.every((t) => t.positions.length < 50)).toBe(true);
    expect(jsonBytes(tiny)).toBeLessThanOrEqual(2_000);
    expect(tiny.terms.length).toBeGreaterThan(0);
    expect(tiny.terms[0]?.term).toBe('term299');
    expect(tiny.snippet).toBe(explanation.snippet);
  });
});

describe('Function: snippetOf', () => {
  it('should mark matches in at most 300 characters around the densest region', () => {
    // Prepare
    const text = `${'Filler words about other things. '.repeat(20)}Masks and ventilators and masks arrived. ${'More filler text follows here. '.repeat(20)}`;
    const at = (w: string, from = 0) => ({
      start: text.indexOf(w, from),
      end: text.indexOf(w, from) + w.length,
    });
    const ranges = [at('Masks'), at('ventilators'), at('masks', text.indexOf('ventilators'))];

    // Act
    const snippet = snippetOf(text, [...ranges, { start: 5, end: 10 }]);

    // Assess
    expect(snippet.length).toBeLessThanOrEqual(SNIPPET_LENGTH);
    expect(snippet).toContain('**Masks** and **ventilators** and **masks** arrived.');
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).not.toMatch(/…\S*\s?\S*ller w/); // does not open mid-word
  });

  it('should stay within 300 characters when matches are packed tight', () => {
    // Prepare
    const text = 'ab '.repeat(200);
    const ranges = Array.from({ length: 200 }, (_, i) => ({ start: i * 3, end: i * 3 + 2 }));

    // Act
    const snippet = snippetOf(text, ranges);

    // Assess
    expect(snippet.length).toBeLessThanOrEqual(SNIPPET_LENGTH);
    expect(snippet.startsWith('**ab**')).toBe(true);
  });

  it('should not split a character made of two UTF-16 units', () => {
    // Prepare
    const text = `vaccines ${'😀'.repeat(400)}`;

    // Act
    const snippet = snippetOf(text, [{ start: 0, end: 8 }]);

    // Assess
    expect(snippet.length).toBeLessThanOrEqual(SNIPPET_LENGTH);
    expect(snippet).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('should not let the article forge a marker: its own asterisks become U+2217', () => {
    // Prepare
    const text = 'A **fake highlight** and medical masks ** *** arrived today.';
    const start = text.indexOf('masks');

    // Act
    const snippet = snippetOf(text, [{ start, end: start + 5 }]);

    // Assess
    expect(snippet).toBe('A ∗∗fake highlight∗∗ and medical **masks** ∗∗ ∗∗∗ arrived today.');
    expect(snippet.split('**')).toHaveLength(3);
  });

  it('should not cut an emoji sequence or a letter from its marks at the edges', () => {
    // Prepare: ZWJ emoji and combining marks all around one match.
    const filler = '👩‍⚕️e\u0301'.repeat(200);
    const text = `${filler} masks ${filler}`;
    const start = text.indexOf('masks');

    // Act
    const snippet = snippetOf(text, [{ start, end: start + 5 }]);

    // Assess
    expect(snippet.isWellFormed()).toBe(true);
    expect(snippet).toContain('**masks**');
    const inner = snippet.replace(/^…|…$/g, '').replace('**masks**', '').replace(/ /g, '');
    expect(inner.split('👩‍⚕️e\u0301').join('')).toBe('');
  });
});

describe('Seed topics on the seed articles', () => {
  const { loaded } = readTopicFolder('tests/fixtures/seeds/topics');
  const { index } = compileTopics(loaded.topics, loaded.lists);
  const seed = (name: string) => {
    const file: ArticleFile = {
      key: name,
      bytes: readFileSync(`tests/fixtures/seeds/articles/${name}`),
      receivedAt: '2026-01-01T00:00:00Z',
    };
    const parsed = parseArticle(file);
    if (!parsed.ok) throw new Error(parsed.error.message);
    return matchArticle(index, parsed.value).matches;
  };

  it('should load every seed topic without a problem', () => {
    // Assess
    expect(loaded.problems).toEqual([]);
    expect(loaded.topics.length).toBeGreaterThanOrEqual(5);
  });

  it('should match 000 (South Korea delivers masks to Azerbaijan) to international-health-aid with a high score', () => {
    // Act
    const found = seed('000_9c9c4874b48bb81e.txt');
    const aid = found.find((m) => m.topicId === 'international-health-aid');

    // Assess
    expect(aid?.score).toBeGreaterThanOrEqual(0.8);
    expect(aid?.explanation.countries.slice(0, 2).sort()).toEqual(['AZ', 'KR']);
    expect(aid?.explanation.terms.map((t) => t.term)).toEqual(
      expect.arrayContaining(['masks', 'disinfectant*', 'transfer', 'countries']),
    );
    expect(aid?.explanation.snippet).toMatch(/\*\*[^*]+\*\*/);
    expect(found.map((m) => m.topicId)).toContain('korea-foreign-relations');
  });

  it('should not match 003 (WHO cooperation, a UN session) to international-health-aid, but to global-health-cooperation', () => {
    // Act
    const ids = seed('003_c3fb651c5343490c.txt').map((m) => m.topicId);

    // Assess
    expect(ids).not.toContain('international-health-aid');
    expect(ids).toContain('global-health-cooperation');
  });
});
