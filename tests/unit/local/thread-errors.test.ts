import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { AlertHeldError, AlertPublishError } from '../../../functions/core/pipeline/matching.ts';
import { errorData, errorFrom } from '../../../local/ingest-threads.ts';

/** An error sent from one thread to another: through the structured clone a message takes. */
const across = (e: unknown) => errorFrom(structuredClone(errorData(e)));

describe('Errors that cross between the runtime and its ingest threads', () => {
  it('should keep the pipeline’s own errors as their classes', () => {
    // Act
    const held = across(new AlertHeldError('2 alerts are being published by another run'));
    const failed = across(new AlertPublishError('1 of 3 alerts were not published: down'));

    // Assess
    expect(held).toBeInstanceOf(AlertHeldError);
    expect(held.message).toBe('2 alerts are being published by another run');
    expect(failed).toBeInstanceOf(AlertPublishError);
    expect(failed.name).toBe('AlertPublishError');
  });

  it('should keep a refused write’s name and the item it returned, which the stores read', () => {
    // Prepare
    const refused = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      Item: { pk: { S: 'ARTICLE#a1' } },
    });

    // Act
    const again = across(refused);

    // Assess
    expect(again.name).toBe('ConditionalCheckFailedException');
    expect(again.message).toBe('The conditional request failed');
    expect((again as unknown as { Item: unknown }).Item).toEqual({ pk: { S: 'ARTICLE#a1' } });
  });

  it('should carry a thrown value that is not an error as its text, and leave uncopyable fields behind', () => {
    // Prepare
    const odd = Object.assign(new Error('socket closed'), { code: 'EPIPE', socket: { write: () => 0 } });

    // Act
    const fromString = across('plain text');
    const fromOdd = across(odd);

    // Assess
    expect(fromString.message).toBe('plain text');
    expect((fromOdd as unknown as { code: string }).code).toBe('EPIPE');
    expect(fromOdd).not.toHaveProperty('socket');
  });
});
