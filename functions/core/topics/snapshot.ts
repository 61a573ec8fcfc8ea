/**
 * A compiled topic index as bytes, to load instead of compiling: the presearch postings as
 * flat typed arrays, and per topic only its definition, its query parsed the first time the
 * topic is a candidate. Loading costs a checksum, the postings' key maps and the topics'
 * JSON; compiling costs a parse of every query and a pricing of every word.
 *
 * Layout: `NWTI`, the format number, the header's length (each 4 bytes, little-endian), a
 * SHA-256 of all that follows, the header (JSON: versions, counts and where each section is)
 * padded to 4 bytes, then the sections, each padded to 4 bytes: UTF-8 JSON, or the bytes of a
 * typed array in this machine's order (little-endian: a big-endian machine refuses them).
 */
import { createHash } from 'node:crypto';
import { ANALYSER_VERSION } from './analysis/analyser.ts';
import { DEFAULT_ANALYSER } from './analysis/registry.ts';
import {
  type CompiledTopic,
  compileTopics,
  type TopicCompileError,
  type TopicIndex,
  type WordPostings,
} from './matcher.ts';
import { type Postings, type PrefixPostings, prefixPostingsOf } from './postings.ts';
import {
  type Field,
  type LeafCache,
  leafFrom,
  type LeafNode,
  parseListItem,
  parseQuery,
  type QueryNode,
  type TermLists,
} from './query.ts';
import type { TopicDefinition } from './topic.ts';

/**
 * The layout of the bytes: a change to the layout must change it, and a snapshot of another
 * format is refused. A change to the parser or to how the presearch chooses and keys
 * requirements changes the {@link compilerFingerprint}, which refuses it too.
 */
export const INDEX_SNAPSHOT_FORMAT = 2;

const MAGIC = 'NWTI';
/** Magic, format, header length, checksum. */
const PREAMBLE_BYTES = 12 + 32;

/** Why a snapshot was refused: another format, another topic set or analyser version, or damaged bytes. */
export type IndexSnapshotProblem = 'format' | 'version' | 'corrupt';

