import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, Scalar } from 'yaml';
import { yamlErrorMessage, yamlValue } from '../yaml-value.ts';
import * as z from '../validation.ts';
import {
  caret,
  type LeafNode,
  lineAndColumn,
  LIST_LIMITS,
  parseListItem,
  parseQuery,
  QuerySyntaxError,
} from './query.ts';
import type { TopicDefinition } from './topic.ts';

/** One topic file's text. */
export interface TopicFile {
  path: string;
  text: string;
  /**
   * A file of the local overlay (given after the shared files): a topic or list it defines
   * with the id or name of a shared one replaces that one instead of being a duplicate.
   */
  overlay?: boolean;
}

/** A problem found while loading topic files, with where it is. */
export interface TopicFileProblem {
  file: string;
  line: number;
  column: number;
  message: string;
  /** The line of the file with a caret under the problem, when known. */
  excerpt?: string;
}

/** Everything loaded from a set of topic files. */
export interface LoadedTopics {
  topics: TopicDefinition[];
  lists: Map<string, LeafNode[]>;
  /** The lists' items as written, for storing. */
  rawLists: Record<string, string[]>;
  problems: TopicFileProblem[];
  /** Ids of shared topics an overlay file deletes (`- { id: …, deleted: true }`). */
  deleted?: string[];
}

/**
 * Whether a topic entry is an overlay's deletion of a shared topic: `{ id, deleted: true }`
 * and nothing else. Only an overlay file may hold one.
 */
export const isTopicDeletion = (item: unknown): item is { id: string; deleted: true } =>
  typeof item === 'object' &&
  item !== null &&
  !Array.isArray(item) &&
  (item as { deleted?: unknown }).deleted === true &&
  typeof (item as { id?: unknown }).id === 'string' &&
  Object.keys(item).length === 2;

/** Default minimum score of a topic that does not set one. */
export const DEFAULT_MIN_SCORE = 0.3;

const TopicSchema = z.strictObject({
  id: z
    .string()
    .check(
      z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes (at most 64)'),
    ),
  name: z
    .string({ error: 'must be text' })
    .check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200, 'is at most 200 characters')),
  description: z.optional(
    z.string({ error: 'must be text' }).check(z.maxLength(2000, 'is at most 2000 characters')),
  ),
  query: z.string({ error: 'must be a query written as text' }).check(z.minLength(1, 'must not be empty')),
  minScore: z._default(
    z
      .number({ error: 'must be a number from 0 to 1' })
      .check(z.gte(0, 'must be a number from 0 to 1'), z.lte(1, 'must be a number from 0 to 1')),
    DEFAULT_MIN_SCORE,
  ),
  enabled: z._default(z.boolean({ error: 'must be true or false' }), true),
  tags: z.optional(
    z.array(
      z
        .string({ error: 'must be text' })
        .check(z.minLength(1, 'must not be empty'), z.maxLength(64, 'is at most 64 characters')),
      { error: 'must be a list of tags' },
    ),
  ),
});

const TOPIC_KEYS = Object.keys(TopicSchema.shape);

const ListsSchema = z.record(
  z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a list name is letters, digits, _ or -')),
  z
    .array(
      z
        .string({ error: 'an item is a word, a phrase, or a language and its text (es: donación)' })
        .check(
          z.minLength(1),
          z.maxLength(
            LIST_LIMITS.maxItemLength,
            `a list item is at most ${LIST_LIMITS.maxItemLength} characters`,
          ),
        ),
    )
    .check(
      z.minLength(1),
      z.maxLength(LIST_LIMITS.maxItems, `a list holds at most ${LIST_LIMITS.maxItems} items`),
    ),
);

/**
 * Items written as a YAML mapping of one language to its text (`- es: donación`) as the text
 * `es: donación`, the form lists are stored and read in.
 */
