/**
 * Word documents (`.docx`, Office Open XML): an article or a press release as its author
 * wrote it. mammoth turns the document into plain HTML (paragraphs, headings, lists, tables;
 * no images, no styles, no linked files), which is read into paragraphs as a page's article
 * is. The title is the document's own (its core properties), else its first heading; the
 * author and date come from the core properties too.
 *
 * A DOCX is a ZIP archive. Before mammoth unpacks it, its directory is read here and every
 * entry unpacked with the size it declares as a ceiling, so a zip bomb is refused after at
 * most {@link MAX_DOCX_UNPACKED_BYTES} of work. mammoth then builds a tree of every XML
 * element of the parts it reads, and its time and memory grow with their number, so the
 * elements of the XML parts are counted on the way and a document over
 * {@link MAX_DOCX_ELEMENTS} is refused before mammoth starts. A ZIP that holds no Word
 * document is left to the refusal every other archive gets.
 */
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { countWords } from '../body.ts';
import { newsDay } from '../dates.ts';
import { cleanLine, documentTitle, languageTag, MIN_ARTICLE_WORDS, reasonOf } from './document-text.ts';
import type { ArticleDraft, ArticleFormatReader, FileHead, FormatReading } from './format.ts';
import { type HtmlNode, htmlBlocks, loadHtmlParser, parseHtmlDocument } from './html.ts';
import { unpackEntry, ZipError, type ZipEntry, zipEntries } from './zip-entries.ts';

/**
 * Most bytes a Word document may unpack to, all its parts together. The XML of a long
 * feature is one to five megabytes; a document within the file size limit that declares more
 * is a zip bomb, or mostly something other than text.
 */
export const MAX_DOCX_UNPACKED_BYTES = 32 * 1024 * 1024;

/**
 * Most XML elements the parts of a Word document may hold, all together. Word writes ten to
 * twenty elements for a paragraph (its properties, runs, their properties, the text), so the
 * longest article within the text limit, some 1,500 paragraphs, has about 25,000. mammoth
 * takes some 4 s and 150 MiB of heap for 45,000.
 */
export const MAX_DOCX_ELEMENTS = 50_000;

/** The start tags in some XML, counted up to `limit + 1` (`<` before a name; not `</`, `<?`, `<!`). */
export const countXmlElements = (xml: Uint8Array, limit: number): number => {
  let n = 0;
  for (let at = xml.indexOf(0x3c); at >= 0 && n <= limit; at = xml.indexOf(0x3c, at + 1)) {
    const next = xml[at + 1];
    if (next !== 0x2f && next !== 0x3f && next !== 0x21) n++;
  }
  return n;
};

/** The main part of a Word document. */
const DOCUMENT_PART = 'word/document.xml';

/** Word's own Title style becomes a top heading, where mammoth would otherwise make it a paragraph. */
const STYLE_MAP = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => h2:fresh"];

const refuse = (kind: ArticleError['kind'], message: string) => articleError(kind, message);

/** What the package's core properties (`docProps/core.xml`) say, read with linkedom's XML parser. */
const coreProperties = async (xml: string): Promise<Record<string, string>> => {
  const { DOMParser } = await import('linkedom');
  type XmlElement = { tagName: string; textContent: string | null; children: ArrayLike<XmlElement> };
  const root = (
    new DOMParser().parseFromString(xml, 'text/xml') as unknown as { documentElement: XmlElement | null }
  ).documentElement;
  const found: Record<string, string> = {};
  // The properties are the root's children: `dc:title`, `dcterms:created`, whatever the prefixes.
  const children = root?.children ?? [];
  for (let i = 0; i < children.length && i < 100; i++) {
    const el = children[i] as XmlElement;
    const name = el.tagName.split(':').pop()?.toLowerCase() ?? '';
    const text = cleanLine(el.textContent);
    if (text !== undefined && !(name in found)) found[name] = text;
  }
  return found;
};

/** The entries of a DOCX with their sizes checked, or why it is refused. */
const checkedEntries = (bytes: Uint8Array): ZipEntry[] | { error: ArticleError } => {
  let entries: ZipEntry[];
  try {
    entries = zipEntries(bytes);
  } catch (e) {
    return { error: { kind: 'InvalidArticle', message: `the Word document cannot be read: ${reasonOf(e)}` } };
  }
  if (!entries.some((e) => e.name === DOCUMENT_PART))
    return {
      error: {
        kind: 'BinaryFile',
        message: `the file is a ZIP archive holding no Word document (no ${DOCUMENT_PART}), not a text or JSON article`,
      },
    };
  if (entries.some((e) => e.encrypted))
    return {
      error: {
        kind: 'UnsupportedFormat',
        message: 'the Word document is password-protected; send it without a password',
      },
    };
  const declared = entries.reduce((n, e) => n + e.size, 0);
  if (declared > MAX_DOCX_UNPACKED_BYTES)
    return {
      error: {
        kind: 'TooLarge',
        message: `the Word document unpacks to ${declared} bytes, over the ${MAX_DOCX_UNPACKED_BYTES} allowed (a zip bomb, or mostly images); send its text`,
      },
    };
  return entries;
};