/** A snapshot that cannot be used: the index must be compiled instead. */
export class IndexSnapshotError extends Error {
  override readonly name = 'IndexSnapshotError';
  readonly problem: IndexSnapshotProblem;
  constructor(problem: IndexSnapshotProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** The versions a snapshot was written for. */
export interface IndexSnapshotVersions {
  topicSetVersion: string;
  analyserVersion: string;
}

/** What loading a snapshot gives: the index, and the topics that did not compile when it was written. */
export interface LoadedIndex {
  index: TopicIndex;
  errors: TopicCompileError[];
}

type Kind = 'json' | 'u8' | 'u32' | 'i32';
const POSTINGS = ['country', 'org', 'lang', 'stem', 'word', 'prefix'] as const;
type PostingsName = (typeof POSTINGS)[number];

/** Every section, and what it holds. */
const SECTIONS = {
  topics: 'json',
  lists: 'json',
  errors: 'json',
  leaves: 'json',
  need: 'u8',
  always: 'u32',
  slotStart: 'u32',
  leafRefs: 'u32',
  ...(Object.fromEntries(
    POSTINGS.flatMap((p) => [
      [`${p}Keys`, 'json'],
      [`${p}Start`, 'u32'],
      [`${p}Slots`, 'u32'],
    ]),
  ) as Record<`${PostingsName}${'Keys' | 'Start' | 'Slots'}`, Kind>),
} as const satisfies Record<string, Kind>;
type SectionName = keyof typeof SECTIONS;

interface Header extends IndexSnapshotVersions {
  /** The {@link compilerFingerprint} of the matcher that wrote it. */
  compiler: string;
  topics: number;
  /** Section → [offset from the first section, length in bytes]. */
  sections: Record<string, [number, number]>;
}

/** A word leaf as the snapshot keeps it: enough to build it again. */
type StoredLeaf = [type: LeafNode['type'], field: Field, lang: string | null, text: string];

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const encoder = new TextEncoder();
const padded = (n: number) => (n + 3) & ~3;

/** The keys of a postings by their numbers. */
const keysInOrder = (p: Postings): string[] => {
  const keys = new Array<string>(p.keys.size);
  for (const [key, k] of p.keys) keys[k] = key;
  return keys;
};

/** The postings of the default analyser, the ones the snapshot holds. */
const defaultWords = (index: TopicIndex): WordPostings => {
  const words = index.words[DEFAULT_ANALYSER];
  if (!words) throw new Error('the index has no postings of the default analyser');
  return words;
};

/** The slot leaves, each distinct leaf once: the leaves, and each slot word's number among them. */
const storedLeaves = (index: TopicIndex): { leaves: StoredLeaf[]; refs: Uint32Array } => {
  const numbers = new Map<LeafNode, number>();
  const leaves: StoredLeaf[] = [];
  const refs = new Uint32Array(index.slotLeaves.length);
  index.slotLeaves.forEach((leaf, i) => {
    let k = numbers.get(leaf);
    if (k === undefined) {
      numbers.set(leaf, (k = leaves.length));
      leaves.push([leaf.type, leaf.field, leaf.lang ?? null, leaf.text]);
    }
    refs[i] = k;
  });
  return { leaves, refs };
};

/**
 * Writes a compiled index as bytes. `set` is what it was compiled from: its version and its
 * named lists as written (a topic's query is parsed again with them when it is first needed).
 */
export const writeIndexSnapshot = (
  compiled: { index: TopicIndex; errors: readonly TopicCompileError[] },
  set: { version: string; lists: Readonly<Record<string, readonly string[]>> },
): Uint8Array => encode(compiled, set, compilerFingerprint());

const encode = (
  compiled: { index: TopicIndex; errors: readonly TopicCompileError[] },
  set: { version: string; lists: Readonly<Record<string, readonly string[]>> },
  compiler: string,
): Uint8Array => {
  if (!LITTLE_ENDIAN)
    throw new IndexSnapshotError('format', 'snapshots are written on little-endian machines');
  const { index } = compiled;
  const words = defaultWords(index);
  const postings: Record<PostingsName, Postings> = {
    country: index.byCountry,
    org: index.byOrg,
    lang: index.byLang,
    stem: words.byStem,
    word: words.byWord,
    prefix: words.byPrefix,
  };
  const { leaves, refs } = storedLeaves(index);
  const content: Record<SectionName, unknown> = {
    topics: index.topics.map((t) => t.topic),
    lists: set.lists,
    errors: compiled.errors.map((e) => [e.topicId, e.error.name, e.error.message]),
    leaves,
    need: index.need,
    always: Uint32Array.from(index.always),
    slotStart: index.slotStart,
    leafRefs: refs,
    ...(Object.fromEntries(
      POSTINGS.flatMap((p) => [
        [`${p}Keys`, keysInOrder(postings[p])],
        [`${p}Start`, postings[p].start],
        [`${p}Slots`, postings[p].slots],
      ]),
    ) as Record<`${PostingsName}${'Keys' | 'Start' | 'Slots'}`, unknown>),
  };
  const parts: Array<{ bytes: Uint8Array; offset: number }> = [];
  const sections: Header['sections'] = {};
  let offset = 0;
  for (const name of Object.keys(SECTIONS) as SectionName[]) {
    const value = content[name];
    const bytes =
      SECTIONS[name] === 'json'
        ? encoder.encode(JSON.stringify(value))
        : new Uint8Array(
            (value as Uint8Array).buffer,
            (value as Uint8Array).byteOffset,
            (value as Uint8Array).byteLength,
          );
    sections[name] = [offset, bytes.byteLength];
    parts.push({ bytes, offset });
    offset += padded(bytes.byteLength);
  }
  const header: Header = {
    topicSetVersion: set.version,
    analyserVersion: ANALYSER_VERSION,
    compiler,
    topics: index.topics.length,
    sections,
  };
  const headerBytes = encoder.encode(JSON.stringify(header));
  const bodyStart = PREAMBLE_BYTES + padded(headerBytes.byteLength);
  const out = new Uint8Array(bodyStart + offset);
  const view = new DataView(out.buffer);
  out.set(encoder.encode(MAGIC), 0);
  view.setUint32(4, INDEX_SNAPSHOT_FORMAT, true);
  view.setUint32(8, headerBytes.byteLength, true);
  out.set(headerBytes, PREAMBLE_BYTES);
  for (const part of parts) out.set(part.bytes, bodyStart + part.offset);
  out.set(checksum(out), 12);
  return out;
};

/**
 * Topics that use every kind of query the presearch keys: words, stems, phrases, exact case,
 * prefixes, lists (with words of other languages), places, bodies, languages, counts, scopes
 * and proximity.
 */
const CANARY_TOPICS: readonly TopicDefinition[] = [
  'vaccine AND (aid OR donat*) AND countries>=2',
  '"medical masks" OR covid-19 OR {WHO}',
  'title:aid AND body:"field hospital" AND NOT sport',
  'country:KR AND (summit NEAR/5 talks) AND lang:en,es',
  'org:WHO OR actors>=3 OR org:unicef',
  'ATLEAST3(masks OR @supplies) AND sentence:(ship* AND port)',
  '@supplies AND lead:(ventilator* ONEAR/3 donated) AND (china SAME serbia)',
  'lang:und OR (country:FR AND embassy) OR (donación AND ayuda)',
].map((query, i) => ({ id: `canary-${i}`, name: `canary ${i}`, query, minScore: 0.3, enabled: true }));
const CANARY_LISTS = {
  supplies: ['masks', 'ventilat*', '"protective gear"', 'es: mascarillas', 'fr: masques'],
};

let fingerprint: string | undefined;

/**
 * What the index of a fixed set of topics looks like under this matcher's parser and
 * presearch (a SHA-256 of its snapshot): a snapshot written by a matcher that parses, picks
 * or keys requirements otherwise has another, and is refused rather than read with postings
 * this matcher would not have built. Worked out once per process.
 */
export const compilerFingerprint = (): string => {
  if (fingerprint === undefined) {
    const lists: TermLists = new Map(
      Object.entries(CANARY_LISTS).map(([name, items]) => [name, items.map(parseListItem)]),
    );
    const bytes = encode(compileTopics(CANARY_TOPICS, lists), { version: 'canary', lists: CANARY_LISTS }, '');
    fingerprint = createHash('sha256').update(bytes).digest('hex');
  }
  return fingerprint;
};

/** SHA-256 of everything after the checksum. */
const checksum = (bytes: Uint8Array): Uint8Array =>
  createHash('sha256').update(bytes.subarray(PREAMBLE_BYTES)).digest();

const corrupt = (message: string) =>
  new IndexSnapshotError('corrupt', `the index snapshot is damaged: ${message}`);

/** Throws a damaged-snapshot error unless `ok`. */
const check = (ok: boolean, message: string): void => {
  if (!ok) throw corrupt(message);
};

/**
 * Reads the versions a snapshot was written for, checking only its format: cheap, to decide
 * whether to load it. Throws {@link IndexSnapshotError}.
 */
export const indexSnapshotVersions = (bytes: Uint8Array): IndexSnapshotVersions => {
  const { topicSetVersion, analyserVersion } = readHeader(bytes);
  return { topicSetVersion, analyserVersion };
};

const readHeader = (bytes: Uint8Array): Header => {
  if (!LITTLE_ENDIAN) throw new IndexSnapshotError('format', 'snapshots are read on little-endian machines');
  check(bytes.byteLength >= PREAMBLE_BYTES, 'too short');
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw corrupt('not an index snapshot');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = view.getUint32(4, true);
  if (format !== INDEX_SNAPSHOT_FORMAT)
    throw new IndexSnapshotError(
      'format',
      `the index snapshot has format ${format}, this matcher reads ${INDEX_SNAPSHOT_FORMAT}`,
    );
  const length = view.getUint32(8, true);
  check(PREAMBLE_BYTES + length <= bytes.byteLength, 'the header runs past the end');
  let header: Header;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(
        bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + length),
      ),
    ) as Header;
  } catch {
    throw corrupt('the header is not JSON');
  }
  check(
    typeof header === 'object' &&
      header !== null &&
      typeof header.topicSetVersion === 'string' &&
      typeof header.analyserVersion === 'string' &&
      Number.isInteger(header.topics) &&
      typeof header.sections === 'object' &&
      header.sections !== null,
    'the header lacks its versions or sections',
  );
  return header;
};

