import { describe, expect, it } from 'vitest';
import { storedMatch } from '../../fixtures/stored-match.ts';
import type { CatalogSnapshot } from '../../../functions/adapters/local/local-catalog.ts';
import {
  listAlerts,
  listArticles,
  listStories,
  matchesPerDay,
  previewQuery,
  showArticle,
  showStory,
} from '../../../local/services.ts';

const article = (id: string, date: string, title: string, body: string) => ({
  id,
  sourceKey: `inbox/${id}.txt`,
  format: 'text' as const,
  title,
  titleSource: 'file' as const,
  date,
  dateSource: 'file' as const,
  paragraphs: [body],
  wordCount: body.split(' ').length,
  contentHash: id,
  byteLength: body.length,
  ingestedAt: `${date}T12:00:00.000Z`,
});

const match = (articleId: string, articleDate: string, topicId: string, score: number, sent: boolean) =>
  storedMatch(articleId, articleDate, topicId, score, { sent });

const snap: CatalogSnapshot = {
  articles: [
    article(
      'aaaaaaaaaaaa0001',
      '2026-01-01',
      'Masks for Azerbaijan',
      'South Korea sent medical masks to Azerbaijan.',
    ),
    article('aaaaaaaaaaaa0002', '2026-01-03', 'Vaccines for Armenia', 'Japan sent vaccine doses to Armenia.'),
    {
      ...article(
        'bbbbbbbbbbbb0003',
        '2026-01-03',
        'Café talks in Tbilisi',
        'Diplomats met in a café in Tbilisi.',
      ),
      ingestedAt: '2026-01-03T13:00:00.000Z',
    },
  ],
  matches: [
    match('aaaaaaaaaaaa0001', '2026-01-01', 'aid', 0.9, true),
    match('aaaaaaaaaaaa0002', '2026-01-03', 'aid', 0.6, true),
    match('aaaaaaaaaaaa0002', '2026-01-03', 'vaccines', 0.4, false),
  ],
  sources: [],
  errors: [],
  stories: [
    {
      storyId: 'aaaaaaaaaaaa0001',
      firstArticleId: 'aaaaaaaaaaaa0001',
      firstSeenAt: '2026-01-01T12:00:00.000Z',
      title: 'Masks for Azerbaijan',
      latestArticleId: 'aaaaaaaaaaaa0002',
      latestAt: '2026-01-03T12:00:00.000Z',
      articleIds: ['aaaaaaaaaaaa0001', 'aaaaaaaaaaaa0002'],
      sources: ['Trend', 'Wire'],
    },
  ],
  storyOf: new Map([
    ['aaaaaaaaaaaa0001', 'aaaaaaaaaaaa0001'],
    ['aaaaaaaaaaaa0002', 'aaaaaaaaaaaa0001'],
  ]),
};

describe('Function: listArticles', () => {
  it('should filter by words (accents and case ignored), topic and dates, newest first', () => {
    // Act & Assess
    expect(listArticles(snap).articles.map((a) => a.id)).toEqual([
      'bbbbbbbbbbbb0003',
      'aaaaaaaaaaaa0002',
      'aaaaaaaaaaaa0001',
    ]);
    expect(listArticles(snap, { q: 'CAFE tbilisi' }).articles.map((a) => a.id)).toEqual(['bbbbbbbbbbbb0003']);
    expect(listArticles(snap, { topic: 'aid', from: '2026-01-02' }).articles.map((a) => a.id)).toEqual([
      'aaaaaaaaaaaa0002',
    ]);
    expect(listArticles(snap, { limit: 1 })).toMatchObject({
      total: 3,
      articles: [{ id: 'bbbbbbbbbbbb0003' }],
    });
  });
});

describe('Function: showArticle', () => {
  it('should find an article by a prefix of 8 or more characters only when it is unambiguous', () => {
    // Act & Assess
    expect(showArticle(snap, 'bbbbbbbb')?.article.id).toBe('bbbbbbbbbbbb0003');
    expect(showArticle(snap, 'aaaaaaaa')).toBeUndefined();
    expect(showArticle(snap, 'bbbb')).toBeUndefined();
    expect(showArticle(snap, 'aaaaaaaaaaaa0002')?.matches.map((m) => m.topicId)).toEqual(['aid', 'vaccines']);
  });
});