/** Reads a Word document into an article draft, or says why it holds no article. */
export const readDocx = async (bytes: Uint8Array): Promise<Result<ArticleDraft, ArticleError>> => {
  const entries = checkedEntries(bytes);
  if ('error' in entries) return { ok: false, error: entries.error };
  let core: Record<string, string> = {};
  let elements = 0;
  try {
    // Every entry is unpacked once here, bounded by its declared size, before mammoth trusts the sizes.
    for (const entry of entries) {
      const data = unpackEntry(bytes, entry);
      if (/\.(?:xml|rels)$/i.test(entry.name)) {
        elements += countXmlElements(data, MAX_DOCX_ELEMENTS - elements);
        if (elements > MAX_DOCX_ELEMENTS)
          return refuse(
            'TooLarge',
            `the Word document holds over ${MAX_DOCX_ELEMENTS} XML elements (the longest article has about half as many; a crafted file?); send its text`,
          );
      }
      if (entry.name === 'docProps/core.xml' && data.length <= 1024 * 1024)
        // Properties that cannot be read leave the title and date to the text.
        core = await coreProperties(new TextDecoder().decode(data)).catch(() => ({}));
    }
  } catch (e) {
    if (e instanceof ZipError)
      return refuse('InvalidArticle', `the Word document cannot be read: ${e.message}`);
    throw e;
  }

  const [{ default: mammoth }, parse] = await Promise.all([import('mammoth'), loadHtmlParser()]);
  let html: string;
  try {
    const converted = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      {
        styleMap: STYLE_MAP,
        externalFileAccess: false,
        // Images are left out unread: an article is its text.
        convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
      },
    );
    html = converted.value;
  } catch (e) {
    return refuse('InvalidArticle', `the Word document cannot be read: ${reasonOf(e)}`);
  }
  const document = parseHtmlDocument(parse, html);
  const blocks = htmlBlocks(document.body as HtmlNode).map((b) => ({
    ...b,
    // mammoth links each footnote back to its mark with an arrow.
    text: b.text.replace(/\s*↑$/u, ''),
  }));

  const heading =
    blocks.find((b) => b.tag === 'H1') ?? (blocks[0]?.tag.startsWith('H') ? blocks[0] : undefined);
  const title = documentTitle(core.title) ?? documentTitle(heading?.text);
  const body = blocks.filter((b) => !(b === heading && b.text === title)).map((b) => b.text);
  const words = countWords(body);
  if (words < MIN_ARTICLE_WORDS)
    return refuse(
      'NoBody',
      `the Word document holds ${words} word${words === 1 ? '' : 's'} of text, fewer than the ${MIN_ARTICLE_WORDS} of an article; send the article itself`,
    );

  const draft: ArticleDraft = { body };
  if (title !== undefined) draft.title = title;
  if (core.creator !== undefined) draft.author = core.creator;
  const date = core.created === undefined ? undefined : newsDay(core.created);
  if (date !== undefined) draft.date = date;
  const language = languageTag(core.language);
  if (language !== undefined) draft.language = language;
  const categories = [core.subject, ...(core.keywords?.split(/[,;]/) ?? [])]
    .map(cleanLine)
    .filter((c): c is string => c !== undefined);
  if (categories.length > 0) draft.categories = categories;
  return ok(draft);
};

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

/**
 * Whether the head is the start of an Office document: a ZIP whose key ends in `.docx`, or
 * whose first entries (in the first KiB) are the package's content types or Word parts. Other
 * ZIP archives are not claimed; `read` also checks for the Word part, in the directory.
 */
const looksLikeDocx = ({ key, bytes }: FileHead): boolean => {
  if (!ZIP_SIGNATURE.every((b, i) => bytes[i] === b)) return false;
  if (/\.docx$/i.test(key)) return true;
  const names = new TextDecoder('latin1').decode(bytes);
  return names.includes('[Content_Types].xml') || names.includes('word/');
};

/** The Word format: ZIP files that are Office packages holding `word/document.xml`. */
export const docxFormat: ArticleFormatReader = {
  name: 'docx',
  input: 'binary',
  recognises: looksLikeDocx,
  read: async ({ bytes }): Promise<FormatReading> => {
    const draft = await readDocx(bytes);
    return draft.ok ? { kind: 'article', draft: draft.value } : { kind: 'error', error: draft.error };
  },
};
