import { describe, expect, it } from 'vitest';
import {
  compileTopics,
  matchArticle,
  matchArticleExhaustive,
} from '../../../functions/core/topics/matcher.ts';
import { parseListItem, type TermLists } from '../../../functions/core/topics/query.ts';
import type { TopicDefinition } from '../../../functions/core/topics/topic.ts';

const topic = (query: string, id = 't'): TopicDefinition => ({
  id,
  name: id,
  query,
  minScore: 0,
  enabled: true,
});
const article = (body: string, language?: string, title = 'Informe') => ({
  title,
  paragraphs: body.split('\n\n'),
  ...(language ? { language } : {}),
});
const lists: TermLists = new Map([
  ['donation', ['donation*', 'es: donación', 'fr: don', 'ru: пожертвование'].map(parseListItem)],
  ['aid', ['aid', 'es: "ayuda humanitaria"', 'de: Hilfe*'].map(parseListItem)],
]);
const matches = (query: string, a: ReturnType<typeof article>) => {
  const { index, errors } = compileTopics([topic(query)], lists);
  expect(errors).toEqual([]);
  return matchArticle(index, a).matches.length === 1;
};

describe('Function: matchArticle (languages)', () => {
  it.each([
    ['donación', 'El Gobierno anunció nuevas donaciones de vacunas.', 'es', true],
    ['vacunas', 'España enviará una vacuna a cada país.', 'es', true],
    ['вакцины', 'Россия отправила вакцину в Сербию.', 'ru', true],
    ['вакцины', 'Россия отправила вакцину в Сербию.', undefined, false],
    ['疫苗', '中国向巴基斯坦捐赠疫苗', 'zh', true],
    ['疫苗', '中国向巴基斯坦捐赠疫苗', undefined, true],
    ['"捐赠疫苗"', '中国向巴基斯坦捐赠疫苗', 'zh', true],
    ['疫', '中国向巴基斯坦捐赠疫苗', 'zh', false],
    ['vaccins', 'Le Sénégal a reçu un vaccin de la France.', 'fr', true],
    ['aide', "L'aide est arrivée à Dakar.", 'fr', true],
    ['aide', "L'aide est arrivée à Dakar.", undefined, false],
    ['"aide humanitaire"', 'L’aide humanitaire est arrivée.', 'fr', true],
    ['"aide humanitaire"', 'L’aide humanitaire est arrivée.', undefined, false],
    ['aid*', "L'aide est arrivée.", 'fr', true],
    ['Impfstoffe', 'Deutschland spendet einen Impfstoff an Namibia.', 'de', true],
    ['Straße', 'Die Lieferung kam über die STRASSE.', 'de', true],
    ['İstanbul', "Yardım İstanbul'dan gönderildi.", 'tr', true],
    ['ilaç', 'Somali’ye İLAÇLAR gönderildi.', 'tr', true],
    ['لقاح', 'أرسلت الإمارات اللقاحات إلى الأردن', 'ar', true],
    ['"مساعدة طبية"', 'وقدّمت مُساعَدة طبيّة للأردن', 'ar', true],
    ['vaccines', 'Sputnik V vaccine был отправлен в Сербию.', 'ru', true],
  ])('should match %j in %j (language %s): %s', (query, body, language, expected) => {
    // Act & Assess
    expect(matches(query, article(body, language))).toBe(expected);
  });

  it.each([
    ['lang:es AND vacuna', 'es', true],
    ['lang:es AND vacuna', 'pt', false],
    ['lang:es AND vacuna', undefined, false],
    ['lang:es,pt AND vacuna', 'pt', true],
    ['lang:ES AND vacuna', 'es-MX', true],
    ['(lang:fr OR lang:es) AND vacuna', 'es', true],
    ['vacuna NOT lang:es', 'es', false],
    ['vacuna NOT lang:es', 'it', true],
    ['lang:und AND vacuna', undefined, true],
    ['lang:und AND vacuna', 'es', false],
    ['sentence:(lang:es AND vacuna)', 'es', true],
  ])('should apply %j to an article in %s: %s', (query, language, expected) => {
    // Act & Assess
    expect(matches(query, article('Llega una vacuna a cada hospital.', language))).toBe(expected);
  });

  it.each([
    ['@donation', 'Las donaciones llegaron ayer.', 'es', true],
    ['@donation', 'Las donaciones llegaron ayer.', 'it', false],
    ['@donation', 'Les dons sont arrivés hier.', 'fr', true],
    ['@donation', 'He gave a don to the college.', 'en', false],
    ['@donation', 'The donations arrived.', 'es', true],
    ['@donation', 'Пожертвования поступили вчера.', 'ru', true],
    ['@aid', 'Llegó la ayuda humanitaria.', 'es', true],
    ['@aid', 'Llegó la ayuda humanitaria.', 'pt', false],
    ['@aid', 'Die Hilfen kamen an.', 'de', true],
    ['@aid', 'Die Hilfen kamen an.', 'nl', false],
    ['sentence:(@donation AND vacunas)', 'Las donaciones de vacunas llegaron.', 'es', true],
  ])(
    'should match items of %s limited to their language in %j (%s): %s',
    (query, body, language, expected) => {
      // Act & Assess
      expect(matches(query, article(body, language))).toBe(expected);
    },
  );

  it('should explain a match by the words found in the article’s language', () => {
    // Prepare
    const { index } = compileTopics([topic('donación OR donaciones')], lists);

    // Act
    const [match] = matchArticle(
      index,
      article('Las donaciones llegaron y otra donación sigue.', 'es'),
    ).matches;

    // Assess
    expect(match?.explanation.terms).toHaveLength(1);
    expect(match?.explanation.terms[0]?.count).toBe(2);
    expect(match?.explanation.snippet).toContain('**donaciones**');
  });

  it('should select the same topics through the index as by evaluating every topic, in any language', () => {
    // Prepare
    const topics = [
      topic('donación AND vacunas', 'es-words'),
      topic('lang:es AND @donation', 'es-only'),
      topic('вакцины OR маски', 'ru-words'),
      topic('疫苗 AND 巴基斯坦', 'zh-words'),
      topic('"aide humanitaire" OR vaccin*', 'fr-words'),
      topic('lang:fr,de', 'fr-de'),
      topic('@aid AND NOT lang:en', 'aid'),
      topic('İstanbul NEAR/3 ilaç', 'tr-words'),
    ];
    const { index } = compileTopics(topics, lists);
    const articles = [
      article('El Gobierno anunció nuevas donaciones de vacunas y llegó la ayuda humanitaria.', 'es'),
      article('Россия отправила вакцину и маски в Сербию.', 'ru'),
      article('中国向巴基斯坦捐赠疫苗', 'zh'),
      article('中国向巴基斯坦捐赠疫苗'),
      article("L'aide humanitaire et les vaccins sont arrivés.", 'fr'),
      article('Die Hilfen kamen an.', 'de'),
      article("İstanbul'dan Somali'ye İLAÇLAR gönderildi.", 'tr'),
      article('Donations of vaccines and aid arrived.', 'en'),
    ];

    // Act
    const pairs = articles.map((a) => ({
      indexed: matchArticle(index, a).matches.map((m) => m.topicId),
      every: matchArticleExhaustive(index, a).map((m) => m.topicId),
    }));

    // Assess
    for (const p of pairs) expect(p.indexed).toEqual(p.every);
    expect(pairs.map((p) => p.indexed.sort())).toEqual([
      ['aid', 'es-only', 'es-words'],
      ['ru-words'],
      ['zh-words'],
      ['zh-words'],
      // "aid" is a word of no language: it matches the French stem of "aide" too.
      ['aid', 'fr-de', 'fr-words'],
      ['aid', 'fr-de'],
      ['tr-words'],
      ['fr-words'],
    ]);
  });
});

describe('Function: compileTopics (languages)', () => {
  it('should find items limited to English in English articles, whose postings are the default ones', () => {
    // Prepare
    const english: TermLists = new Map([['gift', ['en: gift', 'es: regalo'].map(parseListItem)]]);
    const { index } = compileTopics([topic('@gift')], english);

    // Act
    const inEnglish = matchArticle(index, article('A gift arrived.', 'en'));
    const unknown = matchArticle(index, article('A gift arrived.'));
    const inSpanish = matchArticle(index, article('Llegó un regalo.', 'es'));

    // Assess
    expect(inEnglish.matches.map((m) => m.topicId)).toEqual(['t']);
    expect(unknown.candidates).toEqual(['t']);
    expect(unknown.matches).toEqual([]);
    expect(inSpanish.matches.map((m) => m.topicId)).toEqual(['t']);
  });
});
