import { Buffer } from 'node:buffer';
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

/** What {@link foldedArticleId} is told about each paragraph (`readParagraphs` finds it). */
export interface ParagraphMarks {
  /** Whether each paragraph holds a typographic quote, dash or ellipsis. */
  typographic: readonly boolean[];
  /** Whether each paragraph is ASCII but for its typographic quotes, dashes and ellipses. */
  ascii: readonly boolean[];
}

/**
 * {@link articleIdFor} of paragraphs whose white space is folded (single spaces between
 * words), given the marks of each (the marks of a paragraph are at its position; more may
 * follow). Each paragraph is case folded on its own, as the line breaks between them end any
 * context the case rules look at; only the marked ones are searched for typographic characters;
 * a canonical text that comes out ASCII is hashed as the bytes it is.
 */
export const foldedArticleId = (paragraphs: readonly string[], marks: ParagraphMarks): string => {
  let ascii = true;
  const lines = paragraphs.map((p, i) => {
    if (marks.ascii[i] !== true) ascii = false;
    const lower = p.toLowerCase();
    return marks.typographic[i] === true ? lower.replace(TYPOGRAPHIC, (m) => PLAIN_FORMS[m] ?? m) : lower;
  });
  const text = lines.join('\n');
  return hash('sha256', ascii ? Buffer.from(text, 'latin1') : text, 'hex').slice(0, 32);
};

/** SHA-256 (hex) of raw bytes. */
export const sha256Hex = (bytes: Uint8Array): string => hash('sha256', bytes, 'hex');
