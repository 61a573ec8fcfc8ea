import type { Analyser, Token } from './analysis/analyser.ts';
import { ANALYSERS, analyserNumber, primaryLanguage } from './analysis/registry.ts';
import { findPlaces, type PlaceMention } from './places/gazetteer.ts';
import { findOrganisations, type OrganisationMention, rawForm } from './places/organisations.ts';
import type { UnitKind } from './query.ts';
import { type UnitMap, unitMapOf } from './units.ts';

/** One searchable field of an article. */
export interface FieldView {
  text: string;
  /** The number of the analyser that cut the field into tokens (its place in `ANALYSERS`). */
  analyser: number;
  tokens: Token[];
  /** stem → token indexes. */
  byStem: Map<string, number[]>;
  /** folded word → token indexes. */
  byFolded: Map<string, number[]>;
  /** Distinct folded words, sorted, for prefix lookups; built on first use. */
  sortedWords?: string[];
  /** Word as written (possessive dropped) → token indexes, for exact-case terms; built on first use. */
  byRaw?: Map<string, number[]>;
}

/** An article analysed once, ready to be matched against any number of topics. */
export interface ArticleView {
  /** The article's language: a lower-case primary subtag (`es`), or undefined when not known. */
  language: string | undefined;
  title: FieldView;
  body: FieldView;
  author: FieldView;
  /** Countries named in the title and the body, with the field they are in. */
  places: Array<PlaceMention & { field: 'title' | 'body' }>;
  /** Country code → number of mentions (title and body). */
  countries: Map<string, number>;
  /** International bodies named in the title and the body, found on first use ({@link organisationsOf}). */
  organisations?: Organisations;
  /** Sentence, paragraph and lead membership of tokens, each built on first use. */
  units: Partial<Record<UnitKind, UnitMap>>;
}

/** What the matcher reads of an article. */
export interface MatchableArticle {
  title: string;
  paragraphs: readonly string[];
  author?: string;
  /** The language (BCP 47) the article is written in, when known: it chooses the analyser. */
  language?: string;
}

const push = (map: Map<string, number[]>, key: string, i: number) => {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
};

/** Tokenises and indexes one field with the analyser of that number (the default one unless given). */
export const viewField = (text: string, analyser = 0): FieldView => {
  const tokens = (ANALYSERS[analyser] as Analyser).tokenize(text);
  const byStem = new Map<string, number[]>();
  const byFolded = new Map<string, number[]>();
  for (const t of tokens) {
    push(byStem, t.stem, t.index);
    push(byFolded, t.folded, t.index);
  }
  return { text, analyser, tokens, byStem, byFolded };
};

/** Separator between paragraphs in the body text the offsets refer to. */
export const PARAGRAPH_SEPARATOR = '\n\n';

/** Analyses an article with its language's analyser: tokens per field, and the countries it names. */
export const viewArticle = (article: MatchableArticle): ArticleView => {
  const language = primaryLanguage(article.language);
  const analyser = analyserNumber(language);
  const title = viewField(article.title, analyser);
  const body = viewField(article.paragraphs.join(PARAGRAPH_SEPARATOR), analyser);
  const author = viewField(article.author ?? '', analyser);
  const places = [
    ...findPlaces(title.text, title.tokens).map((p) => ({ ...p, field: 'title' as const })),
    ...findPlaces(body.text, body.tokens).map((p) => ({ ...p, field: 'body' as const })),
  ];
  const countries = new Map<string, number>();
  for (const p of places) countries.set(p.code, (countries.get(p.code) ?? 0) + 1);
  return { language, title, body, author, places, countries, units: {} };
};

/** The international bodies an article names, and how often each. */
export interface Organisations {
  mentions: Array<OrganisationMention & { field: 'title' | 'body' }>;
  /** Organisation id → number of mentions. */
  counts: Map<string, number>;
}

/**
 * The bodies an article names, found on first use: most topic sets name none, and their
 * articles never pay for the search.
 */
export const organisationsOf = (view: ArticleView): Organisations => {
  if (!view.organisations) {
    const mentions = [
      ...findOrganisations(view.title.tokens, view.title.text).map((o) => ({
        ...o,
        field: 'title' as const,
      })),
      ...findOrganisations(view.body.tokens, view.body.text).map((o) => ({ ...o, field: 'body' as const })),
    ];
    const counts = new Map<string, number>();
    for (const o of mentions) counts.set(o.id, (counts.get(o.id) ?? 0) + 1);
    view.organisations = { mentions, counts };
  }
  return view.organisations;
};

/** The field's words as written, possessive dropped → token indexes. */
export const rawIndexOf = (f: FieldView): Map<string, number[]> => {
  if (!f.byRaw) {
    f.byRaw = new Map();
    for (const t of f.tokens) push(f.byRaw, rawForm(t.raw), t.index);
  }
  return f.byRaw;
};

/** Which sentence, paragraph or lead each title and body token belongs to. */
export const unitsOf = (view: ArticleView, kind: UnitKind): UnitMap =>
  (view.units[kind] ??= unitMapOf(kind, view.title, view.body, PARAGRAPH_SEPARATOR));
