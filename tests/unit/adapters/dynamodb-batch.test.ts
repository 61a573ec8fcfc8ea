import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  BATCH_ROUNDS,
  batchGetItems,
  batchPutItems,
} from '../../../functions/adapters/aws/dynamodb-batch.ts';

type Input = { RequestItems: Record<string, unknown> };

/** A document client whose answers come from `answer`; it records every request. */
const fakeClient = (answer: (input: Input, call: number) => unknown) => {
  const requests: Input[] = [];
  const doc = {
    send: (command: { input: Input }) => {
      requests.push(structuredClone(command.input));
      return Promise.resolve(answer(command.input, requests.length));
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, requests };
};
const now = () => Promise.resolve();

describe('Function: batchPutItems', () => {
  it('should send 25 puts a request and send again what DynamoDB left unprocessed', async () => {
    // Prepare: 30 items; the first answer leaves two of its puts unprocessed.
    const items = Array.from({ length: 30 }, (_, i) => ({ pk: `P#${i}`, sk: 'S' }));
    const { doc, requests } = fakeClient((input, call) => {
      const puts = input.RequestItems.t as Array<{ PutRequest: unknown }>;
      return call === 1 ? { UnprocessedItems: { t: puts.slice(0, 2) } } : {};
    });
    const waits: number[] = [];

    // Act
    await batchPutItems(doc, 't', items, {
      backoff: (round) => {
        waits.push(round);
        return Promise.resolve();
      },
    });

    // Assess: 25, then the 2 left over (after one wait), then the last 5.
    const sizes = requests.map((r) => (r.RequestItems.t as unknown[]).length);
    expect(sizes).toEqual([25, 2, 5]);
    expect(requests[1]?.RequestItems.t).toEqual(items.slice(0, 2).map((Item) => ({ PutRequest: { Item } })));
    expect(waits).toEqual([1]);
  });

  it('should give up with an error when puts stay unprocessed', async () => {
    // Prepare: every answer leaves everything unprocessed.
    const { doc, requests } = fakeClient((input) => ({ UnprocessedItems: input.RequestItems }));

    // Act & Assess
    await expect(batchPutItems(doc, 't', [{ pk: 'a', sk: 'b' }], { backoff: now })).rejects.toThrow(
      /unprocessed after 8 rounds/,
    );
    expect(requests).toHaveLength(BATCH_ROUNDS);
  });
});

describe('Function: batchGetItems', () => {
  it('should read 100 keys a request, ask again for unprocessed keys, and return what exists', async () => {
    // Prepare: 120 keys; items exist for even numbers; the first answer leaves 3 keys out.
    const keys = Array.from({ length: 120 }, (_, i) => ({ pk: `K#${i}`, sk: 'S' }));
    const { doc, requests } = fakeClient((input, call) => {
      const asked = (input.RequestItems.t as { Keys: Array<{ pk: string }> }).Keys;
      const served = call === 1 ? asked.slice(3) : asked;
      return {
        Responses: { t: served.filter((k) => Number(k.pk.slice(2)) % 2 === 0).map((k) => ({ ...k, v: 1 })) },
        ...(call === 1 ? { UnprocessedKeys: { t: { Keys: asked.slice(0, 3) } } } : {}),
      };
    });

    // Act
    const items = await batchGetItems(doc, 't', keys, { backoff: now, consistent: true });

    // Assess
    expect(requests.map((r) => (r.RequestItems.t as { Keys: unknown[] }).Keys.length)).toEqual([100, 3, 20]);
    expect((requests[0]?.RequestItems.t as { ConsistentRead?: boolean }).ConsistentRead).toBe(true);
    expect(items.map((i) => i.pk).sort()).toEqual(
      keys
        .map((k) => k.pk)
        .filter((pk) => Number(pk.slice(2)) % 2 === 0)
        .sort(),
    );
  });

  it('should send nothing for no keys', async () => {
    // Prepare
    const { doc, requests } = fakeClient(() => ({}));

    // Act & Assess
    expect(await batchGetItems(doc, 't', [])).toEqual([]);
    expect(requests).toHaveLength(0);
  });
});
