import type { ArticleView } from './article-view.ts';
import { type Evaluator, type Hit, positiveLeaves, positivePlaces } from './evaluate.ts';
import type { QueryNode } from './query.ts';

/** One matched word, phrase or wildcard of the query, and where it occurs. */
export interface MatchedTerm {
  /** The term as written in the query. */
  term: string;
  /** The list it came from, when it came from one. */
  list?: string;
  /** Occurrences as character ranges in the field text: [start, end). */
  positions: Array<{ field: 'title' | 'body' | 'author'; start: number; end: number; text: string }>;
}

/** Why an article matched a topic. */
export interface Explanation {
  terms: MatchedTerm[];
  /** Countries named in the article, most mentioned first. */
  countries: string[];
  /** At most 300 characters of the body around the densest run of matches, terms marked **like this**. */
  snippet: string;
}

/** The scoring inputs, kept with the match so a score can be understood. */
export interface ScoreFactors {
  distinctTerms: number;
  occurrences: number;
  inTitle: boolean;
  /** Occurrences per 100 body words. */
  density: number;
}

export const SNIPPET_LENGTH = 300;

/**
 * Score from 0 to 1:
 *   0.35 · min(1, distinct terms / 4)
 * + 0.25 · min(1, occurrences / 8)
 * + 0.20 · min(1, density / 2)          (density = occurrences per 100 body words)
 * + 0.20 · (a term is in the title)
 * then halved when the article mentions the topic only once (a passing mention).
 */
export const scoreOf = (f: ScoreFactors): number => {
  const raw =
    0.35 * Math.min(1, f.distinctTerms / 4) +
    0.25 * Math.min(1, f.occurrences / 8) +
    0.2 * Math.min(1, f.density / 2) +
    0.2 * (f.inTitle ? 1 : 0);
  const score = f.occurrences <= 1 ? raw / 2 : raw;
  return Math.round(Math.min(1, score) * 1000) / 1000;
};

const charRange = (view: ArticleView, hit: Hit) => {
  const tokens = view[hit.field].tokens;
  const start = tokens[hit.first]?.start ?? 0;
  const end = tokens[hit.last]?.end ?? start;
  return { field: hit.field, start, end, text: view[hit.field].text.slice(start, end) };
};

/** Matches packed closer than this count as one dense region. */
const DENSE_SPAN = 200;

/**
 * At most {@link SNIPPET_LENGTH} characters (markers and ellipses included) of `text`
 * around the region holding the most matches, each match marked **like this**.
 */
export const snippetOf = (text: string, ranges: ReadonlyArray<{ start: number; end: number }>): string => {
  const sorted: Array<{ start: number; end: number }> = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start || b.end - a.end)) {
    if (sorted.length === 0 || r.start >= (sorted.at(-1) as { end: number }).end) sorted.push(r);
  }
  let [bi, bj] = [0, 0];
  for (let i = 0, j = 0; i < sorted.length; i++) {
    j = Math.max(j, i);
    while (
      j < sorted.length &&
      (sorted[j] as { end: number }).end - (sorted[i] as { start: number }).start <= DENSE_SPAN
    )
      j++;
    if (j - i > bj - bi) [bi, bj] = [i, j];
  }
  const marked = sorted.slice(bi, bj);
  // Keep only as many marked matches as fit, markers and ellipses included.
  while (
    marked.length > 1 &&
    (marked.at(-1) as { end: number }).end - (marked[0] as { start: number }).start + 4 * marked.length + 2 >
      SNIPPET_LENGTH
  ) {
    marked.pop();
  }
  const budget = SNIPPET_LENGTH - 2 - 4 * marked.length;
  const coreStart = marked[0]?.start ?? 0;
  const coreEnd = marked.at(-1)?.end ?? 0;
  const spare = Math.max(0, budget - (coreEnd - coreStart));
  let from = Math.max(0, coreStart - Math.floor(spare / 2));
  let to = Math.min(text.length, from + budget);
  from = Math.max(0, to - budget);
  // Do not cut words: move inwards to white space, never past a match.
  if (from > 0 && /\S/.test(text[from - 1] as string)) {
    const space = text.indexOf(' ', from);
    if (space >= 0 && space < coreStart) from = space + 1;
  }
  if (to < text.length && /\S/.test(text[to] as string)) {
    const space = text.lastIndexOf(' ', to);
    if (space > coreEnd) to = space;
  }
  // Never cut between the two halves of a surrogate pair.
  if (from > 0 && /[\udc00-\udfff]/.test(text[from] ?? '')) from++;
  if (to < text.length && /[\udc00-\udfff]/.test(text[to] ?? '')) to--;
  let out = from > 0 ? '…' : '';
  let at = from;
  for (const r of marked) {
    out += `${text.slice(at, r.start)}**${text.slice(r.start, r.end)}**`;
    at = r.end;
  }
  out += text.slice(at, to) + (to < text.length ? '…' : '');
  return out.replace(/\s+/g, ' ');
};

