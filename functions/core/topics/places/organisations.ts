import type { Token } from '../analysis/analyser.ts';
import { tokenize } from '../analysis/registry.ts';
import { addRussianForms, formsOf, hasOtherForms, isCyrillic, keyOf, type LemmaMap } from './name-forms.ts';
import organisations from './organisations.json' with { type: 'json' };
import { buildWideTrie, findWideNames, isWideName, WIDE_CHARACTER, type WideTrie } from './wide-names.ts';

/** An international body named in a text: its id and the tokens that name it. */
export interface OrganisationMention {
  id: string;
  /** First and last token index (inclusive). */
  first: number;
  last: number;
}

interface OrganisationEntry {
  id: string;
  name: string;
  /** Names matched like words: case and accents ignored. Names in Han, Kana or Thai are found inside runs of those scripts. */
  names: string[];
  /** Acronyms that are also common words in some language ("WHO", "UN", "ВОЗ"): matched with their case. */
  exact: string[];
}

interface TrieNode {
  /** Next token, by folded form (names) or by the form as written (acronyms). */
  folded: Map<string, TrieNode>;
  raw: Map<string, TrieNode>;
  id?: string;
}

const ENTRIES = organisations as OrganisationEntry[];

/** Every body the gazetteer knows, by id (upper case), with its name. */
export const ORGANISATION_NAMES: ReadonlyMap<string, string> = new Map(ENTRIES.map((o) => [o.id, o.name]));

/** The form of a token an acronym is compared with: as written, a possessive 's dropped. */
export const rawForm = (raw: string): string =>
  raw.endsWith("'s") || raw.endsWith('’s') ? raw.slice(0, -2) : raw;

/** Whether a token can start an acronym: its first character is a capital letter. */
const startsUpper = (raw: string): boolean => {
  const c = raw.charCodeAt(0);
  return (c >= 65 && c <= 90) || (c > 127 && raw[0] !== (raw[0] as string).toLowerCase());
};

const newNode = (): TrieNode => ({ folded: new Map(), raw: new Map() });

interface Index {
  root: TrieNode;
  lemmas: LemmaMap;
  wide: WideTrie;
}

const buildIndex = (): Index => {
  const root = newNode();
  const lemmas: LemmaMap = new Map();
  const wide: Array<[string, string]> = [];
  const add = (name: string, id: string, exact: boolean) => {
    if (isWideName(name)) {
      wide.push([name, id]);
      return;
    }
    const tokens = tokenize(name);
    let node = root;
    for (const t of tokens) {
      const edges = exact ? node.raw : node.folded;
      const key = exact ? rawForm(t.raw) : keyOf(t.folded);
      let child = edges.get(key);
      if (!child) edges.set(key, (child = newNode()));
      node = child;
    }
    if (node !== root) node.id = id;
    if (!exact && tokens.some((t) => isCyrillic(t.raw)))
      addRussianForms(
        lemmas,
        tokens.map((t) => t.raw),
      );
  };
  for (const o of ENTRIES) {
    for (const n of o.names) add(n, o.id, false);
    for (const n of o.exact) add(n, o.id, true);
  }
  return { root, lemmas, wide: buildWideTrie(wide) };
};

let index: Index | undefined;

/** The nodes one token leads to from a node: by its folded forms, and by its forms as written. */
const stepFrom = (node: TrieNode, t: Token, lemmas: LemmaMap, into: TrieNode[]) => {
  if (!hasOtherForms(t)) {
    const byWord = node.folded.get(t.folded);
    if (byWord) into.push(byWord);
    const byRaw = node.raw.get(rawForm(t.raw));
    if (byRaw) into.push(byRaw);
    return;
  }
  for (const f of formsOf(t, lemmas)) {
    const byWord = node.folded.get(f.key);
    if (byWord && !into.includes(byWord)) into.push(byWord);
    const byRaw = node.raw.get(rawForm(f.raw));
    if (byRaw && !into.includes(byRaw)) into.push(byRaw);
  }
};

/** Whether a token may start a name: its folded word, its form as written, or another of its forms. */
const mayStart = (root: TrieNode, t: Token): boolean =>
  root.folded.has(t.folded) || (startsUpper(t.raw) && root.raw.has(rawForm(t.raw))) || hasOtherForms(t);

/**
 * Finds the international bodies named in a text, longest name first ("UN General Assembly"
 * is one mention of the UN). Acronyms that are words too ("WHO", "UN", "EU") count only in
 * capitals, so the pronoun "who" is never the World Health Organization. Names in other
 * languages are found in their written forms (l'OMS, DSÖ'nün, للأمم المتحدة, Всемирной
 * организации здравоохранения), and names in Chinese, Japanese and Thai inside runs of those
 * scripts. `text`, when given, lets a text with no such characters skip that search.
 */
export const findOrganisations = (tokens: readonly Token[], text?: string): OrganisationMention[] => {
  index ??= buildIndex();
  const { root, lemmas, wide } = index;
  const found: OrganisationMention[] = [];
  for (let i = 0; i < tokens.length;) {
    // Most tokens start no name: one look-up each, no allocation.
    if (!mayStart(root, tokens[i] as Token)) {
      i++;
      continue;
    }
    // Walk both edge kinds at once: a name may mix acronyms and words ("UN Security Council").
    let frontier: TrieNode[] = [root];
    let best: { id: string; last: number } | undefined;
    for (let j = i; j < tokens.length && frontier.length > 0; j++) {
      const t = tokens[j] as Token;
      const next: TrieNode[] = [];
      for (const node of frontier) stepFrom(node, t, lemmas, next);
      for (const node of next) if (node.id) best = { id: node.id, last: j };
      frontier = next;
    }
    if (best) {
      found.push({ id: best.id, first: i, last: best.last });
      i = best.last + 1;
    } else {
      i++;
    }
  }
  if (text !== undefined && !WIDE_CHARACTER.test(text)) return found;
  const inRuns = findWideNames(tokens, wide);
  if (inRuns.length === 0) return found;
  return [...found, ...inRuns].sort((a, b) => a.first - b.first);
};
