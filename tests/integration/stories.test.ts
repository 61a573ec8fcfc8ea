import { describe, expect, it } from 'vitest';
import { EDITS, seedStories } from '../../bench/story-variants.ts';
import { DynamoDbArticleStore } from '../../functions/adapters/aws/dynamodb-article-store.ts';
import { DynamoDbStoryStore } from '../../functions/adapters/aws/dynamodb-story-store.ts';
import { DynamoDbTopicStore } from '../../functions/adapters/aws/dynamodb-topic-store.ts';
import { SnsDigestSink } from '../../functions/adapters/aws/digest-sink.ts';
import { filterPolicyOf } from '../../functions/core/alerts/subscribers.ts';
import { createDigestHandler } from '../../functions/digest/handler.ts';
import { alertsIn, setUp, subscribeQueue } from './helpers/alerting.ts';
import { lambdaContext, putObject, receiveMessages, scanTable } from './helpers/emulator.ts';

describe('Integration: one story from three outlets (moto)', () => {
  it('should alert once per story, send later copies only to subscribers who want updates, and count the sources in the digest', async () => {
    // Prepare: a subscriber with the default (one alert per story), one who asked for updates.
    const env = await setUp();
    const base = {
      email: 'desk@example.org',
      topics: ['international-health-aid'],
      minScore: 0,
      mode: 'immediate' as const,
    };
    const once = await subscribeQueue(
      env.c,
      env.sns,
      env.topicArn,
      `once-${env.table}`,
      filterPolicyOf({ id: 'once', ...base, updates: false }),
    );
    const all = await subscribeQueue(
      env.c,
      env.sns,
      env.topicArn,
      `all-${env.table}`,
      filterPolicyOf({ id: 'all', ...base, updates: true }),
    );
    const seed = seedStories()[0] as NonNullable<ReturnType<typeof seedStories>[0]>;
    const copies = [
      { key: 'incoming/trend/masks.json', story: { ...seed, source: 'Trend' } },
      {
        key: 'incoming/azernews/masks.json',
        story: { ...(EDITS['added paragraph']?.(seed, () => 0.2) ?? seed), source: 'AzerNews' },
      },
      {
        key: 'incoming/wire/masks.json',
        story: { ...(EDITS['reordered sentences']?.(seed, () => 0.4) ?? seed), source: 'Caspian Wire' },
      },
    ];

    // Act: the three copies arrive one after another.
    for (const copy of copies) {
      await putObject(
        env.c,
        env.bucket,
        copy.key,
        JSON.stringify({
          title: copy.story.title,
          date: '2020-07-26',
          source: copy.story.source,
          body: copy.story.paragraphs,
        }),
      );
      const messages = await receiveMessages(env.c, env.queueUrl, 1);
      expect((await env.invoke(messages)).batchItemFailures).toEqual([]);
    }

    // Assess: three articles, one story with three outlets.
    const items = await scanTable(env.c, env.table);
    const articles = items.filter((i) => i.sk === 'ARTICLE');
    const storyItems = items.filter((i) => i.sk === 'STORY' && String(i.pk).startsWith('STORY#'));
    expect(articles).toHaveLength(3);
    expect(storyItems).toHaveLength(1);
    const stories = new DynamoDbStoryStore(env.c.doc, env.table);
    const story = await stories.get(String(storyItems[0]?.storyId));
    expect(story?.sources).toEqual(['AzerNews', 'Caspian Wire', 'Trend']);
    expect(story?.articleIds).toHaveLength(3);
    expect(story?.firstArticleId).toBe(story?.storyId);

    // One alert for the default subscriber; the first plus two updates for the other.
    const onceAlerts = alertsIn(await receiveMessages(env.c, once, 4, 3_000));
    const allAlerts = alertsIn(await receiveMessages(env.c, all, 4, 3_000));
    expect(onceAlerts).toHaveLength(1);
    expect(onceAlerts[0]?.attributes.storyRole?.Value).toBe('first');
    expect(allAlerts.map((a) => a.attributes.storyRole?.Value).sort()).toEqual(['first', 'update', 'update']);

    // The digest lists the story once and says who else reported it.
    const topics = new DynamoDbTopicStore(env.c.doc, env.table);
    const articleStore = new DynamoDbArticleStore(env.c.doc, env.table);
    const digestQueue = await subscribeQueue(
      env.c,
      env.sns,
      env.topicArn,
      `digest-${env.table}`,
      { kind: ['digest'], subscriber: ['daily'] },
      { raw: true },
    );
    const today = new Date().toISOString().slice(0, 10);
    const digest = await createDigestHandler({
      subscribers: [{ id: 'daily', topics: ['international-health-aid'], minScore: 0 }],
      sources: {
        listMatchRuns: (day) => topics.listMatchRuns(day),
        getMatch: (a, t) => topics.getMatch(a, t),
        getArticle: (id) => articleStore.getArticle(id),
        locate: (key) => `s3://${env.bucket}/${key}`,
        getStory: (id) => stories.get(id),
      },
      sink: new SnsDigestSink(env.c.doc, env.table, env.sns, env.topicArn),
      clock: { now: () => new Date() },
    })({ day: today }, lambdaContext());
    expect(digest.sent).toEqual([{ subscriberId: 'daily', alerts: 1 }]);
    const [message] = await receiveMessages(env.c, digestQueue, 1);
    const doc = JSON.parse(message?.Body as string) as { alerts: Array<{ story: { sources: string[] } }> };
    expect(doc.alerts[0]?.story.sources).toEqual(['Trend', 'AzerNews', 'Caspian Wire']);
  });

  it('should make one story of copies that arrive in the same batch', async () => {
    // Prepare
    const env = await setUp();
    const once = await subscribeQueue(
      env.c,
      env.sns,
      env.topicArn,
      `batch-${env.table}`,
      filterPolicyOf({
        id: 'once',
        email: 'o@example.org',
        topics: ['international-health-aid'],
        minScore: 0,
        mode: 'immediate',
        updates: false,
      }),
    );
    const seed = seedStories()[0] as NonNullable<ReturnType<typeof seedStories>[0]>;
    const variants = [
      seed,
      EDITS['added paragraph']?.(seed, () => 0.2) ?? seed,
      EDITS['reordered sentences']?.(seed, () => 0.4) ?? seed,
    ];
    for (const [i, v] of variants.entries()) {
      await putObject(
        env.c,
        env.bucket,
        `incoming/outlet-${i}/masks.json`,
        JSON.stringify({ title: v.title, date: '2020-07-26', source: `Outlet ${i}`, body: v.paragraphs }),
      );
    }

    // Act: one invocation with the three messages.
    const messages = await receiveMessages(env.c, env.queueUrl, 3);
    expect((await env.invoke(messages)).batchItemFailures).toEqual([]);

    // Assess
    const items = await scanTable(env.c, env.table);
    expect(items.filter((i) => i.sk === 'ARTICLE')).toHaveLength(3);
    expect(items.filter((i) => i.sk === 'STORY' && String(i.pk).startsWith('STORY#'))).toHaveLength(1);
    expect(alertsIn(await receiveMessages(env.c, once, 3, 3_000))).toHaveLength(1);
  });
});
