import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { watch, type FSWatcher } from 'chokidar';
import { ObjectGoneError, type ObjectRef, type ObjectSource } from '../../core/pipeline/ports.ts';

/** Keys of local files start with this, as bucket keys start with `incoming/`. */
export const INBOX_PREFIX = 'inbox/';

/**
 * Names that are never articles, or not yet: hidden files and the temporary names editors,
 * browsers and copy tools write to before renaming (`.part`, `.tmp`, `.crdownload`, `~`).
 */
export const isIgnoredName = (name: string): boolean =>
  /(^|[/\\])\./.test(name) || /(\.(part|partial|tmp|temp|crdownload|download|swp)|~)$/i.test(name);

/**
 * The key of a local file: `inbox/` and its path below the inbox with `/` separators, or a
 * `file://` URL for a file elsewhere (given to the CLI).
 */
export const localKeyOf = (inboxDir: string, path: string): string => {
  const rel = relative(inboxDir, resolve(path));
  return rel && !rel.startsWith('..') && !isAbsolute(rel)
    ? INBOX_PREFIX + rel.split(sep).join('/')
    : pathToFileURL(resolve(path)).href;
};

const isMissing = (e: unknown) => (e as { code?: string }).code === 'ENOENT';

/** What the file system says of a file before it is read: enough to tell it was already seen. */
export interface FileStamp {
  key: string;
  size: number;
  /**
   * The modification time in microseconds, in hex, kept as the version id. Not a sequencer:
   * a file replaced by an older copy (`cp -p`, an archive) is still a new version to ingest.
   */
  versionId: string;
  eventTime: string;
}

/** Size and modification time of a file; undefined when it is gone. */
export const stampOf = async (inboxDir: string, path: string): Promise<FileStamp | undefined> => {
  try {
    const s = await stat(path);
    if (!s.isFile()) return undefined;
    return {
      key: localKeyOf(inboxDir, path),
      size: s.size,
      versionId: Math.round(s.mtimeMs * 1000).toString(16),
      eventTime: s.mtime.toISOString(),
    };
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
};

/**
 * The object reference of a file: its stamp plus a digest of its bytes as the entity tag. A file
 * over `maxBytes` is not read: its entity tag is made from its size and version, and the
 * pipeline refuses it by size as it does on AWS.
 */
export const refOf = async (
  stamp: FileStamp,
  path: string,
  maxBytes: number,
): Promise<ObjectRef | undefined> => {
  if (stamp.size > maxBytes) return { ...stamp, etag: `size-${stamp.size}-${stamp.versionId}` };
  try {
    const bytes = await readFile(path);
    return {
      ...stamp,
      size: bytes.byteLength,
      etag: createHash('sha256').update(bytes).digest('hex').slice(0, 32),
    };
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
};

/** {@link ObjectSource} over local files (the inbox, or any file by URL); rejected files are copied to a quarantine folder. */
export class LocalFileSource implements ObjectSource {
  private readonly inboxDir: string;
  private readonly quarantineDir: string;

  constructor(inboxDir: string, quarantineDir: string) {
    this.inboxDir = inboxDir;
    this.quarantineDir = quarantineDir;
  }

  /** The file a key names. */
  pathOf(key: string): string {
    if (key.startsWith('file://')) return fileURLToPath(key);
    if (!key.startsWith(INBOX_PREFIX)) throw new Error(`${key} is not a local file key`);
    return join(this.inboxDir, ...key.slice(INBOX_PREFIX.length).split('/'));
  }

  async read(ref: ObjectRef): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.pathOf(ref.key)));
    } catch (e) {
      if (isMissing(e)) throw new ObjectGoneError(ref.key);
      throw e;
    }
  }

  async quarantine(ref: ObjectRef): Promise<string> {
    const target = ref.key.startsWith(INBOX_PREFIX)
      ? join(this.quarantineDir, ...ref.key.slice(INBOX_PREFIX.length).split('/'))
      : join(this.quarantineDir, 'files', basename(this.pathOf(ref.key)));
    await mkdir(dirname(target), { recursive: true });
    await copyFile(this.pathOf(ref.key), target);
    return target;
  }
}

/**
 * How often the whole inbox is listed, to catch files the watcher never reported: the kernel
 * drops change events when too many arrive at once (16,384 queued by default on Linux, two or
 * three per new file), so a burst of thousands of files can go unnoticed by the watcher.
 */
export const INBOX_RESCAN_MS = 30_000;

/** One listing in this many looks at every file again (see {@link InboxLister}). */
export const FULL_LISTING_EVERY = 10;

/** What one listing saw of a folder: its modification time, its files' stamps and its subfolders. */
interface FolderSeen {
  mtimeMs: number;
  listedAt: number;
  files: Map<string, string>;
  folders: string[];
}

/**
 * A folder's modification time may not have moved yet for a file added in the same clock tick
 * as the listing: a folder changed this recently before it was listed is listed again.
 */
const FOLDER_TICK_MS = 1_000;

/**
 * Lists every file under the inbox (ignored names left out) with its size and modification
 * time, `size:mtime`: compared with what was last ingested, it tells which files are new or
 * changed. It remembers what it saw: a folder whose modification time has not moved since
 * (no file added, removed or renamed in it) is not read again, and a file already seen is not
 * looked at again, so a listing costs one `stat` per folder plus one per new file, not one per
 * file. Changes inside a file already seen are the watcher's to report; every `fullEvery`-th
 * listing looks at every file again, for the changes a burst made the watcher drop.
 */
