import type { Analyser } from './analyser.ts';
import { arabic } from './arabic.ts';
import { chinese } from './chinese.ts';
import { defaultAnalyser } from './default.ts';
import { english } from './english.ts';
import { french } from './french.ts';
import { german } from './german.ts';
import { italian } from './italian.ts';
import { japanese } from './japanese.ts';
import { portuguese } from './portuguese.ts';
import { russian } from './russian.ts';
import { spanish } from './spanish.ts';
import { thai } from './thai.ts';
import { turkish } from './turkish.ts';

/**
 * Every analyser, the default first. A query word is analysed by each of them once, when the
 * topic is compiled; an article by the one of its language. Their place in this list is the
 * number a compiled word's forms are looked up by ({@link analyserNumber}).
 */
export const ANALYSERS: readonly Analyser[] = [
  defaultAnalyser,
  english,
  spanish,
  french,
  german,
  portuguese,
  italian,
  russian,
  turkish,
  arabic,
  chinese,
  japanese,
  thai,
];

/** The number of the default analyser in {@link ANALYSERS}. */
export const DEFAULT_ANALYSER = 0;

const byLanguage = new Map(ANALYSERS.map((a, i) => [a.id, i]));
byLanguage.delete(defaultAnalyser.id);

/**
 * The primary subtag of a BCP 47 language tag, lower-cased ("es-MX" → "es", "zh-Hant-TW" →
 * "zh"), or undefined when the tag is missing or is not one.
 */
export const primaryLanguage = (tag: string | undefined): string | undefined => {
  if (!tag) return undefined;
  const m = /^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$/.exec(tag.trim());
  const code = m?.[1]?.toLowerCase();
  return code === 'und' ? undefined : code;
};

/** The number in {@link ANALYSERS} of the analyser for a language (a primary subtag); the default for any other. */
export const analyserNumber = (language: string | undefined): number =>
  (language !== undefined && byLanguage.get(language)) || DEFAULT_ANALYSER;

/** The analyser for a language (a BCP 47 tag or its primary subtag); the default for an unknown or absent one. */
export const analyserFor = (language: string | undefined): Analyser =>
  ANALYSERS[analyserNumber(primaryLanguage(language))] as Analyser;

/** Tokenises text of no known language: the splitting and folding every analyser shares. */
export const tokenize = (text: string) => defaultAnalyser.tokenize(text);

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/**
 * The English name of a language given by its primary subtag ("es" → "Spanish"), "unknown
 * language" for `und`, or undefined when the code names no language.
 */
export const languageName = (code: string): string | undefined => {
  if (!/^[a-z]{2,3}$/.test(code)) return undefined;
  if (code === 'und') return 'unknown language';
  const name = LANGUAGE_NAMES.of(code);
  return name && name !== code ? name : undefined;
};
