import type { Analyser } from './analysis/analyser.ts';
import { ANALYSERS, analyserNumber, languageName } from './analysis/registry.ts';
import { wordsOf } from './analysis/words.ts';
import { COUNTRY_NAMES } from './places/gazetteer.ts';
import { ORGANISATION_NAMES, rawForm } from './places/organisations.ts';

/** Where a part of a query is: 0-based offset and length in the query text. */
export interface Span {
  offset: number;
  length: number;
}

/** The fields a term can be limited to; `any` is title or body. */
export type Field = 'title' | 'body' | 'author' | 'any';

/** A word matched through its stem. */
/**
 * Per-article memo kept on a shared leaf: the value is valid only for the evaluator with that
 * epoch. Every leaf is made with both (undefined), so the memo lives in the leaf itself rather
 * than in a property store added on first use.
 */
export interface LeafMemo {
  memoEpoch?: number;
  memoPresent?: boolean;
}

/**
 * What every leaf has. Its forms (stem, folded words) are those of the default analyser;
 * the forms under another analyser are worked out from the words as written the first time
 * an article read by that analyser needs them ({@link stemUnder} and its kin).
 */
interface LeafBase extends LeafMemo {
  /** Identity for caching: field, kind, language and text. Equal keys match the same words. */
  key: string;
  text: string;
  /** The words as the splitter cuts them, as written. */
  raws: readonly string[];
  /** Set when the leaf matches only articles in this language (a list item `es: donación`). */
  lang: string | undefined;
  field: Field;
  span: Span;
}

export interface TermNode extends LeafBase {
  type: 'term';
  /** The stem under the default analyser. */
  stem: string;
  /** Stems under other analysers, by analyser number, filled on first use. */
  stems: string[] | undefined;
}
/** Consecutive words matched exactly (up to case and accents). */
export interface PhraseNode extends LeafBase {
  type: 'phrase';
  /** The folded words under the default analyser. */
  words: string[];
  /** Folded words under other analysers, filled on first use. */
  wordsBy: Array<readonly string[]> | undefined;
}
/** Any word starting with a prefix (`vaccin*`). */
export interface PrefixNode extends LeafBase {
  type: 'prefix';
  /** The folded prefix under the default analyser. */
  prefix: string;
  /** Folded prefixes under other analysers, filled on first use. */
  prefixes: string[] | undefined;
}
/** Words matched with their case as written (`{WHO}`): no folding, no stemming. */
export interface ExactNode extends LeafBase {
  type: 'exact';
  /** The words as written, a possessive 's dropped. */
  words: string[];
  /** Their folded forms under the default analyser, for the presearch. */
  folded: string[];
  /** Folded forms under other analysers, filled on first use. */
  foldedBy: Array<readonly string[]> | undefined;
}
export type LeafNode = TermNode | PhraseNode | PrefixNode | ExactNode;
/** A named term list (`@health_supplies`): any of its items. */
export interface ListNode {
  type: 'list';
  name: string;
  items: LeafNode[];
  span: Span;
}
export interface AndNode {
  type: 'and';
  children: QueryNode[];
}
export interface OrNode {
  type: 'or';
  children: QueryNode[];
}
export interface NotNode {
  type: 'not';
  child: QueryNode;
  span: Span;
}
/** Two operands within `distance` words of each other, in order when `ordered`. */
export interface NearNode {
  type: 'near';
  left: NearOperand;
  right: NearOperand;
  distance: number;
  ordered: boolean;
  span: Span;
}
export type NearOperand = LeafNode | ListNode | { type: 'or'; children: Array<LeafNode | ListNode> };
/** The article names this country (ISO 3166-1 alpha-2). */
export interface CountryNode {
  type: 'country';
  code: string;
  span: Span;
}
/** The article is written in one of these languages (primary subtags; `und` for not known). */
export interface LangNode {
  type: 'lang';
  languages: string[];
  span: Span;
}
/** The article names at least `min` distinct countries. */
export interface CountriesNode {
  type: 'countries';
  min: number;
  span: Span;
}
/** The article names this international body (an id of the organisation gazetteer). */
export interface OrgNode {
  type: 'org';
  id: string;
  span: Span;
}
/** The article names at least `min` distinct actors: countries and international bodies together. */
export interface ActorsNode {
  type: 'actors';
  min: number;
  span: Span;
}
/**
 * The operand occurs at least `min` times (distinct places in the text), or, for a scope,
 * at least `min` sentences (paragraphs) satisfy it.
 */
