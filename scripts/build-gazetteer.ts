/**
 * Builds functions/core/topics/places/countries.json from the world-countries data
 * package plus our overrides: per ISO 3166-1 alpha-2 code, the names, demonyms and capitals
 * that count as a mention of the country. Run after upgrading world-countries:
 *   node scripts/build-gazetteer.ts
 */
import { writeFileSync } from 'node:fs';
import countries from 'world-countries';
import { AMBIGUOUS, CASE_SENSITIVE, EXTRA_NAMES } from '../functions/core/topics/places/overrides.ts';

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

if (import.meta.main) {
  const out = new URL('../functions/core/topics/places/countries.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(buildGazetteer(), null, 1)}\n`);
  console.log(`wrote ${out.pathname}`);
}
