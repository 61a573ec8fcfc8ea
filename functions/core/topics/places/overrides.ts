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
