/**
 * Safe XML, shared by the feed, NewsML-G2 and NITF readers. Every XML file is first checked by
 * one linear scan: a DOCTYPE that declares entities is refused (nothing is ever expanded or
 * fetched, so a file cannot grow while it is read or reach outside itself), and so is nesting
 * deeper than {@link MAX_XML_DEPTH}. Only then is a parser loaded; it decodes the five
 * predefined entities and numeric character references, nothing else.
 */
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { normaliseNewlinesAndForm } from '../decode.ts';
import { lineAndColumn } from './json.ts';

/**
 * Deepest element nesting an XML file may have. A feed nests four or five levels, a NewsML-G2
 * message with NITF inside about a dozen; the bound keeps every reader far from the stack's limit.
 */
export const MAX_XML_DEPTH = 64;

/** The IPTC namespace of NewsML-G2 (`newsItem`, `newsMessage`). */
export const NEWSML_NAMESPACE = 'http://iptc.org/std/nar/2006-10-01/';

/** An element: its name as written (`nar:newsItem`), without the prefix, its attributes, children. */
export interface XmlElement {
  name: string;
  local: string;
  attrs: Readonly<Record<string, string>>;
  children: XmlNode[];
}

/** A child of an element: an element or a run of text. */
export type XmlNode = XmlElement | string;

/** The root element as the first characters of a file show it. */
export interface XmlRoot {
  /** As written, with any prefix (`rdf:RDF`). */
  name: string;
  local: string;
  /**
   * The start tag as far as the text shows it, attributes (and namespace declarations)
   * included; empty when only the DOCTYPE named the root.
   */
  tag: string;
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** End of a name (element or DOCTYPE) starting at `i`. */
const nameEnd = (text: string, i: number): number => {
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (isSpace(c) || c === 0x2f || c === 0x3e || c === 0x5b || c === 0x3c) break;
    j++;
  }
  return j;
};

/**
 * The root element of an XML text, read past the XML declaration, processing instructions,
 * comments and a DOCTYPE (whose name is taken for the root's when the text ends inside it).
 * Undefined when the text does not start as XML.
 */
export const xmlRoot = (text: string): XmlRoot | undefined => {
  let i = 0;
  let doctype: string | undefined;
  for (;;) {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 0x3c) return undefined;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (text.startsWith('<!DOCTYPE', i)) {
      let j = i + 9;
      while (j < text.length && isSpace(text.charCodeAt(j))) j++;
      doctype = text.slice(j, nameEnd(text, j));
      // An internal subset ends at `]>`; a DOCTYPE without one at its first `>`.
      const bracket = text.indexOf('[', j);
      const close = text.indexOf('>', j);
      const end = bracket >= 0 && (close < 0 || bracket < close) ? text.indexOf(']', bracket) : close;
      const after = end < 0 ? -1 : text.indexOf('>', end);
      if (after < 0) return doctype ? { name: doctype, local: localName(doctype), tag: '' } : undefined;
      i = after + 1;
    } else {
      const name = text.slice(i + 1, nameEnd(text, i + 1));
      if (name === '' || name.startsWith('!')) return undefined;
      const close = text.indexOf('>', i);
      return { name, local: localName(name), tag: text.slice(i, close < 0 ? text.length : close + 1) };
    }
  }
};

/**
 * Why an XML text is refused before any parser sees it, or undefined: a DOCTYPE declaring
 * entities (`<!ENTITY` anywhere outside comments and CDATA), or elements nested deeper than
 * {@link MAX_XML_DEPTH}. One pass, each character looked at a bounded number of times.
 */
