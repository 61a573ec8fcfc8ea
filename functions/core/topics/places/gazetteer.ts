import type { Token } from '../analysis/analyser.ts';
import { tokenize } from '../analysis/registry.ts';
import countries from './countries.json' with { type: 'json' };

/** A country named in a text: its ISO 3166-1 alpha-2 code and the tokens that name it. */
export interface PlaceMention {
  code: string;
  /** First and last token index (inclusive). */
  first: number;
  last: number;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  code?: string;
  /** Set when the name counts only capitalised and not at the start of a sentence. */
  caseSensitive?: boolean;
}

const newNode = (): TrieNode => ({ next: new Map() });

const buildTrie = (): TrieNode => {
  const root = newNode();
  const add = (name: string, code: string, caseSensitive: boolean) => {
    let node = root;
    for (const t of tokenize(name)) {
      let child = node.next.get(t.folded);
      if (!child) node.next.set(t.folded, (child = newNode()));
      node = child;
    }
    if (node !== root) {
      node.code = code;
      if (caseSensitive) node.caseSensitive = true;
    }
  };
  for (const c of countries as Array<{ code: string; names: string[]; caseSensitive?: string[] }>) {
    for (const n of c.names) add(n, c.code, false);
    for (const n of c.caseSensitive ?? []) add(n, c.code, true);
  }
  return root;
};

let trie: TrieNode | undefined;

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
  return /[.!?:;•·([“"‘«–—]$/.test(trimmed);
};

/**
 * Finds the countries named in a text, longest name first ("Republic of Korea" is one
 * mention of KR, not a mention of "Korea"). Case-sensitive names (Turkey, China) count
 * only when capitalised and not opening a sentence.
 */
export const findPlaces = (text: string, tokens: readonly Token[]): PlaceMention[] => {
  trie ??= buildTrie();
  const found: PlaceMention[] = [];
  for (let i = 0; i < tokens.length;) {
    let node: TrieNode | undefined = trie;
    let best: { code: string; last: number } | undefined;
    for (let j = i; j < tokens.length && node; j++) {
      node = node.next.get((tokens[j] as Token).folded);
      if (node?.code) {
        const first = tokens[i] as Token;
        const ok = !node.caseSensitive || (/^\p{Lu}/u.test(first.raw) && !opensSentence(text, first));
        if (ok) best = { code: node.code, last: j };
      }
    }
    if (best) {
      found.push({ code: best.code, first: i, last: best.last });
      i = best.last + 1;
    } else {
      i++;
    }
  }
  return found;
};
