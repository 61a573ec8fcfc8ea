import { describe, expect, it } from 'vitest';
import { storedMatch } from '../../fixtures/stored-match.ts';
import type { CatalogSnapshot } from '../../../functions/adapters/local/local-catalog.ts';
import { articlesCsv, ARTICLE_COLUMNS, csvField } from '../../../local/export.ts';
import type { Subscriber } from '../../../functions/core/alerts/subscribers.ts';
import {
  articleFacets,
  exportArticles,
  listArticles,
  listSubscribers,
  listTopics,
  matchesPerDay,
  previewQuery,
} from '../../../local/services.ts';
import { parseRfc4180 } from '../../fixtures/rfc4180.ts';

const article = (
  id: string,
  date: string,
  title: string,
  extra: { source?: string; language?: string; body?: string; sourceKey?: string } = {},
) => {
  const body = extra.body ?? `${title}. More words follow here.`;
  return {
    id,
    sourceKey: extra.sourceKey ?? `inbox/${id}.txt`,
    format: 'text' as const,
    title,
    titleSource: 'file' as const,
    date,
    dateSource: 'file' as const,
    ...(extra.source ? { source: extra.source } : {}),
    ...(extra.language ? { language: extra.language } : {}),
    paragraphs: [body],
    wordCount: body.split(' ').length,
    contentHash: id,
    byteLength: body.length,
    ingestedAt: `${date}T12:00:00.000Z`,
  };
};

const match = (articleId: string, articleDate: string, topicId: string, score: number, countries: string[]) =>
  storedMatch(articleId, articleDate, topicId, score, {
    countries,
    snippet: `… **${topicId}** in ${articleId} …`,
  });

const snap: CatalogSnapshot = {
  articles: [
    article('a1', '2026-02-01', 'Masks for Baku', { source: 'Trend', language: 'en' }),
    article('a2', '2026-02-03', 'Vacunas para Armenia', { source: 'EFE', language: 'es' }),
    article('a3', '2026-02-02', '=HYPERLINK("http://evil.example","click")', {
      language: 'en',
      sourceKey: 'inbox/wire/a3.txt',
      body: 'A "quoted", comma\r\nand a line break.',
    }),
    article('a4', '2026-02-04', '+Plain news with no match', { source: 'Trend' }),
  ],
  matches: [
    match('a1', '2026-02-01', 'aid', 0.9, ['AZ', 'KR']),
    match('a2', '2026-02-03', 'aid', 0.5, ['AM']),
    match('a2', '2026-02-03', 'vaccines', 0.7, ['AM', 'JP']),
    match('a3', '2026-02-02', 'vaccines', 0.3, []),
  ],
  sources: [],
  errors: [],
  stories: [],
  storyOf: new Map(),
};

const ids = (r: { articles: Array<{ id: string }> }) => r.articles.map((a) => a.id);

