import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** True when a DynamoDB write was refused by its condition (the SDK class, or its name from another copy of it). */
export const isConditionFailure = (e: unknown): boolean =>
  e instanceof ConditionalCheckFailedException ||
  (e as { name?: string }).name === 'ConditionalCheckFailedException';
