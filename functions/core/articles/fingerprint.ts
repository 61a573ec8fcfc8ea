import { hash } from 'node:crypto';

/** Typographic quotes, dashes and the ellipsis, and what canonical text writes for them. */
export const PLAIN_FORMS: Readonly<Record<string, string>> = {
  '‘': "'",
  '’': "'",
  '‚': "'",
  '‛': "'",
  '′': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '‟': '"',
  '″': '"',
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '–': '-',
  '—': '-',
  '―': '-',
  '…': '...',
};

// Everything canonical text changes after case folding, found in one pass: a typographic
// character, or a run of spaces, tabs and no-break spaces to fold (one plain space stays).
const TO_CANONICAL = /[‘’‚‛′“”„‟″‐‑‒–—―…]|[ \t\u00a0]{2,}|[\t\u00a0]/g;

/**
 * Text used to decide whether two files carry the same article: case folded, typographic
 * quotes and dashes made plain, white space folded. Changing this changes every article id.
 */
export const canonicalText = (paragraphs: readonly string[]): string =>
  paragraphs
    .join('\n')
    .toLowerCase()
    .replace(TO_CANONICAL, (m) => PLAIN_FORMS[m] ?? ' ');

/** Article id: the first 128 bits of SHA-256 over the canonical text, as 32 hex characters. */
export const articleIdFor = (paragraphs: readonly string[]): string =>
  hash('sha256', canonicalText(paragraphs), 'hex').slice(0, 32);

// What is left for canonical text to change in paragraphs whose white space is folded.
const TYPOGRAPHIC = /[‘’‚‛′“”„‟″‐‑‒–—―…]/g;

/** What {@link foldedArticleId} is told about the paragraphs (`readParagraphs` finds it). */
export interface ParagraphMarks {
  /** Whether each paragraph holds a typographic quote, dash or ellipsis. */
  typographic: readonly boolean[];
  /** Whether each paragraph is ASCII but for its typographic quotes, dashes and ellipses. */
  ascii: readonly boolean[];
  /** The canonical text of the paragraphs as bytes, right up to the first that is not ASCII. */
  canonical: Uint8Array;
  /** Where the canonical line of each paragraph ends in `canonical`. */
  canonicalEnds: readonly number[];
}

/** The canonical text of folded paragraphs, each case folded on its own. */
const foldedCanonicalText = (paragraphs: readonly string[], marks: ParagraphMarks): string =>
  paragraphs
    .map((p, i) => {
      const lower = p.toLowerCase();
      return marks.typographic[i] === true ? lower.replace(TYPOGRAPHIC, (m) => PLAIN_FORMS[m] ?? m) : lower;
    })
    .join('\n');

/**
 * {@link articleIdFor} of paragraphs whose white space is folded (single spaces between
 * words), given the marks of each (the marks of a paragraph are at its position; more may
 * follow). Paragraphs that are all ASCII but for their typographic characters are hashed from
 * the canonical bytes already written. Others are case folded one by one, as the line breaks
 * between them end any context the case rules look at, and only the marked ones are searched
 * for typographic characters.
 */
export const foldedArticleId = (paragraphs: readonly string[], marks: ParagraphMarks): string => {
  let ascii = true;
  for (let i = 0; i < paragraphs.length && ascii; i++) ascii = marks.ascii[i] === true;
  const end = marks.canonicalEnds[paragraphs.length - 1] ?? 0;
  const text = ascii ? marks.canonical.subarray(0, end) : foldedCanonicalText(paragraphs, marks);
  return hash('sha256', text, 'hex').slice(0, 32);
};

/** SHA-256 (hex) of raw bytes. */
export const sha256Hex = (bytes: Uint8Array): string => hash('sha256', bytes, 'hex');
