/**
 * Files of each XML format for the parse benchmark, from the samples in
 * `tests/fixtures/formats/`: a container's items are repeated (each copy with its own guid or
 * id) until the file is about the size asked for; a one-article file is used as it is.
 */
import { readFileSync } from 'node:fs';

/** One benchmark file: the format it stands for, its bytes and how many articles it holds. */
export interface FormatFile {
  label: string;
  key: string;
  bytes: Uint8Array;
  items: number;
}

const fixture = (name: string) =>
  readFileSync(new URL(`../tests/fixtures/formats/${name}`, import.meta.url), 'utf8');

/** Each sample: the element its items are, and how a copy's ids are made its own. */
const SAMPLES: Array<{
  prepare?: (text: string) => string;
  label: string;
  file: string;
  item?: string;
  renumber?: (block: string, n: number) => string;
}> = [
  {
    label: 'RSS 2.0, content:encoded',
    file: 'rss2-content.rss',
    item: 'item',
    renumber: (b, n) => b.replace(/<\/guid>/g, `-${n}</guid>`),
  },
  {
    label: 'RSS 2.0, descriptions',
    file: 'rss2-description.xml',
    item: 'item',
    renumber: (b, n) => b.replace(/<\/guid>/g, `?copy=${n}</guid>`),
  },
  {
    label: 'RSS 1.0 (RDF)',
    file: 'rss1-rdf.rdf',
    item: 'item',
    renumber: (b, n) => b.replace(/<item rdf:about="([^"]*)"/g, `<item rdf:about="$1?copy=${n}"`),
    // Without the channel's table of contents every item is read, the copies too.
    prepare: (t) => t.replace(/<items>[\s\S]*?<\/items>/, ''),
  },
  {
    label: 'Atom, html and xhtml content',
    file: 'atom-content.atom',
    item: 'entry',
    renumber: (b, n) => b.replace(/<\/id>/g, `-${n}</id>`),
  },
  {
    label: 'Atom, summaries',
    file: 'atom-summary.xml',
    item: 'entry',
    renumber: (b, n) => b.replace(/<\/id>/g, `-${n}</id>`),
  },
  {
    label: 'NewsML-G2 newsMessage',
    file: 'newsml-message.xml',
    item: 'newsItem',
    renumber: (b, n) => b.replace(/guid="([^"]*)"/g, `guid="$1-${n}"`),
  },
  { label: 'NewsML-G2 newsItem', file: 'newsml-item.xml' },
  { label: 'NITF', file: 'nitf-article.xml' },
];

/** Most items one benchmark file gets: the container limit is 1,000. */
const MAX_ITEMS = 1000;

/** The benchmark files, containers grown to about `targetBytes`. */
export const formatFiles = (targetBytes: number): FormatFile[] => {
  const enc = new TextEncoder();
  return SAMPLES.map(({ label, file, item, renumber, prepare }) => {
    const text = (prepare ?? ((t: string) => t))(fixture(file));
    if (!item || !renumber) return { label, key: `bench/${file}`, bytes: enc.encode(text), items: 1 };
    // The first item's start tag (not `<items>`, which RSS 1.0 has in its channel).
    const start = text.search(new RegExp(`<${item}[\\s>]`));
    const close = `</${item}>`;
    const end = text.lastIndexOf(close) + close.length;
    const block = text.slice(start, end);
    const perBlock = block.split(close).length - 1;
    const copies = Math.max(
      1,
      Math.min(Math.floor(MAX_ITEMS / perBlock), Math.round(targetBytes / block.length)),
    );
    const body = Array.from({ length: copies }, (_, n) => (n === 0 ? block : renumber(block, n))).join('\n');
    return {
      label,
      key: `bench/${file}`,
      bytes: enc.encode(text.slice(0, start) + body + text.slice(end)),
      items: copies * perBlock,
    };
  });
};
