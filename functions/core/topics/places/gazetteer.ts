import type { Token } from '../analysis/analyser.ts';
import { tokenize } from '../analysis/registry.ts';
import countries from './countries.json' with { type: 'json' };
import countriesIntl from './countries-intl.json' with { type: 'json' };
import { addRussianForms, formsOf, hasOtherForms, isCyrillic, keyOf, type LemmaMap } from './name-forms.ts';
import { rawForm } from './organisations.ts';
import { buildWideTrie, findWideNames, isWideName, WIDE_CHARACTER, type WideTrie } from './wide-names.ts';

/** A country named in a text: its ISO 3166-1 alpha-2 code and the tokens that name it. */
export interface PlaceMention {
  code: string;
  /** First and last token index (inclusive). */
  first: number;
  last: number;
}

/**
 * What a name needs, beyond its words, to count:
 * - `caseSensitive`: capitalised and not opening a sentence (Turkey, China, Chili);
 * - `capitalised`: capitalised, and written with its accents if it has any (Çin, Irã, Того);
 * - `exact`: written exactly so, as acronyms are (ABD, США, EE. UU.).
 */
type Rule = 'caseSensitive' | 'capitalised' | 'exact';

interface TrieNode {
  next: Map<string, TrieNode>;
  code?: string;
  rule?: Rule;
  /** `exact`: the words as written; `capitalised`: the first word in lower case, when accents matter. */
  written?: string[];
}

/** A generated entry of countries-intl.json: names in other languages (scripts/build-gazetteer.ts). */
interface IntlEntry {
  code: string;
  names?: string[];
  caseSensitive?: string[];
  capitalised?: string[];
  exact?: string[];
}

interface Gazetteer {
  root: TrieNode;
  lemmas: LemmaMap;
  /** Names in Cyrillic, Arabic and other scripts with spaces, added on the first word in such a script. */
  otherScripts?: true;
  /** Names in Han, Kana and Thai, built on the first text holding such characters. */
  wide?: WideTrie;
}

const newNode = (): TrieNode => ({ next: new Map() });

