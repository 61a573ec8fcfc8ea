import { type ArticleView, organisationsOf, unitsOf } from './article-view.ts';
import { type Evaluator, type Hit, positiveLeaves, positivePlaces } from './evaluate.ts';
import { type LeafNode, prefixUnder, type QueryNode, stemUnder, wordsUnder } from './query.ts';
import termRarity from './term-rarity.json' with { type: 'json' };
import { unitOfHit } from './evaluate.ts';
import { isGraphemeBoundary } from '../graphemes.ts';

/** One matched word, phrase or wildcard of the query, and where it occurs. */
export interface MatchedTerm {
  /** The term as written in the query. */
  term: string;
  /** The list it came from, when it came from one. */
  list?: string;
  /** How many times it occurs (all of them, where `positions` keeps only the first). */
  count: number;
  /**
   * Occurrences as character ranges in the field text, [start, end): the first
   * {@link MAX_POSITIONS_PER_TERM}, so a word repeated all through a file keeps the stored
   * match small.
   */
  positions: Array<{ field: 'title' | 'body' | 'author'; start: number; end: number; text: string }>;
}

/** Occurrences of one term an explanation lists; `count` has them all. */
export const MAX_POSITIONS_PER_TERM = 50;

/**
 * An explanation cut to fit `maxBytes` of JSON: fewer listed positions per term first (down
 * to none), then fewer terms, the ones with most occurrences kept. Counts, countries and the
 * snippet stay. Linear in the size of the explanation.
 */
export const fitExplanation = (explanation: Explanation, maxBytes: number): Explanation => {
  const size = (e: Explanation) => new TextEncoder().encode(JSON.stringify(e)).length;
  if (size(explanation) <= maxBytes) return explanation;
  for (const keep of [10, 1, 0]) {
    const cut = {
      ...explanation,
      terms: explanation.terms.map((t) => ({ ...t, positions: t.positions.slice(0, keep) })),
    };
    if (size(cut) <= maxBytes) return { ...cut, truncated: true };
  }
  const terms = explanation.terms.map((t) => ({ ...t, positions: [] })).sort((a, b) => b.count - a.count);
  const base = size({ ...explanation, terms: [], truncated: true });
  const kept: MatchedTerm[] = [];
  let used = base;
  for (const t of terms) {
    const bytes = new TextEncoder().encode(JSON.stringify(t)).length + 1;
    if (used + bytes > maxBytes) break;
    kept.push(t);
    used += bytes;
  }
  return { ...explanation, terms: kept, truncated: true };
};

/** Why an article matched a topic. */
export interface Explanation {
  terms: MatchedTerm[];
  /** Countries named in the article, most mentioned first. */
  countries: string[];
  /** At most 300 characters of the body around the densest run of matches, terms marked **like this**. */
  snippet: string;
  /** Set when positions or terms were left out to keep the stored match within its size. */
  truncated?: boolean;
}

/** The scoring inputs, kept with the match so a score can be understood. */
export interface ScoreFactors {
  distinctTerms: number;
  occurrences: number;
  inTitle: boolean;
  /** Occurrences per 100 body words. */
  density: number;
  /** A term is in the first two sentences of the body. */
  inLead: boolean;
  /** Σ over terms of rarity × saturated, length-normalised frequency (BM25). */
  evidence: number;
  /**
   * Share of the found terms' rarity that one paragraph (or the title) holds together, 0–1;
   * 0.5 when only one term was found (nothing to be together with).
   */
  concentration: number;
  /** Share of the body's sentences that hold some term, 0–1. */
  coverage: number;
  bodyWords: number;
}

export const SNIPPET_LENGTH = 300;

/** BM25 constants: term-frequency saturation, length normalisation, and the length counted as usual. */
export const BM25 = { k1: 1.2, b: 0.75, averageBodyWords: 600 } as const;
/** How much an occurrence in the title and in the first two sentences adds to a term's frequency. */
const TITLE_WEIGHT = 2;
const LEAD_BONUS = 0.5;
const LEAD_SENTENCES = 2;
/** Rarity given to place and body conditions (a mention of any country is common in news). */
const PLACE_IDF = 2;
/** The evidence at which the evidence part of the score reaches 1 − 1/e. */
const EVIDENCE_SCALE = 20;
/** The share of sentences about the topic at which an article counts as wholly about it (RELEVANCE.md's 15 % rule, with room). */
const FULL_COVERAGE = 0.2;

const RARITY = termRarity as { rareIdf: number; stems: Record<string, number> };

/**
 * How rare a word is in English (ln(1 + count of the commonest word ÷ count of the stem), from
 * the SUBTLEX-US counts in term-rarity.json): 0.9 for "the", 8.8 for any word rarer than the
 * 5,133 stems the table keeps.
 */
export const rarityOf = (stem: string): number => RARITY.stems[stem] ?? RARITY.rareIdf;