export interface AtLeastNode {
  type: 'atleast';
  min: number;
  operand: NearOperand | ScopeNode;
  span: Span;
}
/** Where every condition of a scope must hold together. */
export type UnitKind = 'sentence' | 'paragraph' | 'lead';
/** Every condition of `child`, place conditions included, holds within one sentence, paragraph or the lead. */
export interface ScopeNode {
  type: 'scope';
  unit: UnitKind;
  child: QueryNode;
  span: Span;
}
export type QueryNode =
  | LeafNode
  | ListNode
  | AndNode
  | OrNode
  | NotNode
  | NearNode
  | CountryNode
  | CountriesNode
  | LangNode
  | OrgNode
  | ActorsNode
  | AtLeastNode
  | ScopeNode;

/** Limits that keep one topic from costing more than its share. */
export const QUERY_LIMITS = {
  maxLength: 4000,
  maxDepth: 24,
  maxLeaves: 300,
  /** Items of the lists a query uses, each list counted once however often it is used. */
  maxListItems: 2000,
  maxNear: 50,
} as const;

/** Most items in one named list, and most characters in one item. */
export const LIST_LIMITS = { maxItems: 2000, maxItemLength: 200 } as const;

/** A query that cannot be read, with the place to point at. */
export class QuerySyntaxError extends Error {
  override readonly name = 'QuerySyntaxError';
  readonly span: Span;
  readonly line: number;
  readonly column: number;
  readonly source: string;
  constructor(source: string, span: Span, message: string) {
    const { line, column } = lineAndColumn(source, span.offset);
    super(message);
    this.source = source;
    this.span = span;
    this.line = line;
    this.column = column;
  }

  /** The message with the query line and a caret under the problem. */
  describe(): string {
    return `line ${this.line}, column ${this.column}: ${this.message}\n${caret(this.source, this.span)}`;
  }
}

/** Line and column (1-based) of an offset. */
export const lineAndColumn = (source: string, offset: number): { line: number; column: number } => {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
};

/** The source line holding `span`, and a caret line under it. */
export const caret = (source: string, span: Span): string => {
  const lineStart = source.lastIndexOf('\n', span.offset - 1) + 1;
  const lineEnd = source.indexOf('\n', span.offset);
  const text = source.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const col = span.offset - lineStart;
  const width = Math.max(1, Math.min(span.length, text.length - col));
  return `  ${text}\n  ${' '.repeat(col)}${'^'.repeat(width)}`;
};

const OPERAND_TYPES = new Set<string>(['term', 'phrase', 'prefix', 'exact', 'list']);

/** Does a tree hold a unit scope anywhere? */
const containsScope = (node: QueryNode): boolean => {
  switch (node.type) {
    case 'scope':
      return true;
    case 'and':
    case 'or':
      return node.children.some(containsScope);
    case 'not':
      return containsScope(node.child);
    case 'atleast':
      return node.operand.type === 'scope';
    default:
      return false;
  }
};

type Tok =
  | { kind: 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'end'; span: Span }
  | { kind: 'near'; distance: number; ordered: boolean; span: Span }
  | { kind: 'within'; unit: 'sentence' | 'paragraph'; span: Span }
  | { kind: 'field'; field: 'title' | 'body' | 'author'; span: Span }
  | { kind: 'country'; code: string; span: Span }
  | { kind: 'lang'; languages: string[]; span: Span }
  | { kind: 'countries'; min: number; span: Span }
  | { kind: 'org'; id: string; span: Span }
  | { kind: 'actors'; min: number; span: Span }
  | { kind: 'atleast'; min: number; span: Span }
  | { kind: 'scope'; unit: UnitKind; span: Span }
  | { kind: 'exact'; text: string; span: Span }
  | { kind: 'list'; name: string; span: Span }
  | { kind: 'phrase'; text: string; span: Span }
  | { kind: 'word'; text: string; span: Span };

const OPEN_QUOTES = new Set(['"', '“', '”', '„']);
const CLOSE_QUOTES = new Set(['"', '”', '“']);
const isSpace = (c: string) => {
  const code = c.charCodeAt(0);
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || (code > 0x7f && /\s/.test(c));
};
const isBreak = (c: string) =>
  isSpace(c) || c === '(' || c === ')' || c === '{' || c === '}' || OPEN_QUOTES.has(c);

/** Prefixes a query word may carry, for the message about an unknown one. */
const KNOWN_PREFIXES = 'title:, body:, author:, lead:, sentence:, paragraph:, country:, org:, lang:';

const PLAIN_WORD = /^[a-z]+\*?$/;

