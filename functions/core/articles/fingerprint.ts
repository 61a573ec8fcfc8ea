import { createHash } from 'node:crypto';

/**
 * Text used to decide whether two files carry the same article: case folded, typographic
 * quotes and dashes made plain, white space folded. Changing this changes every article id.
 */
export const canonicalText = (paragraphs: readonly string[]): string =>
  paragraphs
    .join('\n')
    .toLowerCase()
    .replace(/[‘’‚‛′]/g, "'")
    .replace(/[“”„‟″]/g, '"')
    .replace(/[‐‑‒–—―]/g, '-')
    .replace(/…/g, '...')
    .replace(/[ \t\u00a0]{2,}|[\t\u00a0]/g, ' ');

/** Article id: the first 128 bits of SHA-256 over the canonical text, as 32 hex characters. */
export const articleIdFor = (paragraphs: readonly string[]): string =>
  createHash('sha256').update(canonicalText(paragraphs)).digest('hex').slice(0, 32);

/** SHA-256 (hex) of raw bytes. */
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
