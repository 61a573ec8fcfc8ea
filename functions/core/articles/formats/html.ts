/**
 * Web pages: a saved news page becomes its article. The page is parsed into a DOM by linkedom
 * and the article is found by Readability (the reader view of Firefox), which sets aside the
 * navigation, advertising, related links and footer around it; its metadata (published date,
 * canonical address, site name, language, by-line) comes from the page's meta tags, its
 * schema.org JSON-LD and its `<time>` elements. Nothing on the page runs: linkedom builds the
 * tree without executing scripts or loading anything the page refers to, and scripts are
 * removed before Readability sees the tree.
 *
 * The paragraph walk ({@link htmlBlocks}) is shared with the other formats that carry HTML
 * (the HTML part of a mail, a Word document converted to HTML).
 */
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { countWords, foldSpace } from '../body.ts';
import { newsDay } from '../dates.ts';
import {
  bylineName,
  cleanLine,
  cleanText,
  documentTitle,
  httpUrl,
  languageTag,
  MIN_ARTICLE_WORDS,
  reasonOf,
} from './document-text.ts';
import type { ArticleDraft, ArticleFormatReader, FormatReading } from './format.ts';
import { tooDeepAt } from './json.ts';

/** The part of the DOM this module uses; linkedom's nodes have it. */
export interface HtmlNode {
  nodeType: number;
  textContent: string | null;
  childNodes: ArrayLike<HtmlNode>;
}
/** An element of {@link HtmlNode}. */
export interface HtmlElement extends HtmlNode {
  tagName: string;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  getElementsByTagName(name: string): ArrayLike<HtmlElement>;
  remove(): void;
}
/** A parsed page. */
export interface HtmlDocument {
  documentElement: HtmlElement | null;
  body: HtmlElement | null;
  getElementsByTagName(name: string): ArrayLike<HtmlElement>;
  querySelectorAll(selectors: string): ArrayLike<HtmlElement>;
}

/**
 * Most elements a page may hold once scripts, styles and drawings are set aside. Saved news
 * pages hold one to five thousand; Readability's work grows faster than the tree, so past
 * this bound a page is refused rather than read for seconds.
 */
export const MAX_HTML_ELEMENTS = 10_000;
/**
 * Deepest nesting of elements a page may have. Real pages nest 20 to 60 deep; Readability
 * recurses over the tree, and a crafted page nested tens of thousands deep would exhaust the
 * stack after a long time.
 */
export const MAX_HTML_DEPTH = 200;

/** Elements whose content is never article text. */
const NOT_TEXT = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEMPLATE',
  'SVG',
  'MATH',
  'IFRAME',
  'OBJECT',
  'EMBED',
  'CANVAS',
  'VIDEO',
  'AUDIO',
  'PICTURE',
  'IMG',
  'BUTTON',
  'SELECT',
  'TEXTAREA',
  'INPUT',
  'HEAD',
  'TITLE',
  'FIGCAPTION',
  'MAP',
]);

/** Elements that start and end a paragraph of their own. */
const BLOCKS = new Set([
  'ADDRESS',
  'ARTICLE',
  'ASIDE',
  'BLOCKQUOTE',
  'BODY',
  'CAPTION',
  'CENTER',
  'DD',
  'DETAILS',
  'DIV',
  'DL',
  'DT',
  'FIELDSET',
  'FIGURE',
  'FOOTER',
  'FORM',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HEADER',
  'HR',
  'HTML',
  'LI',
  'MAIN',
  'NAV',
  'OL',
  'P',
  'PRE',
  'SECTION',
  'SUMMARY',
  'TABLE',
  'TBODY',
  'TFOOT',
  'THEAD',
  'TR',
  'UL',
]);

const ELEMENT = 1;
const TEXT = 3;

/** Hidden from readers: the `hidden` attribute, `aria-hidden`, or an inline style that hides it. */
const isHidden = (el: HtmlElement): boolean => {
  if (el.hasAttribute('hidden') || el.getAttribute('aria-hidden') === 'true') return true;
  const style = el.getAttribute('style');
  if (style === null) return false;
  const s = style.toLowerCase().replace(/\s+/g, '');
  return s.includes('display:none') || s.includes('visibility:hidden');
};