/** Splits a query into tokens. Reads character by character: user text never becomes a pattern. */
const lex = (src: string): Tok[] => {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')') {
      toks.push({ kind: c === '(' ? 'lparen' : 'rparen', span: { offset: i, length: 1 } });
      i++;
      continue;
    }
    if (c === '{' || c === '}') {
      const close = src.indexOf('}', i + 1);
      if (c === '}' || close === -1)
        throw new QuerySyntaxError(
          src,
          { offset: i, length: 1 },
          c === '}' ? 'this "}" closes nothing' : 'this "{" is never closed',
        );
      toks.push({ kind: 'exact', text: src.slice(i + 1, close), span: { offset: i, length: close + 1 - i } });
      i = close + 1;
      continue;
    }
    if (OPEN_QUOTES.has(c)) {
      let j = i + 1;
      while (j < src.length && !CLOSE_QUOTES.has(src[j] as string)) j++;
      if (j >= src.length)
        throw new QuerySyntaxError(src, { offset: i, length: 1 }, 'this quote is never closed');
      toks.push({ kind: 'phrase', text: src.slice(i + 1, j), span: { offset: i, length: j + 1 - i } });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < src.length && !isBreak(src[j] as string)) j++;
    const word = src.slice(i, j);
    const span = { offset: start, length: j - i };
    i = j;
    // Lower-case letters (a wildcard after them) are a word: every operator and prefix has a
    // capital, a digit or punctuation.
    if (PLAIN_WORD.test(word)) toks.push({ kind: 'word', text: word, span });
    else if (word === 'AND' || word === '&&') toks.push({ kind: 'and', span });
    else if (word === 'OR' || word === '||') toks.push({ kind: 'or', span });
    else if (word === 'NOT') toks.push({ kind: 'not', span });
    else if (word === 'W/S' || word === 'W/P' || word === 'SAME') {
      toks.push({ kind: 'within', unit: word === 'W/S' ? 'sentence' : 'paragraph', span });
    } else if (/^w\/[sp]$/i.test(word)) {
      throw new QuerySyntaxError(
        src,
        span,
        `write ${word.toUpperCase()} in capitals, like the other operators`,
      );
    } else if (/^O?NEAR\/\d+[Ff]?$/.test(word)) {
      const ordered = word.startsWith('ONEAR') || /f$/i.test(word);
      const distance = Number(/\d+/.exec(word)?.[0]);
      if (distance > 100) throw new QuerySyntaxError(src, span, 'NEAR distance is at most 100 words');
      toks.push({ kind: 'near', distance, ordered, span });
    } else if (/^O?NEAR\b/i.test(word) && word === word.toUpperCase()) {
      throw new QuerySyntaxError(
        src,
        span,
        'write NEAR/n (n words apart at most), ONEAR/n or NEAR/nf for the ordered form',
      );
    } else if (/^ATLEAST\d+$/i.test(word)) {
      const min = Number(word.slice(7));
      if (word !== word.toUpperCase())
        throw new QuerySyntaxError(
          src,
          span,
          `write ${word.toUpperCase()}( … ) in capitals, like the other operators`,
        );
      if (min < 1 || min > 100)
        throw new QuerySyntaxError(src, span, 'ATLEASTn counts from 1 to 100 occurrences');
      toks.push({ kind: 'atleast', min, span });
    } else if (/^(sentence|paragraph|lead):/i.test(word)) {
      const unit = word.slice(0, word.indexOf(':')).toLowerCase() as UnitKind;
      if (word.length > unit.length + 1)
        throw new QuerySyntaxError(
          src,
          span,
          `${unit}: scopes a group: write ${unit}:( … ) with the conditions that must hold together`,
        );
      toks.push({ kind: 'scope', unit, span });
    } else if (/^(title|body|author):$/i.test(word) || /^(title|body|author):/i.test(word)) {
      const name = word.slice(0, word.indexOf(':')).toLowerCase() as 'title' | 'body' | 'author';
      toks.push({ kind: 'field', field: name, span: { offset: start, length: name.length + 1 } });
      const rest = word.slice(name.length + 1);
      if (rest) {
        const restStart = start + name.length + 1;
        let inner: Tok[];
        try {
          inner = lex(rest);
        } catch (e) {
          // Point at the problem in the whole query, not in the part after the scope.
          if (!(e instanceof QuerySyntaxError)) throw e;
          throw new QuerySyntaxError(
            src,
            { offset: e.span.offset + restStart, length: e.span.length },
            e.message,
          );
        }
        toks.push(...inner.filter((t) => t.kind !== 'end').map((t) => shift(t, restStart)));
      }
    } else if (/^country:/i.test(word)) {
      const code = word.slice(8).toUpperCase();
      if (!COUNTRY_NAMES.has(code)) {
        throw new QuerySyntaxError(
          src,
          span,
          `"${word.slice(8)}" is not an ISO 3166-1 country code (e.g. country:KR)`,
        );
      }
      toks.push({ kind: 'country', code, span });
    } else if (/^lang:/i.test(word)) {
      toks.push({ kind: 'lang', languages: languagesOf(src, word, start), span });
    } else if (/^org:/i.test(word)) {
      const id = word.slice(4).toUpperCase();
      if (!ORGANISATION_NAMES.has(id)) {
        const near = [...ORGANISATION_NAMES.keys()].filter((k) => k.startsWith(id.slice(0, 2))).slice(0, 6);
        throw new QuerySyntaxError(
          src,
          span,
          `"${word.slice(4)}" is not an organisation the gazetteer knows (e.g. org:WHO, org:UNICEF${near.length ? `; close: ${near.map((k) => `org:${k}`).join(', ')}` : ''})`,
        );
      }
      toks.push({ kind: 'org', id, span });
    } else if (/^(countries|actors)[<>=]/i.test(word)) {
      const kind = word.slice(0, 6).toLowerCase() === 'actors' ? 'actors' : 'countries';
      const m = /^(?:countries|actors)>=(\d+)$/i.exec(word);
      const min = Number(m?.[1]);
      if (!m || min < 1 || min > 50) {
        const what = kind === 'actors' ? 'countries and international bodies' : 'countries';
        throw new QuerySyntaxError(
          src,
          span,
          `write ${kind}>=n with n from 1 to 50 (at least n distinct ${what})`,
        );
      }
      toks.push({ kind, min, span });
    } else if (word.startsWith('@')) {
      if (!/^@[A-Za-z][A-Za-z0-9_-]*$/.test(word)) {
        throw new QuerySyntaxError(src, span, 'a list name is @ followed by letters, digits, _ or -');
      }
      toks.push({ kind: 'list', name: word.slice(1), span });
    } else if (/^[\p{L}_][\p{L}\p{N}_-]*:/u.test(word)) {
      // A field that does not exist must not silently become a phrase ("lang:es" → "lang es").
      const name = word.slice(0, word.indexOf(':') + 1);
      throw new QuerySyntaxError(
        src,
        { offset: start, length: name.length },
        `unknown field "${name}" (known: ${KNOWN_PREFIXES}); put the text in quotes to search for it`,
      );
    } else {
      toks.push({ kind: 'word', text: word, span });
    }
  }
  toks.push({ kind: 'end', span: { offset: src.length, length: 1 } });
  return toks;
};

