import { hash } from 'node:crypto';

/** Typographic quotes, dashes and the ellipsis, and what canonical text writes for them. */
const PLAIN_FORMS: Record<string, string> = {
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

/** SHA-256 (hex) of raw bytes. */
export const sha256Hex = (bytes: Uint8Array): string => hash('sha256', bytes, 'hex');
