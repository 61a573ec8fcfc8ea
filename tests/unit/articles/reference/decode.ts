/**
 * `decodeArticleBytes` as it was written before it looked at the bytes for what it would
 * normalise: every text through the newline and control-character rules and NFC. Kept to
 * check the new one against.
 */
import { isUtf8 } from 'node:buffer';
import {
  type ArticleError,
  articleError,
  ok,
  type Result,
} from '../../../../functions/core/articles/article.ts';
import {
  type DecodedText,
  firstInvalidUtf8Byte,
  normaliseNewlinesAndForm,
} from '../../../../functions/core/articles/decode.ts';

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
    const nul = body.indexOf(0);
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
  }

  const text = normaliseNewlinesAndForm(decoded.text);
  if (text.trim() === '') return articleError('EmptyFile', 'the file holds only white space');
  return ok({ text, encoding: decoded.encoding });
};
