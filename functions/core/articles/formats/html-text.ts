/**
 * The text of an HTML fragment (a feed item's content or description, an HTML rendition in
 * NewsML-G2), as plain paragraphs: an HTML parser (linkedom, loaded when the first such
 * fragment arrives) builds the tree and its text is taken with a paragraph break at each
 * block element and a line break at each `<br>`. Nothing is run or fetched; scripts, styles
 * and embedded objects are left out.
 */
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { clean } from './xml.ts';

/**
 * Deepest element nesting an HTML fragment may have. Article markup nests a dozen levels at
 * most; the HTML parser slows down on thousands of elements left open, so deeper fragments
 * are refused before it sees them.
 */
export const MAX_HTML_DEPTH = 256;

/** What is read of linkedom's nodes. */
interface HtmlNode {
  nodeType: number;
  localName?: string;
  data?: string;
  firstChild: HtmlNode | null;
  nextSibling: HtmlNode | null;
  parentNode: HtmlNode | null;
}
interface HtmlContainer extends HtmlNode {
  innerHTML: string;
}
interface HtmlDocument {
  createElement(tag: 'div'): HtmlContainer;
}

const ELEMENT = 1;
const TEXT = 3;

/** Elements that start and end a paragraph. */
const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'caption',
  'center',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'legend',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tr',
  'ul',
]);
/** Elements whose content is not article text. */
const SKIPPED = new Set([
  'audio',
  'button',
  'canvas',
  'embed',
  'head',
  'iframe',
  'math',
  'noscript',
  'object',
  'script',
  'select',
  'style',
  'svg',
  'template',
  'textarea',
  'title',
  'video',
]);
/** Elements that never hold others: those the HTML parser (htmlparser2, under linkedom) treats so. */
const VOID = new Set([
  'area',
  'base',
  'basefont',
  'br',
  'col',
  'command',
  'embed',
  'frame',
  'hr',
  'img',
  'input',
  'isindex',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

const P = ['p'];
const FORM = ['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea'];
/**
 * Open elements a start tag closes while they are the innermost: the HTML parser's table
 * (htmlparser2's `openImpliesClose`), copied whole so the stack below is the parser's.
 */
const CLOSED_BY: ReadonlyMap<string, readonly string[]> = new Map([
  ['tr', ['tr', 'th', 'td']],
  ['th', ['th']],
  ['td', ['thead', 'th', 'td']],
  ['body', ['head', 'link', 'script']],
  ['li', ['li']],
  ['option', ['option']],
  ['optgroup', ['optgroup', 'option']],
  ['dd', ['dd', 'dt']],
  ['dt', ['dd', 'dt']],
  ['rt', ['rt', 'rp']],
  ['rp', ['rt', 'rp']],
  ['tbody', ['thead', 'tbody']],
  ['tfoot', ['thead', 'tbody']],
  ...['select', 'input', 'output', 'button', 'datalist', 'textarea'].map(
    (tag): [string, readonly string[]] => [tag, FORM],
  ),
  ...[
    'p',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'address',
    'article',
    'aside',
    'blockquote',
    'details',
    'div',
    'dl',
    'fieldset',
    'figcaption',
    'figure',
    'footer',
    'form',
    'header',
    'hr',
    'main',
    'nav',
    'ol',
    'pre',
    'section',
    'table',
    'ul',
  ].map((tag): [string, readonly string[]] => [tag, P]),
]);
/** Elements inside which `<x/>` closes itself (SVG and MathML), and those that end that. */
const FOREIGN = new Set(['math', 'svg']);
const INTEGRATION = new Set([
  'mi',
  'mo',
  'mn',
  'ms',
  'mtext',
  'annotation-xml',
  'foreignobject',
  'desc',
  'title',
]);
/** Elements whose content the HTML parser reads as raw text, up to their end tag. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp']);

const isAlpha = (c: number) => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
const isWhite = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
const GT = 0x3e;
const SLASH = 0x2f;

/** The states of the start-tag tokenizer below. */
const State = { BeforeName: 0, Name: 1, AfterName: 2, BeforeValue: 3, Unquoted: 4, SelfClosing: 5 } as const;

/**
 * Where a start tag ends (just past its `>`) and whether it closed itself (`/>`), from just
 * after its name: attribute names, `=`, quoted and unquoted values read as the HTML tokenizer
 * reads them, so a `>` or `/>` inside a value does not end the tag.
 */
const startTagEnd = (s: string, from: number): { end: number; selfClosing: boolean } => {
  let state: number = State.BeforeName;
  for (let j = from; j < s.length; j++) {
    const c = s.charCodeAt(j);
    switch (state) {
      case State.BeforeName:
        if (c === GT) return { end: j + 1, selfClosing: false };
        if (c === SLASH) state = State.SelfClosing;
        else if (!isWhite(c)) state = State.Name;
        break;
      case State.SelfClosing:
        if (c === GT) return { end: j + 1, selfClosing: true };
        if (!isWhite(c)) {
          state = State.BeforeName;
          j--;
        }
        break;
      case State.Name:
        if (c === 0x3d || c === GT || c === SLASH || isWhite(c)) {
          state = State.AfterName;
          j--;
        }
        break;
      case State.AfterName:
        if (c === 0x3d) state = State.BeforeValue;
        else if (c === GT || c === SLASH) {
          state = State.BeforeName;
          j--;
        } else if (!isWhite(c)) state = State.Name;
        break;
      case State.BeforeValue:
        if (c === 0x22 || c === 0x27) {
          const close = s.indexOf(c === 0x22 ? '"' : "'", j + 1);
          if (close < 0) return { end: s.length, selfClosing: false };
          j = close;
          state = State.BeforeName;
        } else if (!isWhite(c)) {
          state = State.Unquoted;
          j--;
        }
        break;
      case State.Unquoted:
        if (c === GT || isWhite(c)) {
          state = State.BeforeName;
          j--;
        }
        break;
    }
  }
  return { end: s.length, selfClosing: false };
};

/**
 * How deep an HTML fragment nests its elements, read up to `max` + 1: the depth of the tree
 * the HTML parser (htmlparser2, under linkedom) will build. One pass that tokenises as that
 * parser does (comments, CDATA, declarations, raw-text elements, quoted attribute values)
 * and keeps the same stack of open elements: the elements a start tag implicitly closes, void
 * elements, self-closing tags inside SVG and MathML, and end tags that close the innermost
 * element of their name and those inside it, or nothing when none is open. The property test
 * beside it checks the figure against the parser's own trees.
 */
export const htmlDepth = (html: string, max: number): number => {
  // ASCII-only lowering keeps offsets: the tokenizer finds raw-text ends the same way.
  const s = html.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  const n = s.length;
  const open: string[] = [];
  const foreign: boolean[] = [false];
  let deepest = 0;
  let i = 0;
  while (i < n) {
    const lt = s.indexOf('<', i);
    if (lt < 0) break;
    const c = s.charCodeAt(lt + 1);
    if (c === 0x21 /* ! */) {
      let end: number;
      if (s.startsWith('<!--', lt)) {
        // `<!-->` and `<!--->` are whole comments: the end may reuse the opening dashes.
        const close = s.indexOf('-->', lt + 2);
        end = close < 0 ? -1 : close + 3;
      } else if (s.charCodeAt(lt + 2) === 0x5b /* [ */) {
        let k = 0;
        while (k < 6 && html.charCodeAt(lt + 3 + k) === 'CDATA['.charCodeAt(k)) k++;
        if (k === 6) {
          const close = s.indexOf(']]>', lt + 9);
          end = close < 0 ? -1 : close + 3;
        } else {
          const close = s.indexOf('>', lt + 3 + k);
          end = close < 0 ? -1 : close + 1;
        }
      } else {
        // A declaration, or `<!-x…`: its first character is taken, then up to the next `>`.
        const close = s.indexOf('>', s.charCodeAt(lt + 2) === 0x2d ? lt + 4 : lt + 3);
        end = close < 0 ? -1 : close + 1;
      }
      if (end < 0) break;
      i = end;
      continue;
    }
    if (c === 0x3f /* ? */) {
      const close = s.indexOf('>', lt + 2);
      if (close < 0) break;
      i = close + 1;
      continue;
    }
    if (c === SLASH) {
      let k = lt + 2;
      while (k < n && isWhite(s.charCodeAt(k))) k++;
      if (k >= n) break;
      if (s.charCodeAt(k) === GT) {
        i = k + 1;
        continue;
      }
      if (!isAlpha(s.charCodeAt(k))) {
        const close = s.indexOf('>', k);
        if (close < 0) break;
        i = close + 1;
        continue;
      }
      let e = k;
      while (e < n && s.charCodeAt(e) !== GT && !isWhite(s.charCodeAt(e))) e++;
      // A name running to the end of the text closes nothing.
      if (e >= n) break;
      const name = html.slice(k, e).toLowerCase();
      if (FOREIGN.has(name) || INTEGRATION.has(name)) foreign.pop();
      if (!VOID.has(name)) {
        const at = open.lastIndexOf(name);
        if (at >= 0) open.length = at;
        // `</p>` with no paragraph open stands for an empty one.
        else if (name === 'p') deepest = Math.max(deepest, open.length + 1);
      } else if (name === 'br') deepest = Math.max(deepest, open.length + 1);
      const close = s.indexOf('>', e);
      if (close < 0) break;
      i = close + 1;
      continue;
    }
    if (!isAlpha(c)) {
      i = lt + 1;
      continue;
    }
    let e = lt + 1;
    while (e < n && s.charCodeAt(e) !== GT && s.charCodeAt(e) !== SLASH && !isWhite(s.charCodeAt(e))) e++;
    const name = html.slice(lt + 1, e).toLowerCase();
    const closes = CLOSED_BY.get(name);
    if (closes) while (open.length > 0 && closes.includes(open[open.length - 1] as string)) open.pop();
    if (VOID.has(name)) deepest = Math.max(deepest, open.length + 1);
    else {
      open.push(name);
      if (FOREIGN.has(name)) foreign.push(true);
      else if (INTEGRATION.has(name)) foreign.push(false);
      deepest = Math.max(deepest, open.length);
    }
    if (deepest > max) return deepest;
    const tag = startTagEnd(s, e);
    // In SVG and MathML `<x/>` ends the element it opens.
    if (tag.selfClosing && foreign[foreign.length - 1] === true && open[open.length - 1] === name) open.pop();
    i = tag.end;
    if (RAW_TEXT.has(s.slice(lt + 1, e)) && !tag.selfClosing && tag.end <= n) {
      // Raw text, up to `</name` followed by `>` or white space.
      const endTag = `</${s.slice(lt + 1, e)}`;
      let close = s.indexOf(endTag, i);
      while (close >= 0 && !isEndOfName(s, close + endTag.length)) close = s.indexOf(endTag, close + 1);
      if (close < 0) break;
      i = close;
    }
  }
  return deepest;
};

const isEndOfName = (s: string, at: number) =>
  at < s.length && (s.charCodeAt(at) === GT || isWhite(s.charCodeAt(at)));

/** Turns one HTML fragment into text; see the module comment. */
export type HtmlToText = (html: string, what: string) => Result<string, ArticleError>;

const isBlock = (node: HtmlNode) => node.nodeType === ELEMENT && BLOCKS.has(node.localName ?? '');

/**
 * The text of a parsed fragment: text nodes with their white space folded, a blank line
 * around each block element, a line break for each `<br>`, a space between table cells. The
 * walk follows sibling and parent links, so it needs no stack however the tree is shaped.
 */
const textOfTree = (root: HtmlNode): string => {
  const out: string[] = [];
  let node: HtmlNode | null = root.firstChild;
  while (node) {
    let inside = false;
    if (node.nodeType === TEXT) out.push((node.data ?? '').replace(/\s+/g, ' '));
    else if (node.nodeType === ELEMENT) {
      const tag = node.localName ?? '';
      if (tag === 'br') out.push('\n');
      else if (tag === 'td' || tag === 'th') out.push(' ');
      else if (BLOCKS.has(tag)) out.push('\n\n');
      inside = !SKIPPED.has(tag) && node.firstChild !== null;
    }
    if (inside) {
      node = node.firstChild;
      continue;
    }
    // Done with this node: on to its next sibling, or up, ending each block left.
    for (;;) {
      if (isBlock(node)) out.push('\n\n');
      if (node.nextSibling) {
        node = node.nextSibling;
        break;
      }
      node = node.parentNode;
      if (!node || node === root) {
        node = null;
        break;
      }
    }
  }
  return clean(out.join(''));
};

let loading: Promise<HtmlToText> | undefined;

/** The HTML reader, loading the parser the first time one is needed. */
export const loadHtmlToText = (): Promise<HtmlToText> =>
  (loading ??= import('linkedom').then(({ parseHTML }) => {
    const { document } = parseHTML('<!doctype html><html><head></head><body></body></html>') as unknown as {
      document: HtmlDocument;
    };
    return (html: string, what: string): Result<string, ArticleError> => {
      // Control characters go first: the tokenizer would read some of them as `<` or `/`.
      const markup = clean(html);
      if (markup.indexOf('<') === -1 && markup.indexOf('&') === -1) return ok(markup);
      if (htmlDepth(markup, MAX_HTML_DEPTH) > MAX_HTML_DEPTH)
        return articleError(
          'InvalidArticle',
          `the HTML of ${what} nests elements more than ${MAX_HTML_DEPTH} levels deep; no article needs that many`,
        );
      const container = document.createElement('div');
      try {
        container.innerHTML = markup;
      } catch (e) {
        return articleError(
          'InvalidArticle',
          `the HTML of ${what} could not be read: ${(e as Error).message}`,
        );
      }
      return ok(textOfTree(container));
    };
  }));
