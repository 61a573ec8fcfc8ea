import { describe, expect, it } from 'vitest';
import { MemoryArticleStore, MemoryObjectSource } from '../../../functions/adapters/memory/memory-ports.ts';
import { MAX_CONTAINER_ITEMS } from '../../../functions/core/articles/read-file.ts';
import { ingestObject } from '../../../functions/core/pipeline/ingest-object.ts';
import type { IngestPorts, ObjectRef } from '../../../functions/core/pipeline/ports.ts';

const enc = (s: string) => new TextEncoder().encode(s);

const setup = (files: Record<string, string>) => {
  const objects = new MemoryObjectSource(new Map(Object.entries(files).map(([k, v]) => [k, enc(v)])));
  const articles = new MemoryArticleStore();
  const ports: IngestPorts = {
    objects,
    articles,
    clock: { now: () => new Date('2026-11-23T12:00:00Z') },
    limits: { maxBytes: 256 * 1024 },
  };
  const ref = (key: string): ObjectRef => ({
    key,
    size: objects.objects.get(key)?.length ?? 0,
    etag: `etag-${key}`,
    eventTime: '2026-11-23T11:59:00Z',
  });
  return { objects, articles, ports, ref };
};

const EXPORT = JSON.stringify([
  {
    id: 'a-1',
    title: 'Masks for Serbia',
    body: 'China sent masks to Serbia.',
    publishedAt: '2026-11-20T10:00:00Z',
  },
  { id: 'a-2', title: 'A copy', body: 'China sent masks to Serbia.' },
  { id: 'a-3', title: 'No date', body: 'Text.', publishedAt: 'last Tuesday' },
  { title: 'Ventilators', content: ['Italy received ventilators.', 'More follow.'] },
]);

