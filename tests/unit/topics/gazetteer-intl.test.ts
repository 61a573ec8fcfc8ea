import { describe, expect, it } from 'vitest';
import type { Token } from '../../../functions/core/topics/analysis/analyser.ts';
import { defaultAnalyser } from '../../../functions/core/topics/analysis/default.ts';
import { tokenize } from '../../../functions/core/topics/analysis/registry.ts';

const analyseWord = (raw: string) => defaultAnalyser.analyseWord(raw);
import countriesIntl from '../../../functions/core/topics/places/countries-intl.json' with { type: 'json' };
import { findPlaces } from '../../../functions/core/topics/places/gazetteer.ts';
import { russianForms } from '../../../functions/core/topics/places/name-forms.ts';
import { findOrganisations } from '../../../functions/core/topics/places/organisations.ts';
import { buildIntlGazetteer } from '../../../scripts/build-gazetteer.ts';

const codes = (text: string) => findPlaces(text, tokenize(text)).map((p) => p.code);
const bodies = (text: string) => findOrganisations(tokenize(text), text).map((o) => o.id);

/** Tokens one word each, as a tokeniser that segments Chinese, Japanese and Thai would give them. */
const segmentedTokens = (text: string): Token[] => {
  const tokens: Token[] = [];
  for (const s of new Intl.Segmenter('zh', { granularity: 'word' }).segment(text)) {
    if (!s.isWordLike) continue;
    const [folded, stem] = analyseWord(s.segment);
    tokens.push({
      raw: s.segment,
      folded,
      stem,
      index: tokens.length,
      start: s.index,
      end: s.index + s.segment.length,
    });
  }
  return tokens;
};

describe('Function: findPlaces (other languages)', () => {
  it.each([
    ['Россия направила в Азербайджан гуманитарную помощь', ['RU', 'AZ']],
    ['Помощь из России и Китая пришла в Южную Корею', ['RU', 'CN', 'KR']],
    ['Посол Соединённых Штатов в Азербайджане и в Египте', ['US', 'AZ', 'EG']],
    ['La OMS envió vacunas a Bolivia y Perú', ['BO', 'PE']],
    ['Estados Unidos y EE. UU. donaron dosis a Filipinas', ['US', 'US', 'PH']],
    ["L'Iran a envoyé de l'aide à l'Italie et au Tchad", ['IR', 'IT', 'TD']],
    ['Deutschland schickt Impfstoff in die Türkei', ['DE', 'TR']],
    ['O Brasil enviou ajuda à Índia e a Moçambique', ['BR', 'IN', 'MZ']],
    ["La Cina ha donato mascherine all'Italia", ['CN', 'IT']],
    ["Türkiye'den Suriye'ye yardım", ['TR', 'SY']],
    ["Rusya'nın ABD'ye notası ve Çin'den aşı", ['RU', 'US', 'CN']],
    ['أرسلت الصين لقاحات إلى مصر', ['CN', 'EG']],
    ['وصلت المساعدات للصين وبالسعودية والمغرب', ['CN', 'SA', 'MA']],
    ['中国向巴基斯坦捐赠疫苗', ['CN', 'PK']],
    ['日本政府は中国に支援した', ['JP', 'CN']],
    ['中國向巴基斯坦捐贈疫苗', ['CN', 'PK']],
    ['ประเทศจีนส่งวัคซีนไปยังปากีสถาน', ['CN', 'PK']],
    ['印度尼西亚和印度', ['ID', 'IN']],
    ['La ayuda llegó a Moscú y a Varsovia', ['RU', 'PL']],
    ['Делегация прибыла в Москву из Варшавы', ['RU', 'PL']],
    ['Die Hilfe kam in Wien an', ['AT']],
    ['Les secours sont arrivés à Damas', ['SY']],
    ['援助物资运抵莫斯科和华沙', ['RU', 'PL']],
    ['لقاحات إلى موسكو', ['RU']],
    ['モスクワに支援', ['RU']],
    ['Le gouvernement français et les autorités chinoises', ['FR', 'CN']],
    ['Les Français ont envoyé des masques', ['FR']],
    ["Yardım Cuba'ya ulaştı", ['CU']],
  ])('should find the countries in "%s"', (text, expected) => {
    // Act & Assess
    expect(codes(text)).toEqual(expected);
  });

  it.each([
    ['发展中国家需要疫苗', 'China across two words ("developing countries")'],
    ['马里奥来了', 'Mario, not Mali'],
    ['很多哥哥来了', 'Togo across two words'],
    ['Hükümet mali yardım yaptı', 'Turkish "mali" (financial) is not Mali'],
    ['Tarlada mısır var', 'Turkish "mısır" (corn) in lower case'],
    ['Того же мнения придерживаются эксперты', 'Russian "того" opening a sentence'],
    ['Это больше того, что мы ждали', 'Russian "того" in lower case'],
    ['La reunión fue en Granada', 'Spanish "reunión" (meeting) and Granada the city'],
    ['Mauricio Macri habló', 'a first name'],
    ['The FAS report and the cad', 'acronyms and English words that fold like Fas and Çad'],
    ['The Island was quiet', 'German "Island" (Iceland)'],
    ['a bowl of chili at Chili’s', 'French "Chili"'],
    ['Georgie said hello', 'French "Géorgie" as a first name'],
    ['malta y chile en la receta', 'malt and chili in Spanish, in lower case'],
    ['las damas de la Cruz Roja', 'Spanish "damas" (ladies) in lower case, not Damascus in French'],
  ])('should not count "%s" (%s)', (text) => {
    // Act & Assess
    expect(codes(text)).toEqual([]);
  });

  it('should count a short name only with its accents (Çin, not Cin)', () => {
    // Act & Assess
    expect(codes("Çin'in aşısı")).toEqual(['CN']);
    expect(codes('Cin and tonic')).toEqual([]);
  });

  it('should count a capitalised common word of another language (Mısır is Egypt)', () => {
    // Act & Assess
    expect(codes("Yardım Mısır'a ulaştı")).toEqual(['EG']);
  });

  it('should find names in Han, Kana and Thai whatever the tokens', () => {
    // Arrange
    const texts = [
      '中国向巴基斯坦捐赠疫苗',
      '发展中国家需要疫苗',
      '日本政府は中国に支援した',
      'จีนส่งวัคซีนไปยังปากีสถาน',
    ];

    for (const text of texts) {
      // Act
      const byRun = findPlaces(text, tokenize(text)).map((p) => p.code);
      const byWord = findPlaces(text, segmentedTokens(text)).map((p) => p.code);

      // Assess
      expect(byWord).toEqual(byRun);
    }
  });

  it('should give mentions in segmented text the tokens of the name', () => {
    // Arrange
    const text = '中国向巴基斯坦捐赠疫苗';
    const tokens = segmentedTokens(text);

    // Act
    const found = findPlaces(text, tokens);

    // Assess
    expect(
      found.map((p) =>
        tokens
          .slice(p.first, p.last + 1)
          .map((t) => t.raw)
          .join(''),
      ),
    ).toEqual(['中国', '巴基斯坦']);
  });

  it('should leave English text as the English gazetteer reads it', () => {
    // Act & Assess
    expect(codes('Aid reached Turkey and China; Georgia voted; we ate turkey')).toEqual(['TR', 'CN']);
  });
});

