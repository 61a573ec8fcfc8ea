import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../functions/core/alerts/webhook-signature.ts';
import { StartupError } from '../../local/local-newswatch.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { languageSamples } from '../fixtures/language-samples.ts';
import { eventLog, makeWorkspace, waitFor, type Workspace } from './helpers.ts';

const SETTLE_MS = 250;

const samplesOf = (language: string) => {
  const s = languageSamples.find((x) => x.language === language);
  if (!s) throw new Error(`no samples for ${language}`);
  return s;
};

const jsonArticle = (title: string, body: string) =>
  JSON.stringify({ title, date: '2026-11-20', source: 'Test Wire', body });

describe('Local runtime: npm start end to end', () => {
  let ws: Workspace;
  let runtime: LocalRuntime | undefined;
  const log = eventLog();
  const start = async () => {
    runtime = await startLocalRuntime({
      paths: ws.paths,
      port: 0,
      settleMs: SETTLE_MS,
      onEvent: log.onEvent,
    });
    return runtime;
  };
  const storedPaths = () =>
    log.of('ingested').flatMap((e) => (e.outcome.status === 'stored' ? [e.path] : []));
  const outbox = () =>
    existsSync(join(ws.paths.home, 'outbox')) ? readdirSync(join(ws.paths.home, 'outbox')) : [];

  beforeAll(() => {
    ws = makeWorkspace();
  });

  afterAll(async () => {
    await runtime?.stop();
    ws.remove();
  });

  it('should ingest the seed articles on the very first start and alert on "international health aid"', async () => {
    // Prepare
    const began = Date.now();

    // Act
    const rt = await start();
    const alert = await waitFor('the health aid alert', () =>
      log.of('alert').find((e) => e.alert.topic.id === 'international-health-aid'),
    );
    const firstAlertMs = Date.now() - began;
    await waitFor('both seeds', () => (storedPaths().length === 2 ? true : undefined));
    await rt.idle();

    // Assess
    console.info(`first start: seed alert after ${firstAlertMs} ms`);
    expect(rt.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(readdirSync(ws.paths.inbox).sort()).toEqual(readdirSync('tests/fixtures/seeds/articles').sort());
    expect(alert.alert.article.title).toContain(
      'A ceremony has been held at the Azerbaijan Foreign Ministry',
    );
    const snap = await rt.snapshot();
    expect(snap.articles).toHaveLength(2);
    expect(
      snap.matches
        .filter((m) => m.alertState === 'sent')
        .map((m) => m.topicId)
        .sort(),
    ).toEqual([
      'global-health-cooperation',
      'international-health-aid',
      'korea-foreign-relations',
      'south-caucasus-diplomacy',
      'south-caucasus-diplomacy',
    ]);
    // health-desk (immediate, min score 0.5) gets international-health-aid by email; the digest reader does not.
    const emails = outbox();
    expect(emails).toEqual([`${alert.alert.id}--health-desk@example.org.eml`]);
    const eml = readFileSync(join(ws.paths.home, 'outbox', emails[0] as string), 'utf8');
    expect(eml).toMatch(/^To: health-desk@example.org$/m);
    expect(eml).toContain('International health aid');
    expect(log.of('delivery').map((e) => e.delivery.outcome)).toEqual(['delivered']);
  });

  it('should ingest files dropped later, and reject a binary file with a typed error and a quarantined copy', async () => {
    // Prepare
    const rt = runtime as LocalRuntime;
    log.clear();

    // Act
    writeFileSync(
      join(ws.paths.inbox, 'vaccines.json'),
      jsonArticle(
        'Japan sends vaccines to Armenia',
        'Japan delivered a large shipment of COVID-19 vaccine doses to Armenia as humanitarian aid, the health ministry said.',
      ),
    );
    writeFileSync(
      join(ws.paths.inbox, 'photo.png'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
    );
    await waitFor('two outcomes', () => (log.of('ingested').length === 2 ? true : undefined));
    await rt.idle();

    // Assess
    const outcomes = Object.fromEntries(log.of('ingested').map((e) => [e.outcome.key, e.outcome]));
    expect(outcomes['inbox/vaccines.json']).toMatchObject({
      status: 'stored',
      title: 'Japan sends vaccines to Armenia',
    });
    expect(outcomes['inbox/photo.png']).toMatchObject({ status: 'rejected', error: { kind: 'BinaryFile' } });
    expect(existsSync(join(ws.paths.home, 'quarantine', 'photo.png'))).toBe(true);
    const snap = await rt.snapshot();
    expect(snap.errors.map((e) => [e.key, e.kind])).toEqual([['inbox/photo.png', 'BinaryFile']]);
    expect(snap.sources.map((s) => s.status).sort()).toEqual(['rejected', 'stored', 'stored', 'stored']);
  });

  it('should store each line of a JSON Lines file dropped into the inbox as an article of its own', async () => {
    // Prepare
    const rt = runtime as LocalRuntime;
    log.clear();
    const lines = [
      JSON.stringify({
        id: 'l-1',
        title: 'Wire one',
        text: 'Korea sent test kits to Peru.',
        date: '28 November 2026',
      }),
      'not json',
      JSON.stringify({ id: 'l-3', title: 'Wire three', text: 'Chile sent doctors to Haiti.' }),
    ].join('\n');

    // Act
    writeFileSync(join(ws.paths.inbox, 'wire.jsonl'), `${lines}\n`);
    await waitFor('the container', () => (log.of('ingested').length === 1 ? true : undefined));
    await rt.idle();

    // Assess
    const [outcome] = log.of('ingested').map((e) => e.outcome);
    expect(outcome).toMatchObject({ status: 'container', key: 'inbox/wire.jsonl', format: 'jsonl' });
    expect(outcome?.status === 'container' && outcome.items.map((i) => [i.key, i.status])).toEqual([
      ['inbox/wire.jsonl#l-1', 'stored'],
      ['inbox/wire.jsonl#2', 'rejected'],
      ['inbox/wire.jsonl#l-3', 'stored'],
    ]);
    const snap = await rt.snapshot();
    expect(snap.articles.find((a) => a.title === 'Wire one')).toMatchObject({
      date: '2026-11-28',
      container: { key: 'inbox/wire.jsonl', item: 'l-1' },
    });
    expect(snap.errors.find((e) => e.key === 'inbox/wire.jsonl#2')).toMatchObject({ kind: 'MalformedJson' });
  });

  it('should store each article with its language: detected from the text, or as the file states it', async () => {
    // Prepare
    const rt = runtime as LocalRuntime;
    log.clear();
    const spanish = samplesOf('es');
    const russian = samplesOf('ru');

    // Act: a Spanish text that states no language, a Russian JSON article that says ru-RU.
    writeFileSync(
      join(ws.paths.inbox, 'lluvias.txt'),
      `${spanish.titles[0]}\n\n${spanish.sentences.join('\n\n')}\n`,
    );
    writeFileSync(
      join(ws.paths.inbox, 'novosti.json'),
      JSON.stringify({ title: russian.titles[0], body: russian.sentences.join('\n\n'), lang: 'ru-RU' }),
    );
    await waitFor('two articles', () => (log.of('ingested').length === 2 ? true : undefined));
    await rt.idle();

    // Assess
    const articles = (await rt.snapshot()).articles;
    const lluvias = articles.find((a) => a.sourceKey === 'inbox/lluvias.txt');
    expect(lluvias).toMatchObject({ language: 'es', languageSource: 'detected' });
    expect(lluvias?.languageConfidence).toBeGreaterThanOrEqual(0.5);
    const novosti = articles.find((a) => a.sourceKey === 'inbox/novosti.json');
    expect(novosti).toMatchObject({ language: 'ru', languageSource: 'declared' });
    expect(novosti?.languageConfidence).toBeUndefined();
  });

  it('should read a file that is still being written only once it is complete', async () => {
    // Prepare
    const rt = runtime as LocalRuntime;
    log.clear();
    const path = join(ws.paths.inbox, 'slow-copy.txt');
    const first =
      'Officials in Tbilisi and Yerevan met to discuss a new trade corridor across the region.\n\n';
    const last =
      'The talks will resume in Baku next month, the foreign ministry said in its closing statement.\n';

    // Act: half the file, a pause shorter than the settle time, then the rest.
    const fd = openSync(path, 'w');
    writeSync(fd, first);
    await new Promise((r) => setTimeout(r, SETTLE_MS / 2));
    writeSync(fd, last);
    closeSync(fd);
    await waitFor('the slow copy', () => (log.of('ingested').length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, SETTLE_MS * 3));
    await rt.idle();

    // Assess: one outcome, for the whole text.
    const outcomes = log.of('ingested');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.outcome.status).toBe('stored');
    const article = (await rt.snapshot()).articles.find((a) => a.sourceKey === 'inbox/slow-copy.txt');
    expect(article?.paragraphs.at(-1)).toContain('closing statement');
  });

  it('should ingest nothing twice after a restart', async () => {
    // Prepare
    await (runtime as LocalRuntime).stop();
    runtime = undefined;
    const before = outbox().length;
    log.clear();

    // Act
    const rt = await start();
    await new Promise((r) => setTimeout(r, SETTLE_MS * 4));
    await rt.idle();

    // Assess
    expect(log.of('ingested')).toEqual([]);
    expect(log.of('alert')).toEqual([]);
    expect(outbox()).toHaveLength(before);
    expect((await rt.snapshot()).articles).toHaveLength(8);
  });

  it('should reload topics when a topic file changes and keep the last good set when one breaks', async () => {
    // Prepare
    const rt = runtime as LocalRuntime;
    log.clear();

    // Act: a new topic of this machine's own (beside the shared ones), then a broken file.
    writeFileSync(
      join(ws.paths.home, 'topics', 'trade.yaml'),
      'id: trade-corridors\nname: Trade corridors\nquery: \'"trade corridor" OR "trade route"\'\n',
    );
    const loaded = await waitFor('the new topic set', () => log.of('topics').find((e) => e.topics === 8));
    writeFileSync(
      join(ws.paths.home, 'topics', 'broken.yaml'),
      'id: broken\nname: Broken\nquery: "aid AND ("\n',
    );
    const problem = await waitFor('the problem', () => log.of('problem')[0]);

    // Assess
    expect(loaded.changed).toBe(true);
    expect(problem.message).toMatch(/broken\.yaml:3:\d+/);
    expect(rt.local.topicSet?.topics.map((t) => t.id)).toContain('trade-corridors');
    expect(rt.local.topicSet?.topics).toHaveLength(8);
  });

  it('should deliver signed webhooks, the same JSON as on AWS, to a receiver on this machine', async () => {
    // Prepare: a receiver, and a webhook subscriber for every topic.
    const rt = runtime as LocalRuntime;
    const received: Array<{ headers: IncomingMessage['headers']; body: string; path: string }> = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body, path: req.url ?? '' });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    // A Slack-format subscriber whose URL is only in the secrets folder, as on AWS in Secrets Manager.
    mkdirSync(join(ws.paths.home, 'secrets'), { recursive: true });
    writeFileSync(join(ws.paths.home, 'secrets', 'local-chat-url'), url.replace('/hook', '/chat'));
    log.clear();
    // This machine's own subscribers, read beside the shared (deployable) file, which stays as it is.
    writeFileSync(
      join(ws.paths.home, 'subscribers.yaml'),
      `subscribers:\n  - id: local-hook\n    topics: ["*"]\n    webhook:\n      url: ${url}\n      secretName: local-hook\n` +
        `  - id: local-chat\n    topics: ["*"]\n    webhook: { format: slack, urlSecret: local-chat-url, secretName: local-chat }\n`,
    );
    await waitFor('the new subscribers', () => log.of('subscribers').find((e) => e.subscribers === 4));
    const secretEvent = await waitFor('the secret', () =>
      log.of('secret').find((e) => e.subscriberId === 'local-hook'),
    );
    expect(existsSync(secretEvent.where)).toBe(true);
    const urlEvent = await waitFor('the URL secret', () =>
      log.of('secret').find((e) => e.subscriberId === 'local-chat' && e.purpose === 'url'),
    );
    expect(urlEvent).toMatchObject({
      present: true,
      where: join(ws.paths.home, 'secrets', 'local-chat-url'),
    });

    // Act
    writeFileSync(
      join(ws.paths.inbox, 'corridor.txt'),
      'A new trade corridor linking Georgia and Azerbaijan opened on Monday, officials said.\n',
    );
    await waitFor('the webhooks', () => (received.length > 1 ? true : undefined));
    await rt.idle();
    await rt.local.webhooks.settle();
    receiver.close();

    // Assess
    const secret = readFileSync(join(ws.paths.home, 'secrets', 'local-hook'), 'utf8').trim();
    const hook = received.find((r) => r.path === '/hook');
    const doc = verifyWebhook(hook?.headers ?? {}, hook?.body ?? '', secret) as Record<string, unknown>;
    expect(doc).toMatchObject({ schema: 'newswatch.alert/v1', topic: { id: 'trade-corridors' } });
    const chat = received.find((r) => r.path === '/chat');
    expect((JSON.parse(chat?.body ?? '{}') as { text?: string }).text).toMatch(/^Trade corridors: /);
    expect(
      log
        .of('delivery')
        .filter((e) => e.delivery.subscriberId === 'local-chat')
        .map((e) => e.delivery.target),
    ).toEqual(['the URL in secret local-chat-url']);
    expect(
      log
        .of('delivery')
        .filter((e) => e.delivery.channel === 'webhook')
        .map((e) => e.delivery.outcome),
    ).toContain('delivered');
  });

  it('should say in one line why it cannot start: already running, port in use, broken topic file', async () => {
    // Prepare
    const rt = runtime as LocalRuntime;
    const port = Number(new URL(rt.url as string).port);
    const other = makeWorkspace();
    const broken = makeWorkspace();
    writeFileSync(
      join(broken.paths.topics, 'health.yaml'),
      'topics:\n  - id: x\n    name: X\n    query: "aid AND ("\n',
    );

    // Act
    const errors = await Promise.all([
      startLocalRuntime({ paths: ws.paths, port: 0 }).then(
        () => undefined,
        (e: unknown) => e,
      ),
      startLocalRuntime({ paths: other.paths, port }).then(
        () => undefined,
        (e: unknown) => e,
      ),
      startLocalRuntime({ paths: broken.paths, port: 0 }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    ]);
    const otherTouched = {
      inbox: existsSync(other.paths.inbox),
      outbox: existsSync(join(other.paths.home, 'outbox')),
      seeded: existsSync(join(other.paths.home, 'seeded')),
    };
    other.remove();
    broken.remove();

    // Assess
    for (const e of errors) {
      expect(e).toBeInstanceOf(StartupError);
      expect((e as Error).message).not.toContain('\n');
    }
    expect((errors[0] as Error).message).toMatch(/already running .* \(pid \d+, http:\/\/127\.0\.0\.1:\d+\)/);
    expect((errors[1] as Error).message).toBe(
      `port ${port} is already in use; start with --port <another> (or PORT=<another>)`,
    );
    // Refused before a file was touched: no seeds copied, nothing ingested, seeds still due.
    expect(otherTouched).toEqual({ inbox: false, outbox: false, seeded: false });
    expect((errors[2] as Error).message).toMatch(
      /^a topic file has a problem: .*health\.yaml:4:\d+: topic x: expected a word/,
    );
  });
});

