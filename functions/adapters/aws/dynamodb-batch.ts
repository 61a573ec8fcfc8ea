import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Keys per BatchGetItem and puts per BatchWriteItem, as DynamoDB allows. */
export const BATCH_GET_MAX = 100;
export const BATCH_WRITE_MAX = 25;

/**
 * Rounds of a batch whose answer still leaves items unprocessed (throttled) before giving up;
 * the SDK has already retried each request. Giving up throws, so the object is retried.
 */
export const BATCH_ROUNDS = 8;

/** Waits before round `round` (1, 2, …): full jitter over 25 ms doubling, at most 1.6 s. */
export const batchBackoff = (round: number, random: () => number = Math.random): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, random() * Math.min(1_600, 25 * 2 ** round)));

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

const chunks = <T>(list: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

/** Options of a batch: how to wait between rounds (tests make it immediate). */
export interface BatchOptions {
  backoff?: (round: number) => Promise<void>;
}

/**
 * Reads items by key with BatchGetItem, 100 keys a request, sending again the keys DynamoDB
 * left unprocessed, with back-off. Returns the items found, in no particular order; a key
 * without an item is left out.
 */
export const batchGetItems = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
  options: BatchOptions & { consistent?: boolean } = {},
): Promise<Item[]> => {
  const wait = options.backoff ?? batchBackoff;
  const found: Item[] = [];
  for (const chunk of chunks(keys, BATCH_GET_MAX)) {
    let pending: Key[] = chunk;
    for (let round = 0; pending.length > 0; round++) {
      if (round >= BATCH_ROUNDS) {
        throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${BATCH_ROUNDS} rounds`);
      }
      if (round > 0) await wait(round);
      const res = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: { Keys: pending, ...(options.consistent ? { ConsistentRead: true } : {}) },
          },
        }),
      );
      found.push(...(res.Responses?.[tableName] ?? []));
      pending = (res.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
    }
  }
  return found;
};

/**
 * Writes items with BatchWriteItem (plain puts: no conditions), 25 a request, sending again
 * the puts DynamoDB left unprocessed, with back-off. For items that a retry may write again
 * unchanged, never for writes whose condition matters.
 */
export const batchPutItems = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
  options: BatchOptions = {},
): Promise<void> => {
  const wait = options.backoff ?? batchBackoff;
  for (const chunk of chunks(items, BATCH_WRITE_MAX)) {
    let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; pending.length > 0; round++) {
      if (round >= BATCH_ROUNDS) {
        throw new Error(
          `BatchWriteItem left ${pending.length} puts unprocessed after ${BATCH_ROUNDS} rounds`,
        );
      }
      if (round > 0) await wait(round);
      const res = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (res.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
};