/** One paragraph of a page, with the element it stands in (`P`, `H2`, `LI`, …). */
export interface HtmlBlock {
  tag: string;
  text: string;
}

/**
 * The paragraphs under `root`, in reading order: each block element (a paragraph, heading,
 * list item, table row, quotation) is one, its inline content joined and its white space
 * folded; two line breaks in a row also end one. Scripts, styles, images, form controls and
 * hidden elements add nothing. Walks the tree with its own stack, so nesting depth costs no
 * call stack.
 */
export const htmlBlocks = (root: HtmlNode): HtmlBlock[] => {
  const blocks: HtmlBlock[] = [];
  const open: string[] = [];
  let buffer: string[] = [];
  let breaks = 0;
  const flush = () => {
    const text = foldSpace(cleanText(buffer.join('')));
    if (text !== '') blocks.push({ tag: open.at(-1) ?? 'P', text });
    buffer = [];
    breaks = 0;
  };
  const stack: Array<HtmlNode | 'leave'> = [root];
  while (stack.length > 0) {
    const node = stack.pop() as HtmlNode | 'leave';
    if (node === 'leave') {
      flush();
      open.pop();
      continue;
    }
    if (node.nodeType === TEXT) {
      const text = node.textContent ?? '';
      buffer.push(text);
      if (text.trim() !== '') breaks = 0;
      continue;
    }
    if (node.nodeType !== ELEMENT) continue;
    const el = node as HtmlElement;
    const tag = el.tagName.toUpperCase();
    if (NOT_TEXT.has(tag) || isHidden(el)) continue;
    if (tag === 'BR') {
      if (++breaks >= 2) flush();
      else buffer.push('\n');
      continue;
    }
    if (tag === 'TD' || tag === 'TH') buffer.push(' ');
    if (BLOCKS.has(tag)) {
      flush();
      open.push(tag);
      stack.push('leave');
    }
    const children = el.childNodes;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as HtmlNode);
  }
  flush();
  return blocks;
};

type ParseHtml = (html: string) => { document: HtmlDocument };

/** linkedom, loaded when the first file that needs it arrives. */
export const loadHtmlParser = async (): Promise<ParseHtml> => {
  const { parseHTML } = await import('linkedom');
  return parseHTML;
};

/**
 * A page as a document with `<html>` and `<body>`, whether the file is a whole page or a
 * fragment (`<p>…</p>`), which linkedom would otherwise leave without a body.
 */
export const parseHtmlDocument = (parse: ParseHtml, html: string): HtmlDocument => {
  const { document } = parse(html);
  if (document.documentElement?.tagName.toUpperCase() === 'HTML' && document.body) return document;
  return parse(`<!doctype html><html><head></head><body>${html}</body></html>`).document;
};

/** How many elements the tree holds and how deep it nests, stopping once either bound is passed. */
const treeShape = (root: HtmlNode): { elements: number; depth: number } => {
  let elements = 0;
  let depth = 0;
  const stack: Array<[HtmlNode, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, d] = stack.pop() as [HtmlNode, number];
    if (node.nodeType !== ELEMENT) continue;
    elements++;
    depth = Math.max(depth, d);
    if (elements > MAX_HTML_ELEMENTS || depth > MAX_HTML_DEPTH) break;
    const children = node.childNodes;
    for (let i = 0; i < children.length; i++) stack.push([children[i] as HtmlNode, d + 1]);
  }
  return { elements, depth };
};

/** What the page says about its article in meta tags, links, JSON-LD and `<time>` elements. */
interface PageMetadata {
  title?: string;
  date?: string;
  author?: string;
  url?: string;
  source?: string;
  language?: string;
  categories: string[];
}

