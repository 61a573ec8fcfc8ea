import { describe, expect, it, vi } from 'vitest';
import type * as ReadModule from '../../../functions/core/articles/read-file.ts';
import { MemoryArticleStore, MemoryObjectSource } from '../../../functions/adapters/memory/memory-ports.ts';
import { ingestObject } from '../../../functions/core/pipeline/ingest-object.ts';
import type { IngestPorts } from '../../../functions/core/pipeline/ports.ts';

// A parser fault that no input should cause, forced for one key: the stack overflowing in a
// recursive reader is the kind of failure this stands for.
vi.mock('../../../functions/core/articles/read-file.ts', async (importOriginal) => {
  const real = await importOriginal<typeof ReadModule>();
  return {
    ...real,
    readArticleFile: (...args: Parameters<typeof ReadModule.readArticleFile>) => {
      if (args[0].key.endsWith('boom.txt')) throw new RangeError('Maximum call stack size exceeded');
      return real.readArticleFile(...args);
    },
  };
});

describe('Function: ingestObject (a parser that throws)', () => {
  it('should record a ParserFailure with a quarantined copy instead of throwing the file back', async () => {
    // Prepare
    const bytes = new TextEncoder().encode('Aid reached Baku.');
    const objects = new MemoryObjectSource(new Map([['incoming/boom.txt', bytes]]));
    const articles = new MemoryArticleStore();
    const ports: IngestPorts = {
      objects,
      articles,
      clock: { now: () => new Date('2026-11-23T12:00:00Z') },
      limits: { maxBytes: 1000 },
    };

    // Act
    const outcome = await ingestObject(
      { key: 'incoming/boom.txt', size: bytes.length, etag: 'e', eventTime: '2026-11-23T11:59:00Z' },
      ports,
    );

    // Assess
    expect(outcome).toMatchObject({
      status: 'rejected',
      error: { kind: 'ParserFailure', message: expect.stringContaining('RangeError') },
      quarantineKey: 'quarantine/boom.txt',
    });
    expect(articles.errors.get('incoming/boom.txt\u0000e')).toMatchObject({ kind: 'ParserFailure' });
    expect(articles.sources.get('incoming/boom.txt')).toMatchObject({ status: 'rejected' });
  });
});
