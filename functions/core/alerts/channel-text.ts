/**
 * Text and links from articles made safe and short for each channel an alert goes to:
 * the JSON document, plain-text email (and its subject, also the ASCII one SNS needs), Slack
 * mrkdwn, Discord markdown and Microsoft Teams Adaptive Cards. Article text is data from
 * anyone: it must never ping a channel, form a link or formatting of its own, break a
 * parser with half a character, or grow a message past a vendor's limit. Every composer
 * takes article text through this module.
 */
import { cutGraphemes, graphemesOf } from '../graphemes.ts';

/**
 * Longest text kept of each field that reaches an alert, in UTF-16 code units (so also in
 * code points and graphemes). Together with the counts below they bound the size of every
 * alert message whatever the article holds (see sns-budget.ts).
 */
export const FIELD_LIMITS = {
  title: 300,
  author: 200,
  source: 200,
  topicName: 200,
  /** s3://bucket/key (S3 keys are at most 1024 bytes) or a local path. */
  location: 1100,
  url: 2048,
  snippet: 300,
  term: 100,
  termList: 64,
  stageFeature: 100,
  storySource: 200,
  /** An item's name in a file holding several articles (ids are at most 120 characters). */
  item: 130,
} as const;

/** Most items kept of each list that reaches an alert. */
export const LIST_LIMITS = {
  terms: 50,
  /** Country codes are checked against ^[A-Z]{2}$; the world has fewer than 250. */
  countries: 250,
  storySources: 20,
  stageTop: 10,
} as const;

/** A cluster longer than this (UTF-16 units) is stacked marks, not writing: cut to its base. */
const MAX_CLUSTER = 32;
/** What is kept of such a cluster. */
const CUT_CLUSTER = 8;

// Controls other than white space, and lone surrogates (half a character), are dropped.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]|\p{Cs}/gu;
// White-space controls and separators become one space.
const SPACE = /[\t\n\v\f\r\u0085\u2028\u2029\s]+/g;
/**
 * Characters that change how the text around them is shown without being seen: bidi
 * embeddings, overrides and isolates (U+202E turns "cod.exe" into "exe.doc"), zero-width
 * spaces, invisible operators, byte-order marks, interlinear annotations, noncharacters.
 * ZWJ and ZWNJ stay: emoji sequences and several scripts need them.
 */
const INVISIBLE = /[\u180e\u200b\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff]/g;

const capClusters = (text: string): string => {
  // Only text with a run of non-ASCII characters can hold a long cluster.
  if (!/[^\x20-\x7e]{8}/.test(text)) return text;
  let out = '';
  for (const g of graphemesOf(text)) {
    if (g.length <= MAX_CLUSTER) out += g;
    else {
      let kept = '';
      for (const cp of g) {
        if (kept.length + cp.length > CUT_CLUSTER) break;
        kept += cp;
      }
      out += kept;
    }
  }
  return out;
};

/**
 * One line of article text, clean: well-formed (no lone surrogates), NFC, without control
 * or invisible characters, white space folded to single spaces, stacks of combining marks
 * cut. Leading and trailing spaces are kept (see {@link cleanLine}).
 */
export const cleanInline = (text: string): string =>
  capClusters(text.replace(CONTROL, '').replace(INVISIBLE, '').normalize('NFC').replace(SPACE, ' '));

/** {@link cleanInline}, trimmed. */
export const cleanLine = (text: string): string => cleanInline(text).trim();

/**
 * A field for any channel: cleaned and at most `max` UTF-16 units, cut at a grapheme with
 * an ellipsis. Huge input is cut before it is cleaned, so the work stays proportional to `max`.
 */
export const plainText = (text: string, max: number): string => {
  const limit = max * 2 + 64;
  if (text.length <= limit) return cutGraphemes(cleanLine(text), max);
  // Cut the head before its last (maybe partial) cluster, and show that it was cut.
  const head = graphemesOf(text.slice(0, limit)).slice(0, -1).join('');
  return cutGraphemes(`${cleanLine(head)}…`, max);
};

/** A run of snippet text, marked when it is a match. */
export interface TextRun {
  text: string;
  marked: boolean;
}

/**
 * The runs of a snippet whose matches are marked **like this**. The snippet producer turns
 * every asterisk of the article into U+2217, so each `**` is a marker; text outside and
 * inside the markers is cleaned like any field.
 */
export const snippetRuns = (snippet: string): TextRun[] => {
  const parts = snippet.split('**');
  // An odd number of markers (an old stored snippet) leaves its last run unmarked.
  const runs = parts.map((text, i) => ({
    text: cleanInline(text),
    marked: i % 2 === 1 && i < parts.length - 1,
  }));
  if (parts.length % 2 === 0) (runs.at(-1) as TextRun).marked = false;
  const first = runs[0];
  if (first) first.text = first.text.trimStart();
  const last = runs.at(-1);
  if (last) last.text = last.text.trimEnd();
  return runs.filter((r) => r.text !== '');
};

