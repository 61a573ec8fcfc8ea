import { readFileSync } from 'node:fs';

/**
 * DynamoDB's condition, key-condition, filter, projection and update expressions, parsed
 * once and evaluated over document-client values (strings, numbers, booleans, null, bytes,
 * lists, maps and sets), for the table kept on one machine. Top-level attributes only: the
 * newswatch table never names a nested path, and one is refused with a ValidationException
 * rather than read wrongly.
 */

/** Words an expression may not use as attribute names (a `#name` stands in for one). */
const RESERVED = new Set(
  readFileSync(new URL('./dynamodb-reserved-words.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#')),
);

/** A value as the document client hands it over. */
export type DocValue = unknown;
/** One item: attribute names to values. */
export type DocItem = Record<string, DocValue>;

/** A request DynamoDB would refuse as malformed. */
export class TableValidationError extends Error {
  override readonly name = 'ValidationException';
}

type Operand =
  | { k: 'path'; name: string }
  | { k: 'value'; ref: string }
  | { k: 'size'; path: Operand }
  | { k: 'ifNotExists'; path: Operand; fallback: Operand }
  | { k: 'listAppend'; a: Operand; b: Operand }
  | { k: 'plus' | 'minus'; a: Operand; b: Operand };

/** A parsed condition (also a key condition or a filter). */
export type Condition =
  | { k: 'and' | 'or'; a: Condition; b: Condition }
  | { k: 'not'; a: Condition }
  | { k: 'cmp'; op: '=' | '<>' | '<' | '<=' | '>' | '>='; a: Operand; b: Operand }
  | { k: 'between'; a: Operand; lo: Operand; hi: Operand }
  | { k: 'in'; a: Operand; list: Operand[] }
  | { k: 'fn'; name: 'attribute_exists' | 'attribute_not_exists'; path: Operand }
  | { k: 'fn2'; name: 'begins_with' | 'contains' | 'attribute_type'; a: Operand; b: Operand };

/** A parsed update expression: its four kinds of action. */
export interface Update {
  set: { path: Operand; value: Operand }[];
  remove: Operand[];
  add: { path: Operand; value: Operand }[];
  delete: { path: Operand; value: Operand }[];
}

type Token = { t: 'name' | 'alias' | 'ref' | 'op' | 'num'; v: string };