const LATIN_WITH_MARKS = /^[\p{Script=Latin}\s'’.,()-]+$/u;

const RULES = ['caseSensitive', 'capitalised', 'exact'] as const;

/** The generated names in other languages, with the rule each counts by. */
const intlNames = function* (): Generator<[name: string, code: string, rule: Rule | undefined]> {
  for (const c of countriesIntl.countries as IntlEntry[]) {
    for (const n of c.names ?? []) yield [n, c.code, undefined];
    for (const rule of RULES) for (const n of c[rule] ?? []) yield [n, c.code, rule];
  }
};

/** Whether a name is written in Latin letters (the script of most text, whose names are added first). */
const isLatinName = (name: string): boolean => name.charCodeAt(0) < 0x0370;

const add = (g: Gazetteer, name: string, code: string, rule?: Rule) => {
  const tokens = tokenize(name);
  let node = g.root;
  for (const t of tokens) {
    const key = keyOf(t.folded);
    let child = node.next.get(key);
    if (!child) node.next.set(key, (child = newNode()));
    node = child;
  }
  if (node === g.root) return;
  // The English names come first and decide; another language may only make a name stricter
  // (Mali is also Turkish for "financial": counted only capitalised).
  if (node.code !== undefined) {
    if (node.code === code && rule && !node.rule) node.rule = rule;
    return;
  }
  node.code = code;
  if (rule) node.rule = rule;
  if (rule === 'exact') node.written = tokens.map((t) => rawForm(t.raw));
  if (rule === 'capitalised' && LATIN_WITH_MARKS.test(name)) {
    const lower = (tokens[0] as Token).raw.toLowerCase();
    if (lower.normalize('NFD') !== lower.normalize('NFD').replace(/\p{M}/gu, '')) node.written = [lower];
  }
  if (tokens.some((t) => isCyrillic(t.raw)))
    addRussianForms(
      g.lemmas,
      tokens.map((t) => t.raw),
    );
};

/** The English names and the names in other languages written in Latin letters. */
const buildGazetteer = (): Gazetteer => {
  const g: Gazetteer = { root: newNode(), lemmas: new Map() };
  for (const c of countries as Array<{ code: string; names: string[]; caseSensitive?: string[] }>) {
    for (const n of c.names) add(g, n, c.code);
    for (const n of c.caseSensitive ?? []) add(g, n, c.code, 'caseSensitive');
  }
  for (const [n, code, rule] of intlNames()) if (isLatinName(n)) add(g, n, code, rule);
  return g;
};

const addOtherScripts = (g: Gazetteer): void => {
  for (const [n, code, rule] of intlNames()) if (!isLatinName(n) && !isWideName(n)) add(g, n, code, rule);
  g.otherScripts = true;
};

const wideTrieOf = (): WideTrie => {
  const entries: Array<[string, string | null]> = [];
  for (const [n, code] of intlNames()) if (isWideName(n)) entries.push([n, code]);
  for (const n of countriesIntl.notNames) entries.push([n, null]);
  return buildWideTrie(entries);
};

let gazetteer: Gazetteer | undefined;

/** Every country code the gazetteer knows, with its common name. */
export const COUNTRY_NAMES: ReadonlyMap<string, string> = new Map(
  (countries as Array<{ code: string; name: string }>).map((c) => [c.code, c.name]),
);

/**
 * Whether the token opens a sentence: at the start of the text or of a paragraph, or after
 * sentence punctuation, a bullet or an opening bracket, closing quotes and brackets skipped.
 */
const opensSentence = (text: string, token: Token): boolean => {
  const from = Math.max(0, token.start - 200);
  const before = text.slice(from, token.start);
  if (/\n[ \t]*\n[ \t]*$/.test(before) || (from === 0 && before.trim() === '')) return true;
  const trimmed = before
    .trimEnd()
    .replace(/["”’'»)\]]+$/, '')
    .trimEnd();
  return /[.!?:;•·([“"‘«–—。！？]$/.test(trimmed);
};

const CAPITAL = /^\p{Lu}/u;

/** Whether a name found at tokens[first..last], its first word written `firstRaw`, counts. */
const counts = (
  node: TrieNode,
  text: string,
  tokens: readonly Token[],
  first: number,
  last: number,
  firstRaw: string,
  lemmas: LemmaMap,
): boolean => {
  switch (node.rule) {
    case undefined:
      return true;
    case 'caseSensitive':
      return CAPITAL.test(firstRaw) && !opensSentence(text, tokens[first] as Token);
    case 'capitalised':
      // "Fas", not "FAS" (an acronym) nor "fas".
      return (
        CAPITAL.test(firstRaw) &&
        firstRaw !== firstRaw.toUpperCase() &&
        (!node.written || firstRaw.toLowerCase() === node.written[0])
      );
    case 'exact':
      for (let k = first; k <= last; k++) {
        const want = node.written?.[k - first];
        if (!formsOf(tokens[k] as Token, lemmas).some((f) => rawForm(f.raw) === want)) return false;
      }
      return true;
  }
};

interface Step {
  node: TrieNode;
  firstRaw: string;
}

/**
 * Finds the countries named in a text, longest name first ("Republic of Korea" is one
 * mention of KR, not a mention of "Korea"). Case-sensitive names (Turkey, China) count
 * only when capitalised and not opening a sentence. Names in other languages are found in
 * their written forms (l'Iran, Türkiye'ye, للصين, России); names in Chinese, Japanese and Thai
 * are found inside runs of those scripts, whatever the tokens.
 */
export const findPlaces = (text: string, tokens: readonly Token[]): PlaceMention[] => {
  const g = (gazetteer ??= buildGazetteer());
  const { root, lemmas } = g;
  const found: PlaceMention[] = [];
  for (let i = 0; i < tokens.length;) {
    const start = tokens[i] as Token;
    // Most tokens start no name: one look-up each, no allocation.
    if (!root.next.has(start.folded) && !hasOtherForms(start)) {
      i++;
      continue;
    }
    if (!g.otherScripts && start.raw.charCodeAt(0) >= 0x0370) addOtherScripts(g);
    let frontier: Step[] = [{ node: root, firstRaw: start.raw }];
    let best: { code: string; last: number } | undefined;
    for (let j = i; j < tokens.length && frontier.length > 0; j++) {
      const t = tokens[j] as Token;
      const next: Step[] = [];
      if (!hasOtherForms(t)) {
        for (const s of frontier) {
          const child = s.node.next.get(t.folded);
          if (child) next.push({ node: child, firstRaw: s.firstRaw });
        }
      } else {
        const forms = formsOf(t, lemmas);
        for (const s of frontier) {
          for (const f of forms) {
            const child = s.node.next.get(f.key);
            if (child && !next.some((n) => n.node === child))
              next.push({ node: child, firstRaw: j === i ? f.raw : s.firstRaw });
          }
        }
      }
      for (const s of next) {
        if (s.node.code && counts(s.node, text, tokens, i, j, s.firstRaw, lemmas)) {
          best = { code: s.node.code, last: j };
          break;
        }
      }
      frontier = next;
    }
    if (best) {
      found.push({ code: best.code, first: i, last: best.last });
      i = best.last + 1;
    } else {
      i++;
    }
  }
  const inRuns = WIDE_CHARACTER.test(text) ? findWideNames(tokens, (g.wide ??= wideTrieOf())) : [];
  if (inRuns.length === 0) return found;
  return [...found, ...inRuns.map((m) => ({ code: m.id, first: m.first, last: m.last }))].sort(
    (a, b) => a.first - b.first,
  );
};