/** The languages of `lang:es` or `lang:es,fr`, each checked, with the place of a bad one. */
const languagesOf = (src: string, word: string, start: number): string[] => {
  const list = word.slice(5);
  if (list === '' && src[start + 5] === '(') {
    throw new QuerySyntaxError(
      src,
      { offset: start, length: 6 },
      'lang: takes language codes joined by commas: write lang:es,fr (not lang:( … ))',
    );
  }
  if (list === '')
    throw new QuerySyntaxError(
      src,
      { offset: start, length: 5 },
      'write lang:xx with a language code (e.g. lang:es)',
    );
  const languages: string[] = [];
  let at = start + 5;
  for (const part of list.split(',')) {
    const code = part.toLowerCase();
    if (!languageName(code)) {
      throw new QuerySyntaxError(
        src,
        { offset: at, length: Math.max(1, part.length) },
        part === ''
          ? 'a language code is missing between commas (write lang:es,fr)'
          : `"${part}" is not a language code: use a two- or three-letter ISO 639 code (e.g. lang:es, lang:ru, lang:und for no known language)`,
      );
    }
    if (!languages.includes(code)) languages.push(code);
    at += part.length + 1;
  }
  return languages;
};

const shift = (t: Tok, by: number): Tok => ({
  ...t,
  span: { offset: t.span.offset + by, length: t.span.length },
});

/** The cache identity of a leaf: field, kind, language and text (its forms follow from these). */
export const leafKeyOf = (
  field: Field,
  type: LeafNode['type'],
  lang: string | undefined,
  text: string,
): string => [field, type, lang ?? '', text].join('|');

/** The same leaf limited to another field. */
export const inField = (leaf: LeafNode, field: Field): LeafNode => {
  const { memoEpoch: _e, memoPresent: _p, ...plain } = leaf;
  return { ...plain, field, key: leafKeyOf(field, leaf.type, leaf.lang, leaf.text) };
};

