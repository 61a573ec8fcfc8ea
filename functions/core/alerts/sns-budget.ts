/**
 * The size budget of SNS messages. SNS refuses a message over 256 KiB, and a PublishBatch
 * whose messages add up to more than 256 KiB, message attributes included. Alert fields
 * are capped (channel-text.ts), digests and folded messages list only what fits, and every
 * publish is measured against this budget before it is sent: a message that would not fit
 * fails with a {@link SnsPayloadTooLargeError}, not with a refusal from AWS.
 */

/** SNS's limit for one message and for all messages of one PublishBatch, attributes included. */
export const SNS_PAYLOAD_LIMIT_BYTES = 256 * 1024;

/** What we allow ourselves: the limit less 2 KiB for whatever SNS counts that we do not. */
export const SNS_PAYLOAD_BUDGET_BYTES = SNS_PAYLOAD_LIMIT_BYTES - 2 * 1024;

/** SNS accepts at most ten entries in one PublishBatch call. */
export const SNS_BATCH_ENTRIES = 10;

/** One SNS message as we publish it. */
export interface SnsPayload {
  subject: string;
  message: string;
  attributes: Record<string, { DataType: string; StringValue: string }>;
}

/** UTF-8 length of a well-formed string, without encoding it. */
export const utf8Bytes = (text: string): number => {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: one code point of four bytes.
      n += 4;
      i++;
    } else n += 3; // a lone surrogate is sent as U+FFFD, three bytes too
  }
  return n;
};

/** Bytes a string takes once written as a JSON string (quotes and escapes included). */
export const jsonStringBytes = (text: string): number => utf8Bytes(JSON.stringify(text));

/** Bytes SNS counts for a message: body, subject, and each attribute's name, type and value. */
export const snsPayloadBytes = (p: SnsPayload): number =>
  utf8Bytes(p.message) +
  utf8Bytes(p.subject) +
  Object.entries(p.attributes).reduce(
    (n, [name, a]) => n + utf8Bytes(name) + utf8Bytes(a.DataType) + utf8Bytes(a.StringValue),
    0,
  );

/** A message (or batch) larger than {@link SNS_PAYLOAD_BUDGET_BYTES}: it would be refused. */
export class SnsPayloadTooLargeError extends Error {
  override readonly name = 'SnsPayloadTooLarge';
  readonly bytes: number;
  readonly budget = SNS_PAYLOAD_BUDGET_BYTES;
  constructor(what: string, bytes: number) {
    super(
      `SnsPayloadTooLarge: ${what} is ${bytes} bytes, over the ${SNS_PAYLOAD_BUDGET_BYTES}-byte budget of one SNS publish`,
    );
    this.bytes = bytes;
  }
}

/** Throws {@link SnsPayloadTooLargeError} when one message is over the budget. */
export const assertSnsPayload = (p: SnsPayload, what: string): void => {
  const bytes = snsPayloadBytes(p);
  if (bytes > SNS_PAYLOAD_BUDGET_BYTES) throw new SnsPayloadTooLargeError(what, bytes);
};

/**
 * Groups messages into PublishBatch calls: at most ten each and at most the budget in all.
 * A message over the budget on its own goes in no batch: it comes back in `tooLarge`.
 */
export const packSnsBatches = <T extends SnsPayload>(
  payloads: readonly T[],
): { batches: T[][]; tooLarge: Array<{ payload: T; error: SnsPayloadTooLargeError }> } => {
  const batches: T[][] = [];
  const tooLarge: Array<{ payload: T; error: SnsPayloadTooLargeError }> = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const p of payloads) {
    const size = snsPayloadBytes(p);
    if (size > SNS_PAYLOAD_BUDGET_BYTES) {
      tooLarge.push({ payload: p, error: new SnsPayloadTooLargeError('the message', size) });
      continue;
    }
    if (batch.length === SNS_BATCH_ENTRIES || bytes + size > SNS_PAYLOAD_BUDGET_BYTES) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(p);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return { batches, tooLarge };
};
