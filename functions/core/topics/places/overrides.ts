/**
 * Our own decisions on top of the country data package (world-countries): names people
 * use that the package lacks, and names too ambiguous to count as a mention of a country.
 * docs/query-language.md explains the rules.
 */

/** Extra names per ISO 3166-1 alpha-2 code. */
export const EXTRA_NAMES: Record<string, string[]> = {
  KR: ['Korean', 'Koreans', 'South Koreans'],
  KP: ['North Koreans', 'DPRK'],
  US: ['U.S.', 'U.S.A.', 'USA', 'United States'],
  GB: ['UK', 'U.K.', 'Britain', 'British', 'Britons'],
  AE: ['UAE', 'Emirati'],
  CD: ['DRC', 'DR Congo'],
  AZ: ['Azerbaijani', 'Azerbaijanis', 'Azeri', 'Azerbaijan Republic'],
  TR: ['Türkiye', 'Turkish', 'Turkey'],
  RU: ['Russians'],
  CN: ['Chinese'],
  NL: ['Holland'],
  CZ: ['Czechia'],
  VA: ['Holy See'],
};

/**
 * Names written with a capital letter that are ordinary words or people's names in lower
 * case ("turkey", "china"): counted only when written capitalised and not opening a sentence.
 */
export const CASE_SENSITIVE = new Set(['Turkey', 'China', 'Guinea', 'Japan', 'Chile', 'Niger']);

/**
 * Names never counted on their own, because in English news they more often mean something
 * else: a US state, a first name, a city elsewhere, a shirt. The countries stay reachable
 * through their unambiguous names, demonyms and capitals (Tbilisi, Georgian is dropped too).
 */
export const AMBIGUOUS = new Set([
  'Georgia',
  'Georgian',
  'Georgians',
  'Jordan',
  'Chad',
  'Jersey',
  'Man',
  'Victoria',
  'Kingston',
  'Georgetown',
  'Hamilton',
  'Santiago',
  'San José',
  'San Jose',
  'Washington',
  'Wellington',
  'Lincoln',
  'Victoria',
  'Mexico',
  'Panama',
  'Djibouti',
  'Kuwait',
  'Singapore',
  'Luxembourg',
  'Monaco',
  'Andorra la Vella',
  'Guatemala',
  'San Marino',
  'Vatican',
  'American',
  'Americans',
  'Dominican',
  'Indian',
  'Indians',
  'Congo',
  'Congolese',
  'Guinean',
  'Sudanese',
  'Samoan',
  'Virgin Islander',
  'Islander',
  'Kittitian',
  'Saint',
  'St.',
  'Bar',
  'Male',
  'Nice',
  'Reunion',
  'Réunion',
  'Union',
  'Republic',
  'Island',
  'Islands',
  'Sri',
  'Caribbean',
  'Antarctica',
  'Bonaire',
  'Anguillan',
  'Belizean',
  'Chadian',
]);

/**
 * Languages whose country names come from CLDR (`Intl.DisplayNames`, long and short forms),
 * with the world-countries translations (common and official names) where it has the language.
 */
export const INTL_LANGUAGES: Record<string, string | undefined> = {
  es: 'spa',
  fr: 'fra',
  de: 'deu',
  pt: 'por',
  it: 'ita',
  ru: 'rus',
  tr: 'tur',
  ar: 'ara',
  zh: 'zho',
  'zh-Hant': undefined,
  ja: 'jpn',
  th: undefined,
};

/** Names in those languages that CLDR lacks: the short forms news uses. */
export const INTL_EXTRA_NAMES: Record<string, string[]> = {
  US: [
    'EE.UU.',
    'EEUU',
    'Vereinigten Staaten',
    'Соединённые Штаты Америки',
    'أمريكا',
    'أميركا',
    '美國',
    '米国',
  ],
  GB: [
    'Großbritannien',
    'İngiltere',
    'Gran Bretaña',
    'Grande-Bretagne',
    'Gran Bretagna',
    'Grã-Bretanha',
    'بريطانيا',
    '英國',
  ],
  RU: ['РФ', 'Российская Федерация', '俄国'],
  CN: ['КНР', 'Китайская Народная Республика', '中华人民共和国', '中華人民共和國'],
  KR: ['Южная Корея', '南韓', '南韩'],
  KP: ['Северная Корея', '北韓', '北韩'],
  EG: ['Египта', 'Египту', 'Египтом', 'Египте'],
  SA: ['السعودية', '沙特'],
  AE: ['الإمارات', '阿联酋'],
  SY: ['سورية'],
  AU: ['豪州'],
  DE: ['ФРГ'],
};

/**
 * Names in those languages that are ordinary words there (Turkish "mali", financial; "mısır",
 * corn; Russian "катар", catarrh; Spanish and Portuguese "malta", malt and gang; Portuguese
 * "peru", turkey): counted only when capitalised.
 */
export const INTL_CAPITALISED = new Set([
  'Mali',
  'Mısır',
  'Malta',
  'Peru',
  'Cuba',
  'Bermudas',
  'Suisse',
  'Катар',
  'Бутан',
  'Чили',
  'Чад',
  'Бермуды',
]);

/** Names in those languages counted only capitalised and not opening a sentence (Russian "того", of that). */
export const INTL_CASE_SENSITIVE = new Set(['Того']);

/**
 * Names in those languages never counted on their own: a city (Granada), a word (French
 * "grenade", Spanish "reunión"), a first name (Maurice, Mauricio, Salvador, Georgie), an
 * English word written capitalised (German "Island", French "Chili" as in Chili's),
 * a word of the language (Arabic مالي, "my money"), or two places at once (Arabic عمان is Oman
 * and Amman).
 */
export const INTL_AMBIGUOUS = new Set([
  'Granada',
  'Grenade',
  'Maurice',
  'Mauricio',
  'Salvador',
  'Guadalupe',
  'San Martín',
  'La Réunion',
  'La Reunión',
  'Géorgie',
  'Chili',
  'Island',
  'مالي',
  'عمان',
  'عُمان',
  '多米尼加',
]);

/**
 * Chinese and Japanese words that hold a country's name and that the segmenter keeps whole,
 * but that name something else: Mario (马里奥), Amanda (阿曼达), Inner Mongolia (内蒙古), the
 * Indian Ocean (印度洋), New Guinea (the island), Sudan red (a dye).
 */
export const WIDE_NOT_NAMES = [
  '马里奥',
  '阿曼达',
  '内蒙古',
  '內蒙古',
  '印度洋',
  '新几内亚',
  '新幾內亞',
  '苏丹红',
  '蘇丹紅',
];