describe('Local runtime: a copy still in progress when it starts', () => {
  const ws = makeWorkspace();
  afterAll(() => ws.remove());

  it('should read a file found at start only once it has stopped growing', async () => {
    // Prepare: a file in the inbox that a slow copy keeps writing to for 1.5 s.
    mkdirSync(ws.paths.inbox, { recursive: true });
    const path = join(ws.paths.inbox, 'copying.txt');
    writeFileSync(
      path,
      'Diplomats from Armenia and Azerbaijan met in Geneva on Monday to discuss the border.\n\n',
    );
    let n = 0;
    const copying = setInterval(() => {
      appendFileSync(path, `Point ${++n} of the talks concerned the road from Baku to Yerevan. `);
      if (n === 30) {
        appendFileSync(path, 'The ministers agreed to meet again next month in Vienna.\n');
        clearInterval(copying);
      }
    }, 50);
    const log = eventLog();

    // Act: start while the copy runs.
    const rt = await startLocalRuntime({
      paths: ws.paths,
      settleMs: SETTLE_MS,
      seed: false,
      onEvent: log.onEvent,
    });
    await waitFor('the outcome', () => (log.of('ingested').length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, SETTLE_MS * 3));
    await rt.idle();
    const articles = (await rt.snapshot()).articles;
    await rt.stop();

    // Assess
    expect(log.of('ingested')).toHaveLength(1);
    expect(articles).toHaveLength(1);
    expect(articles[0]?.paragraphs.at(-1)).toContain('Vienna');
  });
});