describe('Function: ingestObject (files holding several articles)', () => {
  it('should end each item of a JSON array on its own: stored, duplicate or rejected', async () => {
    // Prepare
    const { articles, objects, ports, ref } = setup({ 'incoming/export.json': EXPORT });

    // Act
    const outcome = await ingestObject(ref('incoming/export.json'), ports);

    // Assess
    expect(outcome.status).toBe('container');
    if (outcome.status !== 'container') return;
    expect(outcome.format).toBe('json');
    expect(outcome.items.map((i) => [i.key, i.status])).toEqual([
      ['incoming/export.json#a-1', 'stored'],
      ['incoming/export.json#a-2', 'duplicate'],
      ['incoming/export.json#a-3', 'rejected'],
      ['incoming/export.json#4', 'stored'],
    ]);
    expect(articles.articles.size).toBe(2);
    const first = [...articles.articles.values()].find((a) => a.title === 'Masks for Serbia');
    expect(first).toMatchObject({
      sourceKey: 'incoming/export.json#a-1',
      date: '2026-11-20',
      container: { key: 'incoming/export.json', item: 'a-1' },
    });
    expect(articles.sources.get('incoming/export.json')).toMatchObject({
      status: 'container',
      container: { format: 'json', items: 4, stored: 2, duplicate: 1, rejected: 1 },
    });
    expect(articles.sources.get('incoming/export.json#a-3')).toMatchObject({
      status: 'rejected',
      errorKind: 'InvalidArticle',
    });
    const error = [...articles.errors.values()].find((e) => e.key === 'incoming/export.json#a-3');
    expect(error).toMatchObject({
      kind: 'InvalidArticle',
      container: { key: 'incoming/export.json', item: 'a-3' },
      quarantineKey: 'quarantine/export.json',
    });
    expect(error?.message).toMatch(/"publishedAt": "last Tuesday" is not a date/);
    expect(objects.objects.has('quarantine/export.json')).toBe(true);
  });

  it('should add nothing when the same container is delivered again', async () => {
    // Prepare
    const { articles, ports, ref } = setup({ 'incoming/export.json': EXPORT });
    const first = await ingestObject(ref('incoming/export.json'), ports);

    // Act
    const again = await ingestObject(ref('incoming/export.json'), ports);

    // Assess
    expect(again).toEqual(first);
    expect(articles.articles.size).toBe(2);
  });

  it('should read JSON Lines and an export object, and refuse one bad line by its number', async () => {
    // Prepare
    const lines = [
      JSON.stringify({ headline: 'One', text: 'First story.', link: 'https://example.org/1' }),
      '{"headline": "Two", "text": ',
      '',
      JSON.stringify({
        title: 'Three',
        description: 'Only the summary.',
        source: { id: null, name: 'Example Times' },
        author: [{ name: 'Ann Lee' }, { name: 'Bo Kim' }],
        lang: 'es',
        publishedAt: 'Sat, 28 Nov 2026 10:00:00 +0000',
      }),
    ].join('\n');
    const exported = JSON.stringify({ status: 'ok', articles: [{ title: 'Four', body: 'Fourth story.' }] });
    const { articles, ports, ref } = setup({ 'incoming/feed.jsonl': lines, 'incoming/api.json': exported });

    // Act
    const jsonl = await ingestObject(ref('incoming/feed.jsonl'), ports);
    const api = await ingestObject(ref('incoming/api.json'), ports);

    // Assess
    expect(jsonl.status === 'container' && jsonl.items.map((i) => i.status)).toEqual([
      'stored',
      'rejected',
      'stored',
    ]);
    const bad = jsonl.status === 'container' ? jsonl.items[1] : undefined;
    expect(bad?.status === 'rejected' && bad.error).toMatchObject({ kind: 'MalformedJson', at: { line: 2 } });
    expect(api).toMatchObject({
      status: 'container',
      items: [{ status: 'stored', key: 'incoming/api.json#1' }],
    });
    const three = [...articles.articles.values()].find((a) => a.title === 'Three');
    expect(three).toMatchObject({
      source: 'Example Times',
      author: 'Ann Lee, Bo Kim',
      language: 'es',
      date: '2026-11-28',
      summaryOnly: true,
      format: 'jsonl',
    });
  });

  it('should refuse a container over the item limit whole, with the reason', async () => {
    // Prepare
    const many = JSON.stringify(
      Array.from({ length: MAX_CONTAINER_ITEMS + 1 }, (_, i) => ({ body: `Story ${i}.` })),
    );
    const { articles, ports, ref } = setup({ 'incoming/many.json': many });

    // Act
    const outcome = await ingestObject(ref('incoming/many.json'), ports);

    // Assess
    expect(outcome).toMatchObject({ status: 'rejected', error: { kind: 'TooManyItems' } });
    expect(articles.articles.size).toBe(0);
  });

  it('should refuse an XML feed, and a page without article text, instead of storing markup as text', async () => {
    // Prepare
    const { articles, ports, ref } = setup({
      'incoming/feed.xml':
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
      'incoming/page.html': '<!DOCTYPE html><html><body><p>x</p></body></html>',
    });

    // Act
    const feed = await ingestObject(ref('incoming/feed.xml'), ports);
    const page = await ingestObject(ref('incoming/page.html'), ports);

    // Assess
    expect(feed).toMatchObject({ status: 'rejected', error: { kind: 'UnsupportedFormat' } });
    expect(page).toMatchObject({ status: 'rejected', error: { kind: 'NoBody' } });
    expect(page.status === 'rejected' && page.error.message).toMatch(/^the page has no article text/);
    expect(articles.articles.size).toBe(0);
  });

  it('should read the dates news writes in a text header', async () => {
    // Prepare
    const { articles, ports, ref } = setup({
      'incoming/a.txt': 'Date: November 28, 2026\n\nAid reached Baku.',
      'incoming/b.txt': 'date 28/11/2026 By Ann Lee\n\nAid reached Yerevan.',
      'incoming/c.txt': 'Date palms grow in Baku.\n\nMore.',
    });

    // Act
    for (const k of ['a', 'b', 'c']) await ingestObject(ref(`incoming/${k}.txt`), ports);

    // Assess
    const byKey = new Map([...articles.articles.values()].map((a) => [a.sourceKey, a]));
    expect(byKey.get('incoming/a.txt')).toMatchObject({ date: '2026-11-28', dateSource: 'file' });
    expect(byKey.get('incoming/b.txt')).toMatchObject({ date: '2026-11-28', author: 'Ann Lee' });
    expect(byKey.get('incoming/c.txt')).toMatchObject({
      dateSource: 'received',
      title: 'Date palms grow in Baku',
    });
  });
});