/** The sections' contents, each checked to lie within the bytes. */
const sectionReader = (bytes: Uint8Array, header: Header, bodyStart: number) => {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const slice = (name: SectionName): Uint8Array => {
    const place = header.sections[name];
    check(
      Array.isArray(place) && Number.isInteger(place[0]) && Number.isInteger(place[1]),
      `no section ${name}`,
    );
    const [offset, length] = place as [number, number];
    check(
      offset >= 0 && length >= 0 && bodyStart + offset + length <= bytes.byteLength,
      `${name} runs past the end`,
    );
    return bytes.subarray(bodyStart + offset, bodyStart + offset + length);
  };
  /** A copy, aligned, that lets the snapshot's bytes go. */
  const typed = <T>(name: SectionName, make: (buffer: ArrayBuffer) => T, size: number): T => {
    const part = slice(name);
    check(part.byteLength % size === 0, `${name} is cut short`);
    return make(part.slice().buffer);
  };
  return {
    json: (name: SectionName): unknown => {
      try {
        return JSON.parse(decoder.decode(slice(name)));
      } catch {
        throw corrupt(`${name} is not JSON`);
      }
    },
    u8: (name: SectionName) => typed(name, (b) => new Uint8Array(b), 1),
    u32: (name: SectionName) => typed(name, (b) => new Uint32Array(b), 4),
    i32: (name: SectionName) => typed(name, (b) => new Int32Array(b), 4),
  };
};

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Offsets into a list of `length` items: from 0, never decreasing, ending at `length`. */
const checkStarts = (start: Uint32Array, length: number, what: string): void => {
  check(
    start.length >= 1 && start[0] === 0 && start[start.length - 1] === length,
    `${what} offsets do not add up`,
  );
  for (let k = 1; k < start.length; k++)
    check((start[k] as number) >= (start[k - 1] as number), `${what} offsets go back`);
};

