import { tokenize } from '../topics/analysis/registry.ts';

/**
 * Near-duplicate fingerprints: MinHash over word shingles, with LSH banding for lookup.
 *
 * - Shingles: every run of {@link SHINGLE_WORDS} consecutive words of the body, words folded
 *   (case and accents) but not stemmed; the headline is left out, so a changed headline does
 *   not make another story.
 * - Signature: {@link SIGNATURE_SIZE} 32-bit minimum hashes. The share of equal positions in two
 *   signatures estimates the Jaccard similarity of their shingle sets (±0.06 at 64 hashes).
 * - Bands: the signature cut into {@link BANDS} bands of {@link ROWS} values; two articles that
 *   share any band become candidates (probability 1 − (1 − J⁴)¹⁶: 0.99 at J = 0.7, 0.64 at
 *   0.5, 0.12 at 0.3), and a candidate is the same story when its estimated similarity is at
 *   least {@link NEAR_DUPLICATE_THRESHOLD}. Lookup reads one index entry per band, whatever
 *   the number of stored articles.
 */

/**
 * Changes whenever shingling, hashing, banding or the way the band index is stored changes:
 * fingerprints of two versions never meet. `m2`: one index item per band key listing its
 * articles (`m1` had one item per band key and article).
 */
export const FINGERPRINT_VERSION = 'm2';
export const SHINGLE_WORDS = 3;
export const SIGNATURE_SIZE = 64;
export const BANDS = 16;
export const ROWS = SIGNATURE_SIZE / BANDS;
/** Estimated Jaccard similarity from which two articles tell the same story. */
export const NEAR_DUPLICATE_THRESHOLD = 0.5;

/** FNV-1a over the UTF-16 code units of a string: a fast, well-spread 32-bit hash. */
const fnv1a = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
};

/** MurmurHash3's finaliser: mixes every input bit into every output bit. */
const mix32 = (x: number): number => {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** One seed per signature position, fixed (splitmix32 from a constant) so fingerprints are stable. */
const SEEDS: Uint32Array = (() => {
  const seeds = new Uint32Array(SIGNATURE_SIZE);
  let state = 0x9e3779b9;
  for (let i = 0; i < SIGNATURE_SIZE; i++) {
    state = (state + 0x9e3779b9) >>> 0;
    seeds[i] = mix32(state ^ (state >>> 15));
  }
  return seeds;
})();

/** The shingle hashes of a body text (distinct). */
export const shingleHashes = (body: string): Set<number> => {
  const words = tokenize(body).map((t) => t.folded);
  const hashes = new Set<number>();
  if (words.length === 0) return hashes;
  const k = Math.min(SHINGLE_WORDS, words.length);
  for (let i = 0; i + k <= words.length; i++) hashes.add(fnv1a(words.slice(i, i + k).join(' ')));
  return hashes;
};

/**
 * Bodies with fewer shingles than this never join a story (nor take others in): in a brief of
 * a sentence or two, a shared footer or sign-off outweighs the text, and unrelated briefs would
 * look alike. They alert as stories of their own.
 */
export const MIN_STORY_SHINGLES = 50;

/** The MinHash signature of a body text; undefined when it has no words. */
export const signatureOf = (body: string): Uint32Array | undefined =>
  signatureOfShingles(shingleHashes(body));

/** The MinHash signature of a set of shingle hashes. */
export const signatureOfShingles = (hashes: ReadonlySet<number>): Uint32Array | undefined => {
  if (hashes.size === 0) return undefined;
  const sig = new Uint32Array(SIGNATURE_SIZE).fill(0xffffffff);
  for (const h of hashes) {
    for (let i = 0; i < SIGNATURE_SIZE; i++) {
      const v = mix32(h ^ (SEEDS[i] as number));
      if (v < (sig[i] as number)) sig[i] = v;
    }
  }
  return sig;
};

/** Estimated Jaccard similarity of the shingle sets behind two signatures (0–1). */
export const similarity = (a: Uint32Array, b: Uint32Array): number => {
  let same = 0;
  for (let i = 0; i < SIGNATURE_SIZE; i++) if (a[i] === b[i]) same++;
  return same / SIGNATURE_SIZE;
};

/** The LSH band keys of a signature: `<version>:<band>:<8 hex digits>`, one per band. */
export const bandKeysOf = (sig: Uint32Array): string[] => {
  const keys: string[] = [];
  for (let b = 0; b < BANDS; b++) {
    let h = 0x811c9dc5 ^ b;
    for (let r = 0; r < ROWS; r++) h = mix32(Math.imul(h, 0x01000193) ^ (sig[b * ROWS + r] as number));
    keys.push(`${FINGERPRINT_VERSION}:${b.toString().padStart(2, '0')}:${h.toString(16).padStart(8, '0')}`);
  }
  return keys;
};

/** A signature as text for storage (base64 of its 256 bytes, little-endian). */
export const encodeSignature = (sig: Uint32Array): string => {
  const bytes = new Uint8Array(SIGNATURE_SIZE * 4);
  const view = new DataView(bytes.buffer);
  sig.forEach((v, i) => view.setUint32(i * 4, v, true));
  return Buffer.from(bytes).toString('base64');
};

/** Reads a stored signature; undefined when it is not one of this version's. */
export const decodeSignature = (text: string): Uint32Array | undefined => {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== SIGNATURE_SIZE * 4) return undefined;
  const sig = new Uint32Array(SIGNATURE_SIZE);
  for (let i = 0; i < SIGNATURE_SIZE; i++) sig[i] = bytes.readUInt32LE(i * 4);
  return sig;
};

/** A stored article that shares a band with a new one. */
export interface StoryCandidate {
  articleId: string;
  storyId: string;
  signature: Uint32Array;
}

/** The story a new article belongs to: the most similar candidate at or above the threshold. */
export const closestStory = (
  sig: Uint32Array,
  candidates: readonly StoryCandidate[],
  threshold = NEAR_DUPLICATE_THRESHOLD,
): { storyId: string; articleId: string; similarity: number } | undefined => {
  let best: { storyId: string; articleId: string; similarity: number } | undefined;
  for (const c of candidates) {
    const s = similarity(sig, c.signature);
    if (s >= threshold && (!best || s > best.similarity)) {
      best = { storyId: c.storyId, articleId: c.articleId, similarity: s };
    }
  }
  return best;
};