/**
 * Renders one grapheme for a channel, knowing the grapheme before it and the text after it
 * (a few graphemes; '' at the ends).
 */
type Escape = (g: string, before: string, ahead: string) => string;

const asIs: Escape = (g) => g;

/**
 * Runs escaped grapheme by grapheme for a channel and cut to `max` UTF-16 units in all, each
 * marked run costing `markCost` more (its markers). An escape is never split; a cut ends
 * with an unmarked "…" run.
 */
export const fitRuns = (
  runs: readonly TextRun[],
  max: number,
  escape: Escape = asIs,
  markCost = 0,
): TextRun[] => {
  const flat = runs.flatMap((r, ri) => graphemesOf(r.text).map((g) => ({ g, ri })));
  const rendered = flat.map(({ g, ri }, i) => ({
    text: escape(
      g,
      flat[i - 1]?.g ?? '',
      flat
        .slice(i + 1, i + 10)
        .map((x) => x.g)
        .join(''),
    ),
    ri,
  }));
  const cost = (n: number) => {
    let len = 0;
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const r = rendered[i] as { text: string; ri: number };
      len += r.text.length;
      if (!seen.has(r.ri)) {
        seen.add(r.ri);
        if ((runs[r.ri] as TextRun).marked) len += markCost;
      }
    }
    return len;
  };
  let n = rendered.length;
  let cut = false;
  if (cost(n) > max) {
    cut = true;
    // Longest prefix that leaves room for the ellipsis (one unit).
    let [lo, hi] = [0, n];
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (cost(mid) + 1 <= max) lo = mid;
      else hi = mid - 1;
    }
    n = lo;
  }
  const grouped: Array<{ text: string; ri: number }> = [];
  for (const { text, ri } of rendered.slice(0, n)) {
    const last = grouped.at(-1);
    if (last && last.ri === ri) last.text += text;
    else grouped.push({ text, ri });
  }
  const clean = grouped.map(({ text, ri }) => ({ text, marked: (runs[ri] as TextRun).marked }));
  if (cut) {
    const tail = clean.at(-1);
    if (tail && !tail.marked) tail.text = tail.text.trimEnd();
    if (max >= 1) clean.push({ text: '…', marked: false });
  }
  return clean.filter((r) => r.text !== '');
};

const fitText = (text: string, max: number, escape: Escape): string =>
  fitRuns([{ text, marked: false }], max, escape)
    .map((r) => r.text)
    .join('');

// ---- Slack (mrkdwn) -------------------------------------------------------------------

const SLACK_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** Look-alikes of mrkdwn's formatting characters (bold, italic, strike, code). */
const SLACK_LOOKALIKES: Record<string, string> = { '*': '∗', _: 'ˍ', '~': '∼', '`': 'ˋ' };
const isWordChar = (g: string) => /^[\p{L}\p{N}]/u.test(g);

/**
 * Slack's rules: `&`, `<` and `>` become `&amp;`, `&lt;`, `&gt;`, so no `<!channel>`,
 * `<@U…>`, `<#C…>` or `<https://…|label>` can form. Slack has no escape for `*`, `_`, `~`
 * and `` ` ``; where one could open or close formatting (next to anything but a letter or
 * digit) it is replaced by a look-alike that formats nothing.
 */
const slackEscape: Escape = (g, before, ahead) => {
  const entity = SLACK_ENTITIES[g];
  if (entity) return entity;
  const look = SLACK_LOOKALIKES[g];
  if (look && !(isWordChar(before) && isWordChar(ahead))) return look;
  // "@channel", "@here" and "@everyone" as words: a zero-width space keeps them words.
  if (g === '@' && /^(channel|here|everyone)\b/i.test(ahead)) return '@\u200b';
  return g;
};

/** Slack text objects' documented limits (Block Kit reference). */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  contextText: 3000,
  /** Top-level `text` (notification and fallback): Slack truncates past 40,000. */
  messageText: 3000,
  blocks: 50,
  contextElements: 10,
} as const;

/** Article text for a Slack mrkdwn text object, escaped, at most `max` units. */
export const slackMrkdwn = (text: string, max: number): string =>
  fitText(plainText(text, max), max, slackEscape);

/** Article text for a Slack plain_text object (nothing is parsed there), at most `max` units. */
export const slackPlain = (text: string, max: number): string => plainText(text, max);

/** A snippet for Slack mrkdwn: matches in *bold*, at most `max` units. */
export const slackSnippet = (snippet: string, max: number): string =>
  fitRuns(snippetRuns(snippet), max, slackEscape, 2)
    .map((r) => (r.marked ? `*${r.text}*` : r.text))
    .join('');

