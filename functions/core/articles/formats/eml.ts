/**
 * Mail (RFC 5322 messages, `.eml`): a newsletter or a press release forwarded into the
 * bucket. postal-mime reads the MIME structure, the transfer encodings and the charsets, so
 * the reader is given the raw bytes. The subject is the title, the Date header the date, the
 * sender the author; the text is the message's own plain-text part, or else (or when that
 * part only points to the HTML one) its HTML part, read into paragraphs as a page is.
 *
 * A newsletter carrying several stories is stored as one article. Where one story ends and
 * the next begins is a matter of each sender's layout, not of the mail format; as one article
 * every story's words are still matched, and an alert points at the whole message.
 */
import { type ArticleError, articleError, ok, type Result } from '../article.ts';
import { countWords, foldSpace } from '../body.ts';
import { newsDay } from '../dates.ts';
import { cleanLine, cleanText, languageTag, MIN_ARTICLE_WORDS, reasonOf } from './document-text.ts';
import type { ArticleDraft, ArticleFormatReader, FileHead, FormatReading } from './format.ts';
import { type HtmlNode, htmlBlocks, loadHtmlParser, parseHtmlDocument } from './html.ts';

/** Header names only mail carries; a file whose headers include one of them is a message. */
const MAIL_HEADERS = new Set([
  'from',
  'received',
  'return-path',
  'mime-version',
  'message-id',
  'delivered-to',
  'dkim-signature',
  'arc-seal',
  'authentication-results',
]);

/**
 * Whether the head is a block of mail headers: every line from the first is a header
 * (`Name: value`) or the continuation of one, up to the blank line or the end of the head,
 * with at least two headers and one that only mail has. A text article's `Date:` line is
 * one header and not a mail one.
 */
export const looksLikeMail = (head: FileHead): boolean => {
  const lines = head.text.split(/\r?\n/);
  // The head may end inside a line; that line says nothing.
  if (head.bytes.length >= 1024) lines.pop();
  let headers = 0;
  let mailHeader = false;
  for (const [i, line] of lines.entries()) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && i > 0) continue;
    const name = /^([A-Za-z][A-Za-z0-9-]*):/.exec(line)?.[1]?.toLowerCase();
    if (name === undefined) return false;
    headers++;
    if (MAIL_HEADERS.has(name)) mailHeader = true;
  }
  return headers >= 2 && mailHeader;
};

/** Lines newsletters put around their text: a link to the web copy, a way to unsubscribe. */
const MAIL_FURNITURE = [
  /^(?:view|read|open|see) (?:this|it|the)(?: (?:e-?mail|newsletter|message))? (?:in|on) (?:your|a|the) (?:web )?browser\b/i,
  /^having trouble (?:viewing|reading)\b/i,
  /\bunsubscribe\b/i,
  /^(?:manage|update) (?:your )?(?:email )?(?:preferences|subscription)\b/i,
  /^you (?:are )?receiv(?:e|ed|ing) this (?:email|message|newsletter)\b/i,
  /^forward(?:ed)? to a friend\b/i,
];
/** A paragraph longer than this is part of the message, whatever words it holds. */
const MAX_FURNITURE_LENGTH = 200;
const isFurniture = (p: string) =>
  p.length <= MAX_FURNITURE_LENGTH && MAIL_FURNITURE.some((re) => re.test(p));

/** The paragraphs without the newsletter furniture before the first and after the last real one. */
const withoutFurniture = (paragraphs: string[]): string[] => {
  let start = 0;
  let end = paragraphs.length;
  while (start < end && isFurniture(paragraphs[start] as string)) start++;
  while (end > start && isFurniture(paragraphs[end - 1] as string)) end--;
  return paragraphs.slice(start, end);
};

/** The paragraphs of an HTML mail body: all of it, since a newsletter's stories sit side by side. */
const htmlParagraphs = async (html: string): Promise<string[]> => {
  const document = parseHtmlDocument(await loadHtmlParser(), html);
  return htmlBlocks(document.body as HtmlNode).map((b) => b.text);
};

