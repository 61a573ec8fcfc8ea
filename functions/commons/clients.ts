import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './powertools.ts';

/**
 * AWS SDK clients, built once per container. `AWS_ENDPOINT_URL` (read by the SDK itself)
 * points them at an emulator; `S3_FORCE_PATH_STYLE=true` is then needed for S3.
 */
export const buildClients = (env: NodeJS.ProcessEnv = process.env) => {
  const s3 = tracer.captureAWSv3Client(new S3Client({ forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' }));
  const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const sns = tracer.captureAWSv3Client(new SNSClient({}));
  return { s3, dynamodb, doc, sns };
};
