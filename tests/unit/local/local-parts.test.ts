import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isIgnoredName, localKeyOf } from '../../../functions/adapters/local/inbox.ts';
import { LocalSecrets, secretEnvName } from '../../../functions/adapters/local/local-secrets.ts';
import { EmlOutbox } from '../../../functions/adapters/local/outbox.ts';
import {
  deleteTopic,
  readTopicFolder,
  saveList,
  saveTopic,
} from '../../../functions/adapters/local/topic-folder.ts';
import { isLoopbackHost, loadSubscribers, wantsAlert } from '../../../functions/core/alerts/subscribers.ts';
import { wantsColour } from '../../../local/cli/format.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'newswatch-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Function: isIgnoredName', () => {
  it('should skip hidden and temporary names and keep article names', () => {
    // Act & Assess
    for (const n of ['.DS_Store', 'a/.hidden.txt', 'x.txt.part', 'y.crdownload', 'z.tmp', 'w.txt~', 'v.swp'])
      expect(isIgnoredName(n)).toBe(true);
    for (const n of ['article.txt', 'news.json', 'sub/dir/story.txt', 'part-one.txt'])
      expect(isIgnoredName(n)).toBe(false);
  });
});

describe('Function: localKeyOf', () => {
  it('should key inbox files by their path below the inbox and other files by file URL', () => {
    // Act & Assess
    expect(localKeyOf('/data/inbox', '/data/inbox/sub/red flower.txt')).toBe('inbox/sub/red flower.txt');
    expect(localKeyOf('/data/inbox', '/data/elsewhere/a.txt')).toBe('file:///data/elsewhere/a.txt');
    expect(localKeyOf('/data/inbox', '/data/inbox-2/a.txt')).toBe('file:///data/inbox-2/a.txt');
  });
});

describe('Function: wantsAlert', () => {
  it('should follow the subscription filter rule: topics or *, minimum score, immediate only', () => {
    // Prepare
    const base = {
      id: 's',
      email: 's@example.org',
      minScore: 0.5,
      mode: 'immediate' as const,
      updates: false,
    };

    // Act & Assess
    expect(wantsAlert({ ...base, topics: ['a'] }, { topicId: 'a', score: 0.5 })).toBe(true);
    expect(wantsAlert({ ...base, topics: ['a'] }, { topicId: 'a', score: 0.49 })).toBe(false);
    expect(wantsAlert({ ...base, topics: ['b'] }, { topicId: 'a', score: 1 })).toBe(false);
    expect(wantsAlert({ ...base, topics: ['*'] }, { topicId: 'a', score: 1 })).toBe(true);
    expect(
      wantsAlert({ ...base, topics: ['*'], mode: 'digest', updates: false }, { topicId: 'a', score: 1 }),
    ).toBe(false);
  });
});

describe('Function: loadSubscribers (local http webhooks)', () => {
  const file = (url: string) =>
    `subscribers:\n  - id: hook\n    topics: ["*"]\n    webhook:\n      url: ${url}\n      secretName: hook\n`;

  it('should accept plain http only to this machine, and only when asked', () => {
    // Act
    const local = loadSubscribers(file('http://127.0.0.1:9000/hook'), new Set(), { allowLocalHttp: true });
    const localhost = loadSubscribers(file('http://localhost:9000/hook'), new Set(), {
      allowLocalHttp: true,
    });
    const remote = loadSubscribers(file('http://hooks.example.org/x'), new Set(), { allowLocalHttp: true });
    const onAws = loadSubscribers(file('http://127.0.0.1:9000/hook'), new Set());

    // Assess
    expect(local.problems).toEqual([]);
    expect(localhost.problems).toEqual([]);
    expect(remote.problems[0]?.message).toContain(
      'webhook.url must be an https URL (http only to this machine',
    );
    expect(onAws.problems[0]).toMatchObject({
      line: 5,
      message: 'subscriber hook: webhook.url must be an https URL',
    });
  });

  it('should know loopback names and addresses', () => {
    // Act & Assess
    expect(['localhost', '127.0.0.1', '127.1.2.3', '[::1]', 'LOCALHOST.'].every(isLoopbackHost)).toBe(true);
    expect(['10.0.0.1', 'example.org', '[::2]', '127.0.0.1.nip.io'].some(isLoopbackHost)).toBe(false);
  });
});

