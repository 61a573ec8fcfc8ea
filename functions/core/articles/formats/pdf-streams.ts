/**
 * How many bytes the streams of a PDF decode to, measured before pdf.js reads the document.
 * A PDF's content streams, fonts and images are packed (FlateDecode, the ZIP method, packs a
 * run of one byte over a thousand to one), and pdf.js unpacks each stream it reads whole
 * into one buffer outside the JavaScript heap, where no heap limit sees it: a file within the
 * size limit can hold gigabytes. So each stream is unpacked here first, through the filters
 * its dictionary names, counting the bytes and keeping none that the next filter does not
 * need, and counting stops once the total passes the limit. The work is linear in the file and
 * in the limit.
 *
 * Streams are found by their `stream` keyword, with no object parsing: each is decoded from
 * its start to the end its own filter marks (whatever `/Length` says), so a length that points
 * elsewhere, or `endstream` bytes inside the packed data, do not hide any of it. Filters this
 * does not decode (the image ones: DCT, JPX, CCITT, JBIG2) end a stream's count; pdf.js
 * decodes none of them to read text. Streams of an encrypted document cannot be unpacked
 * without its key; they are left to the worker's memory watch (`pdf.ts`).
 */
import { createInflate, inflateSync } from 'node:zlib';

/** Most bytes the streams of one PDF may decode to, all stages of all streams together. */
export const MAX_PDF_DECODED_BYTES = 32 * 1024 * 1024;

/** Where a stream's dictionary is looked for: at most this far before its `stream` keyword. */
const DICTIONARY_WINDOW = 4096;

const FILTER_NAMES: Record<string, string> = {
  FlateDecode: 'FlateDecode',
  Fl: 'FlateDecode',
  ASCIIHexDecode: 'ASCIIHexDecode',
  AHx: 'ASCIIHexDecode',
  ASCII85Decode: 'ASCII85Decode',
  A85: 'ASCII85Decode',
  RunLengthDecode: 'RunLengthDecode',
  RL: 'RunLengthDecode',
  LZWDecode: 'LZWDecode',
  LZW: 'LZWDecode',
};

/** What one filter gave: how many bytes, and the bytes when the next filter needs them. */
interface Decoded {
  length: number;
  bytes?: Uint8Array;
}

/** Bytes written up to a ceiling, kept only when asked. */
class Output {
  length = 0;
  readonly cap: number;
  readonly keep: boolean;
  readonly #chunks: Uint8Array[] = [];
  constructor(cap: number, keep: boolean) {
    this.cap = cap;
    this.keep = keep;
  }
  get full() {
    return this.length > this.cap;
  }
  add(chunk: Uint8Array) {
    this.length += chunk.length;
    if (this.keep && !this.full) this.#chunks.push(chunk);
  }
  result(): Decoded {
    return this.keep && !this.full
      ? { length: this.length, bytes: Buffer.concat(this.#chunks) }
      : { length: this.length };
  }
}

/** A stream of a zlib stream's damage, counted as far as it inflates (pdf.js keeps what came before). */
const inflateDamaged = (input: Uint8Array, out: Output): Promise<Decoded> =>
  new Promise((resolve) => {
    const z = createInflate({ chunkSize: 64 * 1024 });
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      z.destroy();
      resolve(out.result());
    };
    z.on('data', (chunk: Buffer) => {
      out.add(chunk);
      if (out.full) finish();
    });
    z.on('end', finish);
    z.on('error', finish);
    z.end(input);
  });

/**
 * FlateDecode: zlib, up to the stream's own end. Data without a zlib header is refused by
 * pdf.js at once, and counts nothing; damaged data counts as far as it inflates.
 */
const inflate = async (input: Uint8Array, out: Output): Promise<Decoded> => {
  const [cmf = 0, flg = 0] = input;
  if ((cmf & 0x0f) !== 8 || (cmf * 256 + flg) % 31 !== 0) return out.result();
  try {
    out.add(inflateSync(input, { maxOutputLength: Math.max(1, out.cap - out.length + 1) }));
    return out.result();
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      out.length = out.cap + 1;
      return out.result();
    }
    return inflateDamaged(input, out);
  }
};

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0;

