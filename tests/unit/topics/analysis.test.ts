import { describe, expect, it } from 'vitest';
import { ANALYSERS, analyserFor, primaryLanguage } from '../../../functions/core/topics/analysis/registry.ts';
import { LANGUAGE_SAMPLES } from '../../fixtures/analyser-samples.ts';

const stem = (language: string, word: string) => analyserFor(language).analyseWord(word)[1];
const folded = (language: string | undefined, text: string) =>
  analyserFor(language)
    .tokenize(text)
    .map((t) => t.folded);
const stems = (language: string, text: string) =>
  analyserFor(language)
    .tokenize(text)
    .map((t) => t.stem);

describe('Function: analyserFor', () => {
  it.each([
    ['es', 'es'],
    ['es-MX', 'es'],
    ['ZH-Hant-TW', 'zh'],
    ['pt_BR', 'pt'],
    ['en', 'en'],
    ['sw', 'default'],
    ['und', 'default'],
    ['', 'default'],
    ['not a tag', 'default'],
    [undefined, 'default'],
  ])('should choose the analyser of %j: %s', (language, id) => {
    // Act & Assess
    expect(analyserFor(language).id).toBe(id);
  });

  it('should read the primary subtag of a language tag', () => {
    // Act & Assess
    expect(primaryLanguage('fr-CA')).toBe('fr');
    expect(primaryLanguage('und')).toBeUndefined();
    expect(primaryLanguage('x')).toBeUndefined();
  });

  it('should hold one analyser per language and the default first', () => {
    // Act
    const ids = ANALYSERS.map((a) => a.id);

    // Assess
    expect(ids[0]).toBe('default');
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining(['en', 'es', 'fr', 'de', 'pt', 'it', 'ru', 'tr', 'ar', 'zh', 'ja', 'th']),
    );
  });
});

describe('Analyser: English and the default', () => {
  it('should analyse English as before: folded, possessive dropped, Porter stems', () => {
    // Act
    const tokens = analyserFor('en').tokenize('Azerbaijan’s donations of masks');

    // Assess
    expect(tokens.map((t) => [t.folded, t.stem])).toEqual([
      ['azerbaijan', 'azerbaijan'],
      ['donations', 'donat'],
      ['of', 'of'],
      ['masks', 'mask'],
    ]);
  });

  it('should give English text the same tokens under English and the default analyser', () => {
    // Prepare
    const text = LANGUAGE_SAMPLES.en as string;

    // Act & Assess
    expect(analyserFor('en').tokenize(text)).toEqual(analyserFor(undefined).tokenize(text));
  });

  it('should cut Chinese, Japanese and Thai runs into words when the language is not known', () => {
    // Act & Assess
    expect(folded(undefined, '中国向巴基斯坦捐赠疫苗')).toEqual(['中国', '向', '巴基斯坦', '捐赠', '疫苗']);
    expect(folded(undefined, 'COVID-19疫苗')).toEqual(['covid', '19', '疫苗']);
  });

  it('should keep the vowel signs of Devanagari and Thai, and strip accents of Latin letters', () => {
    // Act & Assess
    expect(folded(undefined, 'हिन्दी Café')).toEqual(['हिन्दी', 'cafe']);
    expect(folded(undefined, 'วัคซีน')).toEqual(['วัคซีน']);
  });
});

describe('Analyser: Spanish', () => {
  it('should give the singular and the plural one stem, accents folded', () => {
    // Act & Assess
    expect(stem('es', 'donación')).toBe(stem('es', 'donaciones'));
    expect(stem('es', 'Vacunas')).toBe(stem('es', 'vacuna'));
    expect(folded('es', 'Donación')).toEqual(['donacion']);
  });

  it('should find the stem of a query word in a Spanish sentence', () => {
    // Act
    const sentence = stems('es', LANGUAGE_SAMPLES.es as string);

    // Assess
    expect(sentence).toContain(stem('es', 'donación'));
    expect(sentence).toContain(stem('es', 'mascarilla'));
  });
});

describe('Analyser: French and Italian', () => {
  it('should drop elided articles and give plurals one stem', () => {
    // Act & Assess
    expect(folded('fr', "l'aide d’urgence qu'il")).toEqual(['aide', 'urgence', 'il']);
    expect(stem('fr', 'vaccins')).toBe(stem('fr', 'vaccin'));
    expect(folded('it', "dell'ospedale L’Italia")).toEqual(['ospedale', 'italia']);
    expect(stem('it', 'vaccini')).toBe(stem('it', 'vaccino'));
  });

  it('should keep the elision under the default analyser', () => {
    // Act & Assess
    expect(folded(undefined, "l'aide")).toEqual(["l'aide"]);
  });
});