const tokenize = (text: string): Token[] => {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const word = /^[#:]?[A-Za-z0-9_]+/.exec(text.slice(i));
    if (word) {
      const v = word[0];
      out.push({ t: c === '#' ? 'alias' : c === ':' ? 'ref' : /^[0-9]/.test(v) ? 'num' : 'name', v });
      i += v.length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '<>' || two === '<=' || two === '>=') {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if ('=<>(),+-.[]'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    throw new TableValidationError(`Invalid expression: unexpected "${c}" in "${text}"`);
  }
  return out;
};

class Parser {
  private readonly tokens: Token[];
  private readonly text: string;
  private at = 0;
  constructor(text: string) {
    this.text = text;
    this.tokens = tokenize(text);
  }
  private peek(): Token | undefined {
    return this.tokens[this.at];
  }
  private fail(why: string): never {
    throw new TableValidationError(`Invalid expression "${this.text}": ${why}`);
  }
  private isWord(word: string): boolean {
    const t = this.peek();
    return t?.t === 'name' && t.v.toUpperCase() === word;
  }
  private isOp(op: string): boolean {
    const t = this.peek();
    return t?.t === 'op' && t.v === op;
  }
  private expectOp(op: string): void {
    if (!this.isOp(op)) this.fail(`expected "${op}"`);
    this.at++;
  }
  done(): void {
    if (this.at < this.tokens.length) this.fail(`unexpected "${this.tokens[this.at]?.v}"`);
  }
  atEnd(): boolean {
    return this.at >= this.tokens.length;
  }

  condition(): Condition {
    let left = this.conjunction();
    while (this.isWord('OR')) {
      this.at++;
      left = { k: 'or', a: left, b: this.conjunction() };
    }
    return left;
  }
  private conjunction(): Condition {
    let left = this.negation();
    while (this.isWord('AND')) {
      this.at++;
      left = { k: 'and', a: left, b: this.negation() };
    }
    return left;
  }
  private negation(): Condition {
    if (this.isWord('NOT')) {
      this.at++;
      return { k: 'not', a: this.negation() };
    }
    return this.primary();
  }
  private primary(): Condition {
    if (this.isOp('(')) {
      this.at++;
      const inner = this.condition();
      this.expectOp(')');
      return inner;
    }
    const t = this.peek();
    const fn = t?.t === 'name' ? t.v : '';
    if (fn === 'attribute_exists' || fn === 'attribute_not_exists') {
      this.at++;
      this.expectOp('(');
      const path = this.path();
      this.expectOp(')');
      return { k: 'fn', name: fn, path };
    }
    if (fn === 'begins_with' || fn === 'contains' || fn === 'attribute_type') {
      this.at++;
      this.expectOp('(');
      const a = this.operand();
      this.expectOp(',');
      const b = this.operand();
      this.expectOp(')');
      return { k: 'fn2', name: fn, a, b };
    }
    const a = this.operand();
    if (this.isWord('BETWEEN')) {
      this.at++;
      const lo = this.operand();
      if (!this.isWord('AND')) this.fail('expected AND in BETWEEN');
      this.at++;
      return { k: 'between', a, lo, hi: this.operand() };
    }
    if (this.isWord('IN')) {
      this.at++;
      this.expectOp('(');
      const list = [this.operand()];
      while (this.isOp(',')) {
        this.at++;
        list.push(this.operand());
      }
      this.expectOp(')');
      return { k: 'in', a, list };
    }
    const op = this.peek();
    if (op?.t !== 'op' || !['=', '<>', '<', '<=', '>', '>='].includes(op.v))
      this.fail('expected a comparison');
    this.at++;
    return { k: 'cmp', op: op.v as '=', a, b: this.operand() };
  }

  /** A path, a value, or `size(path)`. */
  operand(): Operand {
    const t = this.peek();
    if (t?.t === 'ref') {
      this.at++;
      return { k: 'value', ref: t.v };
    }
    if (t?.t === 'name' && t.v === 'size') {
      this.at++;
      this.expectOp('(');
      const path = this.path();
      this.expectOp(')');
      return { k: 'size', path };
    }
    return this.path();
  }

  path(): Operand {
    const t = this.peek();
    if (t?.t !== 'name' && t?.t !== 'alias') this.fail('expected an attribute name');
    this.at++;
    if (this.isOp('.') || this.isOp('[')) this.fail('nested attribute paths are not supported here');
    if (t.t === 'name' && RESERVED.has(t.v.toUpperCase()))
      this.fail(`Attribute name is a reserved keyword; reserved keyword: ${t.v}`);
    return { k: 'path', name: t.v };
  }

  /** The right side of `SET path = …`. */
  private setValue(): Operand {
    const a = this.setOperand();
    if (this.isOp('+') || this.isOp('-')) {
      const k = this.isOp('+') ? 'plus' : 'minus';
      this.at++;
      return { k, a, b: this.setOperand() };
    }
    return a;
  }
  private setOperand(): Operand {
    const t = this.peek();
    if (t?.t === 'name' && (t.v === 'if_not_exists' || t.v === 'list_append')) {
      this.at++;
      this.expectOp('(');
      const a = t.v === 'if_not_exists' ? this.path() : this.setOperand();
      this.expectOp(',');
      const b = this.setOperand();
      this.expectOp(')');
      return t.v === 'if_not_exists' ? { k: 'ifNotExists', path: a, fallback: b } : { k: 'listAppend', a, b };
    }
    return this.operand();
  }

  update(): Update {
    const out: Update = { set: [], remove: [], add: [], delete: [] };
    while (!this.atEnd()) {
      const t = this.peek();
      const clause = t?.t === 'name' ? t.v.toUpperCase() : '';
      if (!['SET', 'REMOVE', 'ADD', 'DELETE'].includes(clause))
        this.fail('expected SET, REMOVE, ADD or DELETE');
      this.at++;
      do {
        if (clause === 'SET') {
          const path = this.path();
          this.expectOp('=');
          out.set.push({ path, value: this.setValue() });
        } else if (clause === 'REMOVE') out.remove.push(this.path());
        else {
          const path = this.path();
          const value = this.operand();
          (clause === 'ADD' ? out.add : out.delete).push({ path, value });
        }
        if (!this.isOp(',')) break;
        this.at++;
      } while (!this.atEnd());
    }
    return out;
  }

  /** `a, #b, c`. */
  projection(): Operand[] {
    const out = [this.path()];
    while (this.isOp(',')) {
      this.at++;
      out.push(this.path());
    }
    return out;
  }
}

const cache = new Map<string, unknown>();
const cached = <T>(kind: string, text: string, parse: (p: Parser) => T): T => {
  const key = `${kind}\u0000${text}`;
  let hit = cache.get(key) as T | undefined;
  if (hit === undefined) {
    const p = new Parser(text);
    hit = parse(p);
    p.done();
    if (cache.size > 10_000) cache.clear();
    cache.set(key, hit);
  }
  return hit;
};

/** Parses (once per text) a condition, key condition or filter expression. */
export const parseCondition = (text: string): Condition => cached('c', text, (p) => p.condition());
/** Parses (once per text) an update expression. */
export const parseUpdate = (text: string): Update => cached('u', text, (p) => p.update());
/** Parses (once per text) a projection expression. */
export const parseProjection = (text: string): Operand[] => cached('p', text, (p) => p.projection());

/** The names and values an expression's `#aliases` and `:refs` stand for. */
export interface Bindings {
  names?: Record<string, string> | undefined;
  values?: Record<string, DocValue> | undefined;
}

/** The attribute a path names. */
export const nameOf = (path: Operand, b: Bindings): string => {
  if (path.k !== 'path') throw new TableValidationError('expected an attribute name');
  if (!path.name.startsWith('#')) return path.name;
  const name = b.names?.[path.name];
  if (name === undefined)
    throw new TableValidationError(`An expression attribute name used is not defined: ${path.name}`);
  return name;
};

const refOf = (ref: string, b: Bindings): DocValue => {
  if (!b.values || !(ref in b.values))
    throw new TableValidationError(`An expression attribute value used is not defined: ${ref}`);
  return b.values[ref];
};

/** DynamoDB's type letter of a document value. */
export const typeOf = (v: DocValue): string => {
  if (typeof v === 'string') return 'S';
  if (typeof v === 'number' || typeof v === 'bigint') return 'N';
  if (typeof v === 'boolean') return 'BOOL';
  if (v === null) return 'NULL';
  if (v instanceof Uint8Array) return 'B';
  if (Array.isArray(v)) return 'L';
  if (v instanceof Set) {
    const first: unknown = (v as Set<unknown>).values().next().value;
    return typeof first === 'number' || typeof first === 'bigint'
      ? 'NS'
      : first instanceof Uint8Array
        ? 'BS'
        : 'SS';
  }
  return 'M';
};

/** Strings in code point order, which is DynamoDB's (UTF-8 bytes) and SQLite's. */
export const compareStrings = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (a code point above U+FFFF) sort after every other UTF-16 unit.
    if (x >= 0xd800) x += x <= 0xdfff ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y <= 0xdfff ? 0x2000 : -0x800;
    return x - y;
  }
  return a.length - b.length;
};

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
};