/** Bytes written one at a time, handed to an {@link Output} in chunks of up to 64 KiB. */
const byteWriter = (out: Output) => {
  let chunk = new Uint8Array(256);
  let n = 0;
  return {
    put: (b: number) => {
      if (n === chunk.length) {
        if (chunk.length < 64 * 1024) {
          const larger = new Uint8Array(chunk.length * 4);
          larger.set(chunk);
          chunk = larger;
        } else {
          out.add(chunk);
          chunk = new Uint8Array(chunk.length);
          n = 0;
        }
      }
      chunk[n++] = b;
    },
    flush: () => {
      out.add(chunk.subarray(0, n));
      n = 0;
    },
  };
};

/** ASCIIHexDecode: pairs of hex digits up to `>`. */
const asciiHex = (input: Uint8Array, out: Output): Decoded => {
  const writer = byteWriter(out);
  let high = -1;
  for (const b of input) {
    if (b === 0x3e || out.full) break;
    if (isSpace(b)) continue;
    const lower = b | 0x20;
    const digit = b >= 0x30 && b <= 0x39 ? b - 0x30 : lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
    if (digit < 0) break;
    if (high < 0) high = digit;
    else {
      writer.put((high << 4) | digit);
      high = -1;
    }
  }
  if (high >= 0) writer.put(high << 4);
  writer.flush();
  return out.result();
};

/** ASCII85Decode: groups of five characters for four bytes, `z` for four zeros, up to `~>`. */
const ascii85 = (input: Uint8Array, out: Output): Decoded => {
  const { put, flush } = byteWriter(out);
  let group = 0;
  let count = 0;
  for (const b of input) {
    if (out.full || b === 0x7e) break;
    if (isSpace(b)) continue;
    if (b === 0x7a && count === 0) {
      for (let i = 0; i < 4; i++) put(0);
      continue;
    }
    if (b < 0x21 || b > 0x75) break;
    group = group * 85 + (b - 0x21);
    if (++count === 5) {
      for (let shift = 24; shift >= 0; shift -= 8) put((group >>> shift) & 0xff);
      group = 0;
      count = 0;
    }
  }
  if (count > 1) {
    for (let i = count; i < 5; i++) group = group * 85 + 84;
    for (let i = 0; i < count - 1; i++) put((group >>> (24 - 8 * i)) & 0xff);
  }
  flush();
  return out.result();
};

/** RunLengthDecode: a length byte, then that many bytes or one byte repeated; 128 ends it. */
const runLength = (input: Uint8Array, out: Output): Decoded => {
  let at = 0;
  while (at < input.length && !out.full) {
    const b = input[at++] as number;
    if (b === 128) break;
    if (b < 128) {
      out.add(input.subarray(at, at + b + 1));
      at += b + 1;
    } else {
      out.add(new Uint8Array(257 - b).fill(input[at++] ?? 0));
    }
  }
  return out.result();
};

/**
 * LZWDecode: codes of 9 to 12 bits, 256 clears the table, 257 ends; each new entry is the one
 * before and one byte. Only lengths are kept when the bytes are not needed.
 */
