import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Document, isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import {
  formatProblem,
  type LoadedTopics,
  loadTopicFiles,
  type TopicFile,
} from '../../core/topics/topic-files.ts';
import { checkStage, type TrainedStage } from '../../core/topics/trained-stage.ts';

/** Whether a file name is a topic file. */
export const isTopicFileName = (name: string): boolean =>
  /\.(ya?ml|json)$/i.test(name) && !name.startsWith('.');

/** The subfolder of a topic folder that holds the topics' trained stages, `<topic id>.json` each. */
export const STAGES_FOLDER = 'stages';

/** The topic files of a folder, in name order; none when an overlay folder does not exist. */
const topicFilesOf = (folder: string, overlay: boolean): TopicFile[] =>
  overlay && !existsSync(folder)
    ? []
    : readdirSync(folder)
        .filter(isTopicFileName)
        .sort()
        .map((f) => ({
          path: join(folder, f),
          text: readFileSync(join(folder, f), 'utf8'),
          ...(overlay ? { overlay } : {}),
        }));

/**
 * Reads every topic file (`.yaml`, `.yml`, `.json`) of a folder, in name order, and checks
 * them; a topic with a trained stage in `stages/<id>.json` gets it attached. With `overlay`
 * (a folder of one machine's own topics, which need not exist), its files are read after
 * the folder's: a topic or list they define replaces the folder's one of the same id or name.
 */
export const readTopicFolder = (
  folder: string,
  overlay?: string,
): { loaded: LoadedTopics; files: number } => {
  const files = [...topicFilesOf(folder, false), ...(overlay ? topicFilesOf(overlay, true) : [])];
  const loaded = loadTopicFiles(files);
  const stages = join(folder, STAGES_FOLDER);
  if (existsSync(stages)) {
    const known = new Map(loaded.topics.map((t) => [t.id, t]));
    for (const name of readdirSync(stages)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const path = join(stages, name);
      const topic = known.get(name.slice(0, -'.json'.length));
      const problem = (message: string) => loaded.problems.push({ file: path, line: 1, column: 1, message });
      if (!topic) {
        problem(`no topic has the id ${name.slice(0, -5)}: remove the stage or the file name's typo`);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(readFileSync(path, 'utf8'));
      } catch (e) {
        problem(`not JSON: ${(e as Error).message}`);
        continue;
      }
      const checked = checkStage(value);
      if (checked.ok) topic.stage = checked.stage;
      else problem(`trained stage of ${topic.id}: ${checked.message}`);
    }
  }
  return { loaded, files: files.length };
};

/** Writes a topic's trained stage beside the topic files. */
export const saveStage = (folder: string, topicId: string, stage: TrainedStage): string => {
  mkdirSync(join(folder, STAGES_FOLDER), { recursive: true });
  const path = join(folder, STAGES_FOLDER, `${topicId}.json`);
  writeFileSync(path, `${JSON.stringify(stage, null, 2)}\n`);
  return path;
};

/** The file new topics are added to. */
export const NEW_TOPICS_FILE = 'my-topics.yaml';

const topicsSeqOf = (doc: Document): YAMLSeq | undefined => {
  const root = doc.contents;
  if (isSeq(root)) return root;
  if (isMap(root)) {
    const topics = root.get('topics', true);
    if (isSeq(topics)) return topics;
  }
  return undefined;
};

const findTopicNode = (doc: Document, id: string): YAMLMap | undefined => {
  const root = doc.contents;
  if (isMap(root) && root.get('id') === id) return root;
  return topicsSeqOf(doc)?.items.find((n): n is YAMLMap => isMap(n) && n.get('id') === id);
};

/** The definition of a topic in the shared folder, as written there. */
const sharedTopicOf = (folder: string, id: string): Record<string, unknown> | undefined => {
  for (const f of topicFilesOf(folder, false)) {
    const d = parseDocument(f.text);
    const node = d.errors.length === 0 ? findTopicNode(d, id) : undefined;
    if (node) return node.toJSON() as Record<string, unknown>;
  }
  return undefined;
};

/** The fields of a topic a person edits. */
export interface TopicEdit {
  id: string;
  name: string;
  query: string;
  minScore: number;
  enabled: boolean;
  description?: string;
}

/**
 * Writes a topic into the folder: in place in the file that defines it (comments and the
 * rest of the file kept), or added to {@link NEW_TOPICS_FILE}. The folder is checked as it
 * would be after the change; with problems nothing is written and they are returned. With
 * `base`, the folder is the overlay of the shared topic folder `base` (created when missing):
 * a shared topic saved there is replaced by the saved copy, and `base` is never written.
 */
export const saveTopic = (
  folder: string,
  edit: TopicEdit,
  base?: string,
): { file: string; problems: string[] } => {
  const texts = textsOf(folder, base);
  let { file, doc } = fileDefining(texts, edit.id);
  if (!file || !doc) {
    ({ file, doc } = newTopicsFile(folder, texts));
    if (!topicsSeqOf(doc)) return { file, problems: [`${file} does not hold a list of topics`] };
  }
  const node = findTopicNode(doc, edit.id);
  const fields: Array<[string, unknown]> = [
    ['id', edit.id],
    ['name', edit.name],
    ...(edit.description ? [['description', edit.description] as [string, unknown]] : []),
    ['query', edit.query],
    ['minScore', edit.minScore],
    ['enabled', edit.enabled],
  ];
  if (node) {
    // A topic deleted here and saved again is a topic again.
    node.delete('deleted');
    for (const [k, v] of fields) node.set(k, v);
    if (!edit.description) node.delete('description');
  } else {
    const seq = topicsSeqOf(doc);
    // `topics: []` is a one-line list: topics added to it are written one per block instead.
    if (seq) seq.flow = false;
    // A shared topic copied into the overlay keeps its other fields (tags, …).
    const shared = base ? sharedTopicOf(base, edit.id) : undefined;
    const copy: Record<string, unknown> = { ...shared, ...Object.fromEntries(fields) };
    if (!edit.description) delete copy.description;
    seq?.add(doc.createNode(copy));
  }
  return checkAndWrite(texts, file, doc, base);
};