/** Equal as DynamoDB compares: same type and same value (sets as sets, lists and maps deeply). */
export const valuesEqual = (a: DocValue, b: DocValue): boolean => {
  const t = typeOf(a);
  if (t !== typeOf(b)) return false;
  switch (t) {
    case 'N':
      return Number(a) === Number(b);
    case 'B':
      return compareBytes(a as Uint8Array, b as Uint8Array) === 0;
    case 'L': {
      const x = a as DocValue[];
      const y = b as DocValue[];
      return x.length === y.length && x.every((v, i) => valuesEqual(v, y[i]));
    }
    case 'SS':
    case 'NS':
    case 'BS': {
      const x = [...(a as Set<DocValue>)];
      const y = [...(b as Set<DocValue>)];
      return x.length === y.length && x.every((v) => y.some((w) => valuesEqual(v, w)));
    }
    case 'M': {
      const x = a as DocItem;
      const y = b as DocItem;
      const kx = Object.keys(x).filter((k) => x[k] !== undefined);
      const ky = Object.keys(y).filter((k) => y[k] !== undefined);
      return kx.length === ky.length && kx.every((k) => k in y && valuesEqual(x[k], y[k]));
    }
    default:
      return a === b;
  }
};

/** Order of two values of one scalar type (S, N, B); undefined when they cannot be ordered. */
const order = (a: DocValue, b: DocValue): number | undefined => {
  const t = typeOf(a);
  if (t !== typeOf(b)) return undefined;
  if (t === 'S') return compareStrings(a as string, b as string);
  if (t === 'N') return Number(a) - Number(b);
  if (t === 'B') return compareBytes(a as Uint8Array, b as Uint8Array);
  return undefined;
};

