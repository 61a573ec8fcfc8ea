import { describe, expect, it } from 'vitest';
import { readFeedTopics, readIngestConfig } from '../../../functions/commons/config.ts';

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
      /TABLE_NAME: is missing; MAX_OBJECT_BYTES: must be at most 350000$/,
    );
  });
});

describe('Function: readFeedTopics', () => {
  it('should read the topics of each feed that has a list, and none without the variable', () => {
    // Act
    const topics = readFeedTopics({ FEED_TOPICS: JSON.stringify({ 'who-news': ['a', 'b'] }) });

    // Assess
    expect(topics.get('who-news')).toEqual(['a', 'b']);
    expect(topics.get('other')).toBeUndefined();
    expect(readFeedTopics({}).size).toBe(0);
  });

  it('should name the variable when its value is not a map of feed ids to topic ids', () => {
    // Act & Assess
    expect(() => readFeedTopics({ FEED_TOPICS: JSON.stringify({ 'who-news': 'a' }) })).toThrow(
      /^FEED_TOPICS is invalid: who-news:/,
    );
  });
});
