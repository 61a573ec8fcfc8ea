import { describe, expect, it } from 'vitest';
import { MemoryArticleStore, MemoryObjectSource } from '../../../functions/adapters/memory/memory-ports.ts';
import { ingestObject } from '../../../functions/core/pipeline/ingest-object.ts';
import type { IngestPorts, ObjectRef } from '../../../functions/core/pipeline/ports.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const STORY = 'date 2024-03-01 By Ann Lee\n\nAid reached Baku today.\n\nMore follows.';

const setup = (files: Record<string, string | Uint8Array>) => {
  const objects = new MemoryObjectSource(
    new Map(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? enc(v) : v])),
  );
  const articles = new MemoryArticleStore();
  const ports: IngestPorts = {
    objects,
    articles,
    clock: { now: () => new Date('2026-11-23T12:00:00Z') },
    limits: { maxBytes: 1000 },
  };
  const ref = (key: string, extra: Partial<ObjectRef> = {}): ObjectRef => ({
    key,
    size: objects.objects.get(key)?.length ?? 0,
    etag: `etag-${key}`,
    eventTime: '2026-11-23T11:59:00Z',
    ...extra,
  });
  return { objects, articles, ports, ref };
};

describe('Function: ingestObject', () => {
  it('should store a new article and record its key as stored', async () => {
    // Prepare
    const { articles, ports, ref } = setup({ 'incoming/a.txt': STORY });

    // Act
    const outcome = await ingestObject(ref('incoming/a.txt'), ports);

    // Assess
    expect(outcome).toMatchObject({
      status: 'stored',
      key: 'incoming/a.txt',
      title: 'Aid reached Baku today',
    });
    expect(articles.articles.size).toBe(1);
    expect(articles.sources.get('incoming/a.txt')).toMatchObject({
      status: 'stored',
      etag: 'etag-incoming/a.txt',
    });
  });

  it('should report a re-delivered event as stored again, with one article', async () => {
    // Prepare
    const { articles, ports, ref } = setup({ 'incoming/a.txt': STORY });

    // Act
    const first = await ingestObject(ref('incoming/a.txt'), ports);
    const second = await ingestObject(ref('incoming/a.txt'), ports);

    // Assess
    expect(second).toEqual(first);
    expect(articles.articles.size).toBe(1);
  });

  it('should record the same text under another key as a duplicate of the first key', async () => {
    // Prepare
    const { articles, ports, ref } = setup({
      'incoming/a.txt': STORY,
      'incoming/copy.txt': `\uFEFF${STORY}\r\n`,
    });

    // Act
    const first = await ingestObject(ref('incoming/a.txt'), ports);
    const copy = await ingestObject(ref('incoming/copy.txt'), ports);

    // Assess
    expect(first.status).toBe('stored');
    expect(copy).toMatchObject({ status: 'duplicate', of: 'incoming/a.txt' });
    expect(articles.articles.size).toBe(1);
    expect(articles.sources.get('incoming/copy.txt')).toMatchObject({
      status: 'duplicate',
      articleId: (first as { articleId: string }).articleId,
    });
  });

  it('should refuse an object over the limit by its announced size, without reading it', async () => {
    // Prepare
    const { objects, articles, ports, ref } = setup({ 'incoming/big.txt': 'x' });

    // Act
    const outcome = await ingestObject(ref('incoming/big.txt', { size: 5000 }), ports);

    // Assess
    expect(outcome).toMatchObject({
      status: 'rejected',
      error: { kind: 'TooLarge' },
      quarantineKey: 'quarantine/big.txt',
    });
    expect(objects.reads).toEqual([]);
    expect([...articles.errors.values()]).toMatchObject([
      { key: 'incoming/big.txt', kind: 'TooLarge', quarantineKey: 'quarantine/big.txt' },
    ]);
  });

  it('should quarantine an unreadable file and record the error once however often it arrives', async () => {
    // Prepare
    const { objects, articles, ports, ref } = setup({
      'incoming/pic.txt': Uint8Array.from([0x89, 0x50, 0x4e, 0x47]),
    });

    // Act
    await ingestObject(ref('incoming/pic.txt'), ports);
    const again = await ingestObject(ref('incoming/pic.txt'), ports);

    // Assess
    expect(again).toMatchObject({ status: 'rejected', error: { kind: 'BinaryFile' } });
    expect(objects.objects.has('quarantine/pic.txt')).toBe(true);
    expect(articles.errors.size).toBe(1);
    expect(articles.sources.get('incoming/pic.txt')).toMatchObject({
      status: 'rejected',
      errorKind: 'BinaryFile',
    });
  });

  it('should record an object deleted before it was read as ObjectGone, without a quarantine copy', async () => {
    // Prepare
    const { articles, ports, ref } = setup({});

    // Act
    const outcome = await ingestObject(ref('incoming/gone.txt', { size: 10 }), ports);

    // Assess
    expect(outcome).toMatchObject({ status: 'rejected', error: { kind: 'ObjectGone' } });
    expect(outcome).not.toHaveProperty('quarantineKey');
    expect(articles.errors.size).toBe(1);
  });

  it('should let a store failure escape so the object is retried', async () => {
    // Prepare
    const { articles, ports, ref } = setup({ 'incoming/a.txt': STORY });
    articles.putArticle = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };

    // Act & Assess
    await expect(ingestObject(ref('incoming/a.txt'), ports)).rejects.toThrow('Rate exceeded');
    expect(articles.sources.size).toBe(0);
  });

  it('should skip an event older than the one already recorded for the key', async () => {
    // Prepare
    const { ports, ref } = setup({ 'incoming/a.txt': STORY });
    await ingestObject(ref('incoming/a.txt', { sequencer: '0A' }), ports);

    // Act
    const outcome = await ingestObject(ref('incoming/a.txt', { sequencer: '09' }), ports);

    // Assess
    expect(outcome).toEqual({ status: 'stale', key: 'incoming/a.txt' });
  });
});