const sizeOf = (v: DocValue): number | undefined => {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (v instanceof Uint8Array) return v.length;
  if (Array.isArray(v)) return v.length;
  if (v instanceof Set) return v.size;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  return undefined;
};

const read = (item: DocItem | undefined, o: Operand, b: Bindings): DocValue => {
  switch (o.k) {
    case 'path':
      return item?.[nameOf(o, b)];
    case 'value':
      return refOf(o.ref, b);
    case 'size': {
      const v = read(item, o.path, b);
      return v === undefined ? undefined : sizeOf(v);
    }
    case 'ifNotExists': {
      const v = read(item, o.path, b);
      return v === undefined ? read(item, o.fallback, b) : v;
    }
    case 'listAppend': {
      const x = read(item, o.a, b);
      const y = read(item, o.b, b);
      if (!Array.isArray(x) || !Array.isArray(y))
        throw new TableValidationError('list_append takes two lists');
      return [...(x as DocValue[]), ...(y as DocValue[])];
    }
    case 'plus':
    case 'minus': {
      const x = read(item, o.a, b);
      const y = read(item, o.b, b);
      if (typeOf(x) !== 'N' || typeOf(y) !== 'N')
        throw new TableValidationError('An operand in the update expression has an incorrect data type');
      return o.k === 'plus' ? Number(x) + Number(y) : Number(x) - Number(y);
    }
  }
};

/** Whether the item (undefined: no item) meets the condition. */
export const holds = (c: Condition, item: DocItem | undefined, b: Bindings): boolean => {
  switch (c.k) {
    case 'and':
      return holds(c.a, item, b) && holds(c.b, item, b);
    case 'or':
      return holds(c.a, item, b) || holds(c.b, item, b);
    case 'not':
      return !holds(c.a, item, b);
    case 'fn': {
      const present = read(item, c.path, b) !== undefined;
      return c.name === 'attribute_exists' ? present : !present;
    }
    case 'fn2': {
      const x = read(item, c.a, b);
      const y = read(item, c.b, b);
      if (c.name === 'attribute_type') return x !== undefined && typeOf(x) === y;
      if (c.name === 'begins_with') {
        if (typeof x === 'string' && typeof y === 'string') return x.startsWith(y);
        if (x instanceof Uint8Array && y instanceof Uint8Array)
          return x.length >= y.length && compareBytes(x.subarray(0, y.length), y) === 0;
        return false;
      }
      if (typeof x === 'string') return typeof y === 'string' && x.includes(y);
      if (x instanceof Set || Array.isArray(x)) return [...x].some((v) => valuesEqual(v, y));
      return false;
    }
    case 'cmp': {
      const x = read(item, c.a, b);
      const y = read(item, c.b, b);
      if (c.op === '<>') return x === undefined || y === undefined || !valuesEqual(x, y);
      if (x === undefined || y === undefined) return false;
      if (c.op === '=') return valuesEqual(x, y);
      const d = order(x, y);
      if (d === undefined) return false;
      return c.op === '<' ? d < 0 : c.op === '<=' ? d <= 0 : c.op === '>' ? d > 0 : d >= 0;
    }
    case 'between': {
      const x = read(item, c.a, b);
      const lo = order(x, read(item, c.lo, b));
      const hi = order(x, read(item, c.hi, b));
      return x !== undefined && lo !== undefined && hi !== undefined && lo >= 0 && hi <= 0;
    }
    case 'in': {
      const x = read(item, c.a, b);
      return x !== undefined && c.list.some((o) => valuesEqual(x, read(item, o, b)));
    }
  }
};

const isSet = (v: DocValue): v is Set<DocValue> => v instanceof Set;

/**
 * The item after the update (a new object; `item` is left as it was) and the attributes the
 * update touched. Every value is read from the item as it was before, as DynamoDB does.
 */
