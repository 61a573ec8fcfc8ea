import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { ConditionalCheckFailedException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { searchTextOf } from '../../core/articles/search.ts';
import { outletOf } from '../../core/stories/story.ts';
import { TABLE_KEYS } from '../aws/table-layout.ts';
import {
  applyUpdate,
  type Bindings,
  checkBindings,
  type Condition,
  type DocItem,
  type DocValue,
  holds,
  nameOf,
  parseCondition,
  parseUpdate,
  project,
  TableValidationError,
  typeOf,
} from './table-expressions.ts';

/** The key attributes of the table and of its one secondary index. */
export interface EmbeddedSchema {
  partitionKey: string;
  sortKey: string;
  index: { name: string; partitionKey: string; sortKey: string };
  /**
   * Attributes whose few items with one of some values are found through an index of their
   * own, kept by SQLite at each write ({@link EmbeddedTable.itemsWith}): a read model of one
   * machine that would otherwise scan (alerts left unsent when the runtime stopped).
   */
  sparse?: { attribute: string; values: string[] }[];
  /** Read indexes of kinds of items, in an order of their own ({@link ViewIndex}). */
  views?: readonly ViewIndex[];
  /** Indexes of kinds of items by a text made of each ({@link TextIndex}). */
  texts?: readonly TextIndex[];
  /** Counts of kinds of items by groups made of each, kept at each write ({@link Tally}). */
  tallies?: readonly Tally[];
}

/**
 * How many items meeting its terms count in each of some groups (each item in the groups
 * `groups` makes of it), kept at each write in the write's own transaction, so a count by
 * group is read, never counted ({@link EmbeddedTable.tally}). What an item counted in is kept
 * beside, so a rewrite or a delete takes it out of the groups it was in.
 */
export interface Tally {
  name: string;
  of: readonly ViewTerm[];
  /** The groups an item counts in (each once), made from the item alone (a pure function). */
  groups: (item: DocItem) => readonly string[];
}

/** A condition on the items a {@link ViewIndex} holds. */
export type ViewTerm =
  | { attribute: string; equals: string }
  /** A set or list attribute with at least this many elements. */
  | { attribute: string; sizeAtLeast: number };

/**
 * A read index kept by SQLite at each write: the items meeting its terms, ordered by some of
 * their attributes (`pk` and `sk` name the item's key), which it also holds, so a read of
 * only those attributes never opens an item ({@link EmbeddedTable.readView}). A read model of
 * one machine that would otherwise scan: the newest articles, alerts by when they were sent,
 * matches by topic.
 */
export interface ViewIndex {
  name: string;
  of: readonly ViewTerm[];
  on: readonly string[];
}

/**
 * An index of the items meeting its terms by a text made of each, kept at each write in the
 * write's own transaction: a search for words anywhere in the texts looks them up in SQLite's
 * trigram index (FTS5) instead of reading every item ({@link EmbeddedTable.textSql}). The
 * texts are stored with it, for the words too short for trigrams.
 */
export interface TextIndex {
  name: string;
  of: readonly ViewTerm[];
  /** The text an item is found by, made from the item alone (a pure function). */
  text: (item: DocItem) => string;
}

/** What one read of a {@link ViewIndex} asks for. */
export interface ViewRead {
  /** Values of the view's first attributes, in its order. */
  equal?: readonly (string | number)[];
  /** Bounds (both included) of the attribute after those. */
  from?: string | number;
  to?: string | number;
  /** Last first (the default is the view's own order). */
  descending?: boolean;
  offset?: number;
  limit?: number;
  /** Attributes to return, read from the index alone (all of them in `on`); whole items when absent. */
  select?: readonly string[];
}

/** DynamoDB's largest item (400 KB, names and values counted). */
export const MAX_ITEM_BYTES = 400 * 1024;
/** A Query or Scan page stops after about this much data, as DynamoDB's does. */
const PAGE_BYTES = 1024 * 1024;
/** How often the write-ahead log is copied into the table file. */
const CHECKPOINT_MS = 1000;
/** The thread that copies it: its own connection to the file, so the fsync waits there. */
const CHECKPOINTER = `
const { workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.file, { timeout: 1000 });
// RESTART: the log starts again from its beginning once copied, so it never grows past a
// second of writes; the writer waits (its busy timeout) for the few milliseconds that takes.
// A checkpoint refused as busy is tried again a second later.
setInterval(() => {
  try { db.exec('PRAGMA wal_checkpoint(RESTART)'); } catch {}
}, workerData.everyMs);
`;

// Stored bodies are SQLite's binary JSON (JSONB), made from JSON text once when written: the
// indexes' json_extract terms read it without parsing the text again, at each write for each
// index (text bodies written by an older version read the same). Sets and bytes, which JSON
// lacks, are tagged.
const TAG = '\u0000t';
const encode = (v: DocValue): unknown => {
  if (v instanceof Set) return { [TAG]: typeOf(v), v: [...v].map(encode) };
  if (v instanceof Uint8Array) return { [TAG]: 'B', v: Buffer.from(v).toString('base64') };
  if (typeof v === 'bigint') return { [TAG]: 'N', v: v.toString() };
  if (Array.isArray(v)) return v.map(encode);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encode(x);
    return out;
  }
  return v;
};
const decode = (v: unknown): DocValue => {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const tag = o[TAG];
    if (tag === 'B') return new Uint8Array(Buffer.from(o.v as string, 'base64'));
    if (tag === 'N') return BigInt(o.v as string);
    if (typeof tag === 'string') return new Set((o.v as unknown[]).map(decode));
    const out: DocItem = {};
    for (const [k, x] of Object.entries(o)) out[k] = decode(x);
    return out;
  }
  return v;
};
const fromBody = (body: string): DocItem => decode(JSON.parse(body)) as DocItem;

/** The size DynamoDB counts for a value: UTF-8 bytes of strings, about a byte per two digits. */
const sizeOfValue = (v: DocValue): number => {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (typeof v === 'number' || typeof v === 'bigint')
    return Math.ceil(String(v).replace(/[-.]/g, '').length / 2) + 1;
  if (typeof v === 'boolean' || v === null) return 1;
  if (v instanceof Uint8Array) return v.length;
  if (v instanceof Set) return [...v].reduce((n: number, x) => n + sizeOfValue(x), 0);
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + 1 + sizeOfValue(x), 3);
  return 3 + itemSize(v as DocItem);
};
/** An item's size as DynamoDB counts it against its 400 KB limit. */
export const itemSize = (item: DocItem): number => {
  let n = 0;
  for (const [k, v] of Object.entries(item))
    if (v !== undefined) n += Buffer.byteLength(k, 'utf8') + sizeOfValue(v);
  return n;
};

