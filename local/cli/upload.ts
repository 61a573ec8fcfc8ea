import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** Parts of 8 MiB: files above this go up in several parts, four at a time. */
export const PART_SIZE = 8 * 1024 * 1024;

/** One file uploaded. */
export interface Uploaded {
  file: string;
  bucket: string;
  key: string;
  bytes: number;
  /** True when the file went up in more than one part. */
  multipart: boolean;
  etag?: string;
}

/** An S3 client from the usual AWS configuration (profile, region, `AWS_ENDPOINT_URL`). */
export const uploadClient = (region?: string) =>
  new S3Client({
    ...(region ? { region } : {}),
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
  });

/**
 * Uploads a file to `s3://bucket/<prefix><name>`: the bucket's `incoming/` prefix is what the
 * ingest function listens to. Large files go up in parts; `onProgress` gets bytes sent so far.
 */
export const uploadFile = async (
  s3: S3Client,
  file: string,
  bucket: string,
  prefix: string,
  onProgress: (sent: number) => void = () => undefined,
): Promise<Uploaded> => {
  const bytes = statSync(file).size;
  const key = `${prefix}${basename(file)}`;
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: createReadStream(file) },
    partSize: PART_SIZE,
    queueSize: 4,
    leavePartsOnError: false,
  });
  upload.on('httpUploadProgress', (p) => onProgress(p.loaded ?? 0));
  const result = await upload.done();
  return {
    file,
    bucket,
    key,
    bytes,
    multipart: bytes > PART_SIZE,
    ...(result.ETag ? { etag: result.ETag } : {}),
  };
};