export const applyUpdate = (
  u: Update,
  item: DocItem,
  b: Bindings,
  keyNames: readonly string[],
): { next: DocItem; touched: string[] } => {
  const next: DocItem = { ...item };
  const touched: string[] = [];
  const target = (path: Operand): string => {
    const name = nameOf(path, b);
    if (keyNames.includes(name))
      throw new TableValidationError(`Cannot update attribute ${name}. This attribute is part of the key`);
    if (touched.includes(name))
      throw new TableValidationError(`Two document paths overlap with each other: ${name}`);
    touched.push(name);
    return name;
  };
  for (const { path, value } of u.set) {
    const name = target(path);
    const v = read(item, value, b);
    if (v === undefined)
      throw new TableValidationError(
        `The provided expression refers to an attribute that does not exist in the item`,
      );
    next[name] = v;
  }
  for (const path of u.remove) delete next[target(path)];
  for (const { path, value } of u.add) {
    const name = target(path);
    const v = read(item, value, b);
    const old = item[name];
    if (typeOf(v) === 'N') {
      if (old !== undefined && typeOf(old) !== 'N')
        throw new TableValidationError('An operand in the update expression has an incorrect data type');
      next[name] = Number(old ?? 0) + Number(v);
    } else if (isSet(v)) {
      if (old !== undefined && (!isSet(old) || typeOf(old) !== typeOf(v)))
        throw new TableValidationError('An operand in the update expression has an incorrect data type');
      const union = new Set(old);
      for (const x of v) if (![...union].some((y) => valuesEqual(x, y))) union.add(x);
      next[name] = union;
    } else throw new TableValidationError('ADD takes a number or a set');
  }
  for (const { path, value } of u.delete) {
    const name = target(path);
    const v = read(item, value, b);
    const old = item[name];
    if (!isSet(v)) throw new TableValidationError('DELETE takes a set');
    if (old === undefined) continue;
    if (!isSet(old) || typeOf(old) !== typeOf(v))
      throw new TableValidationError('An operand in the update expression has an incorrect data type');
    const rest = new Set([...old].filter((x) => ![...v].some((y) => valuesEqual(x, y))));
    if (rest.size === 0) delete next[name];
    else next[name] = rest;
  }
  return { next, touched };
};

/** The attributes a projection names, taken from the item. */
export const project = (item: DocItem, projection: string | undefined, b: Bindings): DocItem => {
  if (!projection) return item;
  const out: DocItem = {};
  for (const path of parseProjection(projection)) {
    const name = nameOf(path, b);
    if (item[name] !== undefined) out[name] = item[name];
  }
  return out;
};

const referenceCache = new Map<string, { names: string[]; values: string[] }>();
const referencesOf = (text: string) => {
  let hit = referenceCache.get(text);
  if (!hit) {
    const tokens = tokenize(text);
    hit = {
      names: tokens.filter((t) => t.t === 'alias').map((t) => t.v),
      values: tokens.filter((t) => t.t === 'ref').map((t) => t.v),
    };
    if (referenceCache.size > 10_000) referenceCache.clear();
    referenceCache.set(text, hit);
  }
  return hit;
};

/**
 * Refuses, as DynamoDB does, a request whose `#names` or `:values` are not all used by its
 * expressions, or whose expressions use one it does not define.
 */
export const checkBindings = (expressions: readonly (string | undefined)[], b: Bindings): void => {
  const names = new Set<string>();
  const values = new Set<string>();
  for (const text of expressions) {
    if (!text) continue;
    const r = referencesOf(text);
    for (const n of r.names) names.add(n);
    for (const v of r.values) values.add(v);
  }
  for (const n of names)
    if (!b.names || !(n in b.names))
      throw new TableValidationError(
        `An expression attribute name used in the document path is not defined; attribute name: ${n}`,
      );
  for (const v of values)
    if (!b.values || !(v in b.values))
      throw new TableValidationError(
        `An expression attribute value used in expression is not defined; attribute value: ${v}`,
      );
  const unusedNames = Object.keys(b.names ?? {}).filter((n) => !names.has(n));
  if (unusedNames.length > 0)
    throw new TableValidationError(
      `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
    );
  const unusedValues = Object.keys(b.values ?? {}).filter((v) => !values.has(v));
  if (unusedValues.length > 0)
    throw new TableValidationError(
      `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
    );
};
