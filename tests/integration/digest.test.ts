import { describe, expect, it } from 'vitest';
import { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbTopicStore } from '../../functions/adapters/aws/dynamodb-topic-store.ts';
import { SnsDigestSink } from '../../functions/adapters/aws/digest-sink.ts';
import { createDigestHandler } from '../../functions/digest/handler.ts';
import { setUp, subscribeQueue, uploadSeeds } from './helpers/alerting.ts';
import { lambdaContext, receiveMessages } from './helpers/emulator.ts';

describe('Integration: daily digest (moto)', () => {
  it("should send each digest subscriber one message with the day's alerts of its topics, once", async () => {
    // Prepare: the seeds ingested with alerting on, and a digest subscriber's filtered queue.
    const env = await setUp();
    const queue = await subscribeQueue(env.c, env.sns, env.topicArn, `digest-${env.table}`, {
      kind: ['digest'],
      subscriber: ['caucasus-editor'],
    });
    const other = await subscribeQueue(env.c, env.sns, env.topicArn, `other-${env.table}`, {
      kind: ['digest'],
      subscriber: ['someone-else'],
    });
    expect((await env.invoke(await uploadSeeds(env))).batchItemFailures).toEqual([]);
    const topics = new DynamoDbTopicStore(env.c.doc, env.table);
    const articles = new DynamoDbArticleStore(env.c.doc, env.table);
    const today = new Date().toISOString().slice(0, 10);
    const handler = createDigestHandler({
      subscribers: [
        {
          id: 'caucasus-editor',
          topics: ['international-health-aid', 'korea-foreign-relations'],
          minScore: 0.3,
        },
      ],
      sources: {
        listMatchRuns: (day) => topics.listMatchRuns(day),
        getMatch: (a, t) => topics.getMatch(a, t),
        getArticle: (id) => articles.getArticle(id),
        locate: (key) => `s3://${env.bucket}/${key}`,
      },
      sink: new SnsDigestSink(env.c.doc, env.table, env.sns, env.topicArn),
      clock: { now: () => new Date() },
    });

    // Act: the schedule fires, then fires again for the same day.
    const first = await handler({ day: today }, lambdaContext());
    const again = await handler({ day: today }, lambdaContext());

    // Assess
    expect(first).toEqual({ day: today, sent: [{ subscriberId: 'caucasus-editor', alerts: 2 }] });
    expect(again).toEqual({ day: today, sent: [] });
    const messages = await receiveMessages(env.c, queue, 2, 3_000);
    expect(messages).toHaveLength(1);
    const doc = JSON.parse((JSON.parse(messages[0]?.Body as string) as { Message: string }).Message) as {
      schema: string;
      subscriber: string;
      alerts: Array<{ topic: { id: string } }>;
    };
    expect(doc.schema).toBe('newswatch.digest/v1');
    expect(doc.alerts.map((a) => a.topic.id).sort()).toEqual([
      'international-health-aid',
      'korea-foreign-relations',
    ]);
    expect(await receiveMessages(env.c, other, 1, 1_000)).toEqual([]);
  });
});
