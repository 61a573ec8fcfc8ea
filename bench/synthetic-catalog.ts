import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoredArticle } from '../functions/adapters/aws/dynamodb-article-store.ts';
import { keys } from '../functions/adapters/aws/table-layout.ts';
import type { CatalogSnapshot, DeliveryFactsByAlert } from '../functions/adapters/local/local-catalog.ts';
import type { HoldReason } from '../functions/core/alerts/fatigue.ts';
import type { MatchRecord } from '../functions/core/pipeline/matching.ts';
import type { IngestErrorRecord, SourceRecord } from '../functions/core/pipeline/ports.ts';
import { outletOf, type StoryRecord } from '../functions/core/stories/story.ts';
import { prng } from './corpus.ts';

/**
 * Stored articles and matches made up for the read-model benchmarks: realistic sizes and
 * spreads (a year of dates, outlets, languages, countries, a third matched), no corpus text.
 */
const WORDS =
  'government minister talks agreement vaccine doses masks hospital border trade harbour election court budget storm flood drought energy pipeline summit embassy ambassador aid shipment protest market bank inflation railway bridge school teachers farmers harvest festival museum library glacier mountain river'.split(
    ' ',
  );
/**
 * Names (people, places, bodies) beside the common words: made of syllables, the k-th used
 * about as often as 1/k (a long tail, as real news has), so a search of one is selective.
 */
const SYLLABLES = 'ka lo mi ren tu sa vel dor ni ash qu by ze pol ar in ost ma ur el'.split(' ');
const NAMES = 50_000;
/** Of the words of a sentence, the share that are names. */
const NAME_SHARE = 0.25;
/** The k-th name (from 1): its syllables, the digits of k in base 20. */
export const syntheticName = (k: number): string => {
  const out: string[] = [];
  for (let x = k; out.length < 2 || x > 0; x = Math.floor(x / SYLLABLES.length))
    out.push(SYLLABLES[x % SYLLABLES.length] as string);
  return out.join('');
};
/** A name in about 0.7 % of the articles: what a search of the texts typically looks for. */
export const SYNTHETIC_RARE_NAME = syntheticName(2000);
const OUTLETS = ['Trend', 'Caspian Wire', 'EFE', 'Reuters', 'APA', 'Yonhap', 'Kyodo', 'AFP'];
const LANGUAGES = ['en', 'en', 'en', 'es', 'ru', 'und'];
const COUNTRIES = ['AZ', 'AM', 'GE', 'KR', 'JP', 'PE', 'KE', 'NO'];
/** Topics of the synthesised matches: ids of the test topic set (tests/fixtures/seeds/topics). */
export const SYNTHETIC_TOPICS = [
  'international-health-aid',
  'vaccine-supply-deals',
  'south-caucasus-diplomacy',
  'korea-foreign-relations',
  'health-disinformation',
];
const TOPICS = SYNTHETIC_TOPICS;

/**
 * The subscribers file of the synthesised alerts' recipients: immediate email, email with a
 * cooldown (its copies held or sent by the fatigue controls), a digest, a webhook.
 */
export const SYNTHETIC_SUBSCRIBERS_YAML = `subscribers:
  - id: desk
    email: desk@example.org
    topics: ["*"]
    minScore: 0.2
    mode: immediate
    updates: true
  - id: gated-desk
    email: gated@example.org
    topics: [international-health-aid, health-disinformation]
    minScore: 0
    mode: immediate
    cooldownMinutes: 30
  - id: digest-desk
    email: digest@example.org
    topics: [korea-foreign-relations]
    minScore: 0
    mode: digest
    languages: [en]
  - id: hook
    topics: ["*"]
    minScore: 0.5
    mode: immediate
    updates: true
    webhook: { url: "http://127.0.0.1:9/in", format: generic, secretName: newswatch/hook }
`;

/**
 * A snapshot of `n` articles over a year, a third of them matched by one or two topics; one
 * in ten a later version of an earlier one (a story of two or more); an error per hundred
 * articles; and the records of the copies of each alert sent (deliveries, fatigue outcomes).
 */