describe('Function: russianForms', () => {
  it.each([
    ['Россия', false, ['россия', 'россии', 'россию', 'россией', 'россиею']],
    ['Азербайджан', false, ['азербайджан', 'азербайджана', 'азербайджану', 'азербайджаном', 'азербайджане']],
    ['Америка', false, ['америка', 'америки', 'америки', 'америке', 'америку', 'америкой', 'америкою']],
    ['Южная', true, ['южная', 'южной', 'южную', 'южною']],
    ['Того', false, ['того']],
    ['США', false, ['США']],
  ])('should decline %s', (word, beforeNoun, expected) => {
    // Act & Assess
    expect(russianForms(word, beforeNoun)).toEqual(expected);
  });
});

describe('Function: findOrganisations (other languages)', () => {
  it.each([
    ['La OMS envió vacunas a Bolivia', ['WHO']],
    ["l'OMS et l'ONU, la Croix-Rouge", ['WHO', 'UN', 'RED-CROSS']],
    ['Die Weltgesundheitsorganisation und die Vereinten Nationen', ['WHO', 'UN']],
    ['Доклад Всемирной организации здравоохранения и ООН', ['WHO', 'UN']],
    ['Красного Креста и Евросоюза, МВФ', ['RED-CROSS', 'EU', 'IMF']],
    ["DSÖ'nün açıklaması ve BM'ye çağrı", ['WHO', 'UN']],
    ['أعلنت منظمة الصحة العالمية وللأمم المتحدة والاتحاد الأوروبي', ['WHO', 'UN', 'EU']],
    ['世卫组织和联合国儿童基金会向欧盟求助', ['WHO', 'UNICEF', 'EU']],
    ['世界卫生组织与联合国', ['WHO', 'UN']],
    ['องค์การอนามัยโลกและสหประชาชาติ', ['WHO', 'UN']],
    ['El Banco Mundial y el FMI', ['WORLD-BANK', 'IMF']],
  ])('should find the bodies in "%s"', (text, expected) => {
    // Act & Assess
    expect(bodies(text)).toEqual(expected);
  });

  it.each([
    ['воз сена на дороге'],
    ['who are you'],
    ['Hennes & Mauritz AB reported'],
    ['el espectáculo PIM PAM'],
  ])('should not count "%s"', (text) => {
    // Act & Assess
    expect(bodies(text)).toEqual([]);
  });
});

describe('Function: buildIntlGazetteer', () => {
  it('should produce the committed countries-intl.json from CLDR and the installed data package', () => {
    // Act & Assess
    expect(buildIntlGazetteer()).toEqual(countriesIntl);
  });
});