/** A link in mrkdwn: the URL must be normalised (see {@link normaliseUrl}); the label is escaped. */
export const slackLink = (url: string, label: string): string =>
  `<${url.replace(/&/g, '&amp;')}|${fitText(plainText(label, 200), 200, slackEscape)}>`;

// ---- Discord (markdown) ---------------------------------------------------------------

/** Discord's documented message and embed limits. */
export const DISCORD_LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  footerText: 2048,
  authorName: 256,
  /** Title, description, field names and values, footer and author name of all embeds together. */
  embedTotal: 6000,
} as const;

// Markdown Discord reads anywhere in a line (bold, italic, underline, strike, spoiler, code,
// masked links, mentions, emoji and timestamps in <…>); a backslash shows the character as it is.
const DISCORD_SPECIAL = new Set(['\\', '*', '_', '~', '`', '|', '<', '>', '[', ']', '(', ')']);
// Read only at the start of a line: headings, lists, block quotes.
const DISCORD_LINE_START = new Set(['#', '-', '+', '>']);

const discordEscape: Escape = (g, before, ahead) => {
  if (DISCORD_SPECIAL.has(g) || (before === '' && DISCORD_LINE_START.has(g))) return `\\${g}`;
  if (g === '@' && /^(everyone|here)\b/i.test(ahead)) return '@\u200b';
  // "https://" written out: no link preview of an address the article chose.
  if (g === ':' && ahead.startsWith('//')) return '\\:';
  return g;
};

/** Article text for Discord content, embed titles, descriptions or fields, at most `max` units. */
export const discordText = (text: string, max: number): string =>
  fitText(plainText(text, max), max, discordEscape);

/** A snippet for Discord: matches in **bold**, at most `max` units. */
export const discordSnippet = (snippet: string, max: number): string =>
  fitRuns(snippetRuns(snippet), max, discordEscape, 4)
    .map((r) => (r.marked ? `**${r.text}**` : r.text))
    .join('');

/** Nobody is pinged by a message, whatever its text says (`@everyone`, roles, users). */
export const DISCORD_NO_MENTIONS = { parse: [] as string[] };

// ---- Microsoft Teams (Adaptive Cards) -------------------------------------------------

/**
 * Adaptive Card TextBlock markdown (bold, italic, lists, `[label](url)` links): a backslash
 * before each character it reads keeps it literal; a line that starts like a list item
 * (`-`, `*`, `+`, `1.`) gets its marker escaped too.
 */
const TEAMS_SPECIAL = new Set(['\\', '*', '_', '[', ']', '(', ')', '<', '>', '`', '~', '#', '|', '!']);
const teamsEscape: Escape = (g, before, ahead) => {
  if (TEAMS_SPECIAL.has(g) || (before === '' && (g === '-' || g === '+'))) return `\\${g}`;
  if (g === '.' && /^\d$/.test(before) && ahead.startsWith(' ')) return '\\.';
  if (g === ':' && ahead.startsWith('//')) return '\\:';
  return g;
};

/** Article text for an Adaptive Card TextBlock (markdown), at most `max` units. */
export const teamsMarkdown = (text: string, max: number): string =>
  fitText(plainText(text, max), max, teamsEscape);

/**
 * Article text for an Adaptive Card TextRun, which renders no markdown at all (the card
 * schema, RichTextBlock): cleaned and cut, nothing to escape.
 */
export const teamsRunText = (text: string, max: number): string => plainText(text, max);

/** A snippet as TextRuns, matches highlighted, at most `max` units of text. */
export const teamsSnippetRuns = (snippet: string, max: number): TextRun[] =>
  fitRuns(snippetRuns(snippet), max);

// ---- plain text and email --------------------------------------------------------------

/** A snippet as plain text: matches marked *like this*, at most `max` units. */
export const plainSnippet = (snippet: string, max: number, mark = '*'): string =>
  fitRuns(snippetRuns(snippet), max, asIs, mark.length * 2)
    .map((r) => (r.marked ? `${mark}${r.text}${mark}` : r.text))
    .join('');

/** Longest email subject: phones show about 60 characters; SNS allows under 100. */
export const SUBJECT_LENGTH = 90;

/**
 * A UTF-8 email subject: one line of clean text in any script, at most {@link SUBJECT_LENGTH}
 * units, cut at a word where there are words (mail programs encode it as RFC 2047 words).
 */
export const emailSubject = (text: string): string => {
  const line = plainText(text, 4 * SUBJECT_LENGTH);
  if (line.length <= SUBJECT_LENGTH) return line;
  const cut = cutGraphemes(line, SUBJECT_LENGTH);
  const space = cut.lastIndexOf(' ');
  return space > SUBJECT_LENGTH / 2 ? `${cut.slice(0, space).replace(/[\s,;:.-]+$/, '')}…` : cut;
};

