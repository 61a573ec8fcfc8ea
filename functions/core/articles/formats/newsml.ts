/**
 * NewsML-G2 (IPTC), recognised by a `newsItem` or `newsMessage` root in the NewsML-G2
 * namespace. A `newsItem` is one article: headline, by-line, dateline, subjects and language
 * from `contentMeta`, dates and provider from `itemMeta`, the body from the first rendition in
 * `contentSet` that has text (inline NITF, inline XHTML or other XML, inline plain text or
 * HTML). A `newsMessage` is a container: each `newsItem` of its `itemSet` is an item named by
 * its `guid`; package, concept and knowledge items are not articles and are passed over.
 */
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { newsDay } from '../dates.ts';
import type { ArticleDraft, ArticleFormatReader, DraftItem, FormatReading } from './format.ts';
import { type HtmlToText, loadHtmlToText } from './html-text.ts';
import { bylineName, nitfBody, withDateline } from './nitf.ts';
import {
  attr,
  child,
  children,
  clean,
  itemNameOf,
  languageTag,
  NEWSML_NAMESPACE,
  readXml,
  textOf,
  trimmedText,
  uniqueNames,
  type XmlElement,
  xmlParagraphs,
  xmlRoot,
} from './xml.ts';

/** The first element with this local name at any depth below `el`, in document order. */
const find = (el: XmlElement, local: string): XmlElement | undefined => {
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    if (c.local === local) return c;
    const inner = find(c, local);
    if (inner) return inner;
  }
  return undefined;
};

/** The paragraphs of one rendition in `contentSet`, or none. */
const renditionText = (
  rendition: XmlElement,
  html: HtmlToText,
  label: string,
): Result<string[], ArticleError> => {
  const type = (attr(rendition, 'contenttype') ?? '').toLowerCase();
  if (rendition.local === 'inlineXML') {
    const nitf = find(rendition, 'nitf');
    if (nitf) return ok(nitfBody(nitf));
    // XHTML: its <body>; any other XML: its paragraph elements, else its whole text.
    const body = find(rendition, 'body') ?? rendition;
    return ok(xmlParagraphs(body).filter((p) => p.trim() !== ''));
  }
  if (rendition.local === 'inlineData') {
    const data = textOf(rendition);
    if (type.includes('html')) {
      const text = html(data, `${label} (inlineData)`);
      return text.ok ? ok([text.value]) : text;
    }
    return ok([data]);
  }
  // remoteContent points elsewhere: nothing is fetched.
  return ok([]);
};

/** The text of a qualified property: its `name` child, else its `literal`, else its `qcode`. */
const conceptName = (el: XmlElement): string | undefined =>
  trimmedText(child(el, 'name')) ?? attr(el, 'literal') ?? attr(el, 'qcode') ?? attr(el, 'uri');

/** One `newsItem` as an article draft. */
export const newsItemDraft = (
  item: XmlElement,
  html: HtmlToText,
  label = 'the NewsML-G2 newsItem',
): Result<ArticleDraft, ArticleError> => {
  const itemMeta = child(item, 'itemMeta');
  const contentMeta = child(item, 'contentMeta');

  let paragraphs: string[] = [];
  for (const rendition of child(item, 'contentSet')?.children ?? []) {
    if (typeof rendition === 'string') continue;
    const text = renditionText(rendition, html, label);
    if (!text.ok) return text;
    paragraphs = text.value.filter((p) => p.trim() !== '');
    if (paragraphs.length > 0) break;
  }
  let summaryOnly = false;
  if (paragraphs.length === 0) {
    const description = children(contentMeta, 'description').map((d) => textOf(d).trim());
    paragraphs = description.filter((d) => d !== '').slice(0, 1);
    summaryOnly = paragraphs.length > 0;
  }
  if (paragraphs.length === 0)
    return articleError(
      'NoBody',
      `${label} has no text: no inlineXML or inlineData in its contentSet, and no description`,
    );
  const dateline = trimmedText(child(contentMeta, 'dateline'), ' ');
  const draft: ArticleDraft = { body: withDateline(paragraphs, dateline) };
  if (summaryOnly) draft.summaryOnly = true;

  const title = trimmedText(child(contentMeta, 'headline'));
  if (title) draft.title = title;
  const by = bylineName(trimmedText(child(contentMeta, 'by'), ' '));
  const creators = children(contentMeta, 'creator')
    .map(conceptName)
    .filter((c): c is string => c !== undefined);
  const author = by ?? (creators.length > 0 ? creators.join(', ') : undefined);
  if (author) draft.author = author;

  const dates: Array<[string, XmlElement | undefined]> = [
    ['firstCreated', child(itemMeta, 'firstCreated')],
    ['contentCreated', child(contentMeta, 'contentCreated')],
    ['versionCreated', child(itemMeta, 'versionCreated')],
  ];
  const date = dates.find(([, el]) => trimmedText(el) !== undefined);
  if (date) {
    const raw = trimmedText(date[1]) as string;
    const day = newsDay(raw);
    if (day === undefined)
      return articleError(
        'InvalidArticle',
        `${label} <${date[0]}>: "${raw.slice(0, 60)}" is not a date (ISO 8601, such as 2026-11-28T10:30:00Z)`,
      );
    draft.date = day;
  }
  const provider = child(itemMeta, 'provider');
  const source = provider ? conceptName(provider) : undefined;
  if (source) draft.source = source;
  const language = languageTag(attr(child(contentMeta, 'language'), 'tag') ?? attr(item, 'xml:lang'));
  if (language) draft.language = language;

  const subjects = children(contentMeta, 'subject').map(conceptName);
  const keywords = children(contentMeta, 'keyword').map((k) => trimmedText(k));
  const categories = [...new Set([...subjects, ...keywords].filter((c): c is string => c !== undefined))];
  if (categories.length > 0) draft.categories = categories.map(clean);
  return ok(draft);
};

/** The NewsML-G2 format. */
export const newsmlFormat: ArticleFormatReader = {
  name: 'newsml',
  input: 'text',
  recognises: ({ text }) => {
    const root = xmlRoot(text);
    return (
      (root?.local === 'newsItem' || root?.local === 'newsMessage') &&
      (root.tag === '' || root.tag.includes(NEWSML_NAMESPACE))
    );
  },
  read: async ({ text }): Promise<FormatReading> => {
    const doc = await readXml(text, 'NewsML-G2 file');
    if (!doc.ok) return { kind: 'error', error: doc.error };
    const html = await loadHtmlToText();
    const root = doc.value;
    if (root.local === 'newsItem') {
      const draft = newsItemDraft(root, html);
      return draft.ok ? { kind: 'article', draft: draft.value } : { kind: 'error', error: draft.error };
    }
    if (root.local !== 'newsMessage')
      return {
        kind: 'error',
        error: {
          kind: 'UnsupportedFormat',
          message: `the NewsML-G2 root <${root.name}> is not a newsItem or newsMessage`,
        },
      };
    const newsItems = children(child(root, 'itemSet'), 'newsItem');
    if (newsItems.length === 0)
      return {
        kind: 'error',
        error: { kind: 'NoBody', message: 'the NewsML-G2 newsMessage holds no newsItem in its itemSet' },
      };
    const unique = uniqueNames();
    const items: DraftItem[] = newsItems.map((item, i) => ({
      item: unique(itemNameOf(attr(item, 'guid'), i + 1), i + 1),
      draft: newsItemDraft(item, html, `newsItem ${i + 1}`),
    }));
    return { kind: 'container', items };
  },
};