/** schema.org types of an article (`NewsArticle`, `ReportageNewsArticle`, `BlogPosting`, …). */
const ARTICLE_TYPE = /(?:Article|BlogPosting|Report)$/;

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The first schema.org article object in the page's JSON-LD blocks, at the top level or in `@graph`. */
const jsonLdArticle = (document: HtmlDocument): Record<string, Json> | undefined => {
  const scripts = document.getElementsByTagName('script');
  for (let i = 0; i < scripts.length; i++) {
    const script = scripts[i] as HtmlElement;
    if (script.getAttribute('type')?.trim().toLowerCase() !== 'application/ld+json') continue;
    const source = script.textContent ?? '';
    if (tooDeepAt(source, 32) >= 0) continue;
    let data: Json;
    try {
      data = JSON.parse(source);
    } catch {
      continue; // A broken block says nothing; the meta tags may.
    }
    const list: Json[] = Array.isArray(data) ? (data as Json[]) : [data];
    const candidates = list.flatMap((v): Json[] =>
      isObject(v) && Array.isArray(v['@graph']) ? [v, ...(v['@graph'] as Json[])] : [v],
    );
    for (const c of candidates) {
      if (!isObject(c)) continue;
      const types = Array.isArray(c['@type']) ? c['@type'] : [c['@type']];
      if (types.some((t) => typeof t === 'string' && ARTICLE_TYPE.test(t))) return c;
    }
  }
  return undefined;
};

/** A JSON-LD value as text: a string, or an object's `name` or `@id`. */
const ldText = (v: Json): string | undefined => {
  if (typeof v === 'string') return cleanLine(v);
  if (isObject(v)) return ldText(v.name ?? v['@id']);
  return undefined;
};
/** A JSON-LD value as a list of texts. */
const ldTexts = (v: Json): string[] =>
  (Array.isArray(v) ? v : [v]).map(ldText).filter((s): s is string => s !== undefined);

/** Meta tags by their lower-cased `property`, `name` or `itemprop`, every value kept in order. */
const metaTags = (document: HtmlDocument): Map<string, string[]> => {
  const tags = new Map<string, string[]>();
  const metas = document.getElementsByTagName('meta');
  for (let i = 0; i < metas.length; i++) {
    const meta = metas[i] as HtmlElement;
    const content = cleanLine(meta.getAttribute('content'));
    if (content === undefined) continue;
    for (const attr of ['property', 'name', 'itemprop', 'http-equiv']) {
      const name = meta.getAttribute(attr)?.trim().toLowerCase();
      if (!name) continue;
      const values = tags.get(name);
      if (values) values.push(content);
      else tags.set(name, [content]);
    }
  }
  return tags;
};

/** Meta names that give the publication date, most specific first. */
const DATE_META = [
  'article:published_time',
  'og:article:published_time',
  'datepublished',
  'publishdate',
  'pubdate',
  'date',
  'dc.date.issued',
  'dcterms.issued',
  'dc.date',
  'parsely-pub-date',
  'sailthru.date',
];

/** The `datetime` of the page's publication `<time>`: marked as such, else the first in the article. */
const timeElementDate = (document: HtmlDocument): string[] => {
  const times = Array.from(document.getElementsByTagName('time'));
  const withDate = times.filter((t) => t.getAttribute('datetime'));
  const marked = withDate.filter(
    (t) => t.hasAttribute('pubdate') || /\bdatePublished\b/.test(t.getAttribute('itemprop') ?? ''),
  );
  return [...marked, ...withDate].map((t) => t.getAttribute('datetime') as string);
};

const firstDay = (candidates: ReadonlyArray<string | undefined>): string | undefined => {
  for (const c of candidates) {
    const day = c === undefined ? undefined : newsDay(c);
    if (day !== undefined) return day;
  }
  return undefined;
};

/** A page title without the site's name after it ("Floods hit the coast | Daily Planet"). */
const withoutSiteName = (title: string, site: string | undefined): string => {
  if (site === undefined) return title;
  for (const sep of [' | ', ' - ', ' – ', ' — ', ' · ', ' :: ']) {
    const suffix = `${sep}${site}`;
    if (title.length > suffix.length && title.toLowerCase().endsWith(suffix.toLowerCase()))
      return title.slice(0, -suffix.length).trim();
  }
  return title;
};

