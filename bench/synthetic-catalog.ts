import type { StoredArticle } from '../functions/adapters/aws/dynamodb-article-store.ts';
import type { CatalogSnapshot } from '../functions/adapters/local/local-catalog.ts';
import type { MatchRecord } from '../functions/core/pipeline/matching.ts';
import { prng } from './corpus.ts';

/**
 * Stored articles and matches made up for the read-model benchmarks: realistic sizes and
 * spreads (a year of dates, outlets, languages, countries, a third matched), no corpus text.
 */
const WORDS =
  'government minister talks agreement vaccine doses masks hospital border trade harbour election court budget storm flood drought energy pipeline summit embassy ambassador aid shipment protest market bank inflation railway bridge school teachers farmers harvest festival museum library glacier mountain river'.split(
    ' ',
  );
const OUTLETS = ['Trend', 'Caspian Wire', 'EFE', 'Reuters', 'APA', 'Yonhap', 'Kyodo', 'AFP'];
const LANGUAGES = ['en', 'en', 'en', 'es', 'ru', 'und'];
const COUNTRIES = ['AZ', 'AM', 'GE', 'KR', 'JP', 'PE', 'KE', 'NO'];
const TOPICS = ['health-aid', 'vaccine-deals', 'caucasus-diplomacy', 'korea-relations', 'energy'];

/** A snapshot of `n` articles over a year, a third of them matched by one or two topics. */
export const synthesise = (n: number): CatalogSnapshot => {
  const rand = prng(n);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const sentence = () =>
    `${Array.from({ length: 12 + Math.floor(rand() * 10) }, () => pick(WORDS)).join(' ')}.`.replace(
      /^./,
      (c) => c.toUpperCase(),
    );
  const articles: StoredArticle[] = [];
  const matches: MatchRecord[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${i.toString(16).padStart(8, '0')}${Math.floor(rand() * 2 ** 32)
      .toString(16)
      .padStart(8, '0')}`;
    const date = new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 365) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const paragraphs = Array.from({ length: 5 }, () => `${sentence()} ${sentence()} ${sentence()}`);
    articles.push({
      id,
      sourceKey: `inbox/${pick(OUTLETS).toLowerCase().replace(' ', '-')}/${id}.json`,
      format: 'json',
      title: sentence().slice(0, 80),
      titleSource: 'file',
      date,
      dateSource: 'file',
      source: pick(OUTLETS),
      language: pick(LANGUAGES),
      paragraphs,
      wordCount: paragraphs.join(' ').split(' ').length,
      contentHash: id,
      byteLength: paragraphs.join('\n\n').length,
      ingestedAt: `${date}T08:00:00.000Z`,
    });
    if (rand() < 1 / 3)
      for (const topicId of new Set([pick(TOPICS), ...(rand() < 0.3 ? [pick(TOPICS)] : [])]))
        matches.push({
          articleId: id,
          articleDate: date,
          topicId,
          topicName: topicId,
          score: Math.round(rand() * 1000) / 1000,
          factors: {
            distinctTerms: 2,
            occurrences: 3,
            inTitle: false,
            density: 0.01,
            inLead: true,
            evidence: 3,
            concentration: 0.5,
            coverage: 0.5,
            bodyWords: 200,
          },
          explanation: {
            terms: [],
            countries: [pick(COUNTRIES)],
            snippet: `… the **${pick(WORDS)}** and the **${pick(WORDS)}** …`,
          },
          analyserVersion: 'bench',
          topicSetVersion: 'bench',
          matchedAt: `${date}T08:00:01.000Z`,
          alertId: `alert_${id}_${topicId}`,
          alertState: 'sent',
          sentAt: `${date}T08:00:02.000Z`,
        });
  }
  return {
    articles,
    matches,
    sources: [],
    errors: [],
    stories: [],
    storyOf: new Map(),
    deliveries: new Map(),
  };
};
