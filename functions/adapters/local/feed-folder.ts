import { randomBytes } from 'node:crypto';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FeedDocument, FeedDocumentWriter } from '../../core/pipeline/ports.ts';
import { INBOX_PREFIX } from './inbox.ts';

/**
 * Writes feed documents into the inbox (`inbox/feeds/<id>/<hash>.xml`), where the watcher finds
 * them as it finds any file. Each document is written whole under a temporary name the watcher
 * ignores, then linked into place only if no file of that name exists: the watcher never sees
 * half a document, and the same content is never written twice.
 */
export class FeedFolderWriter implements FeedDocumentWriter {
  private readonly inboxDir: string;

  constructor(inboxDir: string) {
    this.inboxDir = inboxDir;
  }

  /** The file a document key names. */
  pathOf(key: string): string {
    if (!key.startsWith(INBOX_PREFIX) || key.split('/').some((part) => part === '..' || part === '')) {
      throw new Error(`${key} is not a key inside the inbox`);
    }
    return join(this.inboxDir, ...key.slice(INBOX_PREFIX.length).split('/'));
  }

  async write(document: FeedDocument): Promise<'written' | 'exists'> {
    const target = this.pathOf(document.key);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${randomBytes(4).toString('hex')}.part`;
    await writeFile(temporary, document.body, { flag: 'wx' });
    try {
      await link(temporary, target);
      return 'written';
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') return 'exists';
      throw e;
    } finally {
      await rm(temporary, { force: true });
    }
  }
}
