import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { InboxLister, listInbox, settled, watchInbox } from '../../../functions/adapters/local/inbox.ts';

/** Sets a folder's modification time well in the past, as it is for a folder nothing was added to lately. */
const age = (dir: string) => utimesSync(dir, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

describe('Class: InboxLister', () => {
  const dirs: string[] = [];
  const inbox = () => {
    const dir = mkdtempSync(join(tmpdir(), 'inbox-lister-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('should list every file of every folder with its stamp, and no ignored name', async () => {
    // Arrange
    const dir = inbox();
    mkdirSync(join(dir, 'feeds', 'wire'), { recursive: true });
    writeFileSync(join(dir, 'a.json'), '{}');
    writeFileSync(join(dir, 'feeds', 'wire', 'b.xml'), '<rss/>');
    writeFileSync(join(dir, 'c.json.part'), '{');
    writeFileSync(join(dir, '.hidden'), '');

    // Act
    const listed = await new InboxLister(dir).list();

    // Assess
    expect([...listed.keys()].sort()).toEqual([join(dir, 'a.json'), join(dir, 'feeds', 'wire', 'b.xml')]);
    expect(listed).toEqual(await listInbox(dir));
    expect(listed.get(join(dir, 'a.json'))).toMatch(/^2:[0-9a-f]+$/);
  });

  it('should find a file added to a folder already listed, and a new folder', async () => {
    // Arrange
    const dir = inbox();
    writeFileSync(join(dir, 'a.json'), '{}');
    age(dir);
    const lister = new InboxLister(dir);
    await lister.list();

    // Act
    writeFileSync(join(dir, 'b.json'), '{}');
    mkdirSync(join(dir, 'later'));
    writeFileSync(join(dir, 'later', 'c.json'), '{}');
    const listed = await lister.list();

    // Assess
    expect([...listed.keys()].sort()).toEqual([
      join(dir, 'a.json'),
      join(dir, 'b.json'),
      join(dir, 'later', 'c.json'),
    ]);
  });

  it('should not look again at a folder that has not changed, until the listing that looks at all', async () => {
    // Arrange: a file rewritten in place changes its stamp but not its folder's time.
    const dir = inbox();
    const file = join(dir, 'a.json');
    writeFileSync(file, '{}');
    age(dir);
    const lister = new InboxLister(dir, 3);
    const first = (await lister.list()).get(file);
    writeFileSync(file, '{"title":"longer now"}');
    age(dir);

    // Act
    const second = (await lister.list()).get(file);
    const third = (await lister.list()).get(file);
    const fourth = (await lister.list()).get(file);

    // Assess: remembered twice, seen anew on the third listing after the first.
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(fourth).not.toBe(first);
    expect(fourth).toMatch(/^22:/);
  });

  it('should list again a folder changed just before it was listed', async () => {
    // Arrange: the folder's time is now, so a file added in the same tick might not move it.
    const dir = inbox();
    writeFileSync(join(dir, 'a.json'), '{}');
    const lister = new InboxLister(dir);
    await lister.list();
    const now = new Date();
    writeFileSync(join(dir, 'b.json'), '{}');
    utimesSync(dir, now, now);

    // Act
    const listed = await lister.list();

    // Assess
    expect(listed.has(join(dir, 'b.json'))).toBe(true);
  });

  it('should forget a folder that was removed and its files', async () => {
    // Arrange
    const dir = inbox();
    mkdirSync(join(dir, 'gone'));
    writeFileSync(join(dir, 'gone', 'a.json'), '{}');
    age(join(dir, 'gone'));
    const lister = new InboxLister(dir);
    await lister.list();

    // Act
    rmSync(join(dir, 'gone'), { recursive: true });
    const listed = await lister.list();

    // Assess
    expect(listed.size).toBe(0);
  });
});

describe('Function: settled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-settled-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should take a file unchanged for longer than the wait at once, and watch one written just now', async () => {
    // Prepare: one file last written an hour ago, one written now.
    const old = join(dir, 'old.txt');
    const fresh = join(dir, 'fresh.txt');
    writeFileSync(old, 'written an hour ago');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(old, hourAgo, hourAgo);
    writeFileSync(fresh, 'written now');

    // Act: the old file with a wait of a minute (longer than the test may take), the fresh one
    // with a wait of 2 s, which it must sit through.
    const oldSettled = await settled(old, 60_000);
    const freshSettled = settled(fresh, 2_000);

    // Assess
    expect(oldSettled).toBe(true);
    expect(await Promise.race([freshSettled, new Promise((r) => setTimeout(() => r('waiting'), 100))])).toBe(
      'waiting',
    );
  });
});

describe('Function: watchInbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inbox-watch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should be watching before its first look at the inbox is done, and report what that look finds as found at start', async () => {
    // Arrange
    for (let i = 0; i < 50; i++) writeFileSync(join(dir, `waiting-${i}.json`), '{}');
    writeFileSync(join(dir, '.hidden'), '');
    const found: Array<{ path: string; initial: boolean }> = [];
    const errors: Error[] = [];

    // Act
    const watch = await watchInbox(
      dir,
      (path, initial) => found.push({ path, initial }),
      (e) => errors.push(e),
      50,
    );
    const atStart = found.length;
    await watch.scanned;
    const afterScan = [...found];
    writeFileSync(join(dir, 'later.json'), '{}');
    for (let waited = 0; found.length === afterScan.length && waited < 5_000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    await watch.watcher.close();

    // Assess
    expect(atStart).toBe(0);
    expect(afterScan).toHaveLength(50);
    expect(afterScan.every((f) => f.initial)).toBe(true);
    expect(found.at(-1)).toEqual({ path: join(dir, 'later.json'), initial: false });
    expect(errors).toEqual([]);
  });
});
