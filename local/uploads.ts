import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve, sep } from 'node:path';
import { isIgnoredName, localKeyOf } from '../functions/adapters/local/inbox.ts';
import type { IngestErrorRecord, SourceRecord } from '../functions/core/pipeline/ports.ts';

/**
 * Files uploaded through the dashboard: each is written into `inbox/uploads/`, under a name
 * made safe, and the runtime's inbox watcher ingests it like a file dropped there by hand. The
 * name a browser sends is not trusted: it cannot climb out of the folder, name a hidden file
 * or one the inbox ignores, or carry control characters.
 */

/** The inbox subfolder uploads are written to. */
export const UPLOADS_FOLDER = 'uploads';

/** Folders kept from a dropped folder's paths, and characters kept of each part. */
const MAX_DEPTH = 8;
const MAX_PART = 120;

/** A name refused, and why. */
export class UnsafeUploadName extends Error {
  override readonly name = 'UnsafeUploadName';
}

/**
 * The path below `uploads/` for a name as a browser sends it (`report.txt`, or
 * `folder/sub/report.txt` for a file of a dropped folder): `/` or `\` separate folders; each
 * part keeps letters, digits, spaces and `._()+-`, the rest becoming `_`; `..` is refused.
 */
export const safeUploadPath = (name: string): string => {
  const parts = name
    .normalize('NFC')
    .split(/[/\\]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new UnsafeUploadName(`"${name}" climbs out of its folder (..)`);
  const clean = parts
    .slice(-MAX_DEPTH)
    .map((p) =>
      p
        .replace(/[^\p{L}\p{N} ._()+-]/gu, '_')
        .replace(/^[.\s]+/, '')
        .slice(0, MAX_PART)
        .trim(),
    )
    .filter(Boolean);
  const file = clean.at(-1);
  if (!file) throw new UnsafeUploadName(`"${name}" has no file name`);
  const path = clean.join('/');
  if (isIgnoredName(path))
    throw new UnsafeUploadName(`"${file}" is a name the inbox ignores (a temporary or partial file)`);
  return path;
};

/** One file written into the inbox: where, and the source key its outcome is recorded under. */
export interface WrittenUpload {
  name: string;
  path: string;
  key: string;
  bytes: number;
}

/**
 * Writes an upload into `<inbox>/uploads/`, never over an existing file (a second file of the
 * same name gets ` (2)`, ` (3)`… before its extension). The bytes go to a `.part` file first,
 * which the inbox ignores, and are renamed into place: the watcher never reads half a file.
 */
export const writeUpload = (inbox: string, name: string, bytes: Uint8Array): WrittenUpload => {
  const folder = resolve(inbox, UPLOADS_FOLDER);
  const relative = safeUploadPath(name);
  const wanted = resolve(folder, relative);
  if (!wanted.startsWith(`${folder}${sep}`)) throw new UnsafeUploadName(`"${name}" is outside the inbox`);
  mkdirSync(dirname(wanted), { recursive: true });
  const ext = extname(wanted);
  const stem = wanted.slice(0, wanted.length - ext.length);
  let path = wanted;
  for (let n = 2; existsSync(path); n++) path = `${stem} (${n})${ext}`;
  const partial = `${path}.${process.pid}.part`;
  writeFileSync(partial, bytes, { flag: 'wx' });
  renameSync(partial, path);
  return { name, path, key: localKeyOf(inbox, path), bytes: bytes.byteLength };
};

/** How the ingest of an uploaded file ended, or that it has not yet. */
export type UploadOutcome =
  | { key: string; status: 'waiting' }
  | {
      key: string;
      /** `container`: a file of several articles (a feed, a JSON list); `container` counts how each ended. */
      status: 'stored' | 'duplicate' | 'container';
      articleId?: string;
      container?: SourceRecord['container'];
    }
  | { key: string; status: 'rejected'; kind?: string; reason: string; container?: SourceRecord['container'] };

/** The outcome of a key, from its source record and its latest error. */
export const uploadOutcome = async (
  key: string,
  store: {
    getSource(key: string): Promise<SourceRecord | undefined>;
    listErrorsForKey(key: string): Promise<IngestErrorRecord[]>;
  },
): Promise<UploadOutcome> => {
  const source = await store.getSource(key);
  if (!source) return { key, status: 'waiting' };
  const container = source.container ? { container: source.container } : {};
  if (source.status === 'rejected') {
    const errors = await store.listErrorsForKey(key);
    const latest = errors.sort((a, b) => b.occurredAt.localeCompare(a.occurredAt))[0];
    return {
      key,
      status: 'rejected',
      ...((latest?.kind ?? source.errorKind) ? { kind: latest?.kind ?? source.errorKind } : {}),
      reason: latest ? `${latest.kind}: ${latest.message}` : (source.errorKind ?? 'rejected'),
      ...container,
    };
  }
  return {
    key,
    status: source.status,
    ...(source.articleId ? { articleId: source.articleId } : {}),
    ...container,
  };
};