/** Scores a matched topic and explains the match; undefined when the score is under `minScore`. */
export const explainMatch = (
  query: QueryNode,
  evaluator: Evaluator,
  minScore = 0,
): { score: number; factors: ScoreFactors; explanation: Explanation } | undefined => {
  const view = evaluator.view;
  const terms = new Map<string, MatchedTerm>();
  const seen = new Set<string>();
  let occurrences = 0;
  let inTitle = false;
  // An occurrence is a place in the text, counted once however many terms find it.
  const countOccurrences = (positions: MatchedTerm['positions']) => {
    for (const p of positions) {
      const k = `${p.field}:${p.start}`;
      if (seen.has(k)) continue;
      seen.add(k);
      occurrences++;
      if (p.field === 'title') inTitle = true;
    }
  };
  for (const { leaf, list } of positiveLeaves(query)) {
    const hits = evaluator.hits(leaf);
    if (hits.length === 0) continue;
    // Leaves that find the same words ("vaccine", "vaccines") count as one term.
    const name =
      leaf.type === 'term'
        ? `s:${leaf.stem}`
        : leaf.type === 'prefix'
          ? `p:${leaf.prefix}`
          : `f:${leaf.words.join(' ')}`;
    const positions = hits.map((h) => charRange(view, h));
    const known = terms.get(name);
    if (known) {
      // The same words found through another scope: add the occurrences not listed yet.
      for (const p of positions) {
        if (!known.positions.some((k) => k.field === p.field && k.start === p.start)) known.positions.push(p);
      }
    } else {
      terms.set(name, { term: leaf.text, ...(list ? { list } : {}), positions });
    }
    countOccurrences(positions);
  }
  // Place conditions count like terms: their mentions are occurrences.
  for (const place of positivePlaces(query)) {
    const mentions = view.places.filter((p) => place.code === '*' || p.code === place.code);
    if (mentions.length === 0 || terms.has(place.text)) continue;
    const positions = mentions.map((m) => charRange(view, { field: m.field, first: m.first, last: m.last }));
    terms.set(place.text, { term: place.text, positions });
    countOccurrences(positions);
  }
  const bodyWords = Math.max(1, view.body.tokens.length);
  const factors: ScoreFactors = {
    distinctTerms: terms.size,
    occurrences,
    inTitle,
    density: Math.round((occurrences / bodyWords) * 100 * 100) / 100,
  };
  const score = scoreOf(factors);
  // The snippet is the costly part: only for matches that are kept.
  if (score < minScore) return undefined;
  const bodyRanges = [...terms.values()].flatMap((t) => t.positions.filter((p) => p.field === 'body'));
  const countries = [...view.countries.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  return {
    score,
    factors,
    explanation: { terms: [...terms.values()], countries, snippet: snippetOf(view.body.text, bodyRanges) },
  };
};
