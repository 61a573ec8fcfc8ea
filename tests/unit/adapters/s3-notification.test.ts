import { describe, expect, it } from 'vitest';
import {
  decodeS3EventKey,
  encodeS3EventKey,
  MalformedNotificationError,
  parseS3Notification,
} from '../../../functions/adapters/aws/s3-notification.ts';
import { s3MessageBody, s3Record, s3TestEventBody } from '../../fixtures/s3-events.ts';

describe('Function: decodeS3EventKey', () => {
  it.each([
    ['incoming/red+flower.txt', 'incoming/red flower.txt'],
    ['incoming/a%2Bb.txt', 'incoming/a+b.txt'],
    ['incoming/caf%C3%A9+%C3%BCber+%E6%96%B0%E8%81%9E.txt', 'incoming/café über 新聞.txt'],
    ['incoming/100%25+sure.json', 'incoming/100% sure.json'],
    ['incoming/plain.txt', 'incoming/plain.txt'],
  ])('should decode %s as S3 encodes it', (encoded, key) => {
    // Act
    const decoded = decodeS3EventKey(encoded);

    // Assess
    expect(decoded).toBe(key);
    expect(encodeS3EventKey(key)).toBe(encoded);
  });

  it('should return a key that is not valid percent-encoding as it came, spaces restored', () => {
    // Act & Assess
    expect(decodeS3EventKey('incoming/50%+off.txt')).toBe('incoming/50% off.txt');
  });
});

describe('Function: parseS3Notification', () => {
  it('should recognise the s3:TestEvent sent when notifications are configured', () => {
    // Act & Assess
    expect(parseS3Notification(s3TestEventBody)).toEqual({ kind: 'test-event' });
  });

  it('should return each created object with its decoded key, size, etag, version and sequencer', () => {
    // Prepare
    const body = s3MessageBody(
      s3Record('incoming/red+flower.txt', { size: 77 }),
      s3Record('incoming/a%2Bb.txt'),
    );

    // Act
    const result = parseS3Notification(body);

    // Assess
    expect(result).toEqual({
      kind: 'objects',
      ignored: [],
      objects: [
        {
          bucket: 'articles-bucket',
          ref: {
            key: 'incoming/red flower.txt',
            size: 77,
            etag: 'd41d8cd98f00b204e9800998ecf8427e',
            versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
            sequencer: '0055AED6DCD90281E5',
            eventTime: '2026-11-23T10:00:00.000Z',
          },
        },
        expect.objectContaining({ ref: expect.objectContaining({ key: 'incoming/a+b.txt' }) }),
      ],
    });
  });

  it('should list events other than ObjectCreated as ignored', () => {
    // Act
    const result = parseS3Notification(
      s3MessageBody(s3Record('incoming/x.txt', { eventName: 'ObjectRemoved:Delete' })),
    );

    // Assess
    expect(result).toEqual({
      kind: 'objects',
      objects: [],
      ignored: [{ eventName: 'ObjectRemoved:Delete', key: 'incoming/x.txt' }],
    });
  });

  it.each([['not json'], ['{"hello": "world"}'], ['{"Records": [{"eventName": "ObjectCreated:Put"}]}']])(
    'should throw MalformedNotificationError for %s',
    (body) => {
      // Act & Assess
      expect(() => parseS3Notification(body)).toThrow(MalformedNotificationError);
    },
  );
});
