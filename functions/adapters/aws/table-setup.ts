import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { TABLE_KEYS } from './table-layout.ts';

/**
 * Creates the newswatch table with the key layout the stores use (the CDK stack declares the
 * same). For emulators and the local runtime; on AWS the stack owns the table.
 */
export const createTable = async (dynamodb: DynamoDBClient, name: string): Promise<void> => {
  const { partitionKey, sortKey, gsi1 } = TABLE_KEYS;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, gsi1.partitionKey, gsi1.sortKey].map((n) => ({
        AttributeName: n,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: gsi1.name,
          KeySchema: [
            { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
};

/** Creates the table unless it exists; true when it was created now. */
export const ensureTable = async (dynamodb: DynamoDBClient, name: string): Promise<boolean> => {
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    return false;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  await createTable(dynamodb, name);
  // A new table answers "not found" until it is active (dynalite too, for a moment).
  for (let tries = 0; tries < 500; tries++) {
    const res = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    if (res.Table?.TableStatus === 'ACTIVE') return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`table ${name} did not become active`);
};
