import type { Token } from '../analysis/analyser.ts';
import { tokenize } from '../analysis/registry.ts';
import organisations from './organisations.json' with { type: 'json' };

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
  /** Names matched like words: case and accents ignored. */
  names: string[];
  /** Acronyms that are also common words in some language ("WHO", "UN"): matched with their case. */
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

const buildTrie = (): TrieNode => {
  const root = newNode();
  const add = (name: string, id: string, exact: boolean) => {
    let node = root;
    for (const t of tokenize(name)) {
      const edges = exact ? node.raw : node.folded;
      const key = exact ? rawForm(t.raw) : t.folded;
      let child = edges.get(key);
      if (!child) edges.set(key, (child = newNode()));
      node = child;
    }
    if (node !== root) node.id = id;
  };
  for (const o of ENTRIES) {
    for (const n of o.names) add(n, o.id, false);
    for (const n of o.exact) add(n, o.id, true);
  }
  return root;
};

let trie: TrieNode | undefined;

/**
 * Finds the international bodies named in a text, longest name first ("UN General Assembly"
 * is one mention of the UN). Acronyms that are words too ("WHO", "UN", "EU") count only in
 * capitals, so the pronoun "who" is never the World Health Organization.
 */
export const findOrganisations = (tokens: readonly Token[]): OrganisationMention[] => {
  trie ??= buildTrie();
  const found: OrganisationMention[] = [];
  for (let i = 0; i < tokens.length;) {
    const first = tokens[i] as Token;
    // Most tokens start no name: one look-up each, no allocation.
    if (!trie.folded.has(first.folded) && !(startsUpper(first.raw) && trie.raw.has(rawForm(first.raw)))) {
      i++;
      continue;
    }
    // Walk both edge kinds at once: a name may mix acronyms and words ("UN Security Council").
    let frontier: TrieNode[] = [trie];
    let best: { id: string; last: number } | undefined;
    for (let j = i; j < tokens.length && frontier.length > 0; j++) {
      const t = tokens[j] as Token;
      const next: TrieNode[] = [];
      for (const node of frontier) {
        const byWord = node.folded.get(t.folded);
        if (byWord) next.push(byWord);
        const byRaw = node.raw.get(rawForm(t.raw));
        if (byRaw) next.push(byRaw);
      }
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
  return found;
};