describe('Function: listArticles', () => {
  it('should filter by outlet, language, country and minimum score, each alone and together', () => {
    // Act & Assess
    expect(ids(listArticles(snap, { outlet: 'Trend' }))).toEqual(['a4', 'a1']);
    expect(ids(listArticles(snap, { outlet: 'wire' }))).toEqual(['a3']);
    expect(ids(listArticles(snap, { language: 'es' }))).toEqual(['a2']);
    expect(ids(listArticles(snap, { language: 'und' }))).toEqual(['a4']);
    expect(ids(listArticles(snap, { country: 'AM' }))).toEqual(['a2']);
    expect(ids(listArticles(snap, { minScore: 0.6 }))).toEqual(['a2', 'a1']);
    // With a topic, the minimum score is that topic's: a2 matched aid at 0.5 only.
    expect(ids(listArticles(snap, { topic: 'aid', minScore: 0.6 }))).toEqual(['a1']);
    expect(ids(listArticles(snap, { outlet: 'Trend', country: 'KR', language: 'en' }))).toEqual(['a1']);
  });

  it('should sort by the best score (of the topic filtered on), then newest first', () => {
    // Act & Assess: unmatched articles come last, newest first among them.
    expect(ids(listArticles(snap, { sort: 'score' }))).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(ids(listArticles(snap, { sort: 'score', topic: 'vaccines' }))).toEqual(['a2', 'a3']);
  });

  it('should page: the total of the whole view, and only the page asked for', () => {
    // Act
    const first = listArticles(snap, { limit: 2 });
    const second = listArticles(snap, { limit: 2, offset: 2 });
    const past = listArticles(snap, { limit: 2, offset: 10 });

    // Assess
    expect([first.total, first.offset, ids(first)]).toEqual([4, 0, ['a4', 'a2']]);
    expect([second.total, second.offset, ids(second)]).toEqual([4, 2, ['a3', 'a1']]);
    expect([past.total, ids(past)]).toEqual([4, []]);
  });

  it('should give each article its outlet, countries, topics best first, and the snippet of the topic asked for', () => {
    // Act
    const [a2] = listArticles(snap, { language: 'es' }).articles;
    const [a2ByAid] = listArticles(snap, { language: 'es', topic: 'aid' }).articles;
    const [a4] = listArticles(snap, { limit: 1 }).articles;

    // Assess
    expect(a2).toMatchObject({
      outlet: 'EFE',
      countries: ['AM', 'JP'],
      topics: [
        { id: 'vaccines', score: 0.7 },
        { id: 'aid', score: 0.5 },
      ],
      snippet: '… **vaccines** in a2 …',
    });
    expect(a2ByAid?.snippet).toBe('… **aid** in a2 …');
    expect(a4?.snippet).toBeUndefined();
    expect(a4?.lead).toBe('+Plain news with no match. More words follow here.');
  });
});

describe('Function: articleFacets', () => {
  it('should count outlets, languages and countries, the most common first', () => {
    // Act
    const facets = articleFacets(snap);

    // Assess
    expect(facets.outlets).toEqual([
      { value: 'Trend', articles: 2 },
      { value: 'EFE', articles: 1 },
      { value: 'wire', articles: 1 },
    ]);
    expect(facets.languages[0]).toEqual({ value: 'en', articles: 2 });
    expect(facets.countries.map((c) => c.value)).toEqual(['AM', 'AZ', 'JP', 'KR']);
  });
});

describe('Function: articlesCsv', () => {
  it('should write RFC 4180 CSV with a header row that an independent reader gives back cell for cell', () => {
    // Act
    const csv = articlesCsv(exportArticles(snap, { sort: 'score' }));
    const rows = parseRfc4180(csv);

    // Assess
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(rows[0]).toEqual([...ARTICLE_COLUMNS]);
    expect(rows).toHaveLength(5);
    const col = (name: (typeof ARTICLE_COLUMNS)[number]) => ARTICLE_COLUMNS.indexOf(name);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byId.get('a2')?.[col('topics')]).toBe('vaccines:0.7; aid:0.5');
    expect(byId.get('a2')?.[col('countries')]).toBe('AM; JP');
    expect(byId.get('a2')?.[col('snippet')]).toBe('… vaccines in a2 …');
    // A cell a spreadsheet would run as a formula is text, and the text is otherwise intact.
    expect(byId.get('a3')?.[col('title')]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(byId.get('a4')?.[col('title')]).toBe(`'+Plain news with no match`);
    expect(byId.get('a4')?.[col('snippet')]).toBe(`'+Plain news with no match. More words follow here.`);
    expect(byId.get('a3')?.[col('outlet')]).toBe('wire');
  });

  it('should make every formula start inert and quote only what needs quoting', () => {
    // Act & Assess
    for (const start of ['=', '+', '-', '@', '\t', '\r'])
      expect(parseRfc4180(`${csvField(`${start}1+1`)}\r\n`)[0]?.[0]).toBe(`'${start}1+1`);
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(0.5)).toBe('0.5');
  });
});

describe('Function: matchesPerDay with a range', () => {
  it('should count only the days asked for, every one of them, and nothing outside', () => {
    // Act
    const range = matchesPerDay(snap, 90, { from: '2026-02-02', to: '2026-02-05' });
    const capped = matchesPerDay(snap, 2, { from: '2026-02-01' });
    const empty = matchesPerDay(snap, 90, { from: '2027-01-01' });

    // Assess
    expect(range.days).toEqual(['2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05']);
    expect(range.series).toEqual([
      { topicId: 'aid', counts: [0, 1, 0, 0] },
      { topicId: 'vaccines', counts: [1, 1, 0, 0] },
    ]);
    expect(capped.days).toEqual(['2026-02-01', '2026-02-02']);
    expect(empty).toEqual({ days: [], series: [] });
  });
});