/** The topic files of a folder (made when it is the overlay of `base` and missing), by path. */
const textsOf = (folder: string, base?: string): Map<string, string> => {
  if (base) mkdirSync(folder, { recursive: true });
  const names = readdirSync(folder).filter(isTopicFileName).sort();
  return new Map(names.map((n) => [join(folder, n), readFileSync(join(folder, n), 'utf8')]));
};

/** The file of the folder that defines a topic (or its deletion), parsed. */
const fileDefining = (texts: ReadonlyMap<string, string>, id: string): { file?: string; doc?: Document } => {
  for (const [path, text] of texts) {
    const d = parseDocument(text);
    if (d.errors.length === 0 && findTopicNode(d, id)) return { file: path, doc: d };
  }
  return {};
};

/** {@link NEW_TOPICS_FILE} of the folder, parsed, or a new one. */
const newTopicsFile = (folder: string, texts: ReadonlyMap<string, string>) => {
  const file = join(folder, NEW_TOPICS_FILE);
  return {
    file,
    doc: parseDocument(texts.get(file) ?? '# Topics written from the newswatch dashboard.\ntopics: []\n'),
  };
};

/**
 * Writes the changed file when the folder (over `base`, when it is an overlay) would load
 * without problems after the change; else writes nothing and returns the problems.
 */
const checkAndWrite = (
  texts: Map<string, string>,
  file: string,
  doc: Document,
  base?: string,
): { file: string; problems: string[] } => {
  // A JSON file stays JSON (its comments, if any, are lost); YAML keeps its comments and layout.
  const text = file.toLowerCase().endsWith('.json')
    ? `${JSON.stringify(doc.toJS(), null, 2)}\n`
    : doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  texts.set(file, text);
  const check = loadTopicFiles([
    ...(base ? topicFilesOf(base, false) : []),
    ...[...texts].map(([path, t]) => ({ path, text: t, ...(base ? { overlay: true } : {}) })),
  ]);
  if (check.problems.length > 0) return { file, problems: check.problems.map(formatProblem) };
  writeFileSync(file, text);
  return { file, problems: [] };
};

/**
 * Deletes a topic on this machine. A topic of the folder itself is taken out of its file; a
 * topic of the shared folder `base` gets a deletion in the overlay (`{ id, deleted: true }`,
 * in place of a local copy when there is one): `base` is never written. Checked as
 * {@link saveTopic} checks.
 */
export const deleteTopic = (
  folder: string,
  id: string,
  base?: string,
): { file: string; problems: string[] } => {
  const texts = textsOf(folder, base);
  const shared = base ? sharedTopicOf(base, id) : undefined;
  let { file, doc } = fileDefining(texts, id);
  if (file && doc) {
    const root = doc.contents;
    const seq = topicsSeqOf(doc);
    const index = seq?.items.findIndex((n) => isMap(n) && n.get('id') === id) ?? -1;
    if (shared) {
      const deletion = doc.createNode({ id, deleted: true });
      if (seq && index >= 0) seq.items[index] = deletion;
      else doc.contents = deletion;
    } else if (seq && index >= 0) seq.items.splice(index, 1);
    else if (isMap(root)) return { file, problems: [`${file} holds only this topic: delete the file`] };
    return checkAndWrite(texts, file, doc, base);
  }
  if (!shared) return { file: folder, problems: [`no topic has the id ${id}`] };
  ({ file, doc } = newTopicsFile(folder, texts));
  const seq = topicsSeqOf(doc);
  if (!seq) return { file, problems: [`${file} does not hold a list of topics`] };
  seq.flow = false;
  seq.add(doc.createNode({ id, deleted: true }));
  return checkAndWrite(texts, file, doc, base);
};

/**
 * Writes a named list (`@name` in queries) into the folder: in place in the file of the folder
 * that defines it, else into {@link NEW_TOPICS_FILE}'s `lists:` — over `base`, a list of the
 * same name there is replaced on this machine. Checked as {@link saveTopic} checks: a list
 * that leaves a query broken is not written.
 */
export const saveList = (
  folder: string,
  name: string,
  items: readonly string[],
  base?: string,
): { file: string; problems: string[] } => {
  const texts = textsOf(folder, base);
  let target: { file: string; doc: Document } | undefined;
  for (const [path, text] of texts) {
    const d = parseDocument(text);
    const lists = isMap(d.contents) ? d.contents.get('lists', true) : undefined;
    if (d.errors.length === 0 && isMap(lists) && lists.has(name)) target = { file: path, doc: d };
  }
  target ??= newTopicsFile(folder, texts);
  const { file, doc } = target;
  const root = doc.contents;
  if (!isMap(root)) return { file, problems: [`${file} does not hold lists: and topics:`] };
  const found: unknown = root.get('lists', true);
  let lists: YAMLMap;
  if (isMap(found)) lists = found;
  else {
    lists = doc.createNode({});
    lists.flow = false;
    // Lists first, as the files of the project write them.
    root.items.unshift(doc.createPair('lists', lists));
  }
  const seq = doc.createNode([...items]) as YAMLSeq;
  seq.flow = items.every((i) => i.length < 30) && items.length <= 12;
  lists.set(name, seq);
  return checkAndWrite(texts, file, doc, base);
};