/** Postings whose offsets fit their slots, and whose slots are slots of these topics, posted as their topics need. */
const readPostings = (
  read: ReturnType<typeof sectionReader>,
  p: PostingsName,
  need: Uint8Array,
): Postings & { keyList: string[] } => {
  const keyList = read.json(`${p}Keys`);
  check(isStringArray(keyList), `${p} keys are not strings`);
  const keys = new Map((keyList as string[]).map((key, k) => [key, k]));
  check(keys.size === (keyList as string[]).length, `${p} keys repeat`);
  const start = read.u32(`${p}Start`);
  const slots = read.u32(`${p}Slots`);
  check(start.length === keys.size + 1, `${p} has ${keys.size} keys and ${start.length - 1} lists`);
  checkStarts(start, slots.length, p);
  for (let j = 0; j < slots.length; j++) {
    const posted = slots[j] as number;
    const needs = need[posted >>> 2];
    // Posted as topic × 4 + requirement × 2 + (needs both ? 1 : 0).
    check(
      needs !== undefined && needs > ((posted >>> 1) & 1) && (posted & 1) === needs - 1,
      `${p} holds a slot of no topic`,
    );
  }
  return { keys, start, slots, keyList: keyList as string[] };
};

const TOPIC_FIELDS: Array<[keyof TopicDefinition, string]> = [
  ['id', 'string'],
  ['name', 'string'],
  ['query', 'string'],
  ['minScore', 'number'],
  ['enabled', 'boolean'],
];

const checkTopics = (topics: unknown, count: number): TopicDefinition[] => {
  check(Array.isArray(topics) && topics.length === count, 'the topics are not the ones counted');
  for (const t of topics as unknown[]) {
    check(
      typeof t === 'object' &&
        t !== null &&
        TOPIC_FIELDS.every(([k, type]) => typeof (t as Record<string, unknown>)[k] === type),
      'a topic lacks its id, name, query, minimum score or state',
    );
  }
  return topics as TopicDefinition[];
};

/** How the trees of a loaded index's topics are parsed: the named lists, parsed on first use, and one leaf cache. */
interface ParseContext {
  rawLists: Record<string, string[]>;
  lists?: TermLists;
  leafCache: LeafCache;
}

/** A topic of a loaded index: its query is parsed the first time its tree is read, then kept. */
class TopicParsedOnDemand implements CompiledTopic {
  readonly topic: TopicDefinition;
  private readonly context: ParseContext;
  private parsed: QueryNode | undefined;

  constructor(topic: TopicDefinition, context: ParseContext) {
    this.topic = topic;
    this.context = context;
  }

  get tree(): QueryNode {
    if (this.parsed === undefined) {
      const c = this.context;
      c.lists ??= new Map(
        Object.entries(c.rawLists).map(([name, items]) => [name, items.map(parseListItem)]),
      );
      this.parsed = parseQuery(this.topic.query, c.lists, c.leafCache);
    }
    return this.parsed;
  }
}

const LEAF_TYPES = new Set(['term', 'phrase', 'prefix', 'exact']);
const FIELDS = new Set(['any', 'title', 'body', 'author']);

/** A word leaf built again from what the snapshot keeps of it (its forms follow from these). */
const leafOf = ([type, field, lang, text]: StoredLeaf): LeafNode => {
  const kind = type === 'exact' ? 'exact' : type === 'phrase' ? 'phrase' : 'word';
  const written = type === 'exact' ? text.slice(1, -1) : text;
  return leafFrom(
    text,
    { kind, text: written, span: { offset: 0, length: text.length } },
    field,
    lang ?? undefined,
  );
};

