/**
 * News feeds: RSS 2.0 (and the 0.9x versions before it), RSS 1.0 (RDF) and Atom 1.0. A feed is
 * a container: each item or entry becomes an article of its own, named by its guid or id.
 * Recognised by the root element (`<rss>`, `<rdf:RDF>` with the RSS 1.0 namespace, `<feed>`
 * with the Atom namespace) or by a `.rss` or `.atom` name. The file passes the safe-XML checks
 * (`xml.ts`) before the feed parser (feedsmith) is loaded; feeds are then read as leniently as
 * feed readers read them.
 */
import type { AtomFeed, RdfFeed, RssFeed } from 'feedsmith';
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { newsDay } from '../dates.ts';
import type { ArticleDraft, ArticleFormatReader, DraftItem, FormatReading } from './format.ts';
import { type HtmlToText, loadHtmlToText } from './html-text.ts';
import {
  clean,
  httpUrl,
  itemNameOf,
  languageTag,
  uniqueNames,
  type XmlRoot,
  xmlRefusal,
  xmlRoot,
} from './xml.ts';

const ATOM_NAMESPACE = 'http://www.w3.org/2005/Atom';
const RSS1_NAMESPACE = 'http://purl.org/rss/1.0/';

type FeedKind = 'rss' | 'rdf' | 'atom';

/** Which kind of feed a root element starts, if any. */
export const feedKindOf = (root: XmlRoot | undefined): FeedKind | undefined => {
  if (!root) return undefined;
  if (root.name === 'rss') return 'rss';
  if (root.local === 'RDF' && (root.tag === '' || root.tag.includes(RSS1_NAMESPACE))) return 'rdf';
  if (root.local === 'feed' && (root.tag === '' || root.tag.includes(ATOM_NAMESPACE))) return 'atom';
  return undefined;
};

/** Most categories kept from one item. */
const MAX_ITEM_CATEGORIES = 50;

/** A piece of feed text, the element it came from, and whether it is HTML or plain text. */
interface FeedText {
  value: string;
  html: boolean;
  field: string;
}

/** One item or entry, whatever the kind of feed, before it becomes a draft. */
interface FeedEntry {
  /** `RSS item 3`, `Atom entry 2`: how messages name it. */
  label: string;
  id?: string;
  title?: FeedText;
  link?: string;
  date?: { field: string; value: string };
  authors: string[];
  categories: string[];
  /** The full text (`content:encoded`, Atom `content`). */
  content?: FeedText;
  /** The summary (`description`, Atom `summary`), the body when there is no content. */
  summary?: FeedText;
  language?: string;
  /** What a relative link is resolved against. */
  base?: string;
}

/** What every entry of one feed shares. */
interface FeedChannel {
  kind: FeedKind;
  title?: FeedText;
  /** The title as text: the source of every item. */
  source?: string;
  language?: string;
}

const present = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';