export class InboxLister {
  private readonly seen = new Map<string, FolderSeen>();
  private listings = 0;
  private readonly inboxDir: string;
  private readonly fullEvery: number;

  constructor(inboxDir: string, fullEvery = FULL_LISTING_EVERY) {
    this.inboxDir = inboxDir;
    this.fullEvery = fullEvery;
  }

  async list(): Promise<Map<string, string>> {
    const full = this.listings++ % this.fullEvery === 0;
    const found = new Map<string, string>();
    const reached = new Set<string>();
    const pending = [this.inboxDir];
    for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
      const folder = await this.folder(dir, full);
      if (!folder) continue;
      reached.add(dir);
      for (const [path, stamp] of folder.files) found.set(path, stamp);
      pending.push(...folder.folders);
    }
    for (const dir of this.seen.keys()) if (!reached.has(dir)) this.seen.delete(dir);
    return found;
  }

  private async folder(dir: string, full: boolean): Promise<FolderSeen | undefined> {
    let mtimeMs;
    try {
      const s = await stat(dir);
      if (!s.isDirectory()) return undefined;
      mtimeMs = s.mtimeMs;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    const before = this.seen.get(dir);
    if (!full && before && before.mtimeMs === mtimeMs && before.listedAt - mtimeMs > FOLDER_TICK_MS)
      return before;
    const listedAt = Date.now();
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    const files = new Map<string, string>();
    const folders: string[] = [];
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (isIgnoredName(relative(this.inboxDir, path))) continue;
      if (entry.isDirectory()) folders.push(path);
      if (!entry.isFile()) continue;
      const stamp = (!full && before?.files.get(path)) || (await fileStamp(this.inboxDir, path));
      if (stamp) files.set(path, stamp);
    }
    const folder = { mtimeMs, listedAt, files, folders };
    this.seen.set(dir, folder);
    return folder;
  }
}

/** Every file under the inbox with its `size:mtime`, each one looked at (see {@link InboxLister}). */
export const listInbox = (inboxDir: string): Promise<Map<string, string>> => new InboxLister(inboxDir).list();

/** `size:version` of a file (see {@link stampOf}), undefined when it is gone or not a file. */
export const fileStamp = async (inboxDir: string, path: string): Promise<string | undefined> => {
  const s = await stampOf(inboxDir, path);
  return s ? `${s.size}:${s.versionId}` : undefined;
};

/** How long a file's size must stay the same before it is read: a copy in progress is not read half-way. */
export const WRITE_SETTLE_MS = 400;

/**
 * Resolves once the file's size and modification time have stayed the same for `settleMs`
 * (false when it disappeared). The watcher waits like this for files added while it runs, but
 * not for those its first scan finds, which may be copies still in progress.
 */
export const settled = async (
  path: string,
  settleMs = WRITE_SETTLE_MS,
  signal?: AbortSignal,
): Promise<boolean> => {
  let lastChange = 0;
  const look = async () => {
    try {
      const s = await stat(path);
      lastChange = s.mtimeMs;
      return `${s.size}:${s.mtimeMs}`;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  };
  let before = await look();
  // Unchanged for longer than the wait already: settled without waiting (a burst of files
  // found by a listing would otherwise wait one after the other in the ingest slots).
  if (before !== undefined && Date.now() - lastChange >= settleMs) return true;
  for (;;) {
    if (before === undefined) return false;
    await new Promise((r) => setTimeout(r, settleMs));
    if (signal?.aborted) return false;
    const now = await look();
    if (now === before) return true;
    before = now;
  }
};

/** The inbox being watched, and when its first scan is done. */
export interface InboxWatch {
  watcher: FSWatcher;
  /**
   * Resolves once every file present at start has been reported; rejects when the first scan
   * fails (later errors go to `onError`).
   */
  scanned: Promise<void>;
}

/**
 * Watches the inbox: calls `onFile` for every file present at start and every file added or
 * changed later, once its size has stopped changing. Resolves once the watch is set up, before
 * its first scan is done (seconds with tens of thousands of files): `scanned` says when.
 */
export const watchInbox = async (
  inboxDir: string,
  onFile: (path: string, initial: boolean) => void,
  onError: (e: Error) => void,
  settleMs = WRITE_SETTLE_MS,
): Promise<InboxWatch> => {
  await mkdir(inboxDir, { recursive: true });
  const watcher = watch(inboxDir, {
    ignored: (path: string) => path !== inboxDir && isIgnoredName(relative(inboxDir, path)),
    awaitWriteFinish: { stabilityThreshold: settleMs, pollInterval: Math.max(50, settleMs / 4) },
    alwaysStat: false,
  });
  let starting = true;
  // Files found by the first scan are reported at once, without waiting for their writes to
  // finish: `initial` tells the caller to check they have settled (see {@link settled}).
  watcher.on('add', (p: string) => onFile(p, starting)).on('change', (p: string) => onFile(p, false));
  // Errors after start (too many open files, the inotify limit, a folder without permission)
  // are reported, never thrown: an error event without a listener would end the process.
  const scanned = new Promise<void>((resolve, reject) => {
    watcher.once('ready', () => {
      starting = false;
      resolve();
    });
    watcher.on('error', (e: unknown) => (starting ? reject(e as Error) : onError(e as Error)));
  });
  // A failed first scan is the caller's to handle, through `scanned`.
  scanned.catch(() => undefined);
  return { watcher, scanned };
};