describe('Function: matchesPerDay', () => {
  it('should count matches per topic for every day from the first to the last, gaps included', () => {
    // Act
    const chart = matchesPerDay(snap);

    // Assess
    expect(chart).toEqual({
      days: ['2026-01-01', '2026-01-02', '2026-01-03'],
      series: [
        { topicId: 'aid', counts: [1, 0, 1] },
        { topicId: 'vaccines', counts: [0, 0, 1] },
      ],
    });
    expect(matchesPerDay({ ...snap, matches: [] })).toEqual({ days: [], series: [] });
  });
});

describe('Function: listAlerts', () => {
  it('should list sent alerts only, newest first, with the subscribers they are for and where each copy stands', () => {
    // Act
    const alerts = listAlerts(snap, [
      {
        id: 'desk',
        email: 'd@example.org',
        topics: ['aid'],
        minScore: 0.7,
        mode: 'immediate',
        updates: false,
      },
    ]);

    // Assess
    expect(alerts.map((a) => [a.articleId, a.recipients])).toEqual([
      ['aaaaaaaaaaaa0002', []],
      [
        'aaaaaaaaaaaa0001',
        [{ subscriberId: 'desk', channel: 'email', state: 'queued', detail: 'not sent yet' }],
      ],
    ]);
    const delivered = listAlerts(
      {
        ...snap,
        deliveries: new Map([
          [alerts[1]?.alertId as string, new Map([['desk', { delivery: { state: 'delivered' as const } }]])],
        ]),
      },
      [
        {
          id: 'desk',
          email: 'd@example.org',
          topics: ['aid'],
          minScore: 0.7,
          mode: 'immediate',
          updates: false,
        },
      ],
    );
    expect(delivered.find((a) => a.articleId === 'aaaaaaaaaaaa0001')?.recipients).toEqual([
      { subscriberId: 'desk', channel: 'email', state: 'delivered' },
    ]);
  });
});

describe('Function: previewQuery', () => {
  it('should match a valid query against the stored articles, best first, and place errors and warnings', async () => {
    // Act
    const found = await previewQuery('masks OR vaccine', undefined, snap);
    const warned = await previewQuery('mask OR va*', undefined, snap);
    const broken = await previewQuery('masks AND\n(aid', undefined, snap);

    // Assess
    expect(found).toMatchObject({ valid: true, searched: 3, problems: [] });
    expect(found.matches.map((m) => m.article.id).sort()).toEqual(['aaaaaaaaaaaa0001', 'aaaaaaaaaaaa0002']);
    expect(found.matches[0]?.snippet).toMatch(/\*\*/);
    expect(warned.problems[0]).toMatchObject({ severity: 'warning', line: 1, column: 9 });
    expect(broken).toMatchObject({ valid: false, matches: [], problems: [{ severity: 'error', line: 2 }] });
    expect(broken.problems[0]?.caret).toContain('^');
  });
});

describe('Function: showStory', () => {
  it('should list the articles of a story side by side, the first one first, with the outlets', () => {
    // Act
    const story = showStory(snap, 'aaaaaaaaaaaa0001');

    // Assess
    expect(story?.articles.map((a) => a.id)).toEqual(['aaaaaaaaaaaa0001', 'aaaaaaaaaaaa0002']);
    expect(story?.sources).toEqual(['Trend', 'Wire']);
    expect(showArticle(snap, 'aaaaaaaaaaaa0002')?.story?.storyId).toBe('aaaaaaaaaaaa0001');
    expect(listArticles(snap, { q: 'vaccine' }).articles[0]).toMatchObject({
      storyId: 'aaaaaaaaaaaa0001',
      storyArticles: 2,
    });
    expect(listStories(snap).map((s) => [s.storyId, s.articles])).toEqual([['aaaaaaaaaaaa0001', 2]]);
    expect(showStory(snap, 'nope')).toBeUndefined();
  });
});
