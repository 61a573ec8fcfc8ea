import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CliRun, makeWorkspace, newswatch, plainEnv, type Workspace } from './helpers.ts';
import { parseArticle } from '../../functions/core/articles/parse-article.ts';

const json = <T>(run: CliRun): T => JSON.parse(run.stdout) as T;

describe('CLI: newswatch', () => {
  let ws: Workspace;
  let articles: string;

  beforeAll(() => {
    ws = makeWorkspace();
    articles = join(ws.dir, 'articles');
    mkdirSync(join(articles, 'more'), { recursive: true });
    copyFileSync('tests/fixtures/seeds/articles/000_9c9c4874b48bb81e.txt', join(articles, '000.txt'));
    copyFileSync('tests/fixtures/seeds/articles/003_c3fb651c5343490c.txt', join(articles, 'more', '003.txt'));
    copyFileSync('tests/fixtures/seeds/articles/000_9c9c4874b48bb81e.txt', join(articles, 'copy-of-000.txt'));
    writeFileSync(join(articles, 'bad.json'), '{"title": "Broken", "body": ');
    writeFileSync(join(articles, '.hidden.txt'), 'never read');
  });

  afterAll(() => ws.remove());

  it('should ingest files and folders and report stored, duplicate and rejected with reasons (exit 1 when some are rejected)', async () => {
    // Act
    const run = await newswatch(ws, ['--json', 'ingest', articles]);

    // Assess
    expect(run.code).toBe(1);
    const out = json<{
      files: number;
      stored: number;
      duplicate: number;
      rejected: number;
      results: Array<Record<string, unknown>>;
    }>(run);
    expect(out).toMatchObject({ files: 4, stored: 2, duplicate: 1, rejected: 1, unchanged: 0 });
    expect(out.results.find((r) => r.status === 'rejected')).toMatchObject({
      error: { kind: 'MalformedJson', at: { line: 1 } },
    });
    expect(out.results.find((r) => r.status === 'duplicate')?.key).toMatch(/^file:\/\/.*copy-of-000\.txt$/);
  });

  it('should not ingest the same files twice, and print a plain summary when piped', async () => {
    // Act
    const run = await newswatch(ws, ['ingest', articles]);

    // Assess: the file refused before is still refused (exit 1), and the summary says how to retry it.
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '4 files: 0 stored, 0 duplicate, 0 rejected, 4 already ingested (1 of them rejected then: --retry-rejected reads them again)',
    );
    expect(run.stdout.includes('\u001b[')).toBe(false);
  });

  it('should read the files rejected before again with --retry-rejected, and only those', async () => {
    // Act: once as the file is, once mended.
    const again = await newswatch(ws, ['--json', 'ingest', '--retry-rejected', articles]);
    // Mended as the text of a stored article, so the stored set stays as the later tests expect.
    const seed = parseArticle({
      key: '003.txt',
      bytes: readFileSync('tests/fixtures/seeds/articles/003_c3fb651c5343490c.txt'),
      receivedAt: new Date().toISOString(),
    });
    if (!seed.ok) throw new Error(seed.error.message);
    writeFileSync(
      join(articles, 'bad.json'),
      JSON.stringify({ title: 'Mended', body: seed.value.paragraphs }),
    );
    const mended = await newswatch(ws, ['--json', 'ingest', '--retry-rejected', articles]);

    // Assess
    expect(again.code).toBe(1);
    expect(json<{ rejected: number; unchanged: number }>(again)).toMatchObject({ rejected: 1, unchanged: 3 });
    expect(mended.code).toBe(0);
    expect(json<{ duplicate: number; rejected: number; unchanged: number }>(mended)).toMatchObject({
      duplicate: 1,
      rejected: 0,
      unchanged: 3,
    });
  });

  it("should run with the project's Node 24 when started by another Node, passing on its output and exit code", async () => {
    // Prepare: the machine's own Node when it is not 24 (as npx would start it), else this one.
    const older = ['/usr/bin/node', '/usr/local/bin/node'].find(
      (p) =>
        existsSync(p) &&
        Number(spawnSync(p, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout) < 24,
    );
    const run = (args: string[]) =>
      spawnSync(older ?? process.execPath, ['bin/newswatch.js', '--home', ws.paths.home, ...args], {
        encoding: 'utf8',
        env: plainEnv(),
      });

    // Act
    const help = run(['--help']);
    const tooShort = run(['articles', 'show', 'e9']);

    // Assess
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: newswatch');
    expect(tooShort.status).toBe(1);
    expect(tooShort.stderr).toContain('e9 is too short to name an article');
  });

  it('should validate topic files, with file, line and column for each problem (exit 1 when invalid)', async () => {
    // Prepare
    const broken = join(ws.dir, 'broken-topics');
    mkdirSync(broken);
    writeFileSync(join(broken, 't.yaml'), 'id: t\nname: T\nquery: "masks AND (aid OR"\n');

    // Act
    const good = await newswatch(ws, ['--json', 'topics', 'validate']);
    const bad = await newswatch(ws, ['--json', 'topics', 'validate', broken]);
    const badText = await newswatch(ws, ['topics', 'validate', broken]);

    // Assess
    expect(good.code).toBe(0);
    expect(json(good)).toMatchObject({ valid: true, topics: 7, lists: 13, problems: [] });
    expect(bad.code).toBe(1);
    expect(json<{ problems: Array<{ line: number }> }>(bad).problems[0]).toMatchObject({ line: 3 });
    expect(badText.stdout).toMatch(/t\.yaml:3:\d+: /);
    expect(badText.stdout.includes('\u001b[')).toBe(false);
  });

  it('should test a query against the stored articles, with scores and highlighted snippets', async () => {
    // Act
    const run = await newswatch(ws, ['--json', 'topics', 'test', '"medical masks" AND korea']);
    const text = await newswatch(ws, ['topics', 'test', '"medical masks" AND korea']);
    const invalid = await newswatch(ws, ['--json', 'topics', 'test', 'masks AND (']);

    // Assess
    expect(run.code).toBe(0);
    const preview = json<{
      valid: boolean;
      searched: number;
      matches: Array<{ score: number; snippet: string; article: { title: string } }>;
    }>(run);
    expect(preview).toMatchObject({ valid: true, searched: 2 });
    expect(preview.matches).toHaveLength(1);
    expect(preview.matches[0]?.article.title).toContain('A ceremony has been held');
    expect(preview.matches[0]?.snippet).toMatch(/\*\*medical masks\*\*/i);
    expect(text.stdout).toContain('1 of 2 stored articles match');
    expect(invalid.code).toBe(1);
    expect(json(invalid)).toMatchObject({
      valid: false,
      problems: [{ severity: 'error', line: 1, column: 12 }],
    });
  });

  it('should list and show articles, and list topics and alerts', async () => {
    // Act
    const list = await newswatch(ws, ['--json', 'articles', 'list', '--topic', 'international-health-aid']);
    const id = json<{ articles: Array<{ id: string }> }>(list).articles[0]?.id as string;
    const show = await newswatch(ws, ['--json', 'articles', 'show', id.slice(0, 10)]);
    const missing = await newswatch(ws, ['articles', 'show', 'ffffffffffff']);
    const topics = await newswatch(ws, ['--json', 'topics', 'list']);
    const alerts = await newswatch(ws, ['--json', 'alerts', 'list']);

    // Assess
    expect(list.code).toBe(0);
    expect(json(list)).toMatchObject({ total: 1 });
    expect(show.code).toBe(0);
    expect(json<{ article: { id: string }; matches: unknown[] }>(show).article.id).toBe(id);
    expect(json<{ matches: unknown[] }>(show).matches).toHaveLength(3);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no article has the id ffffffffffff');
    const health = json<{ topics: Array<{ id: string; matches: number }> }>(topics).topics.find(
      (t) => t.id === 'south-caucasus-diplomacy',
    );
    expect(health?.matches).toBe(2);
    const sent = json<{
      alerts: Array<{ topicId: string; recipients: Array<{ subscriberId: string; state: string }> }>;
    }>(alerts).alerts;
    expect(sent).toHaveLength(5);
    expect(sent.find((a) => a.topicId === 'international-health-aid')?.recipients).toEqual([
      { subscriberId: 'health-desk', channel: 'email', state: 'delivered' },
    ]);
  });

  it('should label matches and misses, and evaluate topics on the labels', async () => {
    // Prepare
    const labels = join(ws.dir, 'labels');
    const list = await newswatch(ws, ['--json', 'articles', 'list']);
    const ids = json<{ articles: Array<{ id: string; title: string }> }>(list).articles;
    const masks = ids.find((a) => a.title.includes('A ceremony'))?.id as string;
    const cooperation = ids.find((a) => !a.title.includes('A ceremony'))?.id as string;
    const label = (...args: string[]) => newswatch(ws, ['topics', 'label', ...args, '--labels-dir', labels]);

    // Act
    const right = await label(masks, 'international-health-aid', 'relevant', '--reason', 'masks handed over');
    const wrong = await label(
      cooperation,
      'international-health-aid',
      'not-relevant',
      '--reason',
      'nothing delivered',
    );
    const missed = await label(
      cooperation,
      'vaccine-supply-deals',
      '1',
      '--reason',
      'for the test',
      '--by',
      'desk',
    );
    const noTopic = await label(masks, 'no-such-topic', 'relevant', '--reason', 'x');
    const badVerdict = await label(masks, 'international-health-aid', 'maybe', '--reason', 'x');
    const evaluation = await newswatch(ws, ['--json', 'topics', 'eval', '--labels-dir', labels]);
    const text = await newswatch(ws, [
      'topics',
      'eval',
      '--topic',
      'vaccine-supply-deals',
      '--labels-dir',
      labels,
    ]);
    const train = await newswatch(ws, [
      'topics',
      'train',
      '--topic',
      'international-health-aid',
      '--labels-dir',
      labels,
    ]);

    // Assess
    expect([right.code, wrong.code, missed.code, noTopic.code, badVerdict.code]).toEqual([0, 0, 0, 1, 2]);
    expect(noTopic.stderr).toContain('no topic has the id no-such-topic');
    const figures = json<{ topics: Array<Record<string, unknown>> }>(evaluation).topics;
    expect(figures.find((f) => f.topicId === 'international-health-aid')).toMatchObject({
      labelled: 2,
      relevant: 1,
      alerts: 1,
      truePositives: 1,
      precision: 1,
      recall: 1,
    });
    expect(figures.find((f) => f.topicId === 'vaccine-supply-deals')).toMatchObject({
      relevant: 1,
      alerts: 0,
      precision: null,
      recall: 0,
      misses: [{ article: cooperation, reason: 'for the test', why: 'no match' }],
    });
    expect(text.stdout).toContain('misses:');
    expect(text.stdout).toContain(`${cooperation}  no match  for the test`);
    expect(train.code).toBe(1);
    expect(train.stderr).toContain('a stage needs at least 10');
  });

  it('should exit 2 on a usage error and 3 when it cannot run', async () => {
    // Prepare
    const brokenSubscribers = join(ws.dir, 'subs.yaml');
    writeFileSync(
      brokenSubscribers,
      'subscribers:\n  - id: x\n    topics: [nope]\n    email: x@example.org\n',
    );

    // Act
    const usage = await newswatch(ws, ['frobnicate']);
    const badDate = await newswatch(ws, ['articles', 'list', '--from', 'yesterday']);
    const badThreads = await newswatch(ws, ['start', '--port', '0', '--threads', '9']);
    const cannot = await newswatch(ws, ['--subscribers', brokenSubscribers, 'alerts', 'list']);

    // Assess
    expect(usage.code).toBe(2);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--from yesterday is not a day of the calendar (YYYY-MM-DD)');
    expect(badThreads.code).toBe(2);
    expect(badThreads.stderr).toContain('--threads 9 is not a number of ingest threads from 0 to 4');
    expect(cannot.code).toBe(3);
    expect(cannot.stderr.trim().split('\n')).toHaveLength(1);
    expect(cannot.stderr).toContain('there is no topic "nope"');
  });

  it('should give the documented exit code, and JSON with --json, for wrong days, folders, topics and ids', async () => {
    // Act
    const noDay = await newswatch(ws, ['alerts', 'digest', '--day', '2026-13-01']);
    const noFolder = await newswatch(ws, ['topics', 'validate', join(ws.dir, 'nope')]);
    const noTopic = await newswatch(ws, ['articles', 'list', '--topic', 'no-such-topic']);
    const noTopicAlerts = await newswatch(ws, ['--json', 'alerts', 'list', '--topic', 'no-such-topic']);
    const shortId = await newswatch(ws, ['articles', 'show', 'e9']);
    const jsonUsage = await newswatch(ws, ['--json', 'ingest', join(ws.dir, 'nope')]);

    // Assess
    expect([
      noDay.code,
      noFolder.code,
      noTopic.code,
      noTopicAlerts.code,
      shortId.code,
      jsonUsage.code,
    ]).toEqual([2, 2, 1, 1, 1, 2]);
    expect(noDay.stderr).toContain('--day 2026-13-01 is not a day of the calendar');
    expect(noFolder.stderr).toContain('no such folder');
    expect(noFolder.stderr).not.toContain('ENOENT');
    expect(noTopic.stderr).toContain('no topic has the id no-such-topic (topics: ');
    expect(JSON.parse(noTopicAlerts.stdout)).toEqual({
      error: expect.stringContaining('no topic has the id'),
    });
    expect(shortId.stderr).toContain('first 8 or more characters');
    expect(JSON.parse(jsonUsage.stdout)).toEqual({
      error: expect.stringContaining('no such file or folder'),
    });
  });

  it('should give JSON for command-line errors too, and say a missing file or a broken labels file plainly', async () => {
    // Prepare
    const badLabels = join(ws.dir, 'bad-labels.jsonl');
    writeFileSync(badLabels, '{"topic":"international-health-aid","article":"","label":1,"reason":"x"}\n');
    const nope = join(ws.dir, 'nope.jsonl');

    // Act
    const unknownCommand = await newswatch(ws, ['--json', 'frobnicate']);
    const unknownOption = await newswatch(ws, ['--json', 'articles', 'list', '--bogus']);
    const noCommand = await newswatch(ws, ['--json', 'topics']);
    const noLabels = await newswatch(ws, ['topics', 'eval', '--labels', nope]);
    const noCorpus = await newswatch(ws, ['--json', 'topics', 'eval', '--corpus', nope]);
    const noTrainCorpus = await newswatch(ws, [
      'topics',
      'train',
      '--topic',
      'international-health-aid',
      '--corpus',
      nope,
    ]);
    const broken = await newswatch(ws, ['topics', 'eval', '--labels', badLabels]);
    const unknownTrain = await newswatch(ws, ['--json', 'topics', 'train', '--topic', 'no-such-topic']);
    const unknownLabel = await newswatch(ws, [
      '--json',
      'topics',
      'label',
      'abcdefgh',
      'no-such-topic',
      'relevant',
      '--reason',
      'x',
    ]);
    const unknownFeed = await newswatch(ws, ['feeds', 'poll', 'no-such-feed']);

    // Assess
    expect([
      unknownCommand.code,
      unknownOption.code,
      noCommand.code,
      noLabels.code,
      noCorpus.code,
      noTrainCorpus.code,
      broken.code,
      unknownTrain.code,
      unknownLabel.code,
      unknownFeed.code,
    ]).toEqual([2, 2, 2, 2, 2, 2, 3, 1, 1, 1]);
    expect(json(unknownCommand)).toEqual({ error: "unknown command 'frobnicate'" });
    expect(json(unknownOption)).toEqual({ error: "unknown option '--bogus'" });
    expect(json(noCommand)).toEqual({ error: 'no command given (newswatch --help lists them)' });
    expect(noLabels.stderr.trim()).toBe(`newswatch: --labels ${nope}: no such file`);
    expect(json(noCorpus)).toEqual({ error: `--corpus ${nope}: no such file` });
    expect(noTrainCorpus.stderr).toContain('no such file');
    expect(broken.stderr.trim()).toBe(
      `newswatch: the labels file has a problem: ${badLabels}:1: article: must not be empty`,
    );
    expect(json(unknownTrain)).toEqual({
      error: expect.stringContaining('no topic has the id no-such-topic (topics: '),
    });
    expect(json(unknownLabel)).toEqual({ error: 'no topic has the id no-such-topic' });
    expect(unknownFeed.stderr.trim()).toBe('newswatch: there is no feed "no-such-feed"');
    for (const run of [noLabels, noCorpus, noTrainCorpus, broken])
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/ENOENT|Error:|Too small/);
  });

  it('should report every problem of a topic file at once, a used id beside the others, in plain words', async () => {
    // Prepare
    const folder = join(ws.dir, 'duplicate-topics');
    mkdirSync(folder);
    writeFileSync(
      join(folder, 'topics.yaml'),
      [
        '- id: aid',
        '  name: Aid',
        '  query: aid',
        '- id: aid',
        '  name: Aid again',
        '  query: "aid AND"',
        '  minScore: 5',
        '- id: other',
        '  name: ""',
        '  query: relief',
      ].join('\n'),
    );
    writeFileSync(join(folder, 'more.yaml'), 'id: more\nname: More\nquery: aid\n---\nid: again\n');

    // Act
    const text = await newswatch(ws, ['topics', 'validate', folder]);
    const asJson = await newswatch(ws, ['--json', 'topics', 'validate', folder]);

    // Assess
    expect(text.code).toBe(1);
    expect(
      json<{ problems: Array<{ file: string; line: number; message: string }> }>(asJson).problems,
    ).toEqual([
      // Files in name order: more.yaml first.
      expect.objectContaining({ line: 4, message: expect.stringContaining('more than one YAML document') }),
      expect.objectContaining({
        line: 4,
        message: expect.stringContaining('topic id "aid" is already used'),
      }),
      expect.objectContaining({ line: 6, message: expect.stringContaining('topic aid: expected a word') }),
      expect.objectContaining({ line: 7, message: 'minScore: must be a number from 0 to 1' }),
      expect.objectContaining({ line: 9, message: 'name: must not be empty' }),
    ]);
    expect(text.stdout).toContain('2 files, 1 topic, 0 lists: 5 errors');
    expect(text.stdout).not.toMatch(/Too (big|small)|parseAllDocuments|1 errors/);
  });

  it('should start with `start`, stop cleanly on Ctrl-C, and refuse a port in use in one line', async () => {
    // Prepare: the sample articles already in the inbox, in place of the repository's seeds.
    const other = makeWorkspace();
    mkdirSync(other.paths.inbox, { recursive: true });
    for (const name of readdirSync(other.paths.seedArticles))
      copyFileSync(join(other.paths.seedArticles, name), join(other.paths.inbox, name));
    const child = spawn(
      process.execPath,
      [
        'bin/newswatch.js',
        '--home',
        other.paths.home,
        '--inbox',
        other.paths.inbox,
        '--topics',
        other.paths.topics,
        '--subscribers',
        other.paths.subscribers,
        '--feeds',
        other.paths.feeds as string,
        'start',
        '--port',
        '0',
        '--no-seed',
      ],
      { env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    const deadline = Date.now() + 30_000;
    while (!/ALERT +International health aid/.test(out) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const url = /running: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] as string;

    // Act
    const busy = await newswatch(ws, ['start', '--port', new URL(url).port]);
    const runtimeFile = existsSync(join(other.paths.home, 'runtime.json'));
    child.kill('SIGINT');
    const code = await exited;
    const runtimeFileAfter = existsSync(join(other.paths.home, 'runtime.json'));
    other.remove();

    // Assess
    expect(out).toContain('ready in');
    expect(runtimeFile).toBe(true);
    expect(code).toBe(0);
    expect(runtimeFileAfter).toBe(false);
    expect(out).toMatch(/stopped\n$/);
    expect(busy.code).toBe(3);
    expect(busy.stderr).toBe(
      `newswatch: port ${new URL(url).port} is already in use; start with --port <another> (or PORT=<another>)\n`,
    );
  });

  it('should upload files to S3, in parts when large (moto)', async () => {
    // Prepare
    const endpoint = inject('motoEndpoint');
    const env = {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      S3_FORCE_PATH_STYLE: 'true',
    };
    const s3 = new S3Client({
      endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const bucket = `upload-${Date.now()}`;
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    const big = join(ws.dir, 'big-article.txt');
    writeFileSync(big, 'Aid to Armenia. '.repeat(700_000));

    // Act
    const run = await newswatch(
      ws,
      ['--json', 'upload', join(articles, '000.txt'), big, '--bucket', bucket],
      env,
    );

    // Assess
    expect(run.code).toBe(0);
    const out = json<{ uploaded: Array<{ key: string; bytes: number; multipart: boolean }> }>(run);
    expect(out.uploaded.map((u) => [u.key, u.multipart])).toEqual([
      ['incoming/000.txt', false],
      ['incoming/big-article.txt', true],
    ]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'incoming/big-article.txt' }));
    expect(head.ContentLength).toBe(11_200_000);
    expect(head.ETag).toMatch(/-2"$/);
    s3.destroy();
  });
});
