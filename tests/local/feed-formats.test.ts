import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { eventLog, makeWorkspace, waitFor, type Workspace } from './helpers.ts';

/** An RSS feed as a news site publishes it: two stories in full and one item without text. */
const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Balkan Health Desk</title>
    <link>https://health.example.org/</link>
    <description>Health news from the region.</description>
    <item>
      <title>Japan donates ventilators and masks to Serbia</title>
      <link>https://health.example.org/2026/11/japan-ventilators-serbia</link>
      <guid isPermaLink="false">bhd-2026-11-ventilators</guid>
      <pubDate>Fri, 20 Nov 2026 09:00:00 +0100</pubDate>
      <dc:creator>Ana Petrović</dc:creator>
      <content:encoded><![CDATA[
        <p>Japan donated 50 ventilators and two million medical masks to Serbia on Friday, the Serbian health ministry said.</p>
        <p>The Japanese ambassador handed over the ventilators and the masks at a hospital in Belgrade, where the donated equipment will be used in intensive care.</p>
        <p>Serbia thanked Japan for the medical aid, the second donation of medical supplies from Tokyo this year.</p>
      ]]></content:encoded>
    </item>
    <item>
      <title>New clinic opens in Novi Sad</title>
      <link>https://health.example.org/2026/11/novi-sad-clinic</link>
      <guid isPermaLink="false">bhd-2026-11-clinic</guid>
      <pubDate>Thu, 19 Nov 2026 15:30:00 +0100</pubDate>
      <description>&lt;p&gt;A family health clinic opened in the city's northern district.&lt;/p&gt;</description>
    </item>
    <item>
      <guid isPermaLink="false">bhd-2026-11-empty</guid>
      <title>Photo gallery</title>
    </item>
  </channel>
</rss>
`;

describe('Local runtime: a feed dropped into the inbox', () => {
  let ws: Workspace;
  let runtime: LocalRuntime | undefined;
  const log = eventLog();

  beforeAll(async () => {
    ws = makeWorkspace();
    runtime = await startLocalRuntime({ paths: ws.paths, port: 0, settleMs: 250, onEvent: log.onEvent });
    // The seed articles are ingested on the first start; the feed comes after them.
    await waitFor('the seeds', () => (log.of('ingested').length === 2 ? true : undefined));
    await runtime.idle();
    log.clear();
  });

  afterAll(async () => {
    await runtime?.stop();
    ws.remove();
  });

  it('should store each item of an RSS file on its own, refuse the empty one and alert on the aid story', async () => {
    // Prepare
    const rt = runtime as LocalRuntime;

    // Act
    writeFileSync(join(ws.paths.inbox, 'balkan-health.rss'), FEED);
    const ingested = await waitFor('the feed', () => log.of('ingested').find((e) => e.path.endsWith('.rss')));
    await rt.idle();

    // Assess
    expect(ingested.outcome).toMatchObject({ status: 'container', format: 'feed' });
    const items = ingested.outcome.status === 'container' ? ingested.outcome.items : [];
    expect(items.map((i) => [i.key, i.status])).toEqual([
      ['inbox/balkan-health.rss#bhd-2026-11-ventilators', 'stored'],
      ['inbox/balkan-health.rss#bhd-2026-11-clinic', 'stored'],
      ['inbox/balkan-health.rss#bhd-2026-11-empty', 'rejected'],
    ]);
    const snap = await rt.snapshot();
    const ventilators = snap.articles.find(
      (a) => a.sourceKey === 'inbox/balkan-health.rss#bhd-2026-11-ventilators',
    );
    expect(ventilators).toMatchObject({
      format: 'feed',
      title: 'Japan donates ventilators and masks to Serbia',
      date: '2026-11-20',
      author: 'Ana Petrović',
      source: 'Balkan Health Desk',
      url: 'https://health.example.org/2026/11/japan-ventilators-serbia',
    });
    expect(snap.articles.find((a) => a.sourceKey.endsWith('#bhd-2026-11-clinic'))).toMatchObject({
      summaryOnly: true,
      paragraphs: ["A family health clinic opened in the city's northern district."],
    });
    expect(snap.errors.map((e) => [e.key, e.kind])).toEqual([
      ['inbox/balkan-health.rss#bhd-2026-11-empty', 'NoBody'],
    ]);
    expect(existsSync(join(ws.paths.home, 'quarantine', 'balkan-health.rss'))).toBe(true);
    const alert = log.of('alert').find((e) => e.alert.topic.id === 'international-health-aid');
    expect(alert?.alert.article.title).toBe('Japan donates ventilators and masks to Serbia');
  });
});