const ASCII_FOR: Record<string, string> = {
  '…': '...',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '–': '-',
  '—': '-',
  '−': '-',
  '∗': '*',
  ß: 'ss',
  æ: 'ae',
  Æ: 'AE',
  ø: 'o',
  Ø: 'O',
  œ: 'oe',
  Œ: 'OE',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'Th',
  ı: 'i',
};

/** Text made ASCII: accents dropped ("Über" → "Uber"), typographic punctuation made plain, the rest left out. */
const toAscii = (text: string): string =>
  cleanLine(text)
    .replace(/[…‘’“”–—−∗ßæÆøØœŒłŁđĐðÐþÞı]/g, (c) => ASCII_FOR[c] ?? '')
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();

/**
 * Text in ASCII when no letter or digit is lost on the way ("Łódź" → "Lodz"), otherwise
 * undefined: "新聞 Seoul" would become a misleading "Seoul".
 */
export const asciiIfReadable = (text: string): string | undefined => {
  const folded = cleanLine(text)
    .replace(/[ßæÆøØœŒłŁđĐðÐþÞı]/g, (c) => ASCII_FOR[c] ?? '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');
  return /[^\p{ASCII}]/u.test(folded.replace(/[^\p{L}\p{N}]/gu, '')) ? undefined : toAscii(text);
};

/**
 * An SNS email subject: SNS accepts only printable ASCII, no line breaks or control
 * characters, under 100 characters. Made ASCII, then cut at a word boundary with "...".
 */
export const snsSubject = (text: string, max = SUBJECT_LENGTH): string => {
  const ascii = toAscii(text);
  if (ascii.length <= max) return ascii;
  const room = ascii.slice(0, max - 3);
  const space = room.lastIndexOf(' ');
  return `${(space > max / 2 ? room.slice(0, space) : room).replace(/[\s,;:.-]+$/, '')}...`;
};

/**
 * The SNS subject of an alert: `[newswatch…] <topic>: <title>` in ASCII. A topic name that
 * cannot be written in ASCII is given by its id (always ASCII); a title that cannot is
 * replaced by "(title in message)": the message itself carries the full UTF-8 title.
 */
export const snsAlertSubject = (
  prefix: string,
  topic: { id: string; name: string },
  title: string,
): string => {
  const name = asciiIfReadable(topic.name) || topic.id;
  const readable = asciiIfReadable(title);
  return snsSubject(`${prefix} ${name}: ${readable || '(title in message)'}`);
};

// ---- links -------------------------------------------------------------------------------

/** A link an alert may carry, or why it carries none. */
export type NormalisedUrl = { ok: true; url: string } | { ok: false; reason: string };

// RFC 3986 pchar (unreserved, sub-delims, ":" and "@") and "/" and "?"; "%" only before two hex digits.
const PATH_CHARS = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;
const encodeUtf8 = (c: string) =>
  Array.from(new TextEncoder().encode(c), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(
    '',
  );
const encodePart = (part: string, extra: RegExp): string => {
  let out = '';
  for (let i = 0; i < part.length;) {
    const cp = part.codePointAt(i) as number;
    const c = String.fromCodePoint(cp);
    i += c.length;
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(part.slice(i, i + 2))) out += c;
    else if (PATH_CHARS.test(c) || extra.test(c)) out += c;
    else out += encodeUtf8(c);
  }
  return out;
};

/**
 * An article's URL as a valid RFC 3986 URI: parsed the WHATWG way (as browsers do: host
 * lower-cased and in punycode, dot segments resolved), then every character RFC 3986 does
 * not allow in its part percent-encoded as UTF-8 (spaces, non-ASCII, `<>|\^`{}"`, a stray
 * `%`, a second `#`). Only http and https are kept, and never with a user name or password
 * (`https://who.int@evil.example/` goes to evil.example).
 */
export const normaliseUrl = (raw: string): NormalisedUrl => {
  const text = raw.replace(CONTROL, '').replace(INVISIBLE, '').trim();
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return { ok: false, reason: `${u.protocol.replace(/:$/, '')} links are not sent, only http and https` };
  }
  if (u.username || u.password) return { ok: false, reason: 'the URL holds a user name or password' };
  const path = encodePart(u.pathname, /(?!)/);
  const query = u.search ? `?${encodePart(u.search.slice(1), /\?/)}` : '';
  const fragment = u.hash ? `#${encodePart(u.hash.slice(1), /\?/)}` : '';
  const url = `${u.protocol}//${u.host}${path}${query}${fragment}`;
  if (url.length > FIELD_LIMITS.url) {
    return { ok: false, reason: `the URL is longer than ${FIELD_LIMITS.url} characters` };
  }
  return { ok: true, url };
};
