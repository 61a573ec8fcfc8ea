import type { ObjectRef } from '../../core/pipeline/ports.ts';
import * as z from '../../core/validation.ts';

/**
 * Decodes an object key as S3 writes it into event notifications: form-encoded, so a
 * space arrives as `+` and a real `+` as `%2B`. `decodeURIComponent` alone would leave
 * `+` as `+`. A key that is not valid percent-encoding is returned as it came.
 */
export const decodeS3EventKey = (encoded: string): string => {
  const spaced = encoded.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
};

/** Encodes a key the way S3 does in event notifications (the inverse of {@link decodeS3EventKey}). */
export const encodeS3EventKey = (key: string): string =>
  encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/gi, '/');

const S3RecordSchema = z.object({
  eventName: z.string(),
  eventTime: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({
      key: z.string(),
      size: z.optional(z.int().check(z.gte(0))),
      eTag: z.optional(z.string()),
      versionId: z.optional(z.string()),
      sequencer: z.optional(z.string()),
    }),
  }),
});

const NotificationSchema = z.union([
  z.object({ Event: z.literal('s3:TestEvent'), Bucket: z.optional(z.string()) }),
  z.object({ Records: z.array(S3RecordSchema) }),
]);

/** An object announced by S3, with the bucket it lives in. */
export interface AnnouncedObject {
  bucket: string;
  ref: ObjectRef;
}

/** What one queue message says. */
export type Notification =
  | { kind: 'test-event' }
  | { kind: 'objects'; objects: AnnouncedObject[]; ignored: Array<{ eventName: string; key: string }> };

/** Thrown for a queue message that is not an S3 notification: it cannot succeed on retry. */
export class MalformedNotificationError extends Error {
  override readonly name = 'MalformedNotificationError';
}

/**
 * Reads the body of an SQS message carrying an S3 event notification. Only ObjectCreated
 * events are returned; others are listed as ignored. Keys come back decoded.
 */
export const parseS3Notification = (body: string): Notification => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedNotificationError(
      'the message body is not JSON, so it is not an S3 event notification',
    );
  }
  const parsed = NotificationSchema.safeParse(json);
  if (!parsed.success) {
    throw new MalformedNotificationError(
      `the message body is not an S3 event notification: ${z.firstIssue(parsed.error)}`,
    );
  }
  if ('Event' in parsed.data) return { kind: 'test-event' };
  const objects: AnnouncedObject[] = [];
  const ignored: Array<{ eventName: string; key: string }> = [];
  for (const r of parsed.data.Records) {
    const key = decodeS3EventKey(r.s3.object.key);
    if (!r.eventName.startsWith('ObjectCreated:')) {
      ignored.push({ eventName: r.eventName, key });
      continue;
    }
    const o = r.s3.object;
    objects.push({
      bucket: r.s3.bucket.name,
      ref: {
        key,
        size: o.size ?? 0,
        etag: (o.eTag ?? o.sequencer ?? r.eventTime).replace(/"/g, ''),
        ...(o.versionId ? { versionId: o.versionId } : {}),
        ...(o.sequencer ? { sequencer: o.sequencer } : {}),
        eventTime: r.eventTime,
      },
    });
  }
  return { kind: 'objects', objects, ignored };
};
