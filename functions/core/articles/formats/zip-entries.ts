/**
 * The entries of a ZIP archive, from its central directory, and their contents, unpacked
 * with a ceiling. Office documents are ZIP archives; this is what lets a reader look inside
 * one, and check it is not a zip bomb, before a library unpacks it whole. One pass over the
 * directory; nothing is unpacked beyond what the archive declares.
 */
import { inflateRawSync } from 'node:zlib';

/** One file in the archive, as the central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  /** Unpacked size, as declared. */
  size: number;
  /** Where the entry's packed bytes start. */
  dataOffset: number;
  encrypted: boolean;
}

/** Why an archive cannot be looked into. */
export class ZipError extends Error {
  override name = 'ZipError';
}

/** Most entries an archive may list. A Word document has ten to a few dozen. */
export const MAX_ZIP_ENTRIES = 1000;

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/** Reads the central directory. Throws {@link ZipError} when the archive is not well formed. */
export const zipEntries = (bytes: Uint8Array): ZipEntry[] => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  // The end record is the last 22 bytes, unless an archive comment (at most 65,535 bytes) follows it.
  let end = -1;
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--) {
    if (u32(at) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new ZipError('it has no ZIP central directory (cut short?)');
  const count = u16(end + 10);
  const directorySize = u32(end + 12);
  const directoryStart = u32(end + 16);
  if (count === 0xffff || directoryStart === 0xffffffff)
    throw new ZipError('it is a ZIP64 archive, which no Word document within the size limit needs');
  if (count > MAX_ZIP_ENTRIES)
    throw new ZipError(`it lists ${count} files, over the ${MAX_ZIP_ENTRIES} allowed`);
  if (directoryStart + directorySize > end) throw new ZipError('its central directory lies outside the file');

  const names = new TextDecoder('utf-8', { fatal: false });
  const entries: ZipEntry[] = [];
  let at = directoryStart;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || u32(at) !== DIRECTORY_ENTRY)
      throw new ZipError(`its directory entry ${i + 1} is damaged`);
    const nameLength = u16(at + 28);
    const next = at + 46 + nameLength + u16(at + 30) + u16(at + 32);
    if (next > end) throw new ZipError(`its directory entry ${i + 1} is damaged`);
    const local = u32(at + 42);
    if (local + 30 > bytes.length || u32(local) !== LOCAL_HEADER)
      throw new ZipError(`the data of its entry ${i + 1} is missing`);
    const dataOffset = local + 30 + u16(local + 26) + u16(local + 28);
    const entry: ZipEntry = {
      name: names.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      method: u16(at + 10),
      compressedSize: u32(at + 20),
      size: u32(at + 24),
      dataOffset,
      encrypted: (u16(at + 8) & 1) === 1,
    };
    if (dataOffset + entry.compressedSize > bytes.length)
      throw new ZipError(`its entry "${entry.name.slice(0, 80)}" runs past the end of the file`);
    entries.push(entry);
    at = next;
  }
  return entries;
};

/**
 * The unpacked bytes of one entry. Unpacks at most the declared size: an entry that holds
 * more than it declares, or less, throws {@link ZipError}, so the declared sizes can be trusted.
 */
export const unpackEntry = (bytes: Uint8Array, entry: ZipEntry): Uint8Array => {
  const packed = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  if (entry.encrypted) throw new ZipError(`its entry "${entry.name.slice(0, 80)}" is encrypted`);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size)
      throw new ZipError(`its entry "${entry.name.slice(0, 80)}" is damaged`);
    return packed;
  }
  if (entry.method !== 8)
    throw new ZipError(
      `its entry "${entry.name.slice(0, 80)}" is packed with method ${entry.method}, not deflate`,
    );
  let out: Uint8Array;
  try {
    out = inflateRawSync(packed, { maxOutputLength: Math.max(1, entry.size) });
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ZipError(
      code === 'ERR_BUFFER_TOO_LARGE'
        ? `its entry "${entry.name.slice(0, 80)}" unpacks to more than the ${entry.size} bytes it declares`
        : `its entry "${entry.name.slice(0, 80)}" is damaged (${(e as Error).message})`,
    );
  }
  if (out.length !== entry.size)
    throw new ZipError(
      `its entry "${entry.name.slice(0, 80)}" unpacks to ${out.length} bytes, not the ${entry.size} it declares`,
    );
  return out;
};
