/**
 * NITF (the IPTC News Industry Text Format, 3.x), one article per file, recognised by its
 * `<nitf>` root: headline, by-line, dateline and body paragraphs from `body.head` and
 * `body.content`, the date, publication, subjects and keywords from `head`. NewsML-G2 items
 * that carry NITF inline read their body with {@link nitfBody}.
 */
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { newsDay } from '../dates.ts';
import type { ArticleDraft, ArticleFormatReader, FormatReading } from './format.ts';
import {
  attr,
  children,
  httpUrl,
  languageTag,
  path,
  readXml,
  trimmedText,
  type XmlElement,
  xmlParagraphs,
  xmlRoot,
} from './xml.ts';

/**
 * A date as NITF writes it, ISO 8601 in its basic form (`20261128T103000Z`, `20261128`), or
 * in the extended form: the calendar day as written, by {@link newsDay}.
 */
export const nitfDay = (raw: string): string | undefined => {
  const basic = /^(\d{4})(\d{2})(\d{2})(?:T\d{2,6}(?:[.,]\d+)?(?:Z|[+-]\d{2,4})?)?$/.exec(raw.trim());
  return newsDay(basic ? `${basic[1]}-${basic[2]}-${basic[3]}` : raw);
};

/** A by-line without its leading "By". */
export const bylineName = (text: string | undefined): string | undefined => {
  const t = text?.replace(/^by\s+/i, '').trim();
  return t ? t : undefined;
};

/**
 * The dateline before the first paragraph ("LONDON, Nov 28 — …") unless the paragraph
 * already starts with it: where a story was filed is part of what it says.
 */
export const withDateline = (paragraphs: string[], dateline: string | undefined): string[] => {
  const first = paragraphs[0];
  if (dateline === undefined || first === undefined) return paragraphs;
  if (first.replace(/\s+/g, ' ').trimStart().startsWith(dateline)) return paragraphs;
  return [`${dateline} — ${first.trimStart()}`, ...paragraphs.slice(1)];
};

/** The paragraphs of a NITF `<body>` (`body.content`), without the dateline. */
export const nitfBody = (nitf: XmlElement): string[] => {
  const content = path(nitf, 'body', 'body.content');
  return content ? xmlParagraphs(content).filter((p) => p.trim() !== '') : [];
};

/** One NITF document as an article draft. */
export const nitfDraft = (nitf: XmlElement): Result<ArticleDraft, ArticleError> => {
  const head = path(nitf, 'head');
  const bodyHead = path(nitf, 'body', 'body.head');
  const dateline = trimmedText(path(bodyHead, 'dateline'), ' ');
  let paragraphs = nitfBody(nitf);
  let summaryOnly = false;
  if (paragraphs.length === 0) {
    const abstract = path(bodyHead, 'abstract');
    paragraphs = abstract ? xmlParagraphs(abstract).filter((p) => p.trim() !== '') : [];
    summaryOnly = paragraphs.length > 0;
  }
  if (paragraphs.length === 0)
    return articleError('NoBody', 'the NITF document has no paragraphs in body.content (nor an abstract)');
  const draft: ArticleDraft = { body: withDateline(paragraphs, dateline) };
  if (summaryOnly) draft.summaryOnly = true;

  const title = trimmedText(path(bodyHead, 'hedline', 'hl1')) ?? trimmedText(path(head, 'title'));
  if (title) draft.title = title;
  const author = bylineName(trimmedText(path(bodyHead, 'byline'), ' '));
  if (author) draft.author = author;

  const dates: Array<[string, string | undefined]> = [
    ['date.issue', attr(path(head, 'docdata', 'date.issue'), 'norm')],
    ['pubdata date.publication', attr(path(head, 'pubdata'), 'date.publication')],
    ['story.date', attr(path(bodyHead, 'dateline', 'story.date'), 'norm')],
  ];
  const date = dates.find(([, v]) => v !== undefined);
  if (date) {
    const day = nitfDay(date[1] as string);
    if (day === undefined)
      return articleError(
        'InvalidArticle',
        `NITF ${date[0]}: "${(date[1] as string).slice(0, 60)}" is not a date (ISO 8601, such as 20261128T103000Z)`,
      );
    draft.date = day;
  }
  const pubdata = path(head, 'pubdata');
  const source = attr(pubdata, 'name');
  if (source) draft.source = source;
  const url = httpUrl(attr(pubdata, 'ex-ref'));
  if (url) draft.url = url;
  const language = languageTag(
    attr(nitf, 'xml:lang') ?? attr(head, 'xml:lang') ?? attr(path(nitf, 'body'), 'xml:lang'),
  );
  if (language) draft.language = language;

  const subjects = children(path(head, 'tobject'), 'tobject.subject').map(
    (s) =>
      attr(s, 'tobject.subject.detail') ??
      attr(s, 'tobject.subject.matter') ??
      attr(s, 'tobject.subject.type') ??
      attr(s, 'tobject.subject.refnum'),
  );
  const keywords = children(path(head, 'docdata', 'key-list'), 'keyword').map((k) => attr(k, 'key'));
  const categories = [...new Set([...subjects, ...keywords].filter((c): c is string => c !== undefined))];
  if (categories.length > 0) draft.categories = categories;
  return ok(draft);
};

/** The NITF format. */
export const nitfFormat: ArticleFormatReader = {
  name: 'nitf',
  input: 'text',
  recognises: ({ text }) => xmlRoot(text)?.name === 'nitf',
  read: async ({ text }): Promise<FormatReading> => {
    const doc = await readXml(text, 'NITF document');
    if (!doc.ok) return { kind: 'error', error: doc.error };
    const draft = nitfDraft(doc.value);
    return draft.ok ? { kind: 'article', draft: draft.value } : { kind: 'error', error: draft.error };
  },
};
