import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type * as AdaptiveCards from 'adaptivecards';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalRuntime } from '../../local/runtime.ts';
import { HOSTILE_CASES, hostileArticleJson } from '../fixtures/hostile-articles.ts';
import { eventLog, makeWorkspace, waitFor } from './helpers.ts';

const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

describe('Local runtime: a hostile article delivered to chat webhooks', () => {
  const ws = makeWorkspace();
  afterAll(() => ws.remove());

  it('should post Slack, Discord and Teams bodies in which no mention, ping or link of the article forms', async () => {
    // Prepare: one receiver on this machine, a subscriber per chat format. The article is a
    // copy of a seed article with hostile text: an update of its story, so updates are asked for.
    const received = new Map<string, string[]>();
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.set(req.url ?? '', [...(received.get(req.url ?? '') ?? []), body]);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const hooks = ['slack', 'discord', 'teams']
      .map(
        (f) =>
          `  - id: ${f}-hook\n    topics: [international-health-aid]\n    updates: true\n    webhook:\n      urlSecret: ${f}-url\n      format: ${f}\n      secretName: ${f}-hook\n`,
      )
      .join('');
    // Chat webhook URLs are credentials: kept as secrets, as on AWS.
    mkdirSync(join(ws.paths.home, 'secrets'), { recursive: true });
    for (const f of ['slack', 'discord', 'teams'])
      writeFileSync(join(ws.paths.home, 'secrets', `${f}-url`), `${base}/${f}\n`, { mode: 0o600 });
    writeFileSync(
      ws.paths.subscribers,
      `${readFileSync('tests/fixtures/seeds/subscribers.yaml', 'utf8')}\n${hooks}`,
    );
    const log = eventLog();
    const runtime = await startLocalRuntime({ paths: ws.paths, settleMs: 100, onEvent: log.onEvent });
    const hostile = HOSTILE_CASES[0] as (typeof HOSTILE_CASES)[number];
    const fromHostile = (f: string) => (received.get(`/${f}`) ?? []).find((b) => b.includes('gloves'));

    // Act
    try {
      writeFileSync(join(ws.paths.inbox, 'hostile.json'), hostileArticleJson(hostile));
      await waitFor('the three posts', () =>
        ['slack', 'discord', 'teams'].every((f) => fromHostile(f)) ? true : undefined,
      );
      await runtime.idle();
      await runtime.local.webhooks.settle();
    } finally {
      await runtime.stop();
      receiver.close();
    }

    // Assess: the bytes as received, parsed strictly.
    const parse = (f: string) => {
      const text = fromHostile(f) as string;
      expect(text.isWellFormed()).toBe(true);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const slack = JSON.stringify(parse('slack'));
    expect(slack).not.toMatch(/<!channel>|<!here>|<@U|<#C|<https:\/\/phish/);
    expect(slack).toContain('&lt;!channel&gt;');
    const discord = parse('discord');
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(JSON.stringify(discord)).not.toMatch(/(?<!\\\\)<@U/);
    const teams = parse('teams') as { attachments: Array<{ content: unknown }> };
    const card = new AC.AdaptiveCard();
    const context = new AC.SerializationContext();
    card.parse(teams.attachments[0]?.content, context);
    expect(context.eventCount).toBe(0);
    expect(card.validateProperties().validationEvents).toEqual([]);
    expect(
      log.of('delivery').filter((e) => e.delivery.channel === 'webhook' && e.delivery.outcome === 'failed'),
    ).toEqual([]);
  });
});
