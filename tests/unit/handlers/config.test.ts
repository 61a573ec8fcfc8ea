import { describe, expect, it } from 'vitest';
import { readIngestConfig } from '../../../functions/commons/config.ts';

describe('Function: readIngestConfig', () => {
  it('should read the settings the stack gives the function, with defaults for the rest', () => {
    // Act
    const config = readIngestConfig({
      TABLE_NAME: 'newswatch-table',
      BUCKET_NAME: 'articles-bucket',
      MAX_OBJECT_BYTES: '5000',
    });

    // Assess
    expect(config).toEqual({
      tableName: 'newswatch-table',
      bucket: 'articles-bucket',
      incomingPrefix: 'incoming/',
      quarantinePrefix: 'quarantine/',
      maxObjectBytes: 5000,
    });
  });

  it('should name every missing or bad variable', () => {
    // Act & Assess
    expect(() => readIngestConfig({ BUCKET_NAME: 'articles-bucket', MAX_OBJECT_BYTES: '1000000' })).toThrow(
      /TABLE_NAME: .*; MAX_OBJECT_BYTES: Too big: expected number to be <=350000/,
    );
  });
});
