import { CopyObjectCommand, GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { ObjectGoneError, type ObjectRef, type ObjectSource } from '../../core/pipeline/ports.ts';

/** Where the bucket keeps new files and rejected copies. */
export interface BucketLayout {
  bucket: string;
  incomingPrefix: string;
  quarantinePrefix: string;
}

/** Quarantine key for an incoming key: `incoming/a/b.txt` → `quarantine/a/b.txt`. */
export const quarantineKeyFor = (key: string, layout: Omit<BucketLayout, 'bucket'>): string =>
  layout.quarantinePrefix +
  (key.startsWith(layout.incomingPrefix) ? key.slice(layout.incomingPrefix.length) : key);

const isMissing = (e: unknown): boolean =>
  e instanceof NoSuchKey ||
  (e as { name?: string }).name === 'NoSuchKey' ||
  (e as { name?: string }).name === 'NoSuchVersion';

/** Reads objects from the articles bucket and copies rejected ones to quarantine. */
export class S3ObjectSource implements ObjectSource {
  private readonly s3: S3Client;
  private readonly layout: BucketLayout;

  constructor(s3: S3Client, layout: BucketLayout) {
    this.s3 = s3;
    this.layout = layout;
  }

  async read(ref: ObjectRef): Promise<Uint8Array> {
    try {
      const res = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.layout.bucket,
          Key: ref.key,
          ...(ref.versionId ? { VersionId: ref.versionId } : {}),
        }),
      );
      if (!res.Body) throw new ObjectGoneError(ref.key);
      return await res.Body.transformToByteArray();
    } catch (e) {
      if (isMissing(e)) throw new ObjectGoneError(ref.key);
      throw e;
    }
  }

  async quarantine(ref: ObjectRef): Promise<string> {
    const target = quarantineKeyFor(ref.key, this.layout);
    const source = `${this.layout.bucket}/${encodeURIComponent(ref.key).replace(/%2F/gi, '/')}`;
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: this.layout.bucket,
        Key: target,
        CopySource: ref.versionId ? `${source}?versionId=${encodeURIComponent(ref.versionId)}` : source,
        MetadataDirective: 'COPY',
        TaggingDirective: 'COPY',
      }),
    );
    return target;
  }
}
