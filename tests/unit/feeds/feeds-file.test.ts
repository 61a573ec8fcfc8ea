import { describe, expect, it } from 'vitest';
import {
  feedListJson,
  intervalMs,
  loadFeeds,
  parseFeedList,
} from '../../../functions/core/feeds/feeds-file.ts';
import { readFeeds, readTopicIds } from '../../../infra/app.ts';

const topics = new Set(['aid', 'vaccines']);

const BOMB = [
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
].join('\n');

/** The messages of a file's problems, as `line:column message`. */
const problemsOf = (text: string, options = {}) =>
  loadFeeds(text, topics, options).problems.map((p) => `${p.line}:${p.column} ${p.message}`);

describe('Function: loadFeeds', () => {
  it('should read feeds with their defaults', () => {
    // Prepare
    const text = `feeds:
  - id: who
    url: https://www.who.int/rss-feeds/news-english.xml
    name: WHO news
    every: 15m
    topics: [aid]
  - id: wire
    url: https://wire.example.org/feed.atom
`;

    // Act
    const { feeds, problems } = loadFeeds(text, topics);

    // Assess
    expect(problems).toEqual([]);
    expect(feeds).toEqual([
      {
        id: 'who',
        url: 'https://www.who.int/rss-feeds/news-english.xml',
        name: 'WHO news',
        every: '15m',
        topics: ['aid'],
      },
      { id: 'wire', url: 'https://wire.example.org/feed.atom', every: '30m' },
    ]);
    expect(feeds.map(intervalMs)).toEqual([15 * 60_000, 30 * 60_000]);
  });

  it('should refuse intervals out of range or not written as minutes or hours, with line and column', () => {
    // Act
    const problems = problemsOf(`feeds:
  - id: fast
    url: https://a.example.org/rss
    every: 1m
  - id: slow
    url: https://b.example.org/rss
    every: 25h
  - id: vague
    url: https://c.example.org/rss
    every: often
`);

    // Assess
    expect(problems).toEqual([
      '4:12 feeds.0.every: must be at least 5m: feeds are not polled more often',
      '7:12 feeds.1.every: must be at most 24h',
      '10:12 feeds.2.every: must be a number of minutes or hours, such as 15m or 2h',
    ]);
  });

  it('should point at an unknown field by its name', () => {
    // Act & Assess
    expect(problemsOf('feeds:\n  - id: a\n    url: https://a.example.org/rss\n    evry: 15m\n')).toEqual([
      '4:5 feeds.0.evry: unknown key "evry"',
    ]);
  });

  it('should refuse duplicate ids and URLs, unknown topics and bad ids', () => {
    // Act
    const problems = problemsOf(`feeds:
  - id: a
    url: https://a.example.org/rss
  - id: a
    url: https://A.example.org/rss
    topics: [aid, sport]
  - id: Not_An_Id
    url: https://c.example.org/rss
`);

    // Assess: the schema problem comes alone (the rest is checked once the entries are well formed).
    expect(problems).toEqual(['7:9 feeds.2.id: must be lower-case letters, digits and dashes']);
    expect(
      problemsOf(`feeds:
  - id: a
    url: https://a.example.org/rss
  - id: a
    url: https://A.example.org/rss
    topics: [aid, sport]
`),
    ).toEqual([
      '4:9 feed id "a" is used twice (first as feed 1)',
      '5:10 feed a: the same url as feed a',
      '6:19 feed a: there is no topic "sport"',
    ]);
  });

  it('should refuse plain http, internal hosts and addresses however they are spelt', () => {
    // Act
    const problems = problemsOf(`feeds:
  - { id: plain, url: "http://news.example.org/rss" }
  - { id: metadata, url: "https://169.254.169.254/latest/meta-data" }
  - { id: decimal, url: "https://2130706433/rss" }
  - { id: mapped, url: "https://[::ffff:10.0.0.1]/rss" }
  - { id: named, url: "https://router.internal/rss" }
  - { id: loop, url: "http://localhost:8080/rss" }
`);

    // Assess
    expect(problems).toEqual([
      '2:23 feed plain: feeds are fetched over https only',
      '3:26 feed metadata: 169.254.169.254 is an internal address',
      '4:25 feed decimal: 127.0.0.1 is an internal address',
      '5:24 feed mapped: ::ffff:a00:1 is an internal address',
      '6:23 feed named: router.internal names an internal host',
      '7:22 feed loop: feeds are fetched over https only',
    ]);
  });

  it('should accept plain http to this machine only where the local runtime asks for it', () => {
    // Act
    const local = problemsOf(
      `feeds:
  - { id: loop, url: "http://localhost:8080/rss" }
  - { id: loop6, url: "http://[::1]:8080/rss" }
  - { id: lan, url: "http://192.168.1.10/rss" }
`,
      { allowLocalHttp: true },
    );

    // Assess
    expect(local).toEqual([
      '4:21 feed lan: feeds are fetched over https (plain http only from this machine: localhost, 127.0.0.1 or [::1])',
    ]);
  });

  it('should refuse URLs that carry a credential, without repeating them', () => {
    // Act
    const problems = problemsOf(`feeds:
  - { id: basic, url: "https://reader:hunter2@news.example.org/rss" }
  - { id: token, url: "https://news.example.org/rss?token=s3cr3t-value" }
`);

    // Assess
    expect(problems).toEqual([
      '2:23 feed basic: a feed URL must not hold credentials',
      expect.stringMatching(
        /^3:23 feed token: the url has a query parameter "token", which holds a credential/,
      ),
    ]);
    expect(problems.join('\n')).not.toMatch(/hunter2|s3cr3t/);
  });

  it('should refuse a YAML alias bomb with line and column instead of throwing', () => {
    // Act
    const { feeds, problems } = loadFeeds(`${BOMB}\nfeeds: []\n`, topics);

    // Assess
    expect(feeds).toEqual([]);
    expect(problems).toEqual([
      { line: 2, column: 8, message: expect.stringMatching(/aliases \(\*name\) expand more than 100/) },
    ]);
  });

  it('should read an empty file as no feeds and report a YAML syntax error where it is', () => {
    // Act & Assess
    expect(loadFeeds('# nothing yet\n', topics)).toEqual({ feeds: [], problems: [] });
    expect(problemsOf('feeds:\n  - id: a\n   url: [\n')[0]).toMatch(/^3:1 /);
  });
});

