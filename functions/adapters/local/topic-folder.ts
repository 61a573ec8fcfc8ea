import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Document, isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { formatProblem, type LoadedTopics, loadTopicFiles } from '../../core/topics/topic-files.ts';

/** Whether a file name is a topic file. */
export const isTopicFileName = (name: string): boolean =>
  /\.(ya?ml|json)$/i.test(name) && !name.startsWith('.');

/** Reads every topic file (`.yaml`, `.yml`, `.json`) of a folder, in name order, and checks them. */
export const readTopicFolder = (folder: string): { loaded: LoadedTopics; files: number } => {
  const files = readdirSync(folder)
    .filter(isTopicFileName)
    .sort()
    .map((f) => ({ path: join(folder, f), text: readFileSync(join(folder, f), 'utf8') }));
  return { loaded: loadTopicFiles(files), files: files.length };
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
 * would be after the change; with problems nothing is written and they are returned.
 */
export const saveTopic = (folder: string, edit: TopicEdit): { file: string; problems: string[] } => {
  const names = readdirSync(folder).filter(isTopicFileName).sort();
  const texts = new Map(names.map((n) => [join(folder, n), readFileSync(join(folder, n), 'utf8')]));
  let file: string | undefined;
  let doc: Document | undefined;
  for (const [path, text] of texts) {
    const d = parseDocument(text);
    if (d.errors.length === 0 && findTopicNode(d, edit.id)) {
      file = path;
      doc = d;
      break;
    }
  }
  if (!file || !doc) {
    file = join(folder, NEW_TOPICS_FILE);
    doc = parseDocument(texts.get(file) ?? '# Topics written from the newswatch dashboard.\ntopics: []\n');
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
    for (const [k, v] of fields) node.set(k, v);
    if (!edit.description) node.delete('description');
  } else {
    const seq = topicsSeqOf(doc);
    // `topics: []` is a one-line list: topics added to it are written one per block instead.
    if (seq) seq.flow = false;
    seq?.add(doc.createNode(Object.fromEntries(fields)));
  }
  // A JSON file stays JSON (its comments, if any, are lost); YAML keeps its comments and layout.
  const text = file.toLowerCase().endsWith('.json')
    ? `${JSON.stringify(doc.toJS(), null, 2)}\n`
    : doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  texts.set(file, text);
  const check = loadTopicFiles([...texts].map(([path, t]) => ({ path, text: t })));
  if (check.problems.length > 0) return { file, problems: check.problems.map(formatProblem) };
  writeFileSync(file, text);
  return { file, problems: [] };
};
