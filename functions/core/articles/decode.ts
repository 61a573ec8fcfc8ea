import { isUtf8 } from 'node:buffer';
import { type ArticleError, articleError, ok, type Result } from './article.ts';

/** Text decoded from a file, with the encoding that was found. */
export interface DecodedText {
  text: string;
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
}

/** Signatures of binary formats people drop by mistake, so the error can name what the file is. */
const BINARY_SIGNATURES: ReadonlyArray<{ bytes: number[]; name: string }> = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], name: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], name: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], name: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], name: 'a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], name: 'a ZIP archive (or an Office document)' },
  { bytes: [0x1f, 0x8b], name: 'a gzip archive' },
  { bytes: [0x42, 0x5a, 0x68], name: 'a bzip2 archive' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'an xz archive' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], name: 'an executable (ELF)' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], name: 'an old Office document' },
];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean =>
  bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);

/** Line (1-based) of a byte offset, counting LF bytes before it. */
const lineOfByte = (bytes: Uint8Array, offset: number): number => {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
};

/**
 * Offset of the first byte that does not belong to a well-formed UTF-8 sequence
 * (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), or -1.
 * Only called once the fast native check has already said "invalid".
 */
export const firstInvalidUtf8Byte = (bytes: Uint8Array): number => {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = b === 0xe0 ? 0xa0 : 0x80;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = b === 0xf0 ? 0x90 : 0x80;
      if (b === 0xf4) max = 0x8f;
    } else {
      return i;
    }
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      const lo = k === 1 ? min : 0x80;
      const hi = k === 1 ? max : 0xbf;
      if (c === undefined || c < lo || c > hi) return i;
    }
    i += need + 1;
  }
  return -1;
};

// CRLF or a lone CR, or a control character other than tab and LF (and zero-width space, BOM).
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const TO_NORMALISE = /\r\n?|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\ufeff]/g;

/** Replaces CRLF and lone CR with LF, drops control characters other than tab and LF, applies NFC. */
export const normaliseNewlinesAndForm = (text: string): string =>
  text.replace(TO_NORMALISE, (m) => (m.charCodeAt(0) === 13 ? '\n' : '')).normalize('NFC');

/**
 * Whether well-formed UTF-8 decodes to text {@link normaliseNewlinesAndForm} leaves as it is:
 * no CR, no control character other than tab and LF, no zero-width space or BOM, and only
 * characters NFC never changes, alone or side by side (those below U+0300, where the combining
 * marks begin, and the punctuation from U+2002 to U+203F, curly quotes and dashes among it).
 * One pass over the bytes; false means the text may need normalising.
 */
export const isNormalisedUtf8 = (bytes: Uint8Array): boolean => {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b >= 0x20 && b < 0x7f) continue;
    if (b === 0x09 || b === 0x0a || (b >= 0x80 && b < 0xcc)) continue;
    // U+2002 to U+203F are E2 80 82 to E2 80 BF; E2 80 8B is the zero-width space.
    const third = bytes[i + 2] as number;
    if (b !== 0xe2 || bytes[i + 1] !== 0x80 || third < 0x82 || third === 0x8b) return false;
    i += 2;
  }
  return true;
};

/**
 * Decodes the bytes of an article file into normalised text.
 * Accepts UTF-8 with or without BOM and UTF-16 with a BOM; refuses empty, oversized,
 * binary and non-UTF-8 files with an error that says what to do.
 */
export const decodeArticleBytes = (
  bytes: Uint8Array,
  limits: { maxBytes: number },
): Result<DecodedText, ArticleError> => {
  if (bytes.length === 0) return articleError('EmptyFile', 'the file is empty (0 bytes)');
  if (bytes.length > limits.maxBytes) {
    return articleError(
      'TooLarge',
      `the file is ${bytes.length} bytes, over the ${limits.maxBytes}-byte limit for one article`,
    );
  }
  for (const sig of BINARY_SIGNATURES) {
    if (startsWith(bytes, sig.bytes)) {
      return articleError('BinaryFile', `the file is ${sig.name}, not a text or JSON article`);
    }
  }

  let decoded: DecodedText;
  let normalised = false;
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    try {
      decoded = { text: new TextDecoder(encoding, { fatal: true }).decode(bytes), encoding };
    } catch {
      return articleError(
        'NotUtf8',
        `the file starts with a ${encoding} byte-order mark but is not valid ${encoding}`,
      );
    }
  } else {
    const body = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? bytes.subarray(3) : bytes;
    // A Buffer's indexOf is memchr: several times faster than a typed array's.
    const nul = Buffer.from(body.buffer, body.byteOffset, body.byteLength).indexOf(0);
    if (nul >= 0) {
      return articleError(
        'BinaryFile',
        `the file holds a NUL byte at byte ${nul + (bytes.length - body.length)}: binary data, not text`,
        { byte: nul + (bytes.length - body.length) },
      );
    }
    if (!isUtf8(body)) {
      const at = firstInvalidUtf8Byte(body) + (bytes.length - body.length);
      const line = lineOfByte(bytes, at);
      return articleError(
        'NotUtf8',
        `not UTF-8 at byte ${at} (line ${line}); the file may be Windows-1252 or Latin-1: save it as UTF-8`,
        { byte: at, line },
      );
    }
    decoded = { text: new TextDecoder('utf-8').decode(body), encoding: 'utf-8' };
    normalised = isNormalisedUtf8(body);
  }

  const text = normalised ? decoded.text : normaliseNewlinesAndForm(decoded.text);
  if (text.trim() === '') return articleError('EmptyFile', 'the file holds only white space');
  return ok({ text, encoding: decoded.encoding });
};
