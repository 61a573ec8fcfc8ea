import { describe, expect, it } from 'vitest';
import { readTopicFolder } from '../../../functions/adapters/local/topic-folder.ts';
import {
  MemoryAlertPublisher,
  MemoryArticleStore,
  MemoryObjectSource,
  MemoryTopicStore,
} from '../../../functions/adapters/memory/memory-ports.ts';
import { ingestObject } from '../../../functions/core/pipeline/ingest-object.ts';
import { CachedMatcher, topicSetVersion } from '../../../functions/core/pipeline/matching.ts';
import type { IngestPorts, ObjectRef } from '../../../functions/core/pipeline/ports.ts';
import { makeZip } from '../../fixtures/formats/make-docx.ts';
import { sampleBytes } from '../../fixtures/formats/samples.ts';

const seeds = readTopicFolder('tests/fixtures/seeds/topics').loaded;

/** Memory ports with the seed topics, so a stored document is matched and alerted on. */
const setup = (files: Record<string, Uint8Array>) => {
  const objects = new MemoryObjectSource(new Map(Object.entries(files)));
  const articles = new MemoryArticleStore();
  const topics = new MemoryTopicStore({
    version: topicSetVersion(seeds.topics, seeds.rawLists),
    topics: seeds.topics,
    lists: seeds.rawLists,
  });
  const clock = { now: () => new Date('2026-12-01T12:00:00Z') };
  const publisher = new MemoryAlertPublisher();
  const ports: IngestPorts = {
    objects,
    articles,
    clock,
    limits: { maxBytes: 256 * 1024 },
    matching: { matcher: new CachedMatcher(topics, clock), store: topics },
    alerts: { publisher, locate: (k) => `s3://articles/${k}` },
  };
  const ref = (key: string): ObjectRef => ({
    key,
    size: objects.objects.get(key)?.length ?? 0,
    etag: `etag-${key}`,
    eventTime: '2026-12-01T11:59:00Z',
  });
  return { objects, articles, ports, ref, publisher };
};

describe('Function: ingestObject (web pages, mail, PDF and Word documents)', () => {
  it('should store each document as an article of its format, matched against the topics', async () => {
    // Prepare
    const files = {
      'incoming/pages/japan-ventilators.html': sampleBytes('news-page.html'),
      'incoming/mail/health-brief.eml': sampleBytes('newsletter.eml'),
      'incoming/reports/equipment.pdf': sampleBytes('article.pdf'),
      'incoming/releases/field-hospital.docx': sampleBytes('press-release.docx'),
    };
    const { articles, ports, ref } = setup(files);

    // Act
    const outcomes = [];
    for (const key of Object.keys(files)) outcomes.push(await ingestObject(ref(key), ports));

    // Assess
    expect(outcomes.map((o) => [o.key, o.status])).toEqual(Object.keys(files).map((k) => [k, 'stored']));
    const byKey = new Map([...articles.articles.values()].map((a) => [a.sourceKey, a]));
    expect(byKey.get('incoming/pages/japan-ventilators.html')).toMatchObject({
      format: 'html',
      date: '2026-11-28',
    });
    expect(byKey.get('incoming/mail/health-brief.eml')).toMatchObject({ format: 'eml', date: '2026-11-27' });
    expect(byKey.get('incoming/reports/equipment.pdf')).toMatchObject({ format: 'pdf', date: '2026-11-28' });
    expect(byKey.get('incoming/releases/field-hospital.docx')).toMatchObject({
      format: 'docx',
      date: '2026-07-14',
    });
    for (const key of Object.keys(files))
      expect(articles.sources.get(key)).toMatchObject({ status: 'stored' });
    const page = outcomes[0];
    expect(page?.status === 'stored' && page.matches.map((m) => m.topicId)).toContain(
      'international-health-aid',
    );
  });

  it('should store a page once however often it is delivered, and a copy under another name as a duplicate', async () => {
    // Prepare
    const page = sampleBytes('news-page.html');
    const { articles, ports, ref } = setup({ 'incoming/a.html': page, 'incoming/copy.htm': page });

    // Act
    const first = await ingestObject(ref('incoming/a.html'), ports);
    const again = await ingestObject(ref('incoming/a.html'), ports);
    const copy = await ingestObject(ref('incoming/copy.htm'), ports);

    // Assess
    expect(again).toEqual(first);
    expect(copy).toMatchObject({ status: 'duplicate', of: 'incoming/a.html' });
    expect(articles.articles.size).toBe(1);
  });

  it('should reject a scan, a page without article text and a ZIP archive, each with its reason and a quarantined copy', async () => {
    // Prepare
    const files = {
      'incoming/scan.pdf': sampleBytes('scan.pdf'),
      'incoming/world/index.html': sampleBytes('index-page.html'),
      'incoming/photos.zip': makeZip([{ name: 'a.txt', data: 'not an article' }]),
    };
    const { articles, objects, ports, ref } = setup(files);

    // Act
    const outcomes = [];
    for (const key of Object.keys(files)) outcomes.push(await ingestObject(ref(key), ports));

    // Assess
    expect(outcomes).toMatchObject([
      { status: 'rejected', error: { kind: 'NoBody' }, quarantineKey: 'quarantine/scan.pdf' },
      { status: 'rejected', error: { kind: 'NoBody' }, quarantineKey: 'quarantine/world/index.html' },
      { status: 'rejected', error: { kind: 'BinaryFile' }, quarantineKey: 'quarantine/photos.zip' },
    ]);
    expect(outcomes[0]?.status === 'rejected' && outcomes[0].error.message).toMatch(
      /no text layer \(a scan\?\)/,
    );
    expect(outcomes[1]?.status === 'rejected' && outcomes[1].error.message).toMatch(
      /the page has no article text/,
    );
    expect(outcomes[2]?.status === 'rejected' && outcomes[2].error.message).toMatch(/ZIP archive/);
    expect(articles.articles.size).toBe(0);
    expect([...articles.errors.values()].map((e) => e.kind).sort()).toEqual([
      'BinaryFile',
      'NoBody',
      'NoBody',
    ]);
    expect(objects.objects.get('quarantine/scan.pdf')).toEqual(files['incoming/scan.pdf']);
  });
});
