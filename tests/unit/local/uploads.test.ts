import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { safeUploadPath, UnsafeUploadName, writeUpload } from '../../../local/uploads.ts';

describe('Function: safeUploadPath', () => {
  it('should keep the folders of a dropped folder and make each part safe', () => {
    // Act & Assess
    expect(safeUploadPath('report.txt')).toBe('report.txt');
    expect(safeUploadPath('week 12/Día 3/informe (final).json')).toBe('week 12/Día 3/informe (final).json');
    expect(safeUploadPath('a\\b\\c.txt')).toBe('a/b/c.txt');
    expect(safeUploadPath('/etc/passwd')).toBe('etc/passwd');
    expect(safeUploadPath('./x/./y.txt')).toBe('x/y.txt');
    expect(safeUploadPath('bad\u0000name\u001b[31m.txt')).toBe('bad_name__31m.txt');
    expect(safeUploadPath('what?*:|<>.txt')).toBe('what______.txt');
    expect(safeUploadPath('%2e%2e/x.txt')).toBe('_2e_2e/x.txt');
    // A hidden name would never be read by the inbox: its leading dots go.
    expect(safeUploadPath('.hidden.txt')).toBe('hidden.txt');
  });

  it('should refuse a name that climbs out of its folder, has no file name, or is one the inbox ignores', () => {
    // Act & Assess
    for (const name of ['../x.txt', 'a/../../x.txt', '..\\..\\x.txt', '', '///', 'notes.txt.part', 'x.tmp'])
      expect(() => safeUploadPath(name), name).toThrow(UnsafeUploadName);
  });
});

describe('Function: writeUpload', () => {
  let inbox: string;
  beforeEach(() => {
    inbox = mkdtempSync(join(tmpdir(), 'newswatch-uploads-'));
  });
  afterEach(() => rmSync(inbox, { recursive: true, force: true }));

  it('should write under inbox/uploads/, never over a file there, with the key the inbox gives it', () => {
    // Act
    const first = writeUpload(inbox, 'day/a.txt', new TextEncoder().encode('one'));
    const second = writeUpload(inbox, 'day/a.txt', new TextEncoder().encode('two'));

    // Assess
    expect(first.key).toBe('inbox/uploads/day/a.txt');
    expect(second.key).toBe('inbox/uploads/day/a (2).txt');
    expect(readFileSync(first.path, 'utf8')).toBe('one');
    expect(readFileSync(second.path, 'utf8')).toBe('two');
    expect(readdirSync(join(inbox, 'uploads', 'day')).sort()).toEqual(['a (2).txt', 'a.txt']);
    expect(() => writeUpload(inbox, '../../escape.txt', new Uint8Array(1))).toThrow(UnsafeUploadName);
    expect(existsSync(join(inbox, '..', 'escape.txt'))).toBe(false);
  });
});