const languageItemsAsText = (lists: unknown): unknown => {
  if (typeof lists !== 'object' || lists === null || Array.isArray(lists)) return lists;
  return Object.fromEntries(
    Object.entries(lists).map(([name, items]) => [
      name,
      Array.isArray(items)
        ? items.map((item: unknown) => {
            if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
            const entries = Object.entries(item);
            const [lang, text] = entries[0] ?? [];
            return entries.length === 1 && typeof text === 'string' ? `${lang}: ${text}` : item;
          })
        : items,
    ]),
  );
};

const excerptAt = (text: string, offset: number, length = 1): string => {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  const line = text.slice(start, end === -1 ? undefined : end);
  return `  ${line}\n  ${' '.repeat(offset - start)}${'^'.repeat(Math.max(1, Math.min(length, line.length - (offset - start))))}`;
};

/** Length in the file of one escape of a double-quoted YAML scalar starting at `i` (a backslash). */
const escapeLength = (raw: string, i: number): number => {
  const c = raw[i + 1];
  if (c === 'x') return 4;
  if (c === 'u') return 6;
  if (c === 'U') return 10;
  return 2;
};

/**
 * File offset of a character of a query held in a YAML scalar, or undefined when the file
 * text and the query cannot be lined up (folded `>` blocks, multi-line flow scalars).
 */
const queryOffsetInFile = (text: string, node: Scalar, queryOffset: number): number | undefined => {
  const [start, end] = node.range ?? [0, 0];
  const raw = text.slice(start, end);
  if (node.type === Scalar.PLAIN) return raw.includes('\n') ? undefined : start + queryOffset;
  if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) {
    if (raw.includes('\n')) return undefined;
    // Walk the raw text, one decoded character at a time, skipping escapes.
    let i = 1;
    for (let decoded = 0; decoded < queryOffset && i < raw.length; decoded++) {
      if (node.type === Scalar.QUOTE_DOUBLE && raw[i] === '\\') i += escapeLength(raw, i);
      else if (node.type === Scalar.QUOTE_SINGLE && raw[i] === "'" && raw[i + 1] === "'") i += 2;
      else i++;
    }
    return start + i;
  }
  if (node.type !== Scalar.BLOCK_LITERAL) return undefined;
  // Literal block: the query's n-th line is the n-th line after the header, at the block's indent.
  const { line, column } = lineAndColumn(String(node.value), queryOffset);
  const header = text.slice(start, text.indexOf('\n', start));
  let at = text.indexOf('\n', start) + 1;
  const explicit = /[|>][+-]?(\d)/.exec(header)?.[1];
  const parentIndent = text.slice(text.lastIndexOf('\n', start) + 1).match(/^[ \t]*/)?.[0].length ?? 0;
  let indent = explicit ? parentIndent + Number(explicit) : undefined;
  for (let l = 1; l < line || indent === undefined;) {
    const lineText = text.slice(at, text.indexOf('\n', at) === -1 ? undefined : text.indexOf('\n', at));
    if (indent === undefined && lineText.trim() !== '') indent = /^[ \t]*/.exec(lineText)?.[0].length ?? 0;
    if (l >= line && indent !== undefined) break;
    at = text.indexOf('\n', at) + 1;
    l++;
  }
  return at + (indent ?? 0) + column - 1;
};

/**
 * Loads topic definitions and named lists from YAML or JSON files. A file holds one topic,
 * a list of topics, or `{ lists: {...}, topics: [...] }`. Every problem is reported with
 * file, line and column; topics with problems are left out, the rest still load. Overlay
 * files replace the shared topics and lists they redefine.
 */
