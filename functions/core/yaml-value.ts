import { type Document, visit } from 'yaml';

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