/** Reads the page's own description of its article. Called before Readability rewrites the tree. */
const pageMetadata = (document: HtmlDocument): PageMetadata => {
  const meta = metaTags(document);
  const one = (...names: string[]) => names.map((n) => meta.get(n)?.[0]).find((v) => v !== undefined);
  const ld = jsonLdArticle(document) ?? {};
  const canonical = Array.from(document.getElementsByTagName('link')).find((l) =>
    (l.getAttribute('rel') ?? '').toLowerCase().split(/\s+/).includes('canonical'),
  );
  const source = one('og:site_name') ?? ldText(isObject(ld.publisher) ? ld.publisher.name : ld.publisher);
  const metaAuthor = [one('author'), one('article:author'), one('dc.creator')].find(
    (a) => a !== undefined && httpUrl(a) === undefined,
  );
  const categories = [
    ...(meta.get('article:section') ?? []),
    ...ldTexts(ld.articleSection),
    ...(meta.get('article:tag') ?? []),
    ...(typeof ld.keywords === 'string' ? ld.keywords.split(',') : ldTexts(ld.keywords)),
  ]
    .map(cleanLine)
    .filter((c): c is string => c !== undefined);
  const url = [canonical?.getAttribute('href'), one('og:url'), ldText(ld.url), ldText(ld.mainEntityOfPage)]
    .map(httpUrl)
    .find((u) => u !== undefined);
  const title = [ldText(ld.headline), one('og:title'), one('twitter:title')]
    .map(documentTitle)
    .find((t) => t !== undefined);
  const authors = ldTexts(ld.author).slice(0, 20);
  const metadata: PageMetadata = { categories: [...new Set(categories)] };
  if (title !== undefined) metadata.title = withoutSiteName(title, source);
  const date = firstDay([
    ...DATE_META.map((n) => one(n)),
    ldText(ld.datePublished),
    ...timeElementDate(document),
  ]);
  if (date !== undefined) metadata.date = date;
  const author = authors.length > 0 ? authors.join(', ') : bylineName(metaAuthor);
  if (author !== undefined) metadata.author = author;
  if (url !== undefined) metadata.url = url;
  if (source !== undefined) metadata.source = source;
  const language = [
    document.documentElement?.getAttribute('lang'),
    one('content-language'),
    one('og:locale'),
    ldText(ld.inLanguage),
  ]
    .map(languageTag)
    .find((l) => l !== undefined);
  if (language !== undefined) metadata.language = language;
  return metadata;
};

/** A class or id that marks an advertisement slot: `ad`, `ads`, `ad-slot`, `inline_ad`, `sponsored`. */
const ADVERT_NAME =
  /^(?:ads?|adverts?|advertisement|advertising|ad[-_][\w-]+|[\w-]+[-_]ads?|sponsor(?:ed)?|promoted)$/i;
/** Most characters an advertisement slot holds; a slot is a label, a line and a link. */
const MAX_ADVERT_TEXT = 400;
/**
 * An advertisement slot: named as one, and short. A long element with such a name is a
 * wrapper (`<div class="page has-ads">`) and stays.
 */
const isAdvert = (el: HtmlElement): boolean =>
  `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`
    .split(/\s+/)
    .some((name) => name !== '' && ADVERT_NAME.test(name)) && (el.textContent ?? '').length < MAX_ADVERT_TEXT;

/** The label an advertisement carries, alone in its block. */
const ADVERT_LABEL =
  /^(?:advertisement|advertising|sponsored(?: content)?|anzeige|publicité|publicidad|pubblicità|реклама)$/i;

const noArticle = (why: string) =>
  articleError(
    'NoBody',
    `the page has no article text: ${why}; send the article's own page (not an index, search or sign-in page) or its text`,
  );

/**
 * Reads a web page into an article draft: Readability's article as paragraphs, and the
 * page's metadata. A page too large or too deep to read safely, or one without at least
 * {@link MIN_ARTICLE_WORDS} words of running text, is refused with the reason.
 */
