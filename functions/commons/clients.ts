import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './powertools.ts';

/**
 * AWS SDK clients, built once per container. `AWS_ENDPOINT_URL` (read by the SDK itself)
 * points them at an emulator; `S3_FORCE_PATH_STYLE=true` is then needed for S3.
 */
/**
 * Time limits per attempt. Without them a request that hangs waits for the Lambda timeout and
 * fails the whole batch; with them the SDK gives up on the attempt and retries it (throttling
 * and 5xx answers are retried the same way, 3 attempts in all, with back-off).
 */
export const REQUEST_LIMITS = {
  connectionTimeout: 2_000,
  requestTimeout: 5_000,
  // Without this the SDK only logs a warning when the time is up and goes on waiting.
  throwOnRequestTimeout: true,
} as const;

export const buildClients = (env: NodeJS.ProcessEnv = process.env) => {
  const requestHandler = { ...REQUEST_LIMITS };
  const s3 = tracer.captureAWSv3Client(
    new S3Client({ forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true', requestHandler }),
  );
  const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({ requestHandler }));
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const sns = tracer.captureAWSv3Client(new SNSClient({ requestHandler }));
  return { s3, dynamodb, doc, sns };
};
