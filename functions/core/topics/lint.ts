import { porterStem } from './analysis/default.ts';
import { languageName } from './analysis/registry.ts';
import { positiveLeaves, requiresEvidence } from './evaluate.ts';
import { type LeafNode, lineAndColumn, type ListNode, type QueryNode, type Span } from './query.ts';
import termRarity from './term-rarity.json' with { type: 'json' };

/** Something valid but costly or likely unintended in a query. */
export interface QueryWarning {
  code:
    | 'short-wildcard'
    | 'no-required-term'
    | 'only-negative'
    | 'lowercase-operator'
    | 'very-common-word'
    | 'language-mismatch';
  message: string;
  line: number;
  column: number;
  span: Span;
}

const COMMON = new Set([
  'the',
  'a',
  'an',
  'of',
  'to',
  'in',
  'on',
  'is',
  'for',
  'with',
  'by',
  'at',
  'be',
  'was',
  'it',
  'as',
]);

/**
 * The languages a query is limited to by its `lang:` conditions (those every match must
 * meet), or undefined when it matches articles in any language.
 */
export const requiredLanguages = (node: QueryNode): Set<string> | undefined => {
  switch (node.type) {
    case 'lang':
      return new Set(node.languages);
    case 'scope':
      return requiredLanguages(node.child);
    case 'and': {
      let out: Set<string> | undefined;
      for (const c of node.children) {
        const r = requiredLanguages(c);
        if (r) out = out ? new Set([...out].filter((l) => r.has(l))) : r;
      }
      return out;
    }
    case 'or': {
      const parts = node.children.map(requiredLanguages);
      if (parts.some((p) => p === undefined)) return undefined;
      return new Set(parts.flatMap((p) => [...(p as Set<string>)]));
    }
    default:
      return undefined;
  }
};

/** The lists a query uses outside NOT. */
const positiveLists = (node: QueryNode, out: ListNode[] = []): ListNode[] => {
  switch (node.type) {
    case 'list':
      out.push(node);
      break;
    case 'and':
    case 'or':
      for (const c of node.children) positiveLists(c, out);
      break;
    case 'near':
      positiveLists(node.left, out);
      positiveLists(node.right, out);
      break;
    case 'atleast':
      positiveLists(node.operand, out);
      break;
    case 'scope':
      positiveLists(node.child, out);
      break;
    default:
      break;
  }
  return out;
};

const ENGLISH_STEMS = new Set(Object.keys((termRarity as { stems: Record<string, number> }).stems));

/** A bare word or phrase all of whose words are among the 5,000 commonest English stems. */
const isEnglish = (leaf: LeafNode): boolean =>
  (leaf.type === 'term' && ENGLISH_STEMS.has(leaf.stem)) ||
  (leaf.type === 'phrase' && leaf.words.every((w) => ENGLISH_STEMS.has(porterStem(w))));

const names = (languages: Iterable<string>) => [...languages].map((l) => languageName(l) ?? l).join(' or ');

const onlyNegative = (node: QueryNode): boolean =>
  node.type === 'not' || (node.type === 'and' && node.children.every(onlyNegative));

/** Warns about queries that are valid but costly, or probably not what their author meant. */
export const lintQuery = (source: string, tree: QueryNode): QueryWarning[] => {
  const warnings: QueryWarning[] = [];
  const warn = (code: QueryWarning['code'], span: Span, message: string) =>
    warnings.push({ code, message, span, ...lineAndColumn(source, span.offset) });
  const whole = { offset: 0, length: source.length };
  if (onlyNegative(tree)) {
    warn('only-negative', whole, 'the query only excludes: it matches every article without those words');
  } else if (!requiresEvidence(tree)) {
    warn(
      'no-required-term',
      whole,
      'no word is required, so every article must be checked against this topic; add a term with AND',
    );
  }
  for (const { leaf } of positiveLeaves(tree)) {
    if (leaf.type === 'prefix' && leaf.prefix.length < 3) {
      warn(
        'short-wildcard',
        leaf.span,
        `"${leaf.text}" matches a great many words; use at least three letters before *`,
      );
    }
    if (leaf.type === 'term' && COMMON.has(leaf.text.toLowerCase())) {
      if (['and', 'or', 'not'].includes(leaf.text)) continue;
      warn('very-common-word', leaf.span, `"${leaf.text}" occurs in almost every article`);
    }
    if (leaf.type === 'term' && ['and', 'or', 'not'].includes(leaf.text)) {
      warn(
        'lowercase-operator',
        leaf.span,
        `"${leaf.text}" is matched as a word; write ${leaf.text.toUpperCase()} for the operator`,
      );
    }
  }
  lintLanguages(tree, whole, warn);
  return warnings;
};

/**
 * Two mistakes of topics limited to languages by `lang:`: list items marked with another
 * language (they can never match), and words that are all common English words under a
 * `lang:` that is not English (the topic can then match only where that language's text
 * quotes English).
 */
const lintLanguages = (
  tree: QueryNode,
  whole: Span,
  warn: (code: QueryWarning['code'], span: Span, message: string) => void,
) => {
  const required = requiredLanguages(tree);
  if (!required) return;
  for (const list of positiveLists(tree)) {
    const other = [...new Set(list.items.flatMap((i) => (i.lang && !required.has(i.lang) ? [i.lang] : [])))];
    if (other.length > 0) {
      warn(
        'language-mismatch',
        list.span,
        `@${list.name} has items marked ${other.map((l) => `${l}:`).join(', ')}, which never match: the query only matches ${names(required)} articles`,
      );
    }
  }
  if (required.has('en') || required.has('und')) return;
  const leaves = positiveLeaves(tree).map((p) => p.leaf);
  const words = leaves.filter((l) => l.lang === undefined && (l.type === 'term' || l.type === 'phrase'));
  const marked = leaves.some((l) => l.lang !== undefined && required.has(l.lang));
  if (marked || words.length === 0 || !words.every(isEnglish)) return;
  const shown = [...new Set(words.map((w) => w.text))].slice(0, 4).join(', ');
  warn(
    'language-mismatch',
    whole,
    `the query only matches ${names(required)} articles, but its words are English (${shown}): add ${names(required)} words, or list items marked ${[...required].map((l) => `${l}:`).join(' or ')}`,
  );
};
