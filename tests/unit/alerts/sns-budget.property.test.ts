import type { PublishBatchCommandInput, SNSClient } from '@aws-sdk/client-sns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnsAlertPublisher } from '../../../functions/adapters/aws/sns-alert-publisher.ts';
import type { Alert } from '../../../functions/core/alerts/alert.ts';
import { composeSnsMessage, snsMessageStructure } from '../../../functions/core/alerts/compose.ts';
import { composeDigestSnsMessage } from '../../../functions/core/alerts/digest.ts';
import { composeGatedMessage, releaseChunks } from '../../../functions/core/alerts/fatigue.ts';
import {
  packSnsBatches,
  SNS_PAYLOAD_BUDGET_BYTES,
  SNS_PAYLOAD_LIMIT_BYTES,
  snsPayloadBytes,
  SnsPayloadTooLargeError,
  utf8Bytes,
} from '../../../functions/core/alerts/sns-budget.ts';

/** Pieces that cost the most bytes once escaped twice as JSON, or that break parsers. */
const HOSTILE = ['"', '\\', '😀', '韩', '\u0000', '\ud800', '<!channel>', 'e\u0301', '👨‍👩‍👧‍👦', '\u202e', '\n'];

/** A field: random Unicode, or one hostile piece repeated up to 70 000 characters. */
const field = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc
    .tuple(fc.constantFrom(...HOSTILE), fc.integer({ min: 1, max: 70_000 }))
    .map(([piece, n]) => piece.repeat(Math.ceil(n / piece.length)).slice(0, n)),
);

const alertArb: fc.Arbitrary<Alert> = fc
  .record({
    title: field,
    author: field,
    source: field,
    url: field.map((f) => `https://x.example/${f}`),
    location: field,
    topicName: field,
    snippet: field,
    terms: fc.array(fc.record({ term: field, list: field }), { maxLength: 120 }),
    countries: fc.array(fc.stringMatching(/^[A-Z]{2}$/), { maxLength: 400 }),
    stage: fc.array(field, { maxLength: 30 }),
    sources: fc.array(field, { maxLength: 60 }),
    n: fc.nat(999_999),
  })
  .map((r) => ({
    id: `alert_${String(r.n).padStart(24, '0')}`,
    kind: 'alert',
    backfill: true,
    createdAt: '2026-11-23T10:00:00.000Z',
    topic: { id: 'aid', name: r.topicName },
    score: 0.5,
    article: {
      id: 'a'.repeat(32),
      title: r.title,
      date: '2020-07-26',
      author: r.author,
      url: r.url,
      source: r.source,
      location: r.location,
    },
    explanation: {
      terms: r.terms.map((t) => ({
        term: t.term,
        list: t.list,
        count: 1,
        positions: [{ field: 'body' as const, start: 0, end: 1, text: 'x' }],
      })),
      countries: r.countries,
      snippet: r.snippet,
    },
    stage: { probability: 0.5, baseScore: 0.4, top: r.stage.map((feature) => ({ feature, effect: 1 })) },
    story: { id: 'b'.repeat(32), role: 'update', sources: r.sources },
  }));

/** An SNS client that keeps the PublishBatch requests it is sent. */
const recordingSns = () => {
  const requests: PublishBatchCommandInput[] = [];
  const client = {
    send: (command: { input: PublishBatchCommandInput }) => {
      requests.push(command.input);
      return Promise.resolve({ Failed: [] });
    },
  } as unknown as SNSClient;
  return { client, requests };
};

/** The bytes SNS counts for one PublishBatch request: every entry's body, subject and attributes. */
const requestBytes = (input: PublishBatchCommandInput): number =>
  (input.PublishBatchRequestEntries ?? []).reduce(
    (n, e) =>
      n +
      snsPayloadBytes({
        subject: e.Subject ?? '',
        message: e.Message ?? '',
        attributes: Object.fromEntries(
          Object.entries(e.MessageAttributes ?? {}).map(([k, v]) => [
            k,
            { DataType: v.DataType ?? '', StringValue: v.StringValue ?? '' },
          ]),
        ),
      }),
    0,
  );