/**
 * Score from 0 to 1, comparable across the articles of one topic:
 *   0.45 · (1 − e^(−evidence / 20))       rarity-weighted BM25 over the matched terms
 * + 0.20 · concentration                  the terms found together in one paragraph
 * + 0.15 · min(1, 2 · coverage)           how much of the article is about them (share of sentences)
 * + 0.20 · position                       1 with a term in the title, 0.6 in the first two sentences
 */
export const scoreOf = (
  f: Pick<ScoreFactors, 'evidence' | 'concentration' | 'coverage' | 'inTitle' | 'inLead'>,
): number => {
  const position = f.inTitle ? 1 : f.inLead ? 0.6 : 0;
  const raw =
    0.35 * (1 - Math.exp(-f.evidence / EVIDENCE_SCALE)) +
    0.15 * f.concentration +
    0.35 * Math.min(1, f.coverage / FULL_COVERAGE) +
    0.15 * position;
  return Math.round(Math.min(1, raw) * 1000) / 1000;
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
 * around the region holding the most matches, each match marked **like this**. Asterisks
 * of the text itself are given as U+2217 (∗), so article text cannot forge a marker.
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
  // Never cut inside a character as a reader sees it (a surrogate pair, a letter and its
  // marks, an emoji sequence).
  while (from > 0 && from < coreStart && !isGraphemeBoundary(text, from)) from++;
  while (to < text.length && to > coreEnd && !isGraphemeBoundary(text, to)) to--;
  // The article's own asterisks become U+2217, so that every `**` is a marker of ours.
  const own = (s: string) => (s.includes('*') ? s.replace(/\*/g, '∗') : s);
  let out = from > 0 ? '…' : '';
  let at = from;
  for (const r of marked) {
    out += `${own(text.slice(at, r.start))}**${own(text.slice(r.start, r.end))}**`;
    at = r.end;
  }
  out += own(text.slice(at, to)) + (to < text.length ? '…' : '');
  // Testing first is three times cheaper than a replace that finds nothing, as most find.
  return NOT_FOLDED.test(out) ? out.replace(/\s+/g, ' ') : out;
};

/** White space that folding to single spaces changes: any but a space, or two in a row. */
const NOT_FOLDED = /[^\S ]| {2}/;

/**
 * Sentences that hold the topic's words together: at least two distinct terms, or the one
 * term of a topic that found only one.
 */
const supportedSentences = (termsBySentence: ReadonlyMap<number, number>, terms: number): number => {
  const need = Math.min(2, terms);
  let n = 0;
  for (const k of termsBySentence.values()) if (k >= need) n++;
  return n;
};

/** The rarity of a leaf: its stem's, a phrase's rarest word's, a prefix as a stem. */
const leafRarity = (leaf: LeafNode): number => {
  switch (leaf.type) {
    case 'term':
      return rarityOf(leaf.stem);
    case 'prefix':
      return rarityOf(leaf.prefix);
    case 'phrase':
      return Math.max(...leaf.words.map(rarityOf));
    case 'exact':
      return Math.max(...leaf.folded.map(rarityOf));
  }
};

const FIELD_NUMBER = { title: 0, body: 1, author: 2 } as const;

/** One number per place in the text (a field and an offset in it), for the sets that count places once. */
const placeKey = (field: 'title' | 'body' | 'author', at: number): number => at * 4 + FIELD_NUMBER[field];