describe('Function: parseFeedList', () => {
  it('should read back what the CDK app writes, without display names', () => {
    // Prepare
    const { feeds } = loadFeeds(
      'feeds:\n  - { id: a, name: A, url: "https://a.example.org/rss", every: 2h, topics: [aid] }\n',
      topics,
    );

    // Act
    const json = feedListJson(feeds);

    // Assess
    expect(parseFeedList(json)).toEqual([
      { id: 'a', url: 'https://a.example.org/rss', every: '2h', topics: ['aid'] },
    ]);
    expect(() => parseFeedList('[{"id":"a","url":"http://10.0.0.1/rss"}]')).toThrow(
      'feeds are fetched over https only',
    );
  });
});

describe('Function: readFeeds', () => {
  it('should read the sample feeds file, every topic it names being a sample topic', () => {
    // Prepare
    const seeds = new URL('../../fixtures/seeds/', import.meta.url);

    // Act
    const feeds = readFeeds(seeds);

    // Assess
    expect(feeds.map((f) => f.id)).toEqual(['who-news', 'un-news-health']);
    expect(feeds[0]?.topics).toEqual([
      'international-health-aid',
      'vaccine-supply-deals',
      'global-health-cooperation',
    ]);
    const known = new Set(readTopicIds(seeds));
    for (const f of feeds) for (const t of f.topics ?? []) expect(known.has(t)).toBe(true);
  });
});
