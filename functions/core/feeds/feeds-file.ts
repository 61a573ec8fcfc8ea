import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { checkFeedUrl, UnsafeFeedUrlError } from '../alerts/ssrf.ts';
import { credentialInUrl } from '../alerts/webhook-endpoints.ts';
import { yamlErrorMessage, yamlValue } from '../yaml-value.ts';
import { type Feed, FeedsFileSchema } from './feed.ts';

export * from './feed.ts';

/** A problem in the feeds file, with where it is. */
export interface FeedProblem {
  line: number;
  column: number;
  message: string;
}

/** How strict {@link loadFeeds} is about URLs. */
export interface LoadFeedsOptions {
  /** Accept `http://` URLs to this machine (the local runtime); never on AWS. */
  allowLocalHttp?: boolean;
}

/**
 * Reads and checks the feeds file (YAML or JSON). Malformed entries, unknown fields, intervals
 * out of range, duplicate ids or URLs, unknown topic ids, URLs that are not https (or reach an
 * internal host) and URLs that carry a credential are reported with line and column.
 */
export const loadFeeds = (
  text: string,
  knownTopicIds: ReadonlySet<string>,
  options: LoadFeedsOptions = {},
): { feeds: Feed[]; problems: FeedProblem[] } => {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const problems: FeedProblem[] = [];
  const at = (offset: number, message: string) => {
    const p = lc.linePos(offset);
    problems.push({ line: p.line, column: p.col, message });
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) at(e.pos[0], yamlErrorMessage(e));
    return { feeds: [], problems };
  }
  const nodeAt = (path: ReadonlyArray<PropertyKey>): Node | undefined => {
    let node: unknown = doc.contents;
    for (const key of path) {
      if (isMap(node) || isSeq(node)) node = node.get(key, true);
      else return undefined;
    }
    return node as Node | undefined;
  };
  const offsetOf = (...paths: Array<ReadonlyArray<PropertyKey>>): number => {
    for (const path of paths) {
      const range = nodeAt(path)?.range;
      if (range) return range[0];
    }
    return 0;
  };
  /** Where a field's name is written (an unknown field is pointed at by its name). */
  const keyOffset = (path: ReadonlyArray<PropertyKey>, key: PropertyKey): number | undefined => {
    const map = nodeAt(path);
    if (!isMap(map)) return undefined;
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    return isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
  };
  const read = yamlValue(doc);
  if (!read.ok) {
    at(read.offset, read.message);
    return { feeds: [], problems };
  }
  // An empty file, or one with only comments, has no feeds.
  const parsed = FeedsFileSchema.safeParse(read.value ?? { feeds: [] });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path;
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const named = keys[0] === undefined ? undefined : keyOffset(path, keys[0]);
      at(named ?? offsetOf(path), `${[...path, ...keys.slice(0, 1)].join('.') || 'file'}: ${issue.message}`);
    }
    return { feeds: [], problems };
  }
  const ids = new Map<string, number>();
  const urls = new Map<string, string>();
  parsed.data.feeds.forEach((f, i) => {
    const where = (field: string) => offsetOf(['feeds', i, field], ['feeds', i]);
    const first = ids.get(f.id);
    if (first !== undefined) at(where('id'), `feed id "${f.id}" is used twice (first as feed ${first + 1})`);
    ids.set(f.id, i);
    try {
      const url = checkFeedUrl(f.url, options);
      const other = urls.get(url.href);
      if (other) at(where('url'), `feed ${f.id}: the same url as feed ${other}`);
      urls.set(url.href, f.id);
      const credential = credentialInUrl(f.url);
      if (credential) {
        at(
          where('url'),
          `feed ${f.id}: the url ${credential}; only feeds that need no credential can be polled (the URL is kept in the deployed settings and in logs)`,
        );
      }
    } catch (e) {
      if (!(e instanceof UnsafeFeedUrlError)) throw e;
      at(where('url'), `feed ${f.id}: ${e.message}`);
    }
    f.topics?.forEach((t, k) => {
      if (!knownTopicIds.has(t))
        at(offsetOf(['feeds', i, 'topics', k]), `feed ${f.id}: there is no topic "${t}"`);
    });
  });
  return { feeds: problems.length ? [] : parsed.data.feeds, problems };
};