describe('Class: LocalSecrets', () => {
  it('should create one random secret per name, keep it, and prefer the environment', async () => {
    // Prepare
    const secrets = new LocalSecrets(join(dir, 'secrets'), {});
    const fromEnv = new LocalSecrets(join(dir, 'secrets'), {
      [secretEnvName('team/hook-1')]:
        'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA whsec_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
    });

    // Act
    const [first, again] = await Promise.all([
      secrets.secrets('team/hook-1'),
      secrets.secrets('team/hook-1'),
    ]);
    const env = await fromEnv.secrets('team/hook-1');

    // Assess
    expect(secretEnvName('team/hook-1')).toBe('NEWSWATCH_SECRET_TEAM_HOOK_1');
    expect(first?.[0]).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(again).toEqual(first);
    expect(readFileSync(join(dir, 'secrets', 'team', 'hook-1'), 'utf8').trim()).toBe(first?.[0]);
    expect(statSync(join(dir, 'secrets', 'team', 'hook-1')).mode & 0o777).toBe(0o600);
    expect(env).toHaveLength(2);
  });
});

describe('Class: LocalSecrets (webhook URLs)', () => {
  it('should read a webhook URL from its file or the environment, and say where to put a missing one', async () => {
    // Prepare
    const url = 'https://hooks.slack.com/services/T0/B0/abc';
    mkdirSync(join(dir, 'url-secrets', 'team'), { recursive: true });
    writeFileSync(join(dir, 'url-secrets', 'team', 'slack'), `${url}\n`);
    const secrets = new LocalSecrets(join(dir, 'url-secrets'), {
      [secretEnvName('team/teams')]: JSON.stringify({ url: 'https://contoso.webhook.office.com/x' }),
    });

    // Act
    const fromFile = await secrets.webhookUrl('team/slack');
    const fromEnv = await secrets.webhookUrl('team/teams');
    const missing = secrets.webhookUrl('team/discord');

    // Assess: read as they are, and a missing one is not invented.
    expect(fromFile).toBe(url);
    expect(fromEnv).toBe('https://contoso.webhook.office.com/x');
    await expect(missing).rejects.toThrow(
      `write the URL into ${join(dir, 'url-secrets', 'team', 'discord')} or set NEWSWATCH_SECRET_TEAM_DISCORD`,
    );
    expect(secrets.whereIs('team/discord')).toEqual({
      where: join(dir, 'url-secrets', 'team', 'discord'),
      present: false,
    });
    expect(secrets.whereIs('team/teams')).toEqual({ where: '$NEWSWATCH_SECRET_TEAM_TEAMS', present: true });
  });
});

describe('Class: EmlOutbox', () => {
  it('should write one RFC 5322 file per alert and recipient, the same file on a retry', async () => {
    // Prepare
    const outbox = new EmlOutbox(join(dir, 'outbox'));
    const email = {
      to: 'desk@example.org',
      subject: 'Aid: Ünïcode',
      text: 'Body',
      id: 'alert_1',
      json: { id: 'alert_1' },
    };

    // Act
    const path = await outbox.send(email);
    const again = await outbox.send(email);

    // Assess
    expect(again).toBe(path);
    const eml = readFileSync(path, 'utf8');
    expect(eml).toMatch(/^To: desk@example.org$/m);
    expect(eml).toMatch(/^Subject: =\?UTF-8\?Q\?Aid=3A_=C3=9Cn=C3=AFcode\?=$/m);
    expect(eml).toMatch(/^Message-ID: <alert_1@newswatch\.local>$/m);
    expect(eml).toContain('filename=alert_1.json');
  });
});