/** Scores a matched topic and explains the match; undefined when the score is under `minScore`. */
export const explainMatch = (
  query: QueryNode,
  evaluator: Evaluator,
  minScore = 0,
): { score: number; factors: ScoreFactors; explanation: Explanation } | undefined => {
  const view = evaluator.view;
  const terms = new Map<string, MatchedTerm>();
  /** Per term: its rarity and the token places it was found at. */
  const evidence = new Map<string, { idf: number; hits: Hit[]; at: Set<number>; place: boolean }>();
  /** Per term: the places already listed, so merging the hits of two forms stays linear. */
  const listedAt = new Map<string, Set<number>>();
  const seen = new Set<number>();
  let occurrences = 0;
  let inTitle = false;
  // An occurrence is a place in the text, counted once however many terms find it.
  const countOccurrences = (positions: MatchedTerm['positions']) => {
    for (const p of positions) {
      const k = placeKey(p.field, p.start);
      if (seen.has(k)) continue;
      seen.add(k);
      occurrences++;
      if (p.field === 'title') inTitle = true;
    }
  };
  const addEvidence = (name: string, idf: number, hits: readonly Hit[], place = false) => {
    let known = evidence.get(name);
    if (!known) evidence.set(name, (known = { idf, hits: [], at: new Set(), place }));
    for (const h of hits) {
      const k = placeKey(h.field, h.first);
      if (known.at.has(k)) continue;
      known.at.add(k);
      known.hits.push(h);
    }
  };
  for (const { leaf, list } of positiveLeaves(query)) {
    const hits = evaluator.hits(leaf);
    if (hits.length === 0) continue;
    // Leaves that find the same words ("vaccine", "vaccines") in the article's language count as one term.
    const a = view.body.analyser;
    const name =
      leaf.type === 'term'
        ? `s:${stemUnder(leaf, a)}`
        : leaf.type === 'prefix'
          ? `p:${prefixUnder(leaf, a)}`
          : leaf.type === 'exact'
            ? `e:${leaf.words.join(' ')}`
            : `f:${wordsUnder(leaf, a).join(' ')}`;
    const positions = hits.map((h) => charRange(view, h));
    const known = terms.get(name);
    if (known) {
      // The same words found through another scope: add the occurrences not listed yet.
      for (const p of positions) {
        const k = placeKey(p.field, p.start);
        const at = listedAt.get(name) as Set<number>;
        if (!at.has(k)) {
          at.add(k);
          known.positions.push(p);
        }
      }
    } else {
      terms.set(name, { term: leaf.text, ...(list ? { list } : {}), count: 0, positions });
      listedAt.set(name, new Set(positions.map((p) => placeKey(p.field, p.start))));
    }
    addEvidence(name, leafRarity(leaf), hits);
    countOccurrences(positions);
  }
  // Place and body conditions count like terms: their mentions are occurrences.
  for (const place of positivePlaces(query)) {
    const all = place.kind === 'country' ? view.places : organisationsOf(view).mentions;
    const mentions = all.filter((p) => place.code === '*' || ('code' in p ? p.code : p.id) === place.code);
    const name = `${place.text}|${place.kind}`;
    if (mentions.length === 0 || evidence.has(name)) continue;
    const hits = mentions.map((m): Hit => ({ field: m.field, first: m.first, last: m.last }));
    const positions = hits.map((h) => charRange(view, h));
    terms.set(place.text, { term: place.text, count: 0, positions });
    addEvidence(name, PLACE_IDF, hits, true);
    countOccurrences(positions);
  }
  const bodyWords = Math.max(1, view.body.tokens.length);
  // BM25 per term: title occurrences weigh more, the opening sentences a little more.
  const sentences = unitsOf(view, 'sentence');
  const paragraphs = unitsOf(view, 'paragraph');
  const lengthNorm = 1 - BM25.b + (BM25.b * bodyWords) / BM25.averageBodyWords;
  let evidenceSum = 0;
  let rarityTotal = 0;
  let inLead = false;
  let wordTerms = 0;
  const unitRarity = new Map<number, number>();
  // Sentence → the distinct (non-place) terms it holds.
  const termsBySentence = new Map<number, number>();
  for (const { idf, hits, place: isPlace } of evidence.values()) {
    // A place named all through an article says where it is, not what it is about.
    let tf = 0;
    const units = new Set<number>();
    const sentencesOfTerm = new Set<number>();
    for (const h of hits) {
      // Sentence 0 is the title; the body's sentences are numbered from 1.
      const sentence = unitOfHit(sentences, h);
      const isLead = h.field === 'body' && sentence >= 1 && sentence <= LEAD_SENTENCES;
      if (isLead) inLead = true;
      if (sentence >= 1 && !isPlace) sentencesOfTerm.add(sentence);
      tf += (h.field === 'title' ? TITLE_WEIGHT : 1) + (isLead ? LEAD_BONUS : 0);
      const u = unitOfHit(paragraphs, h);
      if (u >= 0) units.add(u);
    }
    evidenceSum += (idf * tf * (BM25.k1 + 1)) / (tf + BM25.k1 * lengthNorm);
    rarityTotal += idf;
    for (const u of sentencesOfTerm) termsBySentence.set(u, (termsBySentence.get(u) ?? 0) + 1);
    if (!isPlace) wordTerms++;
    for (const u of units) unitRarity.set(u, (unitRarity.get(u) ?? 0) + idf);
  }
  const best = Math.max(0, ...unitRarity.values());
  const round = (x: number, d = 100) => Math.round(x * d) / d;
  const factors: ScoreFactors = {
    distinctTerms: terms.size,
    occurrences,
    inTitle,
    density: round((occurrences / bodyWords) * 100),
    inLead,
    evidence: round(evidenceSum),
    concentration: evidence.size < 2 ? 0.5 : round(best / rarityTotal),
    coverage: round(supportedSentences(termsBySentence, wordTerms) / Math.max(1, sentences.count - 1)),
    bodyWords,
  };
  const score = scoreOf(factors);
  // The snippet is the costly part: only for matches that are kept.
  if (score < minScore) return undefined;
  const bodyRanges = [...terms.values()].flatMap((t) => t.positions.filter((p) => p.field === 'body'));
  const countries = [...view.countries.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  return {
    score,
    factors,
    explanation: {
      terms: [...terms.values()].map((t) => ({
        ...t,
        count: t.positions.length,
        positions: t.positions.slice(0, MAX_POSITIONS_PER_TERM),
      })),
      countries,
      snippet: snippetOf(view.body.text, bodyRanges),
    },
  };
};
