import type { Token } from '../analysis/analyser.ts';

/**
 * Names in scripts written without spaces between words (Chinese, Japanese, Thai), found in
 * the text itself rather than by whole tokens, so they are found however the tokeniser cuts
 * those scripts (one token per run of characters, or one per word).
 *
 * Runs of adjacent tokens are scanned for names character by character, through the names that
 * start with each character, longest first (linear in the text: each position is compared
 * with at most the few dozen names sharing its first character). A name found
 * inside a run counts only when it starts and ends on a word boundary of that run, as
 * `Intl.Segmenter` cuts it: 发展中国家 ("developing countries") holds 中国 across two words and
 * does not name China. Words that hold a name but mean something else and that the segmenter
 * keeps whole (马里奥, Mario) are listed as not-names: they are skipped whole.
 */

/** A name of the index: its text and the id it stands for (null for a not-name). */
interface WideEntry {
  name: string;
  id: string | null;
}

/** The names in those scripts by their first character, longest first. */
export interface WideTrie {
  byFirst: Map<string, WideEntry[]>;
  size: number;
}

/** A name found in such a run: its id and the tokens it lies in. */
export interface WideMention {
  id: string;
  first: number;
  last: number;
}

/** Whether a character is Han, Hiragana, Katakana (with its marks) or Thai. */
const isWideCode = (c: number): boolean =>
  (c >= 0x0e00 && c <= 0x0e7f) ||
  (c >= 0x3040 && c <= 0x30ff) ||
  (c >= 0x3400 && c <= 0x9fff) ||
  (c >= 0xf900 && c <= 0xfaff) ||
  (c >= 0xff66 && c <= 0xff9f);

/** Whether a name is written in one of those scripts (its first character decides). */
export const isWideName = (name: string): boolean => name.length > 0 && isWideCode(name.charCodeAt(0));

/** Whether a text holds any character of those scripts: one native scan, for the common case of none. */
export const WIDE_CHARACTER = /[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]/;

const hasWide = (raw: string): boolean => {
  for (let i = 0; i < raw.length; i++) if (isWideCode(raw.charCodeAt(i))) return true;
  return false;
};

/** Thai writes "country" before a name (ประเทศจีน) and the segmenter keeps some as one word (ประเทศไทย). */
const THAI_COUNTRY = 'ประเทศ';

/** Indexes (name, id) pairs; an id of null marks a not-name. */
export const buildWideTrie = (entries: Iterable<readonly [name: string, id: string | null]>): WideTrie => {
  const byFirst = new Map<string, WideEntry[]>();
  const seen = new Set<string>();
  const add = (name: string, id: string | null) => {
    if (name.length === 0 || seen.has(name)) return;
    seen.add(name);
    const first = name[0] as string;
    const list = byFirst.get(first);
    if (list) list.push({ name, id });
    else byFirst.set(first, [{ name, id }]);
  };
  for (const [name, id] of entries) add(name, id);
  for (const list of byFirst.values()) list.sort((x, y) => y.name.length - x.name.length);
  return { byFirst, size: seen.size };
};

/** The longest name (or not-name) that starts at this position. Longest first: the first that fits. */
const longestAt = (trie: WideTrie, run: string, p: number): WideEntry | undefined =>
  trie.byFirst.get(run[p] as string)?.find((e) => run.startsWith(e.name, p));

let segmenter: Intl.Segmenter | undefined;

/** Offsets in a run where a word starts or ends. */
const boundariesOf = (run: string): Set<number> => {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const cuts = new Set<number>([run.length]);
  for (const s of segmenter.segment(run)) cuts.add(s.index);
  return cuts;
};

/**
 * Finds the names of the trie in runs of adjacent tokens holding Han, Kana or Thai
 * characters. Mentions are given as token ranges; several may lie in one token when the
 * tokeniser keeps a whole run as one.
 */
export const findWideNames = (tokens: readonly Token[], trie: WideTrie): WideMention[] => {
  const found: WideMention[] = [];
  if (trie.size === 0) return found;
  for (let k = 0; k < tokens.length; k++) {
    if (!hasWide((tokens[k] as Token).raw)) continue;
    // The run: this token and the ones that follow it with nothing in between.
    let m = k;
    while (m + 1 < tokens.length && (tokens[m + 1] as Token).start === (tokens[m] as Token).end) m++;
    const starts: number[] = [];
    let run = '';
    for (let i = k; i <= m; i++) {
      starts.push(run.length);
      run += (tokens[i] as Token).raw;
    }
    const candidates: Array<{ id: string; from: number; to: number }> = [];
    for (let p = 0; p < run.length;) {
      // Thai "country" before a name belongs to the mention (ประเทศจีน).
      const afterCountry = run.startsWith(THAI_COUNTRY, p)
        ? longestAt(trie, run, p + THAI_COUNTRY.length)
        : undefined;
      const best = afterCountry ?? longestAt(trie, run, p);
      if (best) {
        const to = p + best.name.length + (afterCountry ? THAI_COUNTRY.length : 0);
        if (best.id !== null) candidates.push({ id: best.id, from: p, to });
        p = to;
      } else {
        p++;
      }
    }
    if (candidates.length > 0) {
      const cuts = boundariesOf(run);
      let t = 0;
      for (const c of candidates) {
        if (!cuts.has(c.from) || !cuts.has(c.to)) continue;
        while (t + 1 < starts.length && (starts[t + 1] as number) <= c.from) t++;
        let u = t;
        while (u + 1 < starts.length && (starts[u + 1] as number) < c.to) u++;
        found.push({ id: c.id, first: k + t, last: k + u });
      }
    }
    k = m;
  }
  return found;
};