const conditionFailed = (old: DocItem | undefined, returnOld: boolean): ConditionalCheckFailedException => {
  const e = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  if (returnOld && old) Object.assign(e, { Item: marshall(old, { convertClassInstanceToMap: false }) });
  return e;
};

const sqlString = (v: string): string => `'${v.replace(/'/g, "''")}'`;
const sparseTerm = (attribute: string): string => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(attribute))
    throw new TableValidationError(`not an attribute name: ${attribute}`);
  return `json_extract(body, '$.${attribute}')`;
};
const viewTerm = (attribute: string): string =>
  attribute === 'pk' || attribute === 'sk' ? attribute : sparseTerm(attribute);
const viewWhere = (view: Pick<ViewIndex, 'of'>): string =>
  view.of
    .map((t) =>
      'equals' in t
        ? `${viewTerm(t.attribute)} = ${sqlString(t.equals)}`
        : // A set is stored tagged, its elements under `v` (see encode); a list is stored as it is.
          `coalesce(json_array_length(body, '$.${t.attribute}.v'), json_array_length(body, '$.${t.attribute}')) >= ${Math.trunc(t.sizeAtLeast)}`,
    )
    .join(' AND ');
const viewIndexSql = (view: ViewIndex): string => {
  if (!/^[a-z][a-z0-9_]*$/.test(view.name)) throw new TableValidationError(`not a view name: ${view.name}`);
  // The attributes of its terms are held too: a read tests them in the index, never in the item.
  const held = [...view.on, ...view.of.filter((t) => 'equals' in t).map((t) => t.attribute)];
  return `CREATE INDEX IF NOT EXISTS view_${view.name} ON items (${[...new Set(held)].map(viewTerm).join(', ')}) WHERE ${viewWhere(view)}`;
};
const sparseIndexSql = (attribute: string, values: readonly string[]): string =>
  `CREATE INDEX IF NOT EXISTS items_${attribute} ON items (${sparseTerm(attribute)}) WHERE ${sparseTerm(attribute)} IN (${values.map(sqlString).join(', ')})`;

type Row = { pk: string; sk: string; ipk: string | null; isk: string | null; body: string };

const textTable = (index: TextIndex): string => {
  if (!/^[a-z][a-z0-9_]*$/.test(index.name))
    throw new TableValidationError(`not a text index name: ${index.name}`);
  return `text_${index.name}`;
};
// The texts are stored as they are made (case_sensitive: they are folded already). With the
// position of each trigram (detail=full), a word is a phrase of its trigrams, found in the
// index alone: no text is read to confirm it.
const textTableSql = (index: TextIndex): string =>
  `CREATE VIRTUAL TABLE ${textTable(index)} USING fts5(text, tokenize = 'trigram case_sensitive 1', detail = full)`;

const tallyTable = (tally: Tally): string => {
  if (!/^[a-z][a-z0-9_]*$/.test(tally.name))
    throw new TableValidationError(`not a tally name: ${tally.name}`);
  return `tally_${tally.name}`;
};
const tallySql = (tally: Tally): string => {
  const table = tallyTable(tally);
  return (
    `CREATE TABLE ${table} (grp TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;` +
    ` CREATE TABLE ${table}_items (id INTEGER PRIMARY KEY, grps TEXT NOT NULL);`
  );
};

/** An attribute of an item at a dotted path (`explanation.countries`). */
const valueAt = (item: DocItem, path: string): DocValue => {
  let v: DocValue = item;
  for (const name of path.split('.')) {
    if (
      v === null ||
      typeof v !== 'object' ||
      Array.isArray(v) ||
      v instanceof Set ||
      v instanceof Uint8Array
    )
      return undefined;
    v = (v as DocItem)[name];
  }
  return v;
};
/** Whether an item meets terms, as {@link viewWhere} tests them in SQL. */
const meets = (item: DocItem, terms: readonly ViewTerm[]): boolean =>
  terms.every((t) => {
    const v = valueAt(item, t.attribute);
    if ('equals' in t) return v === t.equals;
    const size = v instanceof Set ? v.size : Array.isArray(v) ? v.length : -1;
    return size >= Math.trunc(t.sizeAtLeast);
  });
/** A word as an FTS5 phrase: in double quotes, each of its own doubled. */
const phraseOf = (word: string): string => `"${word.replaceAll('"', '""')}"`;
/** A trigram index finds only words of three characters or more. */
const TRIGRAM = 3;

/** The DynamoDB operation each document-client command stands for. */
const OPERATIONS = new Map<unknown, string>([
  [GetCommand, 'GetItem'],
  [PutCommand, 'PutItem'],
  [UpdateCommand, 'UpdateItem'],
  [DeleteCommand, 'DeleteItem'],
  [QueryCommand, 'Query'],
  [ScanCommand, 'Scan'],
  [BatchGetCommand, 'BatchGetItem'],
  [BatchWriteCommand, 'BatchWriteItem'],
]);

/**
 * One DynamoDB table kept in a SQLite file on this machine, served in this process: the
 * document client's commands (Get, Put, Update, Delete, Query, Scan, BatchGet, BatchWrite)
 * with their conditions, updates, projections, paging and the secondary index, and nothing
 * sent over a network or signed. Keys sort as DynamoDB sorts them (UTF-8 bytes). The writes
 * of one turn of the event loop are one SQLite transaction (see {@link transaction}), so other
 * processes on the same file see each write whole and a conditional write is atomic across
 * them. The synchronous reads (views, tallies, SELECTs) commit the turn's writes first, so
 * they never see a write that could still be undone.
 */
export class EmbeddedTable {
  readonly tableName: string;
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly schema: EmbeddedSchema;
  private readonly keyNames: string[];
  private readonly statements = new Map<string, StatementSync>();
  private readonly arrayStatements = new Map<string, StatementSync>();
  private writes = 0;
  /** Commands served, by the name of the DynamoDB operation each stands for. */
  private readonly served: Record<string, number> = {};
  private readonly checkpointer: Worker;
  /** The transaction holding this turn's writes, and how its commands learn it is committed. */
  private group?: { committed: Promise<void>; settle: (e?: Error) => void };
  /**
   * Why this turn could not take the write lock (another process held it past the busy
   * timeout): the turn's other writes fail at once with it, rather than each waiting again.
   */
  private lockRefused?: Error;