describe('Function: saveTopic', () => {
  beforeEach(() => cpSync('tests/fixtures/seeds/topics', dir, { recursive: true }));

  it('should change a topic in place, keeping the comments and the other topics of its file', () => {
    // Prepare
    const before = readFileSync(join(dir, 'health.yaml'), 'utf8');
    const comments = before.split('\n').filter((l) => l.trim().startsWith('#'));

    // Act
    const saved = saveTopic(dir, {
      id: 'international-health-aid',
      name: 'International health aid',
      query: '"medical masks" AND aid',
      minScore: 0.4,
      enabled: true,
    });

    // Assess
    expect(saved).toEqual({ file: join(dir, 'health.yaml'), problems: [] });
    const after = readFileSync(join(dir, 'health.yaml'), 'utf8');
    for (const c of comments) expect(after).toContain(c);
    const untouched = before.split('\n').filter((l) => /^\s*(tags|- id|id):/.test(l));
    for (const l of untouched) expect(after).toContain(l);
    const { loaded } = readTopicFolder(dir);
    expect(loaded.topics.find((t) => t.id === 'international-health-aid')).toMatchObject({
      query: '"medical masks" AND aid',
      minScore: 0.4,
    });
    expect(loaded.topics).toHaveLength(7);
  });

  it('should add a new topic to my-topics.yaml, keep JSON files JSON, and write nothing when the result is invalid', () => {
    // Prepare
    writeFileSync(join(dir, 'extra.json'), JSON.stringify([{ id: 'json-topic', name: 'J', query: 'aid' }]));

    // Act
    const added = saveTopic(dir, {
      id: 'new-one',
      name: 'New',
      query: 'masks',
      minScore: 0.3,
      enabled: true,
    });
    const json = saveTopic(dir, {
      id: 'json-topic',
      name: 'J2',
      query: 'aid OR help',
      minScore: 0.3,
      enabled: false,
    });
    const bad = saveTopic(dir, {
      id: 'new-one',
      name: 'New',
      query: 'masks AND (',
      minScore: 0.3,
      enabled: true,
    });

    // Assess
    expect(added).toEqual({ file: join(dir, 'my-topics.yaml'), problems: [] });
    expect(readFileSync(join(dir, 'my-topics.yaml'), 'utf8')).toMatch(
      /^topics:\n {2}- id: new-one\n {4}name: New\n/m,
    );
    expect(JSON.parse(readFileSync(join(dir, 'extra.json'), 'utf8'))).toEqual([
      { id: 'json-topic', name: 'J2', query: 'aid OR help', minScore: 0.3, enabled: false },
    ]);
    expect(json.problems).toEqual([]);
    expect(bad.problems[0]).toMatch(/my-topics\.yaml:\d+:\d+: topic new-one: expected a word/);
    expect(readTopicFolder(dir).loaded.topics.find((t) => t.id === 'new-one')?.query).toBe('masks');
  });
});

describe('Function: saveTopic and readTopicFolder with an overlay folder', () => {
  const overlay = () => join(dir, '..', `${basename(dir)}-local`);
  beforeEach(() => {
    cpSync('tests/fixtures/seeds/topics', dir, { recursive: true });
    rmSync(overlay(), { recursive: true, force: true });
  });
  afterEach(() => rmSync(overlay(), { recursive: true, force: true }));

  it('should save a change to a shared topic into the overlay, as a copy that replaces it, and leave the shared folder as it was', () => {
    // Prepare
    const files = () =>
      (readdirSync(dir, { recursive: true }) as string[])
        .sort()
        .filter((f) => statSync(join(dir, f)).isFile())
        .map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
    const before = files();
    const shared = readTopicFolder(dir).loaded.topics.find((t) => t.id === 'international-health-aid');

    // Act
    const saved = saveTopic(
      overlay(),
      { id: 'international-health-aid', name: 'Health aid', query: 'masks', minScore: 0.4, enabled: false },
      dir,
    );
    const { loaded } = readTopicFolder(dir, overlay());

    // Assess
    expect(saved).toEqual({ file: join(overlay(), 'my-topics.yaml'), problems: [] });
    expect(files()).toEqual(before);
    expect(loaded.problems).toEqual([]);
    expect(loaded.topics.filter((t) => t.id === 'international-health-aid')).toEqual([
      expect.objectContaining({ name: 'Health aid', query: 'masks', enabled: false, tags: shared?.tags }),
    ]);
    expect(loaded.topics).toHaveLength(readTopicFolder(dir).loaded.topics.length);
  });

  it('should let the overlay replace a shared list, refuse a topic defined twice within one layer, and read no overlay that does not exist', () => {
    // Prepare
    mkdirSync(overlay());
    writeFileSync(
      join(overlay(), 'local.yaml'),
      [
        'lists:',
        '  health_supplies: [donated]',
        'topics:',
        '  - { id: mine, name: Mine, query: "@health_supplies" }',
        '  - { id: mine, name: Again, query: masks }',
        '',
      ].join('\n'),
    );

    // Act
    const { loaded } = readTopicFolder(dir, overlay());
    const alone = readTopicFolder(dir, join(dir, 'no-such-folder'));

    // Assess
    expect(loaded.rawLists.health_supplies).toEqual(['donated']);
    expect(loaded.problems.map((p) => p.message)).toEqual([
      `topic id "mine" is already used in ${join(overlay(), 'local.yaml')}`,
    ]);
    expect(alone.loaded.problems).toEqual([]);
  });
});