const lzw = (input: Uint8Array, out: Output, earlyChange: number): Decoded => {
  const prefix = new Int16Array(4096);
  const last = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    last[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  const spell = (code: number): Uint8Array => {
    const bytes = new Uint8Array(length[code] as number);
    for (let c = code, i = bytes.length - 1; i >= 0; c = prefix[c] as number, i--)
      bytes[i] = last[c] as number;
    return bytes;
  };
  let next = 258;
  let width = 9;
  let previous = -1;
  let buffer = 0;
  let bits = 0;
  for (const b of input) {
    buffer = ((buffer << 8) | b) >>> 0;
    bits += 8;
    while (bits >= width) {
      const code = (buffer >>> (bits - width)) & ((1 << width) - 1);
      bits -= width;
      buffer &= (1 << bits) - 1;
      if (code === 256) {
        next = 258;
        width = 9;
        previous = -1;
        continue;
      }
      if (code === 257) return out.result();
      if (code > next || (code === next && previous < 0)) return out.result();
      if (previous >= 0 && next < 4096) {
        prefix[next] = previous;
        first[next] = first[previous] as number;
        last[next] = code === next ? (first[previous] as number) : (first[code] as number);
        length[next] = (length[previous] as number) + 1;
        next++;
        if (next + earlyChange >= 1 << width && width < 12) width++;
      }
      if (out.keep) out.add(spell(code));
      else out.length += length[code] as number;
      if (out.full) return out.result();
      previous = code;
    }
  }
  return out.result();
};

/** The filters a stream's dictionary names, in order, and LZW's early-change parameter. */
const filtersOf = (dictionary: string): { filters: string[]; earlyChange: number } => {
  const named = /\/Filter\s*(\[[^\]]*\]|\/[^\s/[\]<>()]+)/.exec(dictionary)?.[1] ?? '';
  const filters = [...named.matchAll(/\/([^\s/[\]<>()]+)/g)].map((m) => m[1] as string);
  return { filters, earlyChange: /\/EarlyChange\s+0\b/.test(dictionary) ? 0 : 1 };
};

/** `stream` followed by its end of line: where the data starts, or -1 when the keyword is not one. */
const dataStart = (bytes: Uint8Array, at: number): number => {
  let i = at + 6;
  while (bytes[i] === 0x20) i++;
  if (bytes[i] === 0x0d) return bytes[i + 1] === 0x0a ? i + 2 : i + 1;
  return bytes[i] === 0x0a ? i + 1 : -1;
};

/**
 * The bytes the PDF's streams decode to, every filter stage counted, up to a little past
 * `limit` (counting stops there: the answer is then only known to be over it).
 */
export const decodedStreamBytes = async (
  bytes: Uint8Array,
  limit = MAX_PDF_DECODED_BYTES,
): Promise<number> => {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let total = 0;
  let previous = -6;
  for (let at = text.indexOf('stream'); at >= 0 && total <= limit; at = text.indexOf('stream', at + 6)) {
    if (text.startsWith('end', at - 3)) continue;
    const start = dataStart(bytes, at);
    // A dictionary is looked for back to the keyword before, so no byte is looked at twice.
    const window = text.slice(Math.max(0, previous + 6, at - DICTIONARY_WINDOW), at);
    previous = at;
    if (start < 0) continue;
    const dictionary = window.slice(Math.max(0, window.lastIndexOf('obj')));
    const { filters, earlyChange } = filtersOf(dictionary);
    if (filters.length === 0) continue;
    // Each filter ends its own data (deflate's last block, LZW's and run-length's end codes,
    // `>` and `~>`), so the first is given the rest of the file: a `/Length` that points
    // elsewhere, or `endstream` bytes inside the data, hide none of it. Keywords inside the
    // data are looked at too: a cross-reference may point into another stream's data.
    let input: Uint8Array = bytes.subarray(start);
    for (const [i, name] of filters.entries()) {
      const filter = FILTER_NAMES[name];
      if (filter === undefined) break;
      const out = new Output(limit - total, i < filters.length - 1);
      const decoded =
        filter === 'FlateDecode'
          ? await inflate(input, out)
          : filter === 'ASCIIHexDecode'
            ? asciiHex(input, out)
            : filter === 'ASCII85Decode'
              ? ascii85(input, out)
              : filter === 'RunLengthDecode'
                ? runLength(input, out)
                : lzw(input, out, earlyChange);
      total += decoded.length;
      if (total > limit || decoded.bytes === undefined) break;
      input = decoded.bytes;
    }
  }
  return total;
};
