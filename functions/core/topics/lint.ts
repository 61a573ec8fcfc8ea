import { positiveLeaves, requiresEvidence } from './evaluate.ts';
import { lineAndColumn, type QueryNode, type Span } from './query.ts';

/** Something valid but costly or likely unintended in a query. */
export interface QueryWarning {
  code: 'short-wildcard' | 'no-required-term' | 'only-negative' | 'lowercase-operator' | 'very-common-word';
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
  return warnings;
};