export const synthesise = (n: number): CatalogSnapshot => {
  const rand = prng(n);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const word = () =>
    rand() < NAME_SHARE ? syntheticName(Math.floor(Math.pow(NAMES + 1, rand()))) : pick(WORDS);
  const sentence = () =>
    `${Array.from({ length: 12 + Math.floor(rand() * 10) }, word).join(' ')}.`.replace(/^./, (c) =>
      c.toUpperCase(),
    );
  const articles: StoredArticle[] = [];
  const matches: MatchRecord[] = [];
  const stories: StoryRecord[] = [];
  const storyOf = new Map<string, string>();
  const sources: SourceRecord[] = [];
  const errors: IngestErrorRecord[] = [];
  const deliveries: DeliveryFactsByAlert = new Map();
  for (let i = 0; i < n; i++) {
    const id = `${i.toString(16).padStart(8, '0')}${Math.floor(rand() * 2 ** 32)
      .toString(16)
      .padStart(8, '0')}`;
    const date = new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 365) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const outlet = rand();
    const paragraphs = Array.from({ length: 5 }, () => `${sentence()} ${sentence()} ${sentence()}`);
    articles.push({
      id,
      sourceKey: `inbox/${pick(OUTLETS).toLowerCase().replace(' ', '-')}/${id}.json`,
      format: 'json',
      title: sentence().slice(0, 80),
      titleSource: 'file',
      date,
      dateSource: 'file',
      // One in ten without a source: its outlet is its URL's host, or the folder it came from.
      ...(outlet < 0.9
        ? { source: pick(OUTLETS) }
        : outlet < 0.95
          ? { url: `https://www.${pick(OUTLETS).toLowerCase().replace(' ', '-')}.example/${id}` }
          : {}),
      language: pick(LANGUAGES),
      paragraphs,
      wordCount: paragraphs.join(' ').split(' ').length,
      contentHash: id,
      byteLength: paragraphs.join('\n\n').length,
      ingestedAt: `${date}T08:00:00.000Z`,
    });
    const article = articles.at(-1) as StoredArticle;
    sources.push({
      key: article.sourceKey,
      status: 'stored',
      articleId: id,
      updatedAt: article.ingestedAt,
    } as SourceRecord);
    const earlier = stories.length > 0 && rand() < 0.1 ? pick(stories) : undefined;
    if (earlier) {
      earlier.articleIds.push(id);
      earlier.latestArticleId = id;
      if (article.ingestedAt > earlier.latestAt) earlier.latestAt = article.ingestedAt;
      if (!earlier.sources.includes(outletOf(article))) earlier.sources.push(outletOf(article));
      storyOf.set(id, earlier.storyId);
    } else {
      stories.push({
        storyId: id,
        firstArticleId: id,
        firstSeenAt: article.ingestedAt,
        title: article.title,
        latestArticleId: id,
        latestAt: article.ingestedAt,
        articleIds: [id],
        sources: [outletOf(article)],
      });
      storyOf.set(id, id);
    }
    if (rand() < 0.01)
      errors.push({
        key: `inbox/broken-${id}.bin`,
        etag: id,
        occurredAt: `${date}T09:00:00.000Z`,
        errorType: 'UnsupportedFormat',
        message: 'not a news article format',
      } as unknown as IngestErrorRecord);
    const ownMatches = matches.length;
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
          storyRole: earlier ? 'update' : 'first',
        });
    for (const m of matches.slice(ownMatches)) {
      const of: NonNullable<ReturnType<DeliveryFactsByAlert['get']>> = new Map();
      const roll = rand();
      of.set('desk', {
        delivery: { state: roll < 0.9 ? 'delivered' : roll < 0.95 ? 'failed' : 'pending', attempt: 1 },
      });
      of.set('hook', {
        delivery: {
          state: roll < 0.8 ? 'delivered' : 'pending',
          attempt: roll < 0.8 ? 1 : 3,
          ...(roll < 0.8 ? {} : { reason: 'HTTP 503' }),
        },
      });
      const outcome: 'sent' | HoldReason = roll < 0.7 ? 'sent' : roll < 0.85 ? 'cooldown' : 'daily-limit';
      of.set('gated-desk', { gate: { outcome, released: outcome !== 'sent' && rand() < 0.5 } });
      deliveries.set(m.alertId, of);
    }
  }
  return { articles, matches, sources, errors, stories, storyOf, deliveries };
};

/** The items the stores write for a synthesised snapshot: what the table holds after it was ingested. */
export const itemsOf = (snap: CatalogSnapshot): Record<string, unknown>[] => [
  ...snap.articles.map((a) => ({
    ...keys.article(a.id),
    ...keys.articleByMonth(a.date, a.id),
    type: 'article',
    ...a,
  })),
  ...snap.matches.map((m) => ({
    ...keys.match(m.articleId, m.topicId),
    ...keys.matchByTopic(m.topicId, m.articleDate, m.articleId),
    type: 'match',
    ...m,
  })),
  ...snap.sources.map((s) => ({
    ...keys.source(s.key),
    ...(s.articleId ? keys.sourceByArticle(s.articleId, s.key) : {}),
    type: 'source',
    ...s,
  })),
  ...snap.errors.map((e) => ({
    ...keys.error(e.key, e.etag),
    ...keys.errorByMonth(e.occurredAt, e.key),
    type: 'error',
    ...e,
  })),
  ...snap.stories.map((s) => ({
    pk: `STORY#${s.storyId}`,
    sk: 'STORY',
    type: 'story',
    ...s,
    articleIds: new Set(s.articleIds),
    sources: new Set(s.sources),
  })),
  ...[...snap.storyOf].map(([articleId, storyId]) => ({
    ...keys.articleStory(articleId),
    type: 'article-story',
    articleId,
    storyId,
  })),
  ...[...(snap.deliveries ?? [])].flatMap(([alertId, of]) =>
    [...of].flatMap(([recipient, facts]) => [
      ...(facts.delivery
        ? [
            {
              pk: `DELIVERY#${alertId}`,
              sk: `TO#${recipient}`,
              type: 'delivery',
              alertId,
              recipient,
              ...facts.delivery,
            },
          ]
        : []),
      ...(facts.gate
        ? [
            {
              pk: `GATE#${recipient}`,
              sk: `ALERT#${alertId}`,
              type: 'gate-alert',
              state: 'done',
              outcome: facts.gate.outcome,
            },
            ...(facts.gate.outcome !== 'sent' && !facts.gate.released
              ? [
                  {
                    pk: `HELD#${recipient}`,
                    sk: `ALERT#${alertId}`,
                    type: 'held',
                    state: 'held',
                    reason: facts.gate.outcome,
                  },
                ]
              : []),
          ]
        : []),
    ]),
  ),
];

/** Writes items into a table, 25 to a batch. */
export const writeItems = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
): Promise<void> => {
  for (let i = 0; i < items.length; i += 25)
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
};