/** One word's forms under an analyser, the default's array when they are the same. */
const foldedUnder = (raws: readonly string[], base: readonly string[], a: number): readonly string[] => {
  const analyser = ANALYSERS[a] as Analyser;
  if (!raws.some((r) => analyser.handles(r))) return base;
  const words = raws.map((r) => analyser.analyseWord(r)[0]);
  return words.every((w, i) => w === base[i]) ? base : words;
};

/** The stem of a word leaf under the analyser of that number. */
export const stemUnder = (leaf: TermNode, a: number): string => {
  if (a === 0) return leaf.stem;
  const stems = (leaf.stems ??= []);
  return (stems[a] ??= (ANALYSERS[a] as Analyser).analyseWord(leaf.raws[0] as string)[1]);
};

/** The folded prefix of a wildcard under the analyser of that number. */
export const prefixUnder = (leaf: PrefixNode, a: number): string => {
  if (a === 0) return leaf.prefix;
  const prefixes = (leaf.prefixes ??= []);
  return (prefixes[a] ??= (ANALYSERS[a] as Analyser).analyseWord(leaf.raws[0] as string)[0]);
};

/** The folded words of a phrase under the analyser of that number. */
export const wordsUnder = (leaf: PhraseNode, a: number): readonly string[] => {
  if (a === 0) return leaf.words;
  const by = (leaf.wordsBy ??= []);
  return (by[a] ??= foldedUnder(leaf.raws, leaf.words, a));
};

/** The folded words of an exact-case leaf under the analyser of that number, for the presearch. */
export const exactFoldedUnder = (leaf: ExactNode, a: number): readonly string[] => {
  if (a === 0) return leaf.folded;
  const by = (leaf.foldedBy ??= []);
  return (by[a] ??= foldedUnder(leaf.raws, leaf.folded, a));
};

const defaultAnalyser = ANALYSERS[0] as Analyser;

/** Turns one word or phrase of query text into a leaf, or says why it cannot be one. */
export const leafFrom = (
  src: string,
  tok: { kind: 'word' | 'phrase' | 'exact'; text: string; span: Span },
  field: Field,
  lang?: string,
): LeafNode => {
  const { text, span } = tok;
  const folded = (raws: readonly string[]) => raws.map((r) => defaultAnalyser.analyseWord(r)[0]);
  if (tok.kind === 'exact') {
    const raws = wordsOf(text);
    if (raws.length === 0) throw new QuerySyntaxError(src, span, 'these braces have no word in them');
    if (text.includes('*')) throw new QuerySyntaxError(src, span, 'wildcards do not work inside { }');
    const written = `{${text}}`;
    return {
      type: 'exact',
      key: leafKeyOf(field, 'exact', lang, written),
      text: written,
      raws,
      words: raws.map(rawForm),
      folded: folded(raws),
      foldedBy: undefined,
      lang,
      field,
      span,
      memoEpoch: undefined,
      memoPresent: undefined,
    };
  }
  const phrase = (raws: readonly string[]): PhraseNode => ({
    type: 'phrase',
    key: leafKeyOf(field, 'phrase', lang, text),
    text,
    raws,
    words: folded(raws),
    wordsBy: undefined,
    lang,
    field,
    span,
    memoEpoch: undefined,
    memoPresent: undefined,
  });
  if (tok.kind === 'phrase') {
    const raws = wordsOf(text);
    if (raws.length === 0) throw new QuerySyntaxError(src, span, 'this phrase has no words in it');
    if (text.includes('*')) throw new QuerySyntaxError(src, span, 'wildcards do not work inside quotes');
    return phrase(raws);
  }
  const star = text.indexOf('*');
  if (star >= 0 && star !== text.length - 1) {
    throw new QuerySyntaxError(
      src,
      { offset: span.offset + star, length: 1 },
      'a wildcard * can only end a word (vaccin*)',
    );
  }
  if (text.includes('?')) {
    throw new QuerySyntaxError(
      src,
      { offset: span.offset + text.indexOf('?'), length: 1 },
      'single-letter wildcards (?) are not supported; use * at the end of a word',
    );
  }
  const body = star >= 0 ? text.slice(0, -1) : text;
  // Most query words are plain letters: skip the splitter for them.
  const raws = /^[A-Za-z]+$/.test(body) ? [body] : wordsOf(body);
  if (raws.length === 0) {
    throw new QuerySyntaxError(
      src,
      span,
      star >= 0
        ? 'a wildcard needs at least one letter before it'
        : `"${text}" has no letters or digits to match`,
    );
  }
  if (star >= 0) {
    if (raws.length > 1)
      throw new QuerySyntaxError(src, span, 'a wildcard word must be one word (no hyphens or punctuation)');
    return {
      type: 'prefix',
      key: leafKeyOf(field, 'prefix', lang, text),
      text,
      raws,
      prefix: defaultAnalyser.analyseWord(raws[0] as string)[0],
      prefixes: undefined,
      lang,
      field,
      span,
      memoEpoch: undefined,
      memoPresent: undefined,
    };
  }
  // "covid-19" is two words to the analysers: match them as a phrase.
  if (raws.length > 1) return phrase(raws);
  return {
    type: 'term',
    key: leafKeyOf(field, 'term', lang, text),
    text,
    raws,
    stem: defaultAnalyser.analyseWord(raws[0] as string)[1],
    stems: undefined,
    lang,
    field,
    span,
  };
};