export const xmlRefusal = (text: string, what = 'XML file'): ArticleError | undefined => {
  let depth = 0;
  for (let i = text.indexOf('<'); i !== -1;) {
    const c = text.charCodeAt(i + 1);
    let end: number;
    if (c === 0x21 /* ! */) {
      if (text.startsWith('!--', i + 1)) end = after(text, '-->', i + 4);
      else if (text.startsWith('![CDATA[', i + 1)) end = after(text, ']]>', i + 9);
      else if (text.slice(i + 2, i + 8).toUpperCase() === 'ENTITY') {
        const at = lineAndColumn(text, i);
        return {
          kind: 'UnsupportedFormat',
          message: `the ${what} declares entities (<!ENTITY at line ${at.line}, column ${at.column}); newswatch expands no entities and fetches nothing a file points to: send it without the DOCTYPE's entity declarations`,
          at,
        };
      } else {
        // A DOCTYPE and its other declarations: whatever they hold is scanned as it comes.
        end = i + 2;
      }
    } else if (c === 0x3f /* ? */) {
      end = after(text, '?>', i + 2);
    } else if (c === 0x2f /* / */) {
      if (depth > 0) depth--;
      end = i + 2;
    } else {
      // A start tag, to its `>` outside quoted attribute values. A `<` cannot be in a tag, so a
      // broken one ends there (and counts as open: the parser will refuse it anyway).
      let j = i + 1;
      let quote = 0;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x3c) break;
        if (quote !== 0) {
          if (d === quote) quote = 0;
        } else if (d === 0x22 || d === 0x27) quote = d;
        else if (d === 0x3e) break;
      }
      const selfClosing = text.charCodeAt(j) === 0x3e && quote === 0 && text.charCodeAt(j - 1) === 0x2f;
      if (!selfClosing && ++depth > MAX_XML_DEPTH) {
        const at = lineAndColumn(text, i);
        return {
          kind: 'InvalidArticle',
          message: `the ${what} nests elements more than ${MAX_XML_DEPTH} levels deep at line ${at.line}, column ${at.column}`,
          at,
        };
      }
      end = j;
    }
    // An unterminated comment, CDATA section or instruction: the parser says so.
    if (end < 0) break;
    i = text.indexOf('<', end);
  }
  return undefined;
};

/** The offset just past the next `marker` from `from`, or -1. */
const after = (text: string, marker: string, from: number): number => {
  const at = text.indexOf(marker, from);
  return at < 0 ? -1 : at + marker.length;
};

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** A character reference's code point as text; U+FFFD for one XML does not allow. */
const fromCodePoint = (n: number): string =>
  n === 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) ? '\ufffd' : String.fromCodePoint(n);

/**
 * Decodes the five predefined entities and numeric character references; any other
 * reference (`&nbsp;`, a declared entity) stays as written.
 */
export const decodeXmlReferences = (text: string): string =>
  text.indexOf('&') === -1
    ? text
    : text.replace(
        /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g,
        (_m, dec?: string, hex?: string, name?: string) =>
          dec !== undefined
            ? fromCodePoint(Number(dec))
            : hex !== undefined
              ? fromCodePoint(Number.parseInt(hex, 16))
              : (PREDEFINED[name as string] as string),
      );

/**
 * The parser's entity decoder: the references above only. Entities a DOCTYPE declares are
 * never added (and such a file was refused before it reached the parser).
 */
const entityDecoder = {
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: decodeXmlReferences,
};

/**
 * Names the parser refuses to use as object keys. No news format uses them; they are renamed
 * (and so never match what a reader looks for) rather than failing the whole file.
 */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const safeName = (name: string): string => (RESERVED_NAMES.has(name) ? `_${name}` : name);

type Ordered = Record<string, unknown>;

const toElement = (name: string, node: Ordered): XmlElement => {
  const attrs = Object.create(null) as Record<string, string>;
  const given = node[':@'];
  if (given && typeof given === 'object')
    for (const [k, v] of Object.entries(given as Record<string, unknown>))
      if (typeof v === 'string') attrs[k] = v;
  const children: XmlNode[] = [];
  for (const c of (node[name] as Ordered[] | undefined) ?? []) {
    const child = toNode(c);
    if (child !== undefined) children.push(child);
  }
  return { name, local: localName(name), attrs, children };
};

const toNode = (node: Ordered): XmlNode | undefined => {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined) return undefined;
  if (name === '#text') return String(node[name]);
  if (name.startsWith('?') || name.startsWith('!')) return undefined;
  return toElement(name, node);
};

/**
 * Reads an XML text into its root element, after {@link xmlRefusal}: well-formedness is
 * checked first, so a broken file is refused with its line and column rather than read in part.
 */
export const readXml = async (text: string, what = 'XML file'): Promise<Result<XmlElement, ArticleError>> => {
  const refusal = xmlRefusal(text, what);
  if (refusal) return { ok: false, error: refusal };
  const { XMLParser, XMLValidator } = await import('fast-xml-parser');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    const why = msg.startsWith("Invalid '[") ? 'the file ends with elements still open' : msg;
    return articleError(
      'MalformedXml',
      `the ${what} is not well-formed XML at line ${line}, column ${col}: ${why}`,
      {
        line,
        column: col,
      },
    );
  }
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: { enabled: true, maxEntityCount: 0 },
    htmlEntities: false,
    entityDecoder,
    maxNestedTags: MAX_XML_DEPTH + 1,
    transformTagName: safeName,
    transformAttributeName: safeName,
  });
  let nodes: Ordered[];
  try {
    nodes = parser.parse(text) as Ordered[];
  } catch (e) {
    return articleError('MalformedXml', `the ${what} could not be read as XML: ${(e as Error).message}`);
  }
  for (const node of nodes) {
    const root = toNode(node);
    if (root !== undefined && typeof root !== 'string') return ok(root);
  }
  return articleError('MalformedXml', `the ${what} has no root element`);
};