describe('Analyser: German', () => {
  it('should fold ß and capital ẞ to ss and give plurals one stem', () => {
    // Act & Assess
    expect(folded('de', 'Straße STRASSE STRAẞE')).toEqual(['strasse', 'strasse', 'strasse']);
    expect(stem('de', 'Impfstoffe')).toBe(stem('de', 'Impfstoff'));
    expect(stem('de', 'Häuser')).toBe(stem('de', 'Haus'));
  });
});

describe('Analyser: Portuguese', () => {
  it('should give the singular and the plural one stem', () => {
    // Act & Assess
    expect(stem('pt', 'vacinas')).toBe(stem('pt', 'vacina'));
    expect(folded('pt', 'Moçambique')).toEqual(['mocambique']);
  });
});

describe('Analyser: Russian', () => {
  it('should give the forms of a noun one stem', () => {
    // Act & Assess
    expect(stem('ru', 'вакцины')).toBe(stem('ru', 'вакцину'));
    expect(stems('ru', LANGUAGE_SAMPLES.ru as string)).toContain(stem('ru', 'вакцины'));
  });

  it('should fold ё and stress marks but keep й a letter', () => {
    // Act & Assess
    expect(folded('ru', 'Ёлка вакци́на мой мои')).toEqual(['елка', 'вакцина', 'мой', 'мои']);
    expect(folded(undefined, 'мой')).toEqual(['мой']);
  });

  it('should leave apart the forms Snowball does not join (маски, масок)', () => {
    // Act & Assess
    expect(stem('ru', 'маски')).not.toBe(stem('ru', 'масок'));
    expect(folded('ru', 'масок')[0]?.startsWith('мас')).toBe(true);
  });

  it('should stem English words in Russian text as English', () => {
    // Act & Assess
    expect(stem('ru', 'vaccines')).toBe(stem('en', 'vaccines'));
  });
});

describe('Analyser: Turkish', () => {
  it('should lower-case dotted and dotless I the Turkish way', () => {
    // Act & Assess
    expect(folded('tr', 'İstanbul İSTANBUL')).toEqual(['istanbul', 'istanbul']);
    expect(analyserFor('tr').analyseWord('İLAÇLAR')).toEqual(['ilaclar', stem('tr', 'ilaç')]);
    expect(stem('tr', 'KIZILAY')).toBe(stem('tr', 'Kızılay'));
  });

  it('should drop the suffix written after an apostrophe on a name', () => {
    // Act & Assess
    expect(folded('tr', "İstanbul'dan Somali’ye")).toEqual(['istanbul', 'somali']);
  });
});

describe('Analyser: Arabic', () => {
  it('should remove harakat and tatweel, make alef forms one, and strip the article and plural', () => {
    // Act & Assess
    expect(folded('ar', 'لُقَاح لقـــاح إيران')).toEqual(['لقاح', 'لقاح', 'ايران']);
    expect(stem('ar', 'اللقاحات')).toBe(stem('ar', 'لقاح'));
    expect(stem('ar', 'المساعدة')).toBe(stem('ar', 'مُساعَدة'));
  });
});

describe('Analysers: Chinese, Japanese, Thai', () => {
  it('should cut Chinese into words', () => {
    // Act & Assess
    expect(folded('zh', LANGUAGE_SAMPLES.zh as string)).toEqual([
      '中国',
      '向',
      '巴基斯坦',
      '捐赠',
      '疫苗',
      '世界',
      '卫生',
      '组织',
      '表示',
      '欢迎',
    ]);
  });

  it('should fold full-width letters and half-width katakana, keeping voiced marks', () => {
    // Act & Assess
    expect(folded('zh', 'ＷＨＯ')).toEqual(['who']);
    expect(folded('ja', 'ﾜｸﾁﾝが届いた')).toEqual(['ワクチン', 'が', '届', 'い', 'た']);
  });

  it('should cut Thai into words and keep its vowel signs and tone marks', () => {
    // Act & Assess
    expect(folded('th', LANGUAGE_SAMPLES.th as string).slice(0, 4)).toEqual([
      'ประเทศไทย',
      'ได้',
      'รับ',
      'วัคซีน',
    ]);
  });

  it('should give character offsets into the text as written', () => {
    // Act
    const tokens = analyserFor('zh').tokenize('据报道，中国向巴基斯坦捐赠疫苗');
    const vaccine = tokens.find((t) => t.raw === '疫苗');

    // Assess
    expect(vaccine).toMatchObject({ start: 13, end: 15 });
  });
});