describe('Functions: deleteTopic and saveList with an overlay folder', () => {
  const overlay = () => join(dir, '..', `${basename(dir)}-local`);
  const sharedFiles = () =>
    (readdirSync(dir, { recursive: true }) as string[])
      .sort()
      .filter((f) => statSync(join(dir, f)).isFile())
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
  beforeEach(() => {
    cpSync('tests/fixtures/seeds/topics', dir, { recursive: true });
    rmSync(overlay(), { recursive: true, force: true });
  });
  afterEach(() => rmSync(overlay(), { recursive: true, force: true }));

  it('should delete a shared topic by an entry in the overlay, also one changed here, and bring it back when saved again', () => {
    // Prepare
    const before = sharedFiles();
    const count = readTopicFolder(dir).loaded.topics.length;
    saveTopic(
      overlay(),
      { id: 'vaccine-supply-deals', name: 'Changed here', query: 'vaccine', minScore: 0.5, enabled: true },
      dir,
    );

    // Act
    const deleted = deleteTopic(overlay(), 'international-health-aid', dir);
    const deletedCopy = deleteTopic(overlay(), 'vaccine-supply-deals', dir);
    const after = readTopicFolder(dir, overlay()).loaded;
    const again = saveTopic(
      overlay(),
      { id: 'vaccine-supply-deals', name: 'Back', query: 'vaccine', minScore: 0.5, enabled: false },
      dir,
    );
    const back = readTopicFolder(dir, overlay()).loaded;

    // Assess
    expect(deleted).toEqual({ file: join(overlay(), 'my-topics.yaml'), problems: [] });
    expect(deletedCopy.problems).toEqual([]);
    expect(sharedFiles()).toEqual(before);
    expect(after.problems).toEqual([]);
    expect(after.topics.map((t) => t.id)).not.toContain('international-health-aid');
    expect(after.topics.map((t) => t.id)).not.toContain('vaccine-supply-deals');
    expect(after.topics).toHaveLength(count - 2);
    expect(after.deleted?.sort()).toEqual(['international-health-aid', 'vaccine-supply-deals']);
    expect(readFileSync(join(overlay(), 'my-topics.yaml'), 'utf8')).toMatch(
      /- id: international-health-aid\n {4}deleted: true\n/,
    );
    expect(again.problems).toEqual([]);
    expect(back.topics.find((t) => t.id === 'vaccine-supply-deals')).toMatchObject({
      name: 'Back',
      enabled: false,
    });
    expect(back.deleted).toEqual(['international-health-aid']);
  });

  it('should take a topic of this machine out of its file, and refuse to delete a topic nobody defines', () => {
    // Prepare
    saveTopic(overlay(), { id: 'mine', name: 'Mine', query: 'masks', minScore: 0.3, enabled: true }, dir);

    // Act
    const deleted = deleteTopic(overlay(), 'mine', dir);
    const unknown = deleteTopic(overlay(), 'no-such-topic', dir);

    // Assess
    expect(deleted.problems).toEqual([]);
    expect(readFileSync(join(overlay(), 'my-topics.yaml'), 'utf8')).not.toContain('mine');
    expect(readTopicFolder(dir, overlay()).loaded.deleted).toBeUndefined();
    expect(unknown.problems).toEqual(['no topic has the id no-such-topic']);
  });

  it('should save a list into the overlay, replacing the shared one here, and refuse a list that breaks a query', () => {
    // Prepare
    const before = sharedFiles();
    const shared = readTopicFolder(dir).loaded.rawLists;
    const name = Object.keys(shared)[0] as string;

    // Act
    const saved = saveList(overlay(), name, ['gauze', 'syringes', 'es: jeringas'], dir);
    const added = saveList(overlay(), 'my_words', ['harbour', '"sea port"'], dir);
    const broken = saveList(overlay(), 'bad_words', ['a*b'], dir);
    const changedAgain = saveList(overlay(), name, ['gauze'], dir);
    const { loaded } = readTopicFolder(dir, overlay());

    // Assess
    expect(saved).toEqual({ file: join(overlay(), 'my-topics.yaml'), problems: [] });
    expect(added.problems).toEqual([]);
    expect(broken.problems[0]).toContain('list @bad_words, item 1');
    expect(changedAgain.problems).toEqual([]);
    expect(sharedFiles()).toEqual(before);
    expect(loaded.problems).toEqual([]);
    expect(loaded.rawLists[name]).toEqual(['gauze']);
    expect(loaded.rawLists.my_words).toEqual(['harbour', '"sea port"']);
    expect(loaded.rawLists.bad_words).toBeUndefined();
  });
});

describe('Function: wantsColour', () => {
  it('should colour a terminal only, unless FORCE_COLOR or NO_COLOR say otherwise; CI alone changes nothing', () => {
    // Act & Assess
    expect(wantsColour({}, true)).toBe(true);
    expect(wantsColour({ CI: 'true' }, false)).toBe(false);
    expect(wantsColour({ TERM: 'dumb' }, true)).toBe(false);
    expect(wantsColour({ NO_COLOR: '1' }, true)).toBe(false);
    expect(wantsColour({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(wantsColour({ FORCE_COLOR: '0' }, false)).toBe(false);
  });
});
