import { type Document, visit, type YAMLError } from 'yaml';

/**
 * Most alias expansions (`*name`) a configuration file may make. Anchors and aliases are
 * handy for a shared block or two; thousands of expansions are a file built to exhaust
 * memory (the "billion laughs" of YAML).
 */
export const MAX_YAML_ALIASES = 100;

/**
 * The plain value of a parsed YAML document, or where and why it could not be made: a file
 * whose aliases expand more than {@link MAX_YAML_ALIASES} times is refused at its first alias
 * instead of throwing.
 */
export const yamlValue = (
  doc: Document,
): { ok: true; value: unknown } | { ok: false; offset: number; message: string } => {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (e) {
    let offset = 0;
    visit(doc, {
      Alias(_, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const excessive = e instanceof ReferenceError && /alias/i.test(e.message);
    return {
      ok: false,
      offset,
      message: excessive
        ? `the file's aliases (*name) expand more than ${MAX_YAML_ALIASES} times; write the values out, or share words through a named @list`
        : `the file cannot be read: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
};

/**
 * What a YAML syntax error means, in the project's words; the library's own first line
 * where it is already plain (`Missing closing "quote`, `Tabs are not allowed as indentation`).
 */
export const yamlErrorMessage = (e: YAMLError): string => {
  const own = e.message.split('\n')[0] as string;
  switch (e.code) {
    case 'MULTIPLE_DOCS':
      return 'the file holds more than one YAML document: remove the "---" line (several items go in one list)';
    case 'DUPLICATE_KEY':
      return 'this key is given twice in the same block';
    case 'BLOCK_AS_IMPLICIT_KEY':
      return 'a value with ": " in it must be in quotes, or this line is indented too far';
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a key must be on one line: check the indentation here';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
      return 'the indentation is off here, or a [ … ] or { … } is not closed';
    case 'UNEXPECTED_TOKEN':
      return 'unexpected text here: check the indentation and the quotes';
    case 'MISSING_CHAR':
      if (/quote/.test(own)) return 'a quote is not closed';
      if (/map values/.test(own)) return 'a key needs ": " and a value after it';
      return own;
    default:
      return own;
  }
};