/** Named term lists, already parsed: name → items. */
export type TermLists = ReadonlyMap<string, LeafNode[]>;

/**
 * Parses a query into its tree. Operators: OR (lowest), AND (or juxtaposition), NOT, NEAR/n
 * (tightest); parentheses; `title:`, `body:`, `author:` scopes; `country:XX`,
 * `countries>=n`; `@lists`. Throws {@link QuerySyntaxError} with the place of the problem.
 */
/**
 * Leaves already built, by field, kind and text as written. When a cache is given, equal
 * words of different queries share one leaf object (its span is that of the first query).
 */
export type LeafCache = Map<string, Map<string, LeafNode>>;

/** The cache bucket of each field and kind of leaf, spelled once rather than joined for every word. */
const LEAF_BUCKETS = Object.fromEntries(
  (['any', 'title', 'body', 'author'] as const).map((f) => [
    f,
    { word: `${f}word`, phrase: `${f}phrase`, exact: `${f}exact` },
  ]),
) as Record<Field, Record<'word' | 'phrase' | 'exact', string>>;

export const parseQuery = (source: string, lists: TermLists = new Map(), cache?: LeafCache): QueryNode => {
  if (source.length > QUERY_LIMITS.maxLength) {
    throw new QuerySyntaxError(
      source,
      { offset: QUERY_LIMITS.maxLength, length: 1 },
      `a query is at most ${QUERY_LIMITS.maxLength} characters`,
    );
  }
  if (source.trim() === '')
    throw new QuerySyntaxError(source, { offset: 0, length: 1 }, 'the query is empty');
  const toks = lex(source);
  let pos = 0;
  let leaves = 0;
  let listItems = 0;
  const listsUsed = new Set<string>();
  let nears = 0;
  const peek = () => toks[pos] as Tok;
  const next = () => toks[pos++] as Tok;
  const fail = (t: Tok, message: string): never => {
    throw new QuerySyntaxError(source, t.span, message);
  };
  const describe = (t: Tok) =>
    t.kind === 'end'
      ? 'the end of the query'
      : `"${source.slice(t.span.offset, t.span.offset + t.span.length)}"`;
  const countLeaf = (t: Tok) => {
    if (++leaves > QUERY_LIMITS.maxLeaves)
      fail(t, `a query has at most ${QUERY_LIMITS.maxLeaves} words, phrases and lists`);
  };

  const parseOr = (depth: number, field: Field): QueryNode => {
    const children = [parseAnd(depth, field)];
    while (peek().kind === 'or') {
      next();
      if (['end', 'rparen', 'or', 'and'].includes(peek().kind))
        fail(peek(), `expected a word, a phrase or "(" after OR, found ${describe(peek())}`);
      children.push(parseAnd(depth, field));
    }
    // A copy of the exact length: an array grown by push keeps room for many more (a tree is held as long as its topic).
    return children.length === 1 ? (children[0] as QueryNode) : { type: 'or', children: children.slice() };
  };

  const startsOperand = (t: Tok) => !['end', 'rparen', 'or', 'and', 'near', 'within'].includes(t.kind);

  const parseAnd = (depth: number, field: Field): QueryNode => {
    const children = [parseNot(depth, field)];
    for (;;) {
      const t = peek();
      if (t.kind === 'and') {
        next();
        if (!startsOperand(peek()))
          fail(peek(), `expected a word, a phrase or "(" after AND, found ${describe(peek())}`);
        children.push(parseNot(depth, field));
      } else if (startsOperand(t)) {
        children.push(parseNot(depth, field));
      } else break;
    }
    return children.length === 1 ? (children[0] as QueryNode) : { type: 'and', children: children.slice() };
  };

  const parseNot = (depth: number, field: Field): QueryNode => {
    const t = peek();
    if (t.kind === 'not') {
      next();
      if (!startsOperand(peek()))
        fail(peek(), `expected what to exclude after NOT, found ${describe(peek())}`);
      return { type: 'not', child: parseNot(depth + 1, field), span: t.span };
    }
    return parseNear(depth, field);
  };

  const asNearOperand = (node: QueryNode, at: Tok): NearOperand => {
    if (OPERAND_TYPES.has(node.type)) return node as NearOperand;
    if (node.type === 'or' && node.children.every((c) => OPERAND_TYPES.has(c.type))) {
      return node as NearOperand;
    }
    return fail(
      at,
      `${at.kind === 'atleast' ? 'ATLEASTn counts' : 'NEAR joins'} words, phrases, wildcards, lists or (a OR b) groups of them; use AND between larger parts`,
    );
  };

  /** `a W/S b W/S c` (LexisNexis) is sentence:(a AND b AND c); `W/P` and `SAME` (Factiva) the same in a paragraph. */
  const parseWithin = (depth: number, field: Field, first: QueryNode): QueryNode => {
    const op = peek() as Extract<Tok, { kind: 'within' }>;
    if (scope) fail(op, `${describe(op)} cannot be used inside ${scope}:( … ); scopes do not nest`);
    const children = [first];
    while (peek().kind === 'within') {
      const t = next() as Extract<Tok, { kind: 'within' }>;
      if (t.unit !== op.unit)
        fail(t, `${describe(t)} cannot follow ${describe(op)}: use one unit, or parentheses`);
      if (!startsOperand(peek()))
        fail(peek(), `expected a word, a phrase or "(" after ${describe(t)}, found ${describe(peek())}`);
      children.push(parsePrimary(depth, field));
    }
    const nested = children.find(containsScope);
    if (nested)
      fail(op, `${describe(op)} joins conditions that are not scoped themselves; scopes do not nest`);
    return {
      type: 'scope',
      unit: op.unit,
      child: { type: 'and', children: children.slice() },
      span: op.span,
    };
  };

  const parseNear = (depth: number, field: Field): QueryNode => {
    const leftTok = peek();
    const left = parsePrimary(depth, field);
    if (peek().kind === 'within') return parseWithin(depth, field, left);
    if (peek().kind !== 'near') return left;
    const op = next() as Extract<Tok, { kind: 'near' }>;
    if (++nears > QUERY_LIMITS.maxNear)
      fail(op, `a query has at most ${QUERY_LIMITS.maxNear} NEAR operators`);
    if (!startsOperand(peek()))
      fail(peek(), `expected a word, a phrase or "(" after ${describe(op)}, found ${describe(peek())}`);
    const rightTok = peek();
    const right = parsePrimary(depth, field);
    if (peek().kind === 'near') fail(peek(), 'NEAR cannot be chained; write (a NEAR/3 b) AND (b NEAR/3 c)');
    return {
      type: 'near',
      left: asNearOperand(left, leftTok),
      right: asNearOperand(right, rightTok),
      distance: op.distance,
      ordered: op.ordered,
      span: op.span,
    };
  };

  // The unit scope being parsed: scopes do not nest.
  let scope: UnitKind | undefined;

  const parsePrimary = (depth: number, field: Field): QueryNode => {
    const t = next();
    if (depth > QUERY_LIMITS.maxDepth) fail(t, `a query nests at most ${QUERY_LIMITS.maxDepth} levels deep`);
    switch (t.kind) {
      case 'lparen': {
        if (peek().kind === 'rparen') fail(peek(), 'empty parentheses');
        const inner = parseOr(depth + 1, field);
        const close = next();
        if (close.kind !== 'rparen')
          fail(
            close,
            `expected ")" to close the "(" at column ${lineAndColumn(source, t.span.offset).column}, found ${describe(close)}`,
          );
        return inner;
      }
      case 'field': {
        if (field !== 'any' && field !== t.field) fail(t, `${t.field}: cannot be used inside ${field}:`);
        if (!startsOperand(peek()) || peek().kind === 'not')
          fail(peek(), `expected a word, a phrase or "(" after ${t.field}:`);
        return parsePrimary(depth, t.field);
      }
      case 'scope': {
        if (scope) fail(t, `${t.unit}:( … ) cannot be used inside ${scope}:( … ); scopes do not nest`);
        if (peek().kind !== 'lparen') fail(peek(), `expected "(" after ${t.unit}: (write ${t.unit}:( … ))`);
        scope = t.unit;
        try {
          return { type: 'scope', unit: t.unit, child: parsePrimary(depth + 1, field), span: t.span };
        } finally {
          scope = undefined;
        }
      }
      case 'atleast': {
        if (!startsOperand(peek()) || peek().kind === 'not')
          fail(peek(), `expected "(" or a word after ATLEAST${t.min}`);
        const operand = parsePrimary(depth + 1, field);
        if (operand.type === 'scope') return { type: 'atleast', min: t.min, operand, span: t.span };
        return { type: 'atleast', min: t.min, operand: asNearOperand(operand, t), span: t.span };
      }
      case 'org':
        return { type: 'org', id: t.id, span: t.span };
      case 'actors':
        return { type: 'actors', min: t.min, span: t.span };
      case 'word':
      case 'phrase':
      case 'exact': {
        countLeaf(t);
        if (!cache) return leafFrom(source, t, field);
        const bucket = LEAF_BUCKETS[field][t.kind];
        let byText = cache.get(bucket);
        if (!byText) cache.set(bucket, (byText = new Map<string, LeafNode>()));
        let leaf = byText.get(t.text);
        if (!leaf) byText.set(t.text, (leaf = leafFrom(source, t, field)));
        return leaf;
      }
      case 'list': {
        countLeaf(t);
        const items = lists.get(t.name);
        if (!items) {
          const known = [...lists.keys()]
            .sort()
            .slice(0, 8)
            .map((n) => `@${n}`)
            .join(', ');
          return fail(t, `there is no list named @${t.name}${known ? ` (known: ${known})` : ''}`);
        }
        if (!listsUsed.has(t.name)) {
          listsUsed.add(t.name);
          listItems += items.length;
          if (listItems > QUERY_LIMITS.maxListItems)
            fail(
              t,
              `the lists of a query hold at most ${QUERY_LIMITS.maxListItems} items together; with @${t.name} (${items.length}) they hold ${listItems}`,
            );
        }
        return {
          type: 'list',
          name: t.name,
          items: field === 'any' ? items : items.map((i) => inField(i, field)),
          span: t.span,
        };
      }
      case 'country':
        return { type: 'country', code: t.code, span: t.span };
      case 'lang':
        return { type: 'lang', languages: t.languages, span: t.span };
      case 'countries':
        return { type: 'countries', min: t.min, span: t.span };
      case 'rparen':
        return fail(t, 'this ")" closes nothing');
      default:
        return fail(t, `expected a word, a phrase or "(", found ${describe(t)}`);
    }
  };

  const tree = parseOr(0, 'any');
  const rest = peek();
  if (rest.kind !== 'end')
    fail(rest, rest.kind === 'rparen' ? 'this ")" closes nothing' : `unexpected ${describe(rest)}`);
  return tree;
};