const subscribers: Subscriber[] = [
  {
    id: 'desk',
    email: 'desk@example.org',
    topics: ['aid'],
    minScore: 0.6,
    mode: 'immediate',
    updates: false,
    maxPerDay: 5,
  },
  {
    id: 'hook',
    topics: ['*'],
    minScore: 0,
    mode: 'immediate',
    updates: false,
    languages: ['es'],
    webhook: { url: 'https://hooks.example.org/in', format: 'generic', secretName: 'nw/hook' },
  },
];

describe('Function: listSubscribers', () => {
  it('should say what each subscriber gets and where its copies of the latest alerts stand, newest first', () => {
    // Prepare: the desk's daily limit let the a1 alert through; nothing else was recorded.
    const delivered: CatalogSnapshot = {
      ...snap,
      deliveries: new Map([
        ['alert_a1_aid', new Map([['desk', { gate: { outcome: 'sent' as const, released: false } }]])],
      ]),
    };

    // Act
    const [desk, hook] = listSubscribers(delivered, subscribers, { recent: 5 });

    // Assess
    expect(desk).toMatchObject({
      channel: 'email',
      target: 'desk@example.org',
      topics: ['aid'],
      controls: ['at most 5 a day'],
      counts: { delivered: 1, queued: 0, recipients: 1 },
    });
    expect(desk?.recent.map((r) => [r.articleId, r.state])).toEqual([['a1', 'delivered']]);
    expect(hook).toMatchObject({
      channel: 'webhook',
      target: 'generic webhook, hooks.example.org',
      languages: ['es'],
    });
    // Every topic, Spanish articles only: a2's two alerts, newest first (sent at the same time:
    // the larger alert id first, as the table's index orders them), not sent yet.
    expect(hook?.recent.map((r) => [r.articleId, r.topicId, r.state])).toEqual([
      ['a2', 'vaccines', 'queued'],
      ['a2', 'aid', 'queued'],
    ]);
  });
});

describe('Function: listTopics', () => {
  it('should count each topic\u2019s matches and alerts and give its last match', () => {
    // Act
    const topics = listTopics(
      {
        version: 'v',
        topics: [
          { id: 'aid', name: 'Aid', query: 'aid', minScore: 0, enabled: true },
          { id: 'quiet', name: 'Quiet', query: 'quiet', minScore: 0, enabled: false },
        ],
        lists: {},
      },
      snap,
    );

    // Assess
    expect(topics.map((t) => [t.id, t.matches, t.alerts, t.lastMatchedAt])).toEqual([
      ['aid', 2, 2, '2026-02-03T12:00:01.000Z'],
      ['quiet', 0, 0, undefined],
    ]);
  });
});

describe('Function: previewQuery, what saving would do', () => {
  it('should count the stored articles matched, already and new, those no longer matched, and who is alerted', async () => {
    // Act: the stored vaccines topic matched a2 and a3; the new query matches a1 and a2.
    const preview = await previewQuery('Masks OR Vacunas', undefined, snap, {
      impactFor: { topicId: 'vaccines', enabled: true, subscribers },
    });
    const disabled = await previewQuery('Masks', undefined, snap, {
      impactFor: { topicId: 'vaccines', enabled: false, subscribers },
    });

    // Assess
    expect(preview.impact).toEqual({
      topicId: 'vaccines',
      exists: false,
      enabled: true,
      matches: 2,
      alreadyMatched: 1,
      newMatches: 1,
      storedMatches: 2,
      noLongerMatched: 1,
      recipients: [
        { subscriberId: 'hook', channel: 'webhook', mode: 'immediate', minScore: 0, languages: ['es'] },
      ],
    });
    expect(disabled.impact?.recipients).toEqual([]);
    expect(disabled.impact?.matches).toBe(1);
  });
});