describe('SNS size budget (property)', () => {
  it('should keep one alert message under the budget whatever its fields hold', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(alertArb, (alert) => {
        // Act
        const m = composeSnsMessage(alert);

        // Assess
        expect(snsPayloadBytes(m)).toBeLessThanOrEqual(SNS_PAYLOAD_BUDGET_BYTES);
        expect(m.subject).toMatch(/^[\x20-\x7e]{1,99}$/);
        expect(m.message.isWellFormed()).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it(
    'should send PublishBatch requests of at most ten entries and under 256 KiB in all',
    { timeout: 30_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(alertArb, { minLength: 1, maxLength: 25 }), async (alerts) => {
          // Prepare
          const sns = recordingSns();
          const unique = alerts.map((a, i) => ({ ...a, id: `alert_${String(i).padStart(24, '0')}` }));

          // Act
          const { failed } = await new SnsAlertPublisher(
            sns.client,
            'arn:aws:sns:eu-west-1:1:alerts',
          ).publish(unique);

          // Assess
          expect(failed).toEqual([]);
          const sent = sns.requests.flatMap((r) => r.PublishBatchRequestEntries ?? []).map((e) => e.Id);
          expect(sent).toEqual(unique.map((a) => a.id));
          for (const r of sns.requests) {
            expect(r.PublishBatchRequestEntries?.length).toBeLessThanOrEqual(10);
            expect(requestBytes(r)).toBeLessThanOrEqual(SNS_PAYLOAD_BUDGET_BYTES);
            expect(requestBytes(r)).toBeLessThan(SNS_PAYLOAD_LIMIT_BYTES);
          }
        }),
        { numRuns: 12 },
      );
    },
  );

  it(
    'should keep a digest and every folded message of held alerts under the budget',
    { timeout: 30_000 },
    () => {
      fc.assert(
        fc.property(fc.array(alertArb, { minLength: 2, maxLength: 45 }), (alerts) => {
          // Act
          const digest = composeDigestSnsMessage({
            id: 'digest_desk_2026-11-23',
            subscriberId: 'desk',
            day: '2026-11-23',
            alerts,
          });
          const chunks = releaseChunks(alerts.map((alert) => ({ alert })));

          // Assess
          expect(snsPayloadBytes(digest)).toBeLessThanOrEqual(SNS_PAYLOAD_BUDGET_BYTES);
          expect(chunks.flat()).toHaveLength(alerts.length);
          for (const chunk of chunks) {
            const m = composeGatedMessage(
              chunk.map((c) => c.alert),
              'cooldown',
            );
            const bytes =
              utf8Bytes(snsMessageStructure(m.text, JSON.stringify(m.document))) + utf8Bytes(m.snsSubject);
            expect(bytes).toBeLessThanOrEqual(SNS_PAYLOAD_BUDGET_BYTES);
          }
        }),
        { numRuns: 8 },
      );
    },
  );
});

describe('Function: packSnsBatches', () => {
  it('should keep a message over the budget out of every batch and say why with a typed error', () => {
    // Prepare
    const small = { id: 'a', subject: 's', message: 'x'.repeat(1000), attributes: {} };
    const huge = { id: 'b', subject: 's', message: 'x'.repeat(SNS_PAYLOAD_BUDGET_BYTES), attributes: {} };

    // Act
    const { batches, tooLarge } = packSnsBatches([small, huge, small]);

    // Assess
    expect(batches).toEqual([[small, small]]);
    expect(tooLarge).toHaveLength(1);
    expect(tooLarge[0]?.payload).toBe(huge);
    expect(tooLarge[0]?.error).toBeInstanceOf(SnsPayloadTooLargeError);
    expect(tooLarge[0]?.error.message).toMatch(
      /^SnsPayloadTooLarge: the message is \d+ bytes, over the 260096-byte/,
    );
  });

  it('should start a new batch when the next message would take the batch over the budget', () => {
    // Prepare: three messages of 100 KiB each.
    const m = (id: string) => ({ id, subject: '', message: 'x'.repeat(100 * 1024), attributes: {} });

    // Act
    const { batches } = packSnsBatches([m('1'), m('2'), m('3')]);

    // Assess
    expect(batches.map((b) => b.map((x) => x.id))).toEqual([['1', '2'], ['3']]);
  });

  it('should count attributes and the subject in a message size', () => {
    // Act
    const bytes = snsPayloadBytes({
      subject: 'é',
      message: '😀',
      attributes: { kind: { DataType: 'String', StringValue: 'alert' } },
    });

    // Assess: 2 + 4 + 4 + 6 + 5.
    expect(bytes).toBe(21);
  });
});