/** An item limited to one language: `es: donación`. */
const LANGUAGE_ITEM = /^([a-z]{2,3}):\s*(\S[\s\S]*)$/;

/**
 * Reads one item of a named list: several words are a phrase ("medical masks"), a word
 * ending in * is a wildcard, one word is matched through its stem. An item may start with a
 * language code (`es: donación`): it then matches only articles in that language.
 */
export const parseListItem = (item: string): LeafNode => {
  let trimmed = item.trim();
  let lang: string | undefined;
  const limited = LANGUAGE_ITEM.exec(trimmed);
  if (limited) {
    const code = limited[1] ?? '';
    if (!languageName(code)) {
      throw new QuerySyntaxError(
        item,
        { offset: item.indexOf(code), length: code.length },
        `"${code}:" is not a language code: write a two- or three-letter ISO 639 code (es: donación)`,
      );
    }
    lang = code;
    trimmed = limited[2] as string;
  }
  const quoted = /^["“].*["”]$/.test(trimmed);
  const text = quoted ? trimmed.slice(1, -1) : trimmed;
  const span = { offset: 0, length: item.length };
  // Quotes keep their meaning in a list: an exact word or phrase, not stemmed.
  if (quoted || /\s/.test(text)) return leafFrom(item, { kind: 'phrase', text, span }, 'any', lang);
  return leafFrom(item, { kind: 'word', text, span }, 'any', lang);
};

/** The analyser number a leaf limited to a language is compared under; undefined for any. */
export const leafAnalyser = (leaf: LeafNode): number | undefined =>
  leaf.lang === undefined ? undefined : analyserNumber(leaf.lang);