/** Text that carries markup (a tag or an entity reference) is read as HTML. */
const looksLikeHtml = (s: string): boolean => /<[a-z!/]|&(?:#\d+|#x[0-9a-f]+|[a-z]+);/i.test(s);

/** An Atom text construct: `text` is plain; `html`, `xhtml` and HTML media types are markup. */
const atomText = (t: { value?: string; type?: string } | undefined, field: string): FeedText | undefined => {
  if (!present(t?.value)) return undefined;
  const type = (t.type ?? 'text').toLowerCase();
  return { value: t.value, html: type === 'html' || type === 'xhtml' || type.includes('html'), field };
};

/** RSS text: HTML where the element holds HTML, else HTML only when it carries markup. */
const rssText = (value: string | undefined, field: string, html?: boolean): FeedText | undefined =>
  present(value) ? { value, html: html ?? looksLikeHtml(value), field } : undefined;

const rssEntries = (feed: RssFeed.Feed<string>): FeedEntry[] =>
  (feed.items ?? []).map((item, i) => {
    const guid = item.guid?.value;
    const permalink = item.guid?.isPermaLink !== false ? guid : undefined;
    const entry: FeedEntry = {
      label: `RSS item ${i + 1}`,
      authors: [
        ...(item.authors ?? []).map((a) => a.name ?? a.email).filter(present),
        ...(item.dc?.creators ?? []).filter(present),
      ],
      categories: [
        ...(item.categories ?? []).map((c) => c.name).filter(present),
        ...(item.dc?.subjects ?? []).filter(present),
      ],
    };
    if (present(guid)) entry.id = guid;
    const title = rssText(item.title, 'title');
    if (title) entry.title = title;
    const link = item.link ?? permalink;
    if (present(link)) entry.link = link;
    const dcDate = item.dc?.dates?.[0];
    const date = present(item.pubDate)
      ? { field: 'pubDate', value: item.pubDate }
      : present(dcDate)
        ? { field: 'dc:date', value: dcDate }
        : undefined;
    if (date) entry.date = date;
    const content = rssText(item.content?.encoded, 'content:encoded', true);
    if (content) entry.content = content;
    const summary = rssText(item.description, 'description', true);
    if (summary) entry.summary = summary;
    const language = item.dc?.languages?.[0];
    if (present(language)) entry.language = language;
    if (present(feed.link)) entry.base = feed.link;
    return entry;
  });

const rdfEntries = (feed: RdfFeed.Feed<string>): FeedEntry[] =>
  (feed.items ?? []).map((item, i) => {
    const entry: FeedEntry = {
      label: `RSS 1.0 item ${i + 1}`,
      authors: (item.dc?.creators ?? []).filter(present),
      categories: (item.dc?.subjects ?? []).filter(present),
    };
    const id = item.rdf?.about ?? item.link;
    if (present(id)) entry.id = id;
    const title = rssText(item.title, 'title');
    if (title) entry.title = title;
    if (present(item.link)) entry.link = item.link;
    const dcDate = item.dc?.dates?.[0];
    if (present(dcDate)) entry.date = { field: 'dc:date', value: dcDate };
    const content = rssText(item.content?.encoded, 'content:encoded', true);
    if (content) entry.content = content;
    const summary = rssText(item.description, 'description', true);
    if (summary) entry.summary = summary;
    const language = item.dc?.languages?.[0];
    if (present(language)) entry.language = language;
    if (present(feed.link)) entry.base = feed.link;
    return entry;
  });

/** An entry's own page: its `alternate` link (a link without `rel` is one), HTML first. */
const alternateLink = (links: AtomFeed.Link<string>[] | undefined): string | undefined => {
  const alternates = (links ?? []).filter((l) => (l.rel ?? 'alternate') === 'alternate' && present(l.href));
  return (alternates.find((l) => l.type === undefined || l.type.includes('html')) ?? alternates[0])?.href;
};

const atomEntries = (feed: AtomFeed.Feed<string>): FeedEntry[] => {
  const feedBase = httpUrl(feed.xml?.base) ?? httpUrl(alternateLink(feed.links));
  const feedAuthors = (feed.authors ?? []).map((a) => a.name).filter(present);
  return (feed.entries ?? []).map((e, i) => {
    const authors = (e.authors ?? []).map((a) => a.name).filter(present);
    const entry: FeedEntry = {
      label: `Atom entry ${i + 1}`,
      authors: authors.length > 0 ? authors : feedAuthors,
      categories: (e.categories ?? []).map((c) => c.label ?? c.term).filter(present),
    };
    if (present(e.id)) entry.id = e.id;
    const title = atomText(e.title, 'title');
    if (title) entry.title = title;
    const link = alternateLink(e.links);
    if (link) entry.link = link;
    const date = present(e.published)
      ? { field: 'published', value: e.published }
      : present(e.updated)
        ? { field: 'updated', value: e.updated }
        : undefined;
    if (date) entry.date = date;
    const content = atomText(e.content, 'content');
    if (content) entry.content = content;
    const summary = atomText(e.summary, 'summary');
    if (summary) entry.summary = summary;
    const language = e.xml?.lang ?? feed.xml?.lang;
    if (present(language)) entry.language = language;
    const base = e.xml?.base === undefined ? feedBase : (httpUrl(e.xml.base, feedBase) ?? feedBase);
    if (base) entry.base = base;
    return entry;
  });
};

/** One entry as an article draft, or why it cannot be one. */
const draftOf = (
  entry: FeedEntry,
  channel: FeedChannel,
  html: HtmlToText,
): Result<ArticleDraft, ArticleError> => {
  const textOf = (t: FeedText): Result<string, ArticleError> =>
    t.html ? html(t.value, `${entry.label} (${t.field})`) : ok(clean(t.value));

  let body: string | undefined;
  let summaryOnly = false;
  if (entry.content) {
    const content = textOf(entry.content);
    if (!content.ok) return content;
    if (content.value.trim() !== '') body = content.value;
  }
  if (body === undefined && entry.summary) {
    const summary = textOf(entry.summary);
    if (!summary.ok) return summary;
    if (summary.value.trim() !== '') {
      body = summary.value;
      summaryOnly = true;
    }
  }
  if (body === undefined) {
    const looked =
      channel.kind === 'atom' ? 'a content nor a summary' : 'a content:encoded nor a description';
    return articleError('NoBody', `${entry.label} has no text: it has neither ${looked} with words in it`);
  }
  const draft: ArticleDraft = { body };
  if (summaryOnly) draft.summaryOnly = true;

  if (entry.title) {
    const title = textOf(entry.title);
    if (!title.ok) return title;
    if (title.value.trim() !== '') draft.title = title.value.replace(/\s+/g, ' ').trim();
  }
  if (entry.date) {
    const day = newsDay(entry.date.value);
    if (day === undefined)
      return articleError(
        'InvalidArticle',
        `${entry.label} "${entry.date.field}": "${clean(entry.date.value).slice(0, 60)}" is not a date (RFC 2822, ISO 8601 or "28 November 2026")`,
      );
    draft.date = day;
  }
  const url = httpUrl(entry.link, entry.base);
  if (url) draft.url = url;
  if (channel.source) draft.source = channel.source;
  const authors = [...new Set(entry.authors.map((a) => clean(a).trim()))].filter((a) => a !== '');
  if (authors.length > 0) draft.author = authors.join(', ');
  const categories = [...new Set(entry.categories.map((c) => clean(c).trim()))].filter((c) => c !== '');
  if (categories.length > 0) draft.categories = categories.slice(0, MAX_ITEM_CATEGORIES);
  const language = languageTag(entry.language ?? channel.language);
  if (language) draft.language = language;
  return ok(draft);
};

const KIND_NAMES: Record<FeedKind, string> = { rss: 'RSS feed', rdf: 'RSS 1.0 feed', atom: 'Atom feed' };

/**
 * Whether the text ends with the root element's end tag (then only white space and comments).
 * The feed parser reads a file cut short after a whole item without complaint; this keeps a
 * half-uploaded feed from being stored in part.
 */
const endsWithRoot = (text: string, root: string): boolean => {
  let end = text.trimEnd();
  while (end.endsWith('-->')) {
    const open = end.lastIndexOf('<!--');
    if (open < 0) return false;
    end = end.slice(0, open).trimEnd();
  }
  const close = end.lastIndexOf('</');
  return close >= 0 && end.slice(close + 2, end.length - 1).trim() === root && end.endsWith('>');
};

/** Reads a feed's text into its items (see the module comment). */
export const readFeed = async (text: string): Promise<FormatReading> => {
  const root = xmlRoot(text);
  const kind = feedKindOf(root);
  if (!kind) {
    return {
      kind: 'error',
      error: {
        kind: 'UnsupportedFormat',
        message: root
          ? `the file is named as a feed, but its root element is <${root.name}>, not <rss>, <rdf:RDF> (RSS 1.0) or an Atom <feed>`
          : 'the file is named as a feed, but it is not XML',
      },
    };
  }
  const what = KIND_NAMES[kind];
  const refusal = xmlRefusal(text, what);
  if (refusal) return { kind: 'error', error: refusal };
  const rootName = (root as XmlRoot).name;
  if (!endsWithRoot(text, rootName))
    return {
      kind: 'error',
      error: {
        kind: 'MalformedXml',
        message: `the ${what} does not end with </${rootName}>: the file looks cut short; send it whole`,
      },
    };

  const [feedsmith, html] = await Promise.all([import('feedsmith'), loadHtmlToText()]);
  let entries: FeedEntry[];
  let channel: FeedChannel;
  try {
    if (kind === 'rss') {
      const feed = feedsmith.parseRssFeed(text);
      entries = rssEntries(feed);
      channel = { kind, language: feed.language ?? feed.dc?.languages?.[0] };
      const title = rssText(feed.title, 'title');
      if (title) channel.title = title;
    } else if (kind === 'rdf') {
      const feed = feedsmith.parseRdfFeed(text);
      entries = rdfEntries(feed);
      channel = { kind, language: feed.dc?.languages?.[0] };
      const title = rssText(feed.title, 'title');
      if (title) channel.title = title;
    } else {
      const feed = feedsmith.parseAtomFeed(text);
      entries = atomEntries(feed);
      channel = { kind, language: feed.xml?.lang };
      const title = atomText(feed.title, 'title');
      if (title) channel.title = title;
    }
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message.slice(0, 200)}` : '';
    const error: ArticleError =
      e instanceof feedsmith.MalformedError
        ? { kind: 'MalformedXml', message: `the ${what} is not well-formed XML${detail}` }
        : {
            kind: 'UnsupportedFormat',
            message: `the file is not a ${what} newswatch can read (${String(e)})`,
          };
    return { kind: 'error', error };
  }
  if (entries.length === 0)
    return { kind: 'error', error: { kind: 'NoBody', message: `the ${what} holds no items` } };
  if (channel.title) {
    const title = channel.title.html
      ? html(channel.title.value, `the ${what}'s title`)
      : ok(clean(channel.title.value));
    const source = title.ok ? title.value.replace(/\s+/g, ' ').trim() : '';
    if (source !== '') channel.source = source;
  }

  const unique = uniqueNames();
  const items: DraftItem[] = entries.map((entry, i) => ({
    item: unique(itemNameOf(entry.id, i + 1), i + 1),
    draft: draftOf(entry, channel, html),
  }));
  return { kind: 'container', items };
};

/** The feed format: RSS 2.0, RSS 1.0 (RDF) and Atom 1.0. */
export const feedFormat: ArticleFormatReader = {
  name: 'feed',
  input: 'text',
  recognises: ({ key, text }) => /\.(rss|atom)$/i.test(key) || feedKindOf(xmlRoot(text)) !== undefined,
  read: ({ text }) => readFeed(text),
};