export const loadTopicFiles = (files: readonly TopicFile[]): LoadedTopics => {
  const problems: TopicFileProblem[] = [];
  const lists = new Map<string, LeafNode[]>();
  const rawLists: Record<string, string[]> = {};
  const listOrigin = new Map<string, string>();
  const overlays = new Set(files.filter((f) => f.overlay).map((f) => f.path));
  /** Whether `file` may replace what `origin` defined: an overlay file, over a shared one. */
  const replaces = (file: TopicFile, origin: string | undefined) =>
    file.overlay === true && origin !== undefined && !overlays.has(origin);
  const raw: Array<{ file: TopicFile; node: Node; value: unknown; lc: LineCounter }> = [];

  const report = (file: TopicFile, lc: LineCounter, offset: number, message: string, length = 1) => {
    const pos = lc.linePos(offset);
    problems.push({
      file: file.path,
      line: pos.line,
      column: pos.col,
      message,
      excerpt: excerptAt(file.text, offset, length),
    });
  };
  const nodeAt = (root: Node, path: ReadonlyArray<PropertyKey>): Node | undefined => {
    let node: unknown = root;
    for (const key of path) {
      if (isMap(node)) node = node.get(key, true);
      else if (isSeq(node)) node = node.get(key, true);
      else return undefined;
    }
    return node as Node | undefined;
  };
  const offsetOf = (node: Node | undefined, fallback: Node) => node?.range?.[0] ?? fallback.range?.[0] ?? 0;

  // Pass 1: parse files, collect lists (any file may use a list defined in another).
  for (const file of files) {
    const lc = new LineCounter();
    const doc = parseDocument(file.text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) report(file, lc, e.pos[0], yamlErrorMessage(e));
      continue;
    }
    const root = doc.contents;
    if (!root) {
      report(file, lc, 0, 'the file is empty');
      continue;
    }
    const read = yamlValue(doc);
    if (!read.ok) {
      report(file, lc, read.offset, read.message);
      continue;
    }
    const value = read.value;
    const isWrapper = isMap(root) && (root.has('topics') || root.has('lists'));
    if (isWrapper) {
      for (const pair of root.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        if (key !== 'topics' && key !== 'lists') {
          report(
            file,
            lc,
            offsetOf(pair.key, root),
            `unknown key "${key}" (a file with lists has lists: and topics:)`,
            key.length,
          );
        }
      }
      const listsNode = root.get('lists', true) as Node | undefined;
      if (listsNode) {
        const parsed = ListsSchema.safeParse(languageItemsAsText((value as { lists: unknown }).lists));
        if (!parsed.success) {
          for (const issue of parsed.error.issues) {
            const at = nodeAt(listsNode, issue.path);
            report(file, lc, offsetOf(at, listsNode), `lists.${issue.path.join('.')}: ${issue.message}`);
          }
        } else {
          for (const [name, items] of Object.entries(parsed.data)) {
            const nameNode = isMap(listsNode)
              ? listsNode.items.find((p) => isScalar(p.key) && p.key.value === name)?.key
              : undefined;
            if (lists.has(name) && !replaces(file, listOrigin.get(name))) {
              report(
                file,
                lc,
                offsetOf(nameNode as Node, listsNode),
                `list @${name} is already defined in ${listOrigin.get(name)}`,
              );
              continue;
            }
            const leaves: LeafNode[] = [];
            items.forEach((item, k) => {
              try {
                leaves.push(parseListItem(item));
              } catch (e) {
                const at = nodeAt(listsNode, [name, k]);
                report(
                  file,
                  lc,
                  offsetOf(at, listsNode),
                  `list @${name}, item ${k + 1}: ${(e as Error).message}`,
                );
              }
            });
            lists.set(name, leaves);
            rawLists[name] = items;
            listOrigin.set(name, file.path);
          }
        }
      }
      const topicsNode = root.get('topics', true) as Node | undefined;
      if (topicsNode) raw.push({ file, node: topicsNode, value: (value as { topics: unknown }).topics, lc });
    } else {
      raw.push({ file, node: root, value, lc });
    }
  }

  // Pass 2: topics, with their queries parsed against every list.
  const topics: TopicDefinition[] = [];
  const deleted: string[] = [];
  const origin = new Map<string, string>();
  for (const { file, node, value, lc } of raw) {
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, k) => {
      const itemNode = (Array.isArray(value) ? nodeAt(node, [k]) : node) ?? node;
      if (file.overlay === true && isTopicDeletion(item)) {
        // This machine deletes a shared topic: it leaves the set here, and the seeds stay as they are.
        if (!replaces(file, origin.get(item.id))) {
          report(
            file,
            lc,
            offsetOf(nodeAt(itemNode, ['id']), itemNode),
            origin.has(item.id)
              ? `topic id "${item.id}" is already used in ${origin.get(item.id)}`
              : `no shared topic has the id "${item.id}" to delete`,
          );
          return;
        }
        topics.splice(
          topics.findIndex((t) => t.id === item.id),
          1,
        );
        origin.set(item.id, file.path);
        deleted.push(item.id);
        return;
      }
      const parsed = TopicSchema.safeParse(item);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          if (issue.code === 'unrecognized_keys') {
            // A misspelt key ("minscore") would otherwise be ignored and its default used.
            for (const key of issue.keys) {
              const keyNode = isMap(itemNode)
                ? itemNode.items.find((p) => isScalar(p.key) && p.key.value === key)?.key
                : undefined;
              report(
                file,
                lc,
                offsetOf(keyNode as Node | undefined, itemNode),
                `unknown key "${key}" (a topic has ${TOPIC_KEYS.join(', ')})`,
                key.length,
              );
            }
            continue;
          }
          const at = nodeAt(itemNode, issue.path);
          const where = issue.path.length ? issue.path.join('.') : 'topic';
          report(file, lc, offsetOf(at, itemNode), `${where}: ${issue.message}`);
        }
      }
      // Every problem of a topic shows at once: a used id and a bad query are said beside
      // the other problems of its fields, and a topic with a used id still has its query checked.
      const fields = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
      const id = parsed.success ? parsed.data.id : typeof fields.id === 'string' ? fields.id : undefined;
      const query = parsed.success ? parsed.data.query : typeof fields.query === 'string' ? fields.query : '';
      const replacing = id !== undefined && replaces(file, origin.get(id));
      const duplicate = id !== undefined && origin.has(id) && !replacing;
      if (duplicate) {
        report(
          file,
          lc,
          offsetOf(nodeAt(itemNode, ['id']), itemNode),
          `topic id "${id}" is already used in ${origin.get(id)}`,
        );
      }
      const name = id ?? `number ${k + 1}`;
      let queryOk = true;
      if (query !== '') {
        try {
          parseQuery(query, lists);
        } catch (e) {
          if (!(e instanceof QuerySyntaxError)) throw e;
          queryOk = false;
          const queryNode = nodeAt(itemNode, ['query']);
          const offset =
            queryNode instanceof Scalar ? queryOffsetInFile(file.text, queryNode, e.span.offset) : undefined;
          if (offset !== undefined) {
            report(file, lc, offset, `topic ${name}: ${e.message}`, e.span.length);
          } else {
            // The query cannot be lined up with the file: point at it, and show the query itself.
            const at = offsetOf(queryNode, itemNode);
            const pos = lc.linePos(at);
            problems.push({
              file: file.path,
              line: pos.line,
              column: pos.col,
              message: `topic ${name}: ${e.message} (query line ${e.line}, column ${e.column})`,
              excerpt: caret(query, e.span),
            });
          }
        }
      }
      if (!parsed.success || !queryOk || duplicate) return;
      const topic = parsed.data;
      if (replacing)
        topics.splice(
          topics.findIndex((t) => t.id === topic.id),
          1,
        );
      origin.set(topic.id, file.path);
      topics.push(topic);
    });
  }
  // In reading order: by file as given, then line and column, whichever pass found them.
  const order = new Map(files.map((f, i) => [f.path, i]));
  problems.sort(
    (a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || a.column - b.column,
  );
  return { topics, lists, rawLists, problems, ...(deleted.length > 0 ? { deleted } : {}) };
};

/** A problem as one block of text: `file:line:column: message` and the excerpt. */
export const formatProblem = (p: TopicFileProblem): string =>
  `${p.file}:${p.line}:${p.column}: ${p.message}${p.excerpt ? `\n${p.excerpt}` : ''}`;