/**
 * Whether the message has a plain-text part of its own. postal-mime renders a missing
 * plain-text part from the HTML one, so its `text` does not say; the headers do.
 */
const hasPlainTextPart = (raw: string, topContentType: string | undefined): boolean =>
  topContentType === undefined ||
  /^text\/plain\b/i.test(topContentType.trim()) ||
  /^content-type:[ \t]*text\/plain\b/im.test(raw);

type Mailbox = { name?: string; address?: string; group?: Mailbox[] };
const senderName = (from: Mailbox | undefined): string | undefined => {
  const box = from?.group ? from.group[0] : from;
  return cleanLine(box?.name) ?? cleanLine(box?.address);
};

/** Reads a mail message into an article draft, or says why it holds none. */
export const readMail = async (bytes: Uint8Array): Promise<Result<ArticleDraft, ArticleError>> => {
  const { default: PostalMime } = await import('postal-mime');
  let mail;
  try {
    mail = await PostalMime.parse(bytes, { maxNestingDepth: 32, maxRfc822NestingDepth: 2 });
  } catch (e) {
    return articleError('InvalidArticle', `the mail message cannot be read: ${reasonOf(e)}`);
  }
  const header = (name: string) => mail.headers.find((h) => h.key === name)?.value;
  // The headers and MIME part headers are ASCII; decoding as Latin-1 keeps byte offsets honest.
  const raw = new TextDecoder('latin1').decode(bytes.subarray(0, 1024 * 1024));
  const plain = mail.text !== undefined && hasPlainTextPart(raw, header('content-type'));
  let paragraphs = plain
    ? withoutFurniture(
        cleanText(mail.text ?? '')
          .split(/\n[ \t\u00a0]*\n/)
          .map(foldSpace)
          .filter((p) => p !== ''),
      )
    : [];
  // A plain-text part that only says to open the HTML one ("This newsletter needs HTML").
  if (countWords(paragraphs) < MIN_ARTICLE_WORDS && mail.html !== undefined)
    paragraphs = withoutFurniture(await htmlParagraphs(mail.html));
  const words = countWords(paragraphs);
  if (words < MIN_ARTICLE_WORDS) {
    const attached = mail.attachments.length;
    return articleError(
      'NoBody',
      `the mail message has no article text (${words} word${words === 1 ? '' : 's'} in its body${
        attached > 0 ? `, ${attached} attachment${attached === 1 ? '' : 's'} not read` : ''
      }); send the article itself`,
    );
  }

  const draft: ArticleDraft = { body: paragraphs };
  const subject = cleanLine(mail.subject)?.replace(/^(?:(?:fwd?|re|tr|wg|aw):\s*)+/i, '');
  if (subject) draft.title = subject;
  // The Date header as written: its own day, not the day in UTC.
  const dateHeader = header('date');
  const day = dateHeader === undefined ? undefined : newsDay(dateHeader);
  if (day !== undefined) draft.date = day;
  const author = senderName(mail.from);
  if (author !== undefined) draft.author = author;
  // A mailing list names itself in List-Id: `Daily Brief <brief.news.example>`.
  const list = cleanLine(
    header('list-id')
      ?.replace(/<[^<>]*>/g, '')
      .replace(/^"|"$/g, ''),
  );
  if (list !== undefined) draft.source = list;
  const language = languageTag(header('content-language')?.split(',')[0]);
  if (language !== undefined) draft.language = language;
  return ok(draft);
};

/** The mail format: `.eml` files, or files that start with a block of mail headers. */
export const emlFormat: ArticleFormatReader = {
  name: 'eml',
  input: 'binary',
  recognises: (head) => /\.eml$/i.test(head.key) || looksLikeMail(head),
  read: async ({ bytes }): Promise<FormatReading> => {
    const draft = await readMail(bytes);
    return draft.ok ? { kind: 'article', draft: draft.value } : { kind: 'error', error: draft.error };
  },
};
