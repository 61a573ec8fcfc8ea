import { z } from 'zod';
import { DEFAULT_MAX_ARTICLE_BYTES } from '../core/articles/parse-article.ts';

const IngestConfigSchema = z.object({
  TABLE_NAME: z.string().min(3, 'TABLE_NAME must name the newswatch DynamoDB table'),
  BUCKET_NAME: z.string().min(3, 'BUCKET_NAME must name the articles bucket'),
  INCOMING_PREFIX: z.string().endsWith('/').default('incoming/'),
  QUARANTINE_PREFIX: z.string().endsWith('/').default('quarantine/'),
  MAX_OBJECT_BYTES: z.coerce.number().int().positive().max(350_000).default(DEFAULT_MAX_ARTICLE_BYTES),
});

/** Settings of the ingest function, read from its environment. */
export interface IngestConfig {
  tableName: string;
  bucket: string;
  incomingPrefix: string;
  quarantinePrefix: string;
  maxObjectBytes: number;
}

/** Reads and checks the ingest settings; a missing or bad variable fails with its name. */
export const readIngestConfig = (env: NodeJS.ProcessEnv = process.env): IngestConfig => {
  const parsed = IngestConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`ingest configuration is invalid: ${problems}`);
  }
  const c = parsed.data;
  return {
    tableName: c.TABLE_NAME,
    bucket: c.BUCKET_NAME,
    incomingPrefix: c.INCOMING_PREFIX,
    quarantinePrefix: c.QUARANTINE_PREFIX,
    maxObjectBytes: c.MAX_OBJECT_BYTES,
  };
};