/** The first child element with this local name. */
export const child = (el: XmlElement | undefined, local: string): XmlElement | undefined =>
  el?.children.find((c): c is XmlElement => typeof c !== 'string' && c.local === local);

/** The child elements with this local name. */
export const children = (el: XmlElement | undefined, local: string): XmlElement[] =>
  el ? el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.local === local) : [];

/** The element at a path of local names (`head`, `docdata`, `date.issue`). */
export const path = (el: XmlElement | undefined, ...locals: string[]): XmlElement | undefined =>
  locals.reduce<XmlElement | undefined>((e, l) => child(e, l), el);

/** An attribute's value, trimmed; undefined when absent or blank. */
export const attr = (el: XmlElement | undefined, name: string): string | undefined => {
  const v = el?.attrs[name]?.trim();
  return v ? clean(v) : undefined;
};

/**
 * A string taken out of an XML file, cleaned as the file's own text is: a character
 * reference cannot bring back a control character or half a surrogate pair.
 */
export const clean = (text: string): string => normaliseNewlinesAndForm(text).toWellFormed();

/**
 * All the text inside an element, in document order. `separator` goes between the texts of
 * child elements (a by-line's `<person>` and `<byttl>`); inline markup in a paragraph needs none.
 */
export const textOf = (el: XmlElement | undefined, separator = ''): string => {
  if (!el) return '';
  const parts: string[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (typeof c === 'string') parts.push(c);
      else if (c.local === 'br') parts.push(' ');
      else {
        parts.push(separator);
        walk(c);
        parts.push(separator);
      }
    }
  };
  walk(el);
  return clean(parts.join(''));
};

/** Text of an element, white space folded; undefined when there is none. */
export const trimmedText = (el: XmlElement | undefined, separator = ''): string | undefined => {
  const t = textOf(el, separator)
    .replace(/\s+/g, ' ')
    .replace(/ ([,.;:])/g, '$1')
    .trim();
  return t === '' ? undefined : t;
};

/** Elements whose text is one paragraph of a story body (NITF, XHTML). */
const PARAGRAPHS = new Set(['p', 'hl2', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'pre']);

/**
 * The paragraphs of a body: the text of each paragraph element in document order (nested
 * ones are part of their outer paragraph). Without any, the body's whole text, to be split at
 * blank lines.
 */
export const xmlParagraphs = (body: XmlElement): string[] => {
  const found: string[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (typeof c === 'string') continue;
      if (PARAGRAPHS.has(c.local)) found.push(textOf(c));
      else walk(c);
    }
  };
  walk(body);
  return found.length > 0 ? found : [textOf(body)];
};

/** A BCP 47 language tag as a file gives it (`en`, `en-GB`, `es_MX`), or undefined. */
export const languageTag = (raw: string | undefined): string | undefined => {
  const t = raw?.trim();
  return t && /^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$/i.test(t) ? t.replace(/_/g, '-') : undefined;
};

/** An http or https URL, resolved against `base` when relative; undefined otherwise. */
export const httpUrl = (raw: string | undefined, base?: string): string | undefined => {
  const t = raw?.trim();
  if (!t) return undefined;
  try {
    const u = base === undefined ? new URL(t) : new URL(t, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
};

/**
 * An item's name in its container: its id when it is short printable ASCII without spaces or
 * `#` (which separates the item from the file's key), else its position.
 */
export const itemNameOf = (id: string | undefined, position: number): string => {
  const t = id?.trim();
  return t && /^[\x21-\x22\x24-\x7e]{1,200}$/.test(t) ? t : String(position);
};

/** Makes item names unique within one file: a repeated one gets `~<position>`. */
export const uniqueNames = (): ((name: string, position: number) => string) => {
  const seen = new Set<string>();
  return (name, position) => {
    const unique = seen.has(name) ? `${name}~${position}` : name;
    seen.add(unique);
    return unique;
  };
};
