import type { Token } from '../analysis/analyser.ts';
import { defaultAnalyser } from '../analysis/default.ts';
import { fold } from '../analysis/fold.ts';

/**
 * How names in other languages are written in running text, and the forms of a text token
 * they are looked up by. Each rule is small and bounded: it only ever proposes a handful of
 * candidate forms per token, and a form counts only when the gazetteer holds a name for it.
 * docs/query-language.md lists the rules and what they cannot do.
 */

/** A form of a text token to look a name up by: the key and the part of the token it comes from. */
export interface TokenForm {
  /** Lookup key: folded, Arabic letters normalised, an inflected Russian word reduced to its name form. */
  key: string;
  /** The part of the token as written (for case checks). */
  raw: string;
}

const isArabicCode = (c: number) => c >= 0x0600 && c <= 0x06ff;
const isCyrillicCode = (c: number) => c >= 0x0400 && c <= 0x04ff;

/** Arabic letters that news writes either way: alif maqsura as ya, ta marbuta as ha; tatweel dropped. */
const normaliseArabic = (folded: string): string =>
  folded.replace(/ـ/g, '').replace(/ى/g, 'ي').replace(/ة/g, 'ه');

/** The lookup key of a folded word: the folded form, with Arabic spelling variants normalised. */
export const keyOf = (folded: string): string =>
  folded.length > 0 && isArabicCode(folded.charCodeAt(0)) ? normaliseArabic(folded) : folded;

/**
 * Arabic writes the conjunctions و and ف and the prepositions ب, ل, ك joined to the next word,
 * and ل + ال as لل: "والصين", "بالصين", "للصين" are all الصين; "ومصر", "بمصر" are مصر.
 * Returns the token without them (at most one conjunction, then one preposition).
 */
const arabicBases = (word: string): string[] => {
  const out: string[] = [];
  let rest = word;
  if ((rest[0] === 'و' || rest[0] === 'ف') && rest.length > 3) {
    rest = rest.slice(1);
    out.push(rest);
  }
  if (rest.length > 3) {
    if (rest.startsWith('لل')) out.push(`ال${rest.slice(2)}`, rest.slice(1));
    else if (rest[0] === 'ب' || rest[0] === 'ك' || rest[0] === 'ل') out.push(rest.slice(1));
  }
  return out;
};