const checkLeaves = (leaves: unknown): StoredLeaf[] => {
  check(Array.isArray(leaves), 'the slot words are not a list');
  for (const l of leaves as unknown[]) {
    check(
      Array.isArray(l) &&
        l.length === 4 &&
        LEAF_TYPES.has(l[0] as string) &&
        FIELDS.has(l[1] as string) &&
        (l[2] === null || typeof l[2] === 'string') &&
        typeof l[3] === 'string',
      'a slot word is not a word',
    );
  }
  return leaves as StoredLeaf[];
};

/**
 * Loads an index written by {@link writeIndexSnapshot}, for the topic set of version
 * `topicSetVersion` under this analyser version. Throws {@link IndexSnapshotError}: `format`
 * or `version` for a snapshot of another format or version, `corrupt` for bytes that fail
 * the checksum or do not hold a consistent index. The index it gives matches as the one
 * compiled from the same topic set (the same matches, scores, explanations and candidates).
 */
export const readIndexSnapshot = (bytes: Uint8Array, topicSetVersion: string): LoadedIndex => {
  const header = readHeader(bytes);
  if (header.compiler !== compilerFingerprint())
    throw new IndexSnapshotError(
      'format',
      'the index snapshot was written by a matcher that parses or indexes topics otherwise',
    );
  if (header.analyserVersion !== ANALYSER_VERSION || header.topicSetVersion !== topicSetVersion)
    throw new IndexSnapshotError(
      'version',
      `the index snapshot is of topic set ${header.topicSetVersion} (analyser ${header.analyserVersion}), not ${topicSetVersion} (analyser ${ANALYSER_VERSION})`,
    );
  const sum = checksum(bytes);
  check(
    sum.every((b, i) => b === bytes[12 + i]),
    'the checksum does not match',
  );
  const bodyStart = PREAMBLE_BYTES + padded(new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true));
  const read = sectionReader(bytes, header, bodyStart);

  const n = header.topics;
  const topics = checkTopics(read.json('topics'), n);
  const rawLists = read.json('lists');
  check(
    typeof rawLists === 'object' && rawLists !== null && Object.values(rawLists).every(isStringArray),
    'the lists are not lists of items',
  );
  const errors = read.json('errors');
  check(
    Array.isArray(errors) && errors.every((e) => isStringArray(e) && e.length === 3),
    'the errors are not errors',
  );
  const need = read.u8('need');
  check(need.length === n && need.every((k) => k <= 2), 'the requirement counts are not the topics');
  const always = read.u32('always');
  check(
    always.every((t, i) => t < n && need[t] === 0 && (i === 0 || t > (always[i - 1] as number))),
    'a topic evaluated for every article is not a topic',
  );
  check(
    need.reduce((k, x) => k + (x === 0 ? 1 : 0), 0) === always.length,
    'a topic without requirements is not evaluated for every article',
  );
  const leaves = checkLeaves(read.json('leaves'));
  const leafRefs = read.u32('leafRefs');
  check(
    leafRefs.every((k) => k < leaves.length),
    'a slot word is missing',
  );
  const slotStart = read.u32('slotStart');
  check(slotStart.length === n * 2 + 1, 'the slots are not the topics');
  checkStarts(slotStart, leafRefs.length, 'slot word');

  const [country, org, lang, stem, word, prefix] = POSTINGS.map((p) => readPostings(read, p, need)) as [
    Postings,
    Postings,
    Postings,
    Postings,
    Postings,
    Postings & { keyList: string[] },
  ];
  // The prefix table is a function of the prefixes: built again here, not trusted.
  const byPrefix: PrefixPostings = prefixPostingsOf({
    keys: prefix.keys,
    start: prefix.start,
    slots: prefix.slots,
  });

  const context: ParseContext = { rawLists: rawLists as Record<string, string[]>, leafCache: new Map() };
  let slotLeaves: LeafNode[] | undefined;
  const index: TopicIndex = {
    topics: topics.map((t) => new TopicParsedOnDemand(t, context)),
    words: [],
    byCountry: country,
    byOrg: org,
    byLang: lang,
    // Built again only when an article of another analyser needs its postings.
    get slotLeaves(): LeafNode[] {
      if (!slotLeaves) {
        const built = leaves.map(leafOf);
        slotLeaves = Array.from(leafRefs, (k) => built[k] as LeafNode);
      }
      return slotLeaves;
    },
    slotStart,
    always: [...always],
    need,
    scratch: { epoch: 0, met: new Uint32Array(n) },
  };
  index.words[DEFAULT_ANALYSER] = {
    byStem: stem,
    byWord: word,
    byPrefix,
    keysOfWord: new Map(),
  };
  return {
    index,
    errors: (errors as string[][]).map(([topicId, name, message]) => ({
      topicId: topicId as string,
      error: Object.assign(new Error(message), { name }),
    })),
  };
};
