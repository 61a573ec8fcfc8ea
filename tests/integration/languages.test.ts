import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { filterPolicyOf } from '../../functions/core/alerts/subscribers.ts';
import { alertsIn, setUp, subscribeQueue } from './helpers/alerting.ts';
import { putObject, receiveMessages } from './helpers/emulator.ts';

const seed = (name: string) => readFileSync(`tests/fixtures/seeds/articles/${name}`, 'utf8');

describe('Integration: subscribers who read some languages only (SNS filter policies on moto)', () => {
  it("should deliver each subscriber the alerts on articles in its languages, by the message's language attribute", async () => {
    // Prepare: two subscribers for every topic, one reading Spanish, one English; the two
    // seed articles sent as JSON, one of them stating it is in Spanish.
    const env = await setUp();
    const subscriber = (id: string, languages: string[]) =>
      filterPolicyOf({
        id,
        email: `${id}@example.org`,
        topics: ['*'],
        minScore: 0,
        mode: 'immediate',
        updates: true,
        languages,
      });
    const spanish = await subscribeQueue(
      env.c,
      env.sns,
      env.topicArn,
      `es-${env.table}`,
      subscriber('es', ['es']),
    );
    const english = await subscribeQueue(
      env.c,
      env.sns,
      env.topicArn,
      `en-${env.table}`,
      subscriber('en', ['en']),
    );
    const asJson = (text: string, language: string) => {
      const [title, ...paragraphs] = text.split(/\n\s*\n/);
      return JSON.stringify({ title, body: paragraphs, language, date: '2020-07-26' });
    };
    await putObject(env.c, env.bucket, 'incoming/es.json', asJson(seed('000_9c9c4874b48bb81e.txt'), 'es-MX'));
    await putObject(env.c, env.bucket, 'incoming/en.json', asJson(seed('003_c3fb651c5343490c.txt'), 'en'));

    // Act
    const messages = await receiveMessages(env.c, env.queueUrl, 3);
    expect((await env.invoke(messages)).batchItemFailures).toEqual([]);
    const toSpanish = alertsIn(await receiveMessages(env.c, spanish, 10, 3_000));
    const toEnglish = alertsIn(await receiveMessages(env.c, english, 10, 3_000));

    // Assess
    expect(toSpanish.length).toBeGreaterThan(0);
    expect(toEnglish.length).toBeGreaterThan(0);
    expect(toSpanish.map((a) => a.attributes.language?.Value)).toEqual(toSpanish.map(() => 'es'));
    expect(toEnglish.map((a) => a.attributes.language?.Value)).toEqual(toEnglish.map(() => 'en'));
  }, 60_000);
});
