import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FeedDocument, FeedDocumentWriter } from '../../core/pipeline/ports.ts';

/** S3 answers a conditional write whose object exists with 412; a write racing another with 409. */
const isExisting = (e: unknown): boolean => {
  const name = (e as { name?: string }).name;
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (
    name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409
  );
};

/**
 * Writes feed documents into the articles bucket, where S3 notifies the ingest queue. The key
 * names the content, and the write is conditional (`If-None-Match: *`): a document already
 * there is not written again, so the ingest function never reads the same content twice, even
 * when a poll's state was lost after the write.
 */
export class S3FeedDocumentWriter implements FeedDocumentWriter {
  private readonly s3: S3Client;
  private readonly bucket: string;

  constructor(s3: S3Client, bucket: string) {
    this.s3 = s3;
    this.bucket = bucket;
  }

  async write(document: FeedDocument): Promise<'written' | 'exists'> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: document.key,
          Body: document.body,
          ContentType: document.contentType,
          Metadata: document.metadata,
          IfNoneMatch: '*',
        }),
      );
      return 'written';
    } catch (e) {
      if (isExisting(e)) return 'exists';
      throw e;
    }
  }
}