/** French and Italian elisions before a name: l'Iran, d'Irak, dell'Iran, all'ONU. */
const ELISIONS = new Set([
  'l',
  'd',
  'qu',
  'jusqu',
  'lorsqu',
  'puisqu',
  'dell',
  'dall',
  'nell',
  'all',
  'sull',
  'coll',
]);
/** Turkish case and possessive suffixes after an apostrophe: Türkiye'ye, Rusya'nın, ABD'den. */
const TURKISH_SUFFIX = /^\p{Ll}{1,8}$/u;
const APOSTROPHE = /['’]/;

/**
 * Russian declines names: Россия, России, Россию, Россией. The endings a name's words take,
 * by how the word ends, for the six cases in the singular (or plural for plural names).
 * A word that ends in none of these (Того, Перу, Чили, США) does not decline.
 */
const NOUN_ENDINGS: Array<[ending: string, forms: string[]]> = [
  ['ство', ['ство', 'ства', 'ству', 'ством', 'стве']],
  ['ия', ['ия', 'ии', 'ию', 'ией', 'иею']],
  ['ий', ['ий', 'ия', 'ию', 'ием', 'ии']],
  ['а', ['а', 'ы', 'и', 'е', 'у', 'ой', 'ою']],
  ['я', ['я', 'и', 'е', 'ю', 'ей', 'ею']],
  ['ы', ['ы', '', 'ов', 'ам', 'ами', 'ах']],
  ['ь', ['ь', 'и', 'ью', 'я', 'ю', 'ем', 'е']],
  ['й', ['й', 'я', 'ю', 'ем', 'е']],
];
/** Adjectives before the noun: Южная Корея, Саудовской Аравии, Соединённых Штатов. */
const ADJECTIVE_ENDINGS: Array<[ending: string, forms: string[]]> = [
  ['ая', ['ая', 'ой', 'ую', 'ою']],
  ['ый', ['ый', 'ого', 'ому', 'ым', 'ом']],
  ['ий', ['ий', 'ого', 'ому', 'им', 'ом']],
  ['ое', ['ое', 'ого', 'ому', 'ым', 'ом']],
  ['ые', ['ые', 'ых', 'ым', 'ыми']],
  ['ие', ['ие', 'их', 'им', 'ими']],
];
const CONSONANT_FORMS = ['', 'а', 'у', 'ом', 'е'];
const CYRILLIC_CONSONANT = /[бвгджзклмнпрстфхцчшщ]$/;
/** After these letters Russian writes и, not ы (Америки, Польши). */
const VELAR_OR_HUSHING = /[гкхжшщч]$/;

/**
 * The declined forms of one word of a Russian name, lower case and unfolded, the word itself
 * included. `beforeNoun` is true for a word that is followed by another word of the name,
 * where adjective endings are tried first. Words in capitals (США, КНР) are not declined.
 */
export const russianForms = (word: string, beforeNoun: boolean): string[] => {
  if (word.length < 3 || word === word.toUpperCase()) return [word];
  const lower = word.toLowerCase();
  const table = beforeNoun ? [...ADJECTIVE_ENDINGS, ...NOUN_ENDINGS] : NOUN_ENDINGS;
  for (const [ending, forms] of table) {
    if (!lower.endsWith(ending)) continue;
    const stem = lower.slice(0, -ending.length);
    if (stem.length < 2) return [lower];
    return forms.map((f) => (f === 'ы' && VELAR_OR_HUSHING.test(stem) ? `${stem}и` : `${stem}${f}`));
  }
  if (CYRILLIC_CONSONANT.test(lower)) return CONSONANT_FORMS.map((f) => `${lower}${f}`);
  return [lower];
};

/** Whether a word is written in Cyrillic. */
export const isCyrillic = (word: string): boolean => word.length > 0 && isCyrillicCode(word.charCodeAt(0));

/** Inflected form key → the name-form keys it can stand for. */
export type LemmaMap = Map<string, string[]>;

/** Records the declined forms of every Cyrillic word of a name, so text tokens can be reduced to them. */
export const addRussianForms = (lemmas: LemmaMap, words: readonly string[]): void => {
  words.forEach((w, i) => {
    if (!isCyrillic(w)) return;
    const lemma = keyOf(defaultAnalyser.analyseWord(w)[0]);
    for (const form of russianForms(w, i < words.length - 1)) {
      const key = keyOf(fold(form));
      if (key === lemma) continue;
      const list = lemmas.get(key);
      if (!list) lemmas.set(key, [lemma]);
      else if (!list.includes(lemma)) list.push(lemma);
    }
  });
};

/**
 * Whether a token may have other forms than its own folded word: apostrophes, Cyrillic, Arabic.
 * Reads the folded form, which the analyser shares between equal words, not the raw text.
 */
export const hasOtherForms = (t: Token): boolean => {
  const f = t.folded;
  const c = f.charCodeAt(0);
  return c >= 0x0400 ? isCyrillicCode(c) || isArabicCode(c) : f.includes("'");
};

/**
 * The forms of a text token to look names up by: the token itself, then the word without
 * an elision (l'Iran → Iran), without a Turkish suffix (Türkiye'ye → Türkiye), without joined
 * Arabic particles (للصين → الصين), or the name a declined Russian word stands for
 * (Азербайджане → Азербайджан).
 */
export const formsOf = (t: Token, lemmas: LemmaMap): TokenForm[] => {
  const own = keyOf(t.folded);
  const forms: TokenForm[] = [{ key: own, raw: t.raw }];
  const c = t.raw.charCodeAt(0);
  if (isCyrillicCode(c)) {
    for (const lemma of lemmas.get(own) ?? []) forms.push({ key: lemma, raw: t.raw });
  } else if (isArabicCode(c)) {
    for (const base of arabicBases(own)) forms.push({ key: base, raw: t.raw });
  } else {
    const m = APOSTROPHE.exec(t.raw);
    if (m) {
      const before = t.raw.slice(0, m.index);
      const after = t.raw.slice(m.index + 1);
      if (ELISIONS.has(before.toLowerCase()) && after.length >= 2) {
        forms.push({ key: keyOf(defaultAnalyser.analyseWord(after)[0]), raw: after });
      } else if (before.length >= 2 && /^\p{Lu}/u.test(before) && TURKISH_SUFFIX.test(after)) {
        forms.push({ key: keyOf(defaultAnalyser.analyseWord(before)[0]), raw: before });
      }
    }
  }
  return forms;
};