  /**
   * `busyMs`: how long a write waits for another process (the CLI) to let go of the file's
   * write lock before it fails (and is tried again by its caller).
   */
  constructor(file: string, tableName: string, schema: EmbeddedSchema, { busyMs = 10_000 } = {}) {
    this.file = file;
    this.tableName = tableName;
    this.schema = schema;
    this.keyNames = [schema.partitionKey, schema.sortKey];
    this.db = new DatabaseSync(file, { timeout: busyMs });
    // WAL: readers never wait for the writer, and a commit is an append to the log, kept by
    // the OS when this process dies. The log is copied into the file (with an fsync) once a
    // second by a thread of its own, not by every thousandth write on this one.
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA wal_autocheckpoint = 0;
      PRAGMA cache_size = -32768;
      CREATE TABLE IF NOT EXISTS items (
        pk TEXT NOT NULL, sk TEXT NOT NULL, ipk TEXT, isk TEXT, body TEXT NOT NULL
      );
      CREATE UNIQUE INDEX IF NOT EXISTS items_key ON items (pk, sk);
      CREATE INDEX IF NOT EXISTS items_index ON items (ipk, isk, pk, sk) WHERE ipk IS NOT NULL;
    `);
    for (const { attribute, values } of schema.sparse ?? []) this.db.exec(sparseIndexSql(attribute, values));
    // A view added to a table that has items is built here once (seconds for a million items).
    for (const view of schema.views ?? []) this.db.exec(viewIndexSql(view));
    for (const index of schema.texts ?? []) this.openText(index);
    for (const tally of schema.tallies ?? []) this.openTally(tally);
    this.checkpointer = new Worker(CHECKPOINTER, {
      eval: true,
      workerData: { file, everyMs: CHECKPOINT_MS },
    });
    this.checkpointer.unref();
  }

  /** The table as a document client: the stores take it where they take DynamoDB's. */
  asDocumentClient(): DynamoDBDocumentClient {
    // The stores call only `send`, with the commands this class answers.
    return this as unknown as DynamoDBDocumentClient;
  }

  /**
   * Closes the file once the checkpoint thread has stopped; the log is copied into it first,
   * so the folder holds one file again.
   */
  async close(): Promise<void> {
    await this.checkpointer.terminate();
    if (!this.db.isOpen) return;
    this.flush();
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

  /** The items whose `attribute` holds one of `values`, through its sparse index (see {@link EmbeddedSchema}). */
  itemsWith(attribute: string, values: readonly string[]): DocItem[] {
    this.flush();
    const sparse = this.schema.sparse?.find(
      (x) => x.attribute === attribute && x.values.join('\u0000') === values.join('\u0000'),
    );
    if (!sparse)
      throw new TableValidationError(`the table keeps no index of ${attribute} in (${values.join(', ')})`);
    const rows = this.statement(
      `SELECT json(body) AS body FROM items WHERE ${sparseTerm(attribute)} IN (${values.map(sqlString).join(', ')})`,
    ).all() as { body: string }[];
    return rows.map((r) => fromBody(r.body));
  }

  /**
   * Rows of a view ({@link ViewIndex}), in its order or the reverse, paged by `offset` and
   * `limit`. Always through the view's index: SQLite refuses the read rather than scan.
   */
  readView(name: string, read: ViewRead = {}): DocItem[] {
    this.flush();
    const { view, where, params } = this.viewQuery(name, read);
    const order = view.on.map((a) => `${viewTerm(a)}${read.descending ? ' DESC' : ''}`).join(', ');
    const columns = read.select
      ? read.select.map((a, i) => {
          if (!view.on.includes(a)) throw new TableValidationError(`the view ${name} does not hold ${a}`);
          return `${viewTerm(a)} AS c${i}`;
        })
      : ['json(body) AS body'];
    const paging = ` LIMIT ${read.limit === undefined ? -1 : Math.max(0, Math.trunc(read.limit))} OFFSET ${Math.max(0, Math.trunc(read.offset ?? 0))}`;
    const rows = this.statement(
      `SELECT ${columns.join(', ')} FROM items INDEXED BY view_${name} WHERE ${where} ORDER BY ${order}${paging}`,
    ).all(...params) as Record<string, string | number | null>[];
    if (!read.select) return rows.map((r) => fromBody(r.body as string));
    const names = read.select;
    return rows.map((r) => {
      const out: DocItem = {};
      names.forEach((a, i) => {
        const v = r[`c${i}`];
        if (v !== null && v !== undefined) out[a] = v;
      });
      return out;
    });
  }

  /**
   * How many rows of a view there are (with `equal`, `from`, `to` as in {@link readView}),
   * grouped by its first `by` attributes: each group with its count and the largest value of
   * the attribute after them.
   */
  countView(
    name: string,
    read: Pick<ViewRead, 'equal' | 'from' | 'to'> = {},
    by = 0,
  ): Array<{ values: Array<string | number>; count: number; last?: string | number }> {
    this.flush();
    const { view, where, params } = this.viewQuery(name, read);
    const groups = view.on.slice(0, by).map(viewTerm);
    const next = view.on[by];
    const sql = `SELECT ${[...groups, 'count(*)', next ? `max(${viewTerm(next)})` : 'NULL'].join(', ')} FROM items INDEXED BY view_${name} WHERE ${where}${groups.length > 0 ? ` GROUP BY ${groups.join(', ')}` : ''}`;
    const rows = this.statement(sql).all(...params) as Record<string, string | number | null>[];
    return rows.map((r) => {
      const values = Object.values(r);
      const last = values[by + 1];
      return {
        values: values.slice(0, by) as Array<string | number>,
        count: Number(values[by]),
        ...(last === null || last === undefined ? {} : { last }),
      };
    });
  }

  private viewQuery(
    name: string,
    read: Pick<ViewRead, 'equal' | 'from' | 'to'>,
  ): { view: ViewIndex; where: string; params: Array<string | number> } {
    const view = this.schema.views?.find((v) => v.name === name);
    if (!view) throw new TableValidationError(`the table keeps no view ${name}`);
    const equal = read.equal ?? [];
    if (equal.length > view.on.length)
      throw new TableValidationError(`the view ${name} has ${view.on.length} attributes`);
    const terms = [viewWhere(view)];
    const params: Array<string | number> = [];
    equal.forEach((v, i) => {
      terms.push(`${viewTerm(view.on[i] as string)} = ?`);
      params.push(v);
    });
    const ranged = view.on[equal.length];
    if ((read.from !== undefined || read.to !== undefined) && !ranged)
      throw new TableValidationError(`the view ${name} has no attribute after those given`);
    if (read.from !== undefined) {
      terms.push(`${viewTerm(ranged as string)} >= ?`);
      params.push(read.from);
    }
    if (read.to !== undefined) {
      terms.push(`${viewTerm(ranged as string)} <= ?`);
      params.push(read.to);
    }
    return { view, where: terms.join(' AND '), params };
  }

  /** The items with these keys that are stored, in the keys' order. */
  itemsAt(wanted: ReadonlyArray<{ pk: string; sk: string }>): DocItem[] {
    this.flush();
    return wanted.flatMap((k) => {
      const item = this.read(k.pk, k.sk);
      return item ? [item] : [];
    });
  }

  /**
   * A view as SQL, for a read model that counts in SQLite what it would otherwise count item by
   * item: its table (through its index) under an alias, its condition, and each attribute's term.
   */
  viewSql(name: string, alias: string): { from: string; where: string; term: (attribute: string) => string } {
    const view = this.schema.views?.find((v) => v.name === name);
    if (!view) throw new TableValidationError(`the table keeps no view ${name}`);
    if (!/^[a-z]$/.test(alias)) throw new TableValidationError(`not an alias: ${alias}`);
    const term = (attribute: string) =>
      viewTerm(attribute)
        .replace(/^(json_extract\()body/, `$1${alias}.body`)
        .replace(/^(pk|sk)$/, `${alias}.$1`);
    return {
      from: `items AS ${alias} INDEXED BY view_${name}`,
      where: viewWhere(view).replaceAll('(body,', `(${alias}.body,`),
      term,
    };
  }

  /**
   * The condition, on an item's rowid (`rowid`: {@link viewSql}'s alias and `.rowid`), that the
   * item is in a text index and its text contains every word. Each word of three characters or
   * more is looked up in the trigram index as the phrase of its trigrams, which is exact; a
   * shorter word is looked for in the texts found. Words all shorter than that are looked for
   * in every text of the index.
   */
  textSql(name: string, words: readonly string[], rowid: string): { where: string; params: string[] } {
    if (!/^[a-z]\.rowid$/.test(rowid)) throw new TableValidationError(`not a rowid: ${rowid}`);
    const hits = this.textHitsSql(name, words);
    return { where: `${rowid} IN (${hits.select})`, params: hits.params };
  }

  /**
   * The rowids of the items of a text index whose texts contain every word, as a SELECT (see
   * {@link textSql}): to be read once and then both counted and joined.
   */
  textHitsSql(name: string, words: readonly string[]): { select: string; params: string[] } {
    const index = this.schema.texts?.find((t) => t.name === name);
    if (!index) throw new TableValidationError(`the table keeps no text index ${name}`);
    if (words.length === 0) throw new TableValidationError('a search of the texts needs a word');
    const table = textTable(index);
    const indexed = words.filter((w) => [...w].length >= TRIGRAM);
    const short = words.filter((w) => [...w].length < TRIGRAM);
    const terms = [
      ...(indexed.length > 0 ? [`${table} MATCH ?`] : []),
      ...short.map(() => 'instr(text, ?) > 0'),
    ];
    return {
      select: `SELECT rowid FROM ${table} WHERE ${terms.join(' AND ')}`,
      params: [...(indexed.length > 0 ? [indexed.map(phraseOf).join(' AND ')] : []), ...short],
    };
  }

  /**
   * Changes whenever the table may have changed: a write of this process, or a commit of
   * another one on the same file (SQLite's `data_version`). What was read from it before is
   * still true while this stays the same.
   */
  version(): string {
    const other = this.statement('PRAGMA data_version').get() as { data_version: number };
    return `${other.data_version}:${this.writes}`;
  }

  /** Makes a pure function of this process callable in {@link select}'s statements. */
  defineFunction(name: string, fn: (...args: Array<string | number | null>) => string | number | null): void {
    this.db.function(name, { deterministic: true, varargs: true }, (...args) =>
      fn(...(args as Array<string | number | null>)),
    );
  }

  /** Rows of a read-only statement (a SELECT made of {@link viewSql} parts), as arrays of values. */
  select(sql: string, params: ReadonlyArray<string | number>): Array<Array<string | number | null>> {
    this.flush();
    if (!/^\s*(SELECT|WITH)\b/i.test(sql)) throw new TableValidationError('only a SELECT reads the table');
    let s = this.arrayStatements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      s.setReturnArrays(true);
      this.arrayStatements.set(sql, s);
    }
    return s.all(...params) as unknown as Array<Array<string | number | null>>;
  }

  /** Items whose partition key starts with `prefix` and whose sort key is `sk`: at most `limit`, in key order. */
  itemsUnder(prefix: string, sk: string, limit: number): DocItem[] {
    this.flush();
    // Every key starting with the prefix sorts between it and it followed by the largest code point.
    const rows = this.statement(
      'SELECT json(body) AS body FROM items WHERE pk >= ? AND pk < ? AND sk = ? ORDER BY pk LIMIT ?',
    ).all(prefix, `${prefix}\u{10FFFF}`, sk, Math.max(0, Math.trunc(limit))) as { body: string }[];
    return rows.map((r) => fromBody(r.body));
  }

  /** Items stored. */
  count(): number {
    this.flush();
    return Number((this.statement('SELECT count(*) AS n FROM items').get() as { n: number }).n);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers every command's output type
  async send(command: unknown): Promise<any> {
    const operation = OPERATIONS.get((command as { constructor: unknown }).constructor) ?? 'other';
    this.served[operation] = (this.served[operation] ?? 0) + 1;
    // Served at once; awaited so that a refusal is a rejected promise, as the SDK's are.
    await Promise.resolve();
    let out: unknown;
    let refusal: Error | undefined;
    try {
      out = this.serve(command);
    } catch (e) {
      refusal = e as Error;
    }
    // Answered (or refused) once the writes it may have seen are committed ({@link transaction}).
    if (this.group) await this.group.committed;
    if (refusal !== undefined) throw refusal;
    return out;
  }

  /**
   * The commands served since the table was opened, by DynamoDB operation (`PutItem`,
   * `Query`, …): the requests the same work would make of DynamoDB, refused ones included.
   */
  requests(): Record<string, number> {
    return { ...this.served };
  }

  /** Commits the writes of this turn now (they are committed at its end otherwise). */
  flush(): void {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    try {
      this.db.exec('COMMIT');
      group.settle();
    } catch (e) {
      try {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
      } catch {
        // The commit's error is the one the commands get.
      }
      // What was read of the turn's writes is no longer true.
      this.writes++;
      group.settle(e as Error);
    }
  }

  private serve(command: unknown): unknown {
    if (command instanceof GetCommand) return this.get(command.input);
    if (command instanceof PutCommand) return this.put(command.input);
    if (command instanceof UpdateCommand) return this.update(command.input);
    if (command instanceof DeleteCommand) return this.delete(command.input);
    if (command instanceof QueryCommand) return this.query(command.input);
    if (command instanceof ScanCommand) return this.scan(command.input);
    if (command instanceof BatchGetCommand) return this.batchGet(command.input);
    if (command instanceof BatchWriteCommand) return this.batchWrite(command.input);
    const name = (command as { constructor: { name: string } }).constructor.name;
    throw new TableValidationError(`the table on this machine does not serve ${name}`);
  }

  private statement(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private checkTable(name: string | undefined): void {
    if (name !== this.tableName)
      throw new ResourceNotFoundException({
        message: `Requested resource not found: Table: ${name} not found`,
        $metadata: {},
      });
  }

  private keyOf(key: DocItem | undefined): { pk: string; sk: string } {
    const pk = key?.[this.schema.partitionKey];
    const sk = key?.[this.schema.sortKey];
    if (
      typeof pk !== 'string' ||
      typeof sk !== 'string' ||
      pk === '' ||
      sk === '' ||
      Object.keys(key ?? {}).length !== 2
    )
      throw new TableValidationError('The provided key element does not match the schema');
    return { pk, sk };
  }

  /** The key of a whole item (its other attributes left out). */
  private keyOfItem(item: DocItem | undefined): { pk: string; sk: string } {
    return this.keyOf({
      [this.schema.partitionKey]: item?.[this.schema.partitionKey],
      [this.schema.sortKey]: item?.[this.schema.sortKey],
    });
  }

  private read(pk: string, sk: string): DocItem | undefined {
    const row = this.statement('SELECT json(body) AS body FROM items WHERE pk = ? AND sk = ?').get(pk, sk) as
      { body: string } | undefined;
    return row ? fromBody(row.body) : undefined;
  }

  private write(item: DocItem): void {
    const { pk, sk } = this.keyOfItem(item);
    const ipk = item[this.schema.index.partitionKey];
    const isk = item[this.schema.index.sortKey];
    for (const v of [ipk, isk])
      if (v !== undefined && (typeof v !== 'string' || v === ''))
        throw new TableValidationError(
          'One or more parameter values were invalid: an index key must be a non-empty string',
        );
    for (const [k, v] of Object.entries(item)) {
      if (v instanceof Set && v.size === 0)
        throw new TableValidationError(
          `One or more parameter values were invalid: an empty set is not allowed (${k})`,
        );
    }
    const body = JSON.stringify(encode(item));
    // A body a third of the limit long cannot hold more (a UTF-16 unit is at most 3 UTF-8 bytes).
    if (body.length * 3 > MAX_ITEM_BYTES && itemSize(item) > MAX_ITEM_BYTES)
      throw new TableValidationError('Item size has exceeded the maximum allowed size');
    const indexed = typeof ipk === 'string' && typeof isk === 'string';
    // A new item has no text or counts to take back (most writes: bands, matches, deliveries).
    const before =
      this.statement('SELECT 1 AS x FROM items WHERE pk = ? AND sk = ?').get(pk, sk) !== undefined;
    this.writes++;
    // An upsert keeps an item's rowid, which its texts are indexed under.
    const { rowid } = this.statement(
      'INSERT INTO items (pk, sk, ipk, isk, body) VALUES (?, ?, ?, ?, jsonb(?))' +
        ' ON CONFLICT (pk, sk) DO UPDATE SET ipk = excluded.ipk, isk = excluded.isk, body = excluded.body' +
        ' RETURNING rowid',
    ).get(pk, sk, indexed ? ipk : null, indexed ? isk : null, body) as { rowid: number };
    for (const index of this.schema.texts ?? []) {
      const table = textTable(index);
      if (meets(item, index.of))
        this.statement(`INSERT OR REPLACE INTO ${table} (rowid, text) VALUES (?, ?)`).run(
          rowid,
          index.text(item),
        );
      else if (before) this.statement(`DELETE FROM ${table} WHERE rowid = ?`).run(rowid);
    }
    for (const tally of this.schema.tallies ?? []) {
      const groups = meets(item, tally.of) ? tally.groups(item) : [];
      if (before || groups.length > 0) this.recount(tally, rowid, groups);
    }
  }

  /** Moves an item (by rowid) out of the groups of a tally it counted in, and into `groups`. */
  private recount(tally: Tally, rowid: number, groups: readonly string[]): void {
    const table = tallyTable(tally);
    const was = this.statement(`SELECT grps FROM ${table}_items WHERE id = ?`).get(rowid) as
      { grps: string } | undefined;
    const now = [...new Set(groups)];
    const nowText = JSON.stringify(now);
    if ((was?.grps ?? '[]') === nowText) return;
    for (const g of was ? (JSON.parse(was.grps) as string[]) : []) {
      this.statement(`UPDATE ${table} SET n = n - 1 WHERE grp = ?`).run(g);
      this.statement(`DELETE FROM ${table} WHERE grp = ? AND n <= 0`).run(g);
    }
    for (const g of now)
      this.statement(
        `INSERT INTO ${table} (grp, n) VALUES (?, 1) ON CONFLICT (grp) DO UPDATE SET n = n + 1`,
      ).run(g);
    if (now.length > 0)
      this.statement(`INSERT OR REPLACE INTO ${table}_items (id, grps) VALUES (?, ?)`).run(rowid, nowText);
    else this.statement(`DELETE FROM ${table}_items WHERE id = ?`).run(rowid);
  }

  /**
   * Makes a tally's tables, and counts the items stored before it was declared (once).
   */
  private openTally(tally: Tally): void {
    const table = tallyTable(tally);
    if (this.statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)) return;
    this.alone(() => {
      this.db.exec(tallySql(tally));
      const rows = this.db
        .prepare(`SELECT rowid, json(body) AS body FROM items WHERE ${viewWhere(tally)}`)
        .iterate() as Iterable<{ rowid: number; body: string }>;
      for (const row of rows) this.recount(tally, row.rowid, tally.groups(fromBody(row.body)));
    });
  }

  /** Every group of a tally ({@link Tally}) with how many items count in it. */
  tally(name: string): Array<{ group: string; count: number }> {
    this.flush();
    const tally = this.schema.tallies?.find((t) => t.name === name);
    if (!tally) throw new TableValidationError(`the table keeps no tally ${name}`);
    const rows = this.statement(`SELECT grp, n FROM ${tallyTable(tally)}`).all() as {
      grp: string;
      n: number;
    }[];
    return rows.map((r) => ({ group: r.grp, count: Number(r.n) }));
  }

  private remove(pk: string, sk: string): void {
    this.writes++;
    const gone = this.statement('DELETE FROM items WHERE pk = ? AND sk = ? RETURNING rowid').get(pk, sk) as
      { rowid: number } | undefined;
    if (!gone) return;
    for (const index of this.schema.texts ?? [])
      this.statement(`DELETE FROM ${textTable(index)} WHERE rowid = ?`).run(gone.rowid);
    for (const tally of this.schema.tallies ?? []) this.recount(tally, gone.rowid, []);
  }

  /**
   * Makes a text index's table, and indexes the items stored before it was declared (once:
   * about a millisecond an article).
   */
  private openText(index: TextIndex): void {
    const table = textTable(index);
    const made = this.statement("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(
      table,
    ) as { sql: string } | undefined;
    if (made?.sql === textTableSql(index)) return;
    // An index made otherwise (by an older version) is made again.
    this.alone(() => {
      if (made) this.db.exec(`DROP TABLE ${table}`);
      this.db.exec(textTableSql(index));
      const add = this.db.prepare(`INSERT INTO ${table} (rowid, text) VALUES (?, ?)`);
      const rows = this.db
        .prepare(`SELECT rowid, json(body) AS body FROM items WHERE ${viewWhere(index)}`)
        .iterate() as Iterable<{ rowid: number; body: string }>;
      for (const row of rows) add.run(row.rowid, index.text(fromBody(row.body)));
    });
  }

  /**
   * Runs `work` as one write: all of it or nothing. The writes of one turn of the event loop
   * (those of the files being ingested at once) share one transaction, taken at the first
   * (IMMEDIATE: no other process writes between) and committed when the turn ends; each write
   * is a savepoint in it, undone alone when refused. A command is answered only once its
   * transaction is committed, so nothing acts on a write that could still be lost, and a failed
   * commit fails every command of the turn, to be tried again as before.
   */
  private transaction<T>(work: () => T): T {
    // SQLite may end a transaction itself (an I/O error, a full disk): the writes the group
    // held are gone, and its commands fail.
    if (this.group && !this.db.isTransaction)
      this.abandonGroup(new Error('the transaction of this turn ended'));
    if (!this.group) this.openGroup();
    this.statement('SAVEPOINT one_write').run();
    try {
      const out = work();
      this.statement('RELEASE one_write').run();
      return out;
    } catch (e) {
      if (!this.db.isTransaction) {
        this.abandonGroup(e as Error);
        throw e;
      }
      this.statement('ROLLBACK TO one_write').run();
      this.statement('RELEASE one_write').run();
      throw e;
    }
  }

  /** Takes the write lock for this turn's writes, to be committed when the turn ends. */
  private openGroup(): void {
    if (this.lockRefused) throw this.lockRefused;
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      this.lockRefused = e as Error;
      setImmediate(() => (this.lockRefused = undefined));
      throw e;
    }
    let settle: (e?: Error) => void = () => undefined;
    const committed = new Promise<void>((resolve, reject) => {
      settle = (e) => (e ? reject(e) : resolve());
    });
    // Each command awaits it; one refused by its condition may be the only one.
    committed.catch(() => undefined);
    this.group = { committed, settle };
    setImmediate(() => this.flush());
  }

  /** Fails every command of the group whose transaction SQLite ended, and forgets it. */
  private abandonGroup(why: Error): void {
    const group = this.group;
    this.group = undefined;
    this.writes++;
    group?.settle(why);
  }

  /** Runs `work` in a transaction of its own, committed before it returns (the table's own upkeep). */
  private alone<T>(work: () => T): T {
    this.flush();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const out = work();
      this.db.exec('COMMIT');
      return out;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  private guard(
    input: {
      ConditionExpression?: string | undefined;
      ReturnValuesOnConditionCheckFailure?: string | undefined;
    },
    old: DocItem | undefined,
    b: Bindings,
  ): void {
    if (!input.ConditionExpression) return;
    if (!holds(parseCondition(input.ConditionExpression), old, b))
      throw conditionFailed(old, input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD');
  }

  private get(input: GetCommand['input']) {
    this.checkTable(input.TableName);
    const { pk, sk } = this.keyOf(input.Key);
    const item = this.read(pk, sk);
    const b = { names: input.ExpressionAttributeNames };
    checkBindings([input.ProjectionExpression], b);
    return { $metadata: {}, ...(item ? { Item: project(item, input.ProjectionExpression, b) } : {}) };
  }

  private put(input: PutCommand['input']) {
    this.checkTable(input.TableName);
    const item = input.Item as DocItem;
    const { pk, sk } = this.keyOfItem(item);
    const b = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    checkBindings([input.ConditionExpression], b);
    // The item it replaces is read only when the put is conditional or returns it.
    const needsOld = input.ConditionExpression !== undefined || input.ReturnValues === 'ALL_OLD';
    return this.transaction(() => {
      const old = needsOld ? this.read(pk, sk) : undefined;
      this.guard(input, old, b);
      this.write(item);
      return { $metadata: {}, ...(input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {}) };
    });
  }

  private update(input: UpdateCommand['input']) {
    this.checkTable(input.TableName);
    const { pk, sk } = this.keyOf(input.Key);
    const b = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    checkBindings([input.UpdateExpression, input.ConditionExpression], b);
    const parsed = parseUpdate(input.UpdateExpression ?? '');
    return this.transaction(() => {
      const old = this.read(pk, sk);
      this.guard(input, old, b);
      const base = old ?? { [this.schema.partitionKey]: pk, [this.schema.sortKey]: sk };
      const { next, touched } = applyUpdate(parsed, base, b, this.keyNames);
      this.write(next);
      const pick = (from: DocItem | undefined) => {
        const out: DocItem = {};
        for (const k of touched) if (from?.[k] !== undefined) out[k] = from[k];
        return out;
      };
      const attributes =
        input.ReturnValues === 'ALL_NEW'
          ? next
          : input.ReturnValues === 'ALL_OLD'
            ? old
            : input.ReturnValues === 'UPDATED_OLD'
              ? pick(old)
              : input.ReturnValues === 'UPDATED_NEW'
                ? pick(next)
                : undefined;
      return {
        $metadata: {},
        ...(attributes && Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
      };
    });
  }

  private delete(input: DeleteCommand['input']) {
    this.checkTable(input.TableName);
    const { pk, sk } = this.keyOf(input.Key);
    const b = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    checkBindings([input.ConditionExpression], b);
    return this.transaction(() => {
      const old = this.read(pk, sk);
      this.guard(input, old, b);
      if (old) this.remove(pk, sk);
      return { $metadata: {}, ...(input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {}) };
    });
  }

  /** The partition key and the sort-key range of a key condition, as SQL. */
  private keyRange(
    condition: Condition,
    b: Bindings,
    pkName: string,
    skName: string,
  ): { pk: string; where: string; args: string[] } {
    const parts: Condition[] = [];
    const flatten = (c: Condition): void => {
      if (c.k !== 'and') parts.push(c);
      else {
        flatten(c.a);
        flatten(c.b);
      }
    };
    flatten(condition);
    const valueOf = (o: { k: string; ref?: string }): string => {
      const v = o.k === 'value' ? b.values?.[o.ref as string] : undefined;
      if (typeof v !== 'string')
        throw new TableValidationError('a key condition compares a key with a string value');
      return v;
    };
    let pk: string | undefined;
    let where = '';
    let args: string[] = [];
    for (const c of parts) {
      const attr = c.k === 'cmp' || c.k === 'between' ? c.a : c.k === 'fn2' ? c.a : undefined;
      const name = attr?.k === 'path' ? nameOf(attr, b) : undefined;
      if (c.k === 'cmp' && c.op === '=' && name === pkName) pk = valueOf(c.b);
      else if (name === skName && c.k === 'cmp' && c.op !== '<>') {
        where = ` AND s ${c.op} ?`;
        args = [valueOf(c.b)];
      } else if (name === skName && c.k === 'between') {
        where = ' AND s BETWEEN ? AND ?';
        args = [valueOf(c.lo), valueOf(c.hi)];
      } else if (name === skName && c.k === 'fn2' && c.name === 'begins_with') {
        const prefix = valueOf(c.b);
        where = ' AND s >= ? AND s < ?';
        args = [prefix, `${prefix}\u{10ffff}`];
      } else throw new TableValidationError('Query key condition not supported');
    }
    if (pk === undefined) throw new TableValidationError('Query condition missed key schema element');
    return { pk, where, args };
  }

  private query(input: QueryCommand['input']) {
    this.checkTable(input.TableName);
    const onIndex = input.IndexName !== undefined;
    if (onIndex && input.IndexName !== this.schema.index.name)
      throw new TableValidationError(`The table does not have the specified index: ${input.IndexName}`);
    const b = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    checkBindings([input.KeyConditionExpression, input.FilterExpression, input.ProjectionExpression], b);
    const keyCondition = parseCondition(input.KeyConditionExpression ?? '');
    const [pkName, skName] = onIndex
      ? [this.schema.index.partitionKey, this.schema.index.sortKey]
      : [this.schema.partitionKey, this.schema.sortKey];
    const range = this.keyRange(keyCondition, b, pkName, skName);
    const forward = input.ScanIndexForward !== false;
    const start = input.ExclusiveStartKey as DocItem | undefined;
    const cmp = forward ? '>' : '<';
    const dir = forward ? 'ASC' : 'DESC';
    let sql: string;
    const args: (string | number)[] = [range.pk, ...range.args];
    if (onIndex) {
      sql = `SELECT pk, sk, ipk, isk, json(body) AS body FROM (SELECT pk, sk, ipk, isk AS s, isk, body FROM items WHERE ipk = ?) WHERE 1${range.where}`;
      if (start) {
        sql += ` AND (isk, pk, sk) ${cmp} (?, ?, ?)`;
        args.push(
          String(start[skName]),
          String(start[this.schema.partitionKey]),
          String(start[this.schema.sortKey]),
        );
      }
      sql += ` ORDER BY isk ${dir}, pk ${dir}, sk ${dir}`;
    } else {
      sql = `SELECT pk, sk, ipk, isk, json(body) AS body FROM (SELECT pk, sk AS s, sk, ipk, isk, body FROM items WHERE pk = ?) WHERE 1${range.where}`;
      if (start) {
        sql += ` AND sk ${cmp} ?`;
        args.push(String(start[skName]));
      }
      sql += ` ORDER BY sk ${dir}`;
    }
    return this.page(this.statement(sql).iterate(...args) as Iterator<Row>, input, b, keyCondition, onIndex);
  }

  private scan(input: ScanCommand['input']) {
    this.checkTable(input.TableName);
    if (input.IndexName !== undefined || input.TotalSegments !== undefined)
      throw new TableValidationError('the table on this machine scans the whole table in one segment only');
    const b = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    checkBindings([input.FilterExpression, input.ProjectionExpression], b);
    const start = input.ExclusiveStartKey as DocItem | undefined;
    const rows = start
      ? this.statement(
          'SELECT pk, sk, ipk, isk, json(body) AS body FROM items WHERE (pk, sk) > (?, ?) ORDER BY pk, sk',
        ).iterate(String(start[this.schema.partitionKey]), String(start[this.schema.sortKey]))
      : this.statement('SELECT pk, sk, ipk, isk, json(body) AS body FROM items ORDER BY pk, sk').iterate();
    return this.page(rows as Iterator<Row>, input, b, undefined, false);
  }

  /** One page of a Query or Scan: Limit items read, or about 1 MB, then a LastEvaluatedKey. */
  private page(
    rows: Iterator<Row>,
    input: {
      Limit?: number | undefined;
      FilterExpression?: string | undefined;
      ProjectionExpression?: string | undefined;
      Select?: string | undefined;
    },
    b: Bindings,
    keyCondition: Condition | undefined,
    onIndex: boolean,
  ) {
    const filter = input.FilterExpression ? parseCondition(input.FilterExpression) : undefined;
    const items: DocItem[] = [];
    let scanned = 0;
    let bytes = 0;
    let last: Row | undefined;
    let more = false;
    try {
      for (let r = rows.next(); !r.done; r = rows.next()) {
        if ((input.Limit !== undefined && scanned >= input.Limit) || bytes >= PAGE_BYTES) {
          more = true;
          break;
        }
        const row = r.value;
        const item = fromBody(row.body);
        // The SQL range is a superset at the edge of a prefix; the condition itself decides.
        if (keyCondition && !holds(keyCondition, item, b)) continue;
        scanned++;
        bytes += row.body.length;
        last = row;
        if (filter && !holds(filter, item, b)) continue;
        items.push(project(item, input.ProjectionExpression, b));
      }
    } finally {
      rows.return?.();
    }
    const lastKey =
      more && last
        ? {
            [this.schema.partitionKey]: last.pk,
            [this.schema.sortKey]: last.sk,
            ...(onIndex
              ? { [this.schema.index.partitionKey]: last.ipk, [this.schema.index.sortKey]: last.isk }
              : {}),
          }
        : undefined;
    return {
      $metadata: {},
      ...(input.Select === 'COUNT' ? {} : { Items: items }),
      Count: items.length,
      ScannedCount: scanned,
      ...(lastKey ? { LastEvaluatedKey: lastKey } : {}),
    };
  }

  private batchGet(input: BatchGetCommand['input']) {
    const responses: Record<string, DocItem[]> = {};
    for (const [table, request] of Object.entries(input.RequestItems ?? {})) {
      this.checkTable(table);
      if ((request.Keys ?? []).length > 100)
        throw new TableValidationError('Too many items requested for the BatchGetItem call');
      const b = { names: request.ExpressionAttributeNames };
      checkBindings([request.ProjectionExpression], b);
      const found: DocItem[] = [];
      for (const key of request.Keys ?? []) {
        const { pk, sk } = this.keyOf(key as DocItem);
        const item = this.read(pk, sk);
        if (item) found.push(project(item, request.ProjectionExpression, b));
      }
      responses[table] = found;
    }
    return { $metadata: {}, Responses: responses, UnprocessedKeys: {} };
  }

  private batchWrite(input: BatchWriteCommand['input']) {
    const requests = Object.entries(input.RequestItems ?? {});
    const total = requests.reduce((n, [, list]) => n + list.length, 0);
    if (total > 25) throw new TableValidationError('Too many items requested for the BatchWriteItem call');
    this.transaction(() => {
      for (const [table, list] of requests) {
        this.checkTable(table);
        for (const request of list) {
          if (request.PutRequest) this.write(request.PutRequest.Item as DocItem);
          else if (request.DeleteRequest) {
            const { pk, sk } = this.keyOf(request.DeleteRequest.Key as DocItem);
            this.remove(pk, sk);
          }
        }
      }
    });
    return { $metadata: {}, UnprocessedItems: {} };
  }
}

/** The states of a match whose alert was not sent yet. */
export const UNSENT_ALERT_STATES = ['pending', 'publishing'];

/** What the views of alerts sent hold of each: what the alert lists and copy counts read. */
export const SENT_ALERT_FACTS = [
  'sentAt',
  'alertId',
  'articleId',
  'topicId',
  'score',
  'storyRole',
  'topicName',
  'matchedAt',
  'articleDate',
  'backfill',
];

/** Between the parts of a tally's group (`outlet`, then the outlet). */
export const GROUP = '\u0000';

/** The newswatch table's keys (the same layout as on AWS). */
export const NEWSWATCH_SCHEMA: EmbeddedSchema = {
  partitionKey: TABLE_KEYS.partitionKey,
  sortKey: TABLE_KEYS.sortKey,
  index: {
    name: TABLE_KEYS.gsi1.name,
    partitionKey: TABLE_KEYS.gsi1.partitionKey,
    sortKey: TABLE_KEYS.gsi1.sortKey,
  },
  sparse: [{ attribute: 'alertState', values: UNSENT_ALERT_STATES }],
  views: [
    // Articles newest first, with what lists filter on and facets count (outlets, languages).
    {
      name: 'articles',
      of: [{ attribute: 'type', equals: 'article' }],
      on: ['date', 'ingestedAt', 'id', 'language', 'source', 'url', 'sourceKey'],
    },
    // An article's language by its id, for reads that join alerts to their articles.
    {
      name: 'article_ids',
      of: [{ attribute: 'type', equals: 'article' }],
      on: ['id', 'language', 'date', 'ingestedAt', 'source', 'url', 'sourceKey'],
    },
    // What an article list filters on in its matches: topic, score, countries.
    {
      name: 'match_facts',
      of: [{ attribute: 'type', equals: 'match' }],
      on: ['articleId', 'topicId', 'score', 'explanation.countries'],
    },
    // Per topic: matches, alerts and the last match, counted from the index.
    {
      name: 'topic_matches',
      of: [{ attribute: 'type', equals: 'match' }],
      on: ['topicId', 'alertState', 'matchedAt'],
    },
    // Matches per day and topic, for the chart.
    {
      name: 'matches_by_day',
      of: [{ attribute: 'type', equals: 'match' }],
      on: ['articleDate', 'topicId'],
    },
    // Alerts sent, by when: what their recipients are worked out from.
    {
      name: 'sent',
      of: [
        { attribute: 'type', equals: 'match' },
        { attribute: 'alertState', equals: 'sent' },
      ],
      on: SENT_ALERT_FACTS,
    },
    {
      name: 'sent_by_topic',
      of: [
        { attribute: 'type', equals: 'match' },
        { attribute: 'alertState', equals: 'sent' },
      ],
      on: ['topicId', 'sentAt', 'alertId'],
    },
    { name: 'stories', of: [{ attribute: 'type', equals: 'story' }], on: ['latestAt', 'storyId'] },
    {
      name: 'shared_stories',
      of: [
        { attribute: 'type', equals: 'story' },
        { attribute: 'articleIds', sizeAtLeast: 2 },
      ],
      on: ['latestAt', 'storyId'],
    },
    { name: 'errors', of: [{ attribute: 'type', equals: 'error' }], on: ['occurredAt', 'key', 'etag'] },
    {
      name: 'deliveries',
      of: [{ attribute: 'type', equals: 'delivery' }],
      on: ['alertId', 'recipient', 'state', 'attempt', 'reason'],
    },
    // A subscriber's deliveries, for counting its copies by state.
    {
      name: 'recipient_deliveries',
      of: [{ attribute: 'type', equals: 'delivery' }],
      on: ['recipient', 'alertId', 'state'],
    },
    {
      name: 'gates',
      of: [
        { attribute: 'type', equals: 'gate-alert' },
        { attribute: 'state', equals: 'done' },
      ],
      on: ['pk', 'sk', 'outcome'],
    },
    { name: 'held', of: [{ attribute: 'type', equals: 'held' }], on: ['pk', 'sk'] },
    // The fatigue controls' outcomes and holds of one alert, whoever they are for.
    {
      name: 'alert_gates',
      of: [
        { attribute: 'type', equals: 'gate-alert' },
        { attribute: 'state', equals: 'done' },
      ],
      on: ['sk', 'pk', 'outcome'],
    },
    { name: 'alert_held', of: [{ attribute: 'type', equals: 'held' }], on: ['sk', 'pk'] },
    // A topic's matches, for lists of its articles.
    {
      name: 'topic_facts',
      of: [{ attribute: 'type', equals: 'match' }],
      on: ['topicId', 'articleId', 'score'],
    },
  ],
  // The facets of the article list: articles by outlet and by language, and by country (each
  // match counts once for each article and country it names; an article is in a country's
  // count while one of its matches names it).
  tallies: [
    {
      name: 'article_facets',
      of: [{ attribute: 'type', equals: 'article' }],
      groups: (item) => [
        `outlet${GROUP}${outletOf({
          ...(typeof item.source === 'string' ? { source: item.source } : {}),
          ...(typeof item.url === 'string' ? { url: item.url } : {}),
          sourceKey: typeof item.sourceKey === 'string' ? item.sourceKey : '',
        })}`,
        `language${GROUP}${typeof item.language === 'string' ? item.language : 'und'}`,
      ],
    },
    {
      name: 'article_countries',
      of: [{ attribute: 'type', equals: 'match' }],
      groups: (item) => {
        const countries = valueAt(item, 'explanation.countries');
        return Array.isArray(countries)
          ? countries.map((c) => `${String(c)}${GROUP}${String(item.articleId)}`)
          : [];
      },
    },
  ],
  // The articles' titles, authors and paragraphs, for a search of the texts.
  texts: [
    {
      name: 'articles',
      of: [{ attribute: 'type', equals: 'article' }],
      text: (item) =>
        searchTextOf({
          title: typeof item.title === 'string' ? item.title : '',
          author: typeof item.author === 'string' ? item.author : undefined,
          paragraphs: Array.isArray(item.paragraphs) ? item.paragraphs.map(String) : [],
        }),
    },
  ],
};