export const readHtmlPage = async (html: string): Promise<Result<ArticleDraft, ArticleError>> => {
  const [parse, { Readability }] = await Promise.all([loadHtmlParser(), import('@mozilla/readability')]);
  const document = parseHtmlDocument(parse, html);
  const metadata = pageMetadata(document);
  // What can never be article text goes before the tree is measured and read.
  for (const tag of ['script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe']) {
    for (const el of Array.from(document.getElementsByTagName(tag))) el.remove();
  }
  const shape = treeShape(document.documentElement as HtmlNode);
  if (shape.depth > MAX_HTML_DEPTH)
    return articleError(
      'UnsupportedFormat',
      `the page nests elements more than ${MAX_HTML_DEPTH} deep; no page meant to be read does`,
    );
  if (shape.elements > MAX_HTML_ELEMENTS)
    return articleError(
      'TooLarge',
      `the page holds more than ${MAX_HTML_ELEMENTS} elements besides scripts and styles; send the article's own page or its text`,
    );
  // Once the tree is known to be of a readable size: measuring each slot's text is then cheap.
  for (const el of Array.from(document.querySelectorAll('[class], [id]'))) if (isAdvert(el)) el.remove();

  let found: {
    title?: string | null;
    byline?: string | null;
    siteName?: string | null;
    content?: HtmlNode | null;
  } | null;
  try {
    found = new Readability<HtmlNode>(document as unknown as ConstructorParameters<typeof Readability>[0], {
      maxElemsToParse: MAX_HTML_ELEMENTS,
      serializer: (node: unknown) => node as HtmlNode,
    }).parse();
  } catch (e) {
    return noArticle(`the reader could not take it apart (${reasonOf(e)})`);
  }
  if (!found?.content) return noArticle('no block of running text was found');

  const source = metadata.source ?? cleanLine(found.siteName);
  const readerTitle = documentTitle(found.title);
  const title =
    metadata.title ?? (readerTitle === undefined ? undefined : withoutSiteName(readerTitle, source));
  const blocks = htmlBlocks(found.content).filter((b) => !ADVERT_LABEL.test(b.text));
  // Readability usually drops the headline from the text; when it keeps it, it is the title, not a paragraph.
  if (title !== undefined && blocks[0] && foldSpace(blocks[0].text) === title) blocks.shift();
  const body = blocks.map((b) => b.text);
  const words = countWords(body);
  if (words < MIN_ARTICLE_WORDS)
    return noArticle(
      `the text found has ${words} word${words === 1 ? '' : 's'}, fewer than the ${MIN_ARTICLE_WORDS} of an article`,
    );

  const draft: ArticleDraft = { body };
  if (title !== undefined) draft.title = title;
  if (metadata.date !== undefined) draft.date = metadata.date;
  const author = metadata.author ?? bylineName(found.byline);
  if (author !== undefined) draft.author = author;
  if (metadata.url !== undefined) draft.url = metadata.url;
  if (source !== undefined) draft.source = source;
  if (metadata.language !== undefined) draft.language = metadata.language;
  if (metadata.categories.length > 0) draft.categories = metadata.categories;
  return ok(draft);
};

/** Skips an XML declaration and comments before a page's first tag, without a regular expression that could backtrack. */
const firstTag = (text: string): string => {
  let rest = text.trimStart();
  for (let i = 0; i < 32; i++) {
    const close = rest.startsWith('<!--') ? '-->' : /^<\?xml\b/i.test(rest) ? '?>' : undefined;
    if (close === undefined) break;
    const end = rest.indexOf(close);
    if (end < 0) break;
    rest = rest.slice(end + close.length).trimStart();
  }
  return rest;
};

/** Whether the text starts as a web page does (an XHTML page included). */
export const looksLikeHtml = (text: string): boolean =>
  /^(?:<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(firstTag(text));

/** The web page format: `.html`, `.htm` and `.xhtml` files, or text that starts as a page does. */
export const htmlFormat: ArticleFormatReader = {
  name: 'html',
  input: 'text',
  recognises: ({ key, text }) => /\.(?:html?|xhtml)$/i.test(key) || looksLikeHtml(text),
  read: async ({ text }): Promise<FormatReading> => {
    const draft = await readHtmlPage(text);
    return draft.ok ? { kind: 'article', draft: draft.value } : { kind: 'error', error: draft.error };
  },
};
