import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Article, ArticleError, Result } from '../../../functions/core/articles/article.ts';
import { feedFormat } from '../../../functions/core/articles/formats/feed.ts';
import type { FileHead } from '../../../functions/core/articles/formats/format.ts';
import { type FileReading, readArticleFile } from '../../../functions/core/articles/read-file.ts';

const receivedAt = '2026-12-01T08:00:00Z';
const enc = (s: string) => new TextEncoder().encode(s);
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/formats/${name}`, import.meta.url));

const read = (key: string, bytes: Uint8Array | string): Promise<FileReading> =>
  readArticleFile({ key, bytes: typeof bytes === 'string' ? enc(bytes) : bytes, receivedAt });

/** The items of a container reading, by item name; fails the test for anything else. */
const itemsOf = (reading: FileReading): Map<string, Result<Article, ArticleError>> => {
  if (reading.kind !== 'container')
    throw new Error(`expected a container, got ${reading.kind}: ${JSON.stringify(reading)}`);
  expect(reading.format).toBe('feed');
  return new Map(reading.items.map((i) => [i.item, i.result]));
};

const article = (r: Result<Article, ArticleError> | undefined): Article => {
  if (!r?.ok) throw new Error(`expected an article, got ${JSON.stringify(r)}`);
  return r.value;
};

const head = (key: string, text: string): FileHead => ({ key, bytes: enc(text.slice(0, 1024)), text });

const rss = (items: string, channel = '<title>Example News</title>') =>
  `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>${channel}${items}</channel></rss>`;

describe('Format: feed (RSS 2.0)', () => {
  it('should read each item with content:encoded as a full article, HTML turned into paragraphs', async () => {
    // Act
    const items = itemsOf(await read('incoming/gazette.rss', fixture('rss2-content.rss')));

    // Assess
    expect([...items.keys()]).toEqual([
      'gazette-2026-11-28-ferry',
      'gazette-2026-11-27-landings',
      'gazette-2026-11-26-lifeboat',
    ]);
    const ferry = article(items.get('gazette-2026-11-28-ferry'));
    expect(ferry).toMatchObject({
      sourceKey: 'incoming/gazette.rss#gazette-2026-11-28-ferry',
      container: { key: 'incoming/gazette.rss', item: 'gazette-2026-11-28-ferry' },
      format: 'feed',
      title: 'Ferry link to the islands restored after storm repairs',
      titleSource: 'file',
      date: '2026-11-28',
      dateSource: 'file',
      author: 'Morag Lindsay',
      url: 'https://gazette.example.org/2026/11/28/ferry-link-restored',
      source: 'Harbour & Coast Gazette',
      language: 'en',
      languageSource: 'declared',
      categories: ['Transport', 'Islands'],
    });
    expect(ferry.summaryOnly).toBeUndefined();
    expect(ferry.paragraphs).toEqual([
      'The morning ferry to the outer islands sailed on time on Saturday, the first crossing since a storm tore away part of the northern pier three weeks ago.',
      'Engineers worked through the nights to rebuild the landing stage & its fenders. “We owe them a great deal,” the harbour master said.',
      'The rebuilt landing stage at dawn.',
      'What changes for passengers',
      'Two sailings a day until December',
      'Vehicle bookings reopen on Monday',
      "Timetables are posted at the terminal and on the council's website.",
    ]);
    expect(ferry.paragraphs.join(' ')).not.toMatch(/trackReader|<|&amp;/);
    expect(article(items.get('gazette-2026-11-27-landings'))).toMatchObject({
      author: 'Ewan Baird, Isla Grant',
      date: '2026-11-27',
      categories: ['Fishing'],
    });
  });

  it('should read a feed with descriptions only as summaries, whatever the file is named', async () => {
    // Act
    const items = itemsOf(await read('incoming/valley.xml', fixture('rss2-description.xml')));

    // Assess
    const bridge = article(items.get('https://valleywire.example.com/news/bridge-approved'));
    expect(bridge).toMatchObject({
      title: 'Council approves new bridge over the river',
      summaryOnly: true,
      author: 'Dana Ortiz',
      date: '2026-11-24',
      source: 'Valley Wire',
      language: 'en',
      languageSource: 'declared',
      categories: ['Local government'],
      url: 'https://valleywire.example.com/news/bridge-approved',
      paragraphs: [
        'The town council voted 7–2 on Tuesday to build a footbridge linking the two halves of the town.',
      ],
    });
    // A permalink guid stands in for the missing link.
    expect(article(items.get('https://valleywire.example.com/news/solar-library'))).toMatchObject({
      url: 'https://valleywire.example.com/news/solar-library',
      summaryOnly: true,
      date: '2026-11-23',
    });
  });

  it('should refuse a bad item alone: no text, or a date that is not one', async () => {
    // Prepare
    const file = rss(`
      <item><guid>ok-1</guid><title>Fine</title><description>A story.</description></item>
      <item><guid>no-text</guid><title>Title only</title></item>
      <item><guid>empty-html</guid><description>&lt;img src="x.jpg"&gt;</description></item>
      <item><guid>bad-date</guid><pubDate>last Tuesday</pubDate><description>Text.</description></item>`);

    // Act
    const items = itemsOf(await read('incoming/mixed.rss', file));

    // Assess
    expect(items.get('ok-1')?.ok).toBe(true);
    expect(items.get('no-text')).toMatchObject({ ok: false, error: { kind: 'NoBody' } });
    expect(items.get('empty-html')).toMatchObject({ ok: false, error: { kind: 'NoBody' } });
    expect(items.get('bad-date')).toMatchObject({
      ok: false,
      error: {
        kind: 'InvalidArticle',
        message: expect.stringContaining('RSS item 4 "pubDate": "last Tuesday"'),
      },
    });
  });

  it('should name items by guid when it is usable, else by position, and keep repeated guids apart', async () => {
    // Prepare
    const file = rss(`
      <item><guid>same</guid><description>One.</description></item>
      <item><guid>same</guid><description>Two.</description></item>
      <item><guid>has spaces in it</guid><description>Three.</description></item>
      <item><guid>a#b</guid><description>Four.</description></item>
      <item><description>Five.</description></item>`);

    // Act
    const items = itemsOf(await read('incoming/names.rss', file));

    // Assess
    expect([...items.keys()]).toEqual(['same', 'same~2', '3', '4', '5']);
  });

  it('should read dc:date, entity-encoded titles and keep only http links', async () => {
    // Prepare
    const file = rss(
      `
      <item><guid>a</guid><title>Tom &amp;amp; Jerry &lt;em&gt;return&lt;/em&gt;</title><link>javascript:alert(1)</link>
        <dc:date>2026-11-20T10:00:00Z</dc:date><dc:language>fr</dc:language><description>Texte.</description></item>
      <item><guid>b</guid><link>/relative/path</link><description>Text.</description></item>`,
      '<title>Example News</title><link>https://news.example.org/</link><language>en</language>',
    );

    // Act
    const items = itemsOf(await read('incoming/misc.rss', file));

    // Assess
    const a = article(items.get('a'));
    expect(a).toMatchObject({ title: 'Tom & Jerry return', date: '2026-11-20', language: 'fr' });
    expect(a.url).toBeUndefined();
    expect(article(items.get('b'))).toMatchObject({
      url: 'https://news.example.org/relative/path',
      language: 'en',
      dateSource: 'received',
      date: '2026-12-01',
    });
  });

  it('should refuse a feed cut short after a whole item instead of storing it in part', async () => {
    // Prepare
    const whole = rss('<item><guid>a</guid><description>One.</description></item>');
    const cut = whole.slice(0, whole.indexOf('</channel>'));

    // Act
    const readings = [
      await read('incoming/cut.rss', cut),
      await read('incoming/whole.rss', `${whole}\n<!-- end -->\n`),
    ];

    // Assess
    expect(readings[0]).toMatchObject({
      kind: 'error',
      error: { kind: 'MalformedXml', message: expect.stringContaining('does not end with </rss>') },
    });
    expect(readings[1]).toMatchObject({ kind: 'container' });
  });

  it('should refuse a feed with no items, a broken feed and a .rss file that is not a feed', async () => {
    // Act
    const empty = await read('incoming/empty.rss', rss(''));
    const broken = await read(
      'incoming/broken.rss',
      '<rss version="2.0"><channel><title>x</title><item><title>y</ti',
    );
    const notFeed = await read('incoming/notes.rss', 'Just some notes about feeds.');
    const otherXml = await read('incoming/catalog.rss', '<?xml version="1.0"?><catalog/>');

    // Assess
    expect(empty).toMatchObject({
      kind: 'error',
      error: { kind: 'NoBody', message: 'the RSS feed holds no items' },
    });
    expect(broken).toMatchObject({ kind: 'error', error: { kind: 'MalformedXml' } });
    expect(notFeed).toMatchObject({
      kind: 'error',
      error: { kind: 'UnsupportedFormat', message: expect.stringContaining('not XML') },
    });
    expect(otherXml).toMatchObject({
      kind: 'error',
      error: { kind: 'UnsupportedFormat', message: expect.stringContaining('root element is <catalog>') },
    });
  });
});

describe('Format: feed (RSS 1.0 and Atom)', () => {
  it('should read RSS 1.0 items with their Dublin Core date, creator and subjects', async () => {
    // Act
    const items = itemsOf(await read('incoming/science.rdf', fixture('rss1-rdf.rdf')));

    // Assess
    expect(article(items.get('https://science.example.net/notes/glacier-survey'))).toMatchObject({
      title: 'Survey finds the glacier retreated 40 metres this summer',
      date: '2026-11-25',
      author: 'Lena Vogt',
      categories: ['Climate', 'Glaciers'],
      source: 'Science Notes',
      language: 'en',
      url: 'https://science.example.net/notes/glacier-survey',
      paragraphs: [
        "A drone survey measured the glacier's front against markers placed last year and found it had retreated about 40 metres.",
        'The team will repeat the flight in spring.',
      ],
    });
    expect(article(items.get('https://science.example.net/notes/seed-bank'))).toMatchObject({
      summaryOnly: true,
      date: '2026-11-24',
      paragraphs: ['Collectors gathered the seeds on field trips across three mountain ranges.'],
    });
  });

  it('should read Atom content of type html and xhtml, the alternate link and the entry language', async () => {
    // Act
    const items = itemsOf(await read('incoming/northfield.atom', fixture('atom-content.atom')));

    // Assess
    expect(article(items.get('tag:northfield.example.org,2026:tram-extension'))).toMatchObject({
      title: 'Tram line extension opens – a year early',
      date: '2026-11-27',
      author: 'Priya Shah',
      url: 'https://northfield.example.org/2026/11/tram-extension',
      source: 'Northfield Daily',
      language: 'en',
      categories: ['Transport', 'city-hall'],
      paragraphs: [
        'The tram extension to the university campus opened to passengers on Friday evening, a year ahead of the original plan.',
        'The city said the line would carry 20,000 people a day by spring.',
      ],
    });
    const market = article(items.get('urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7'));
    expect(market).toMatchObject({
      language: 'fr',
      date: '2026-11-26',
      author: 'Northfield Daily newsroom',
      url: 'https://northfield.example.org/fr/2026/11/marche-de-noel',
      paragraphs: [
        "Le marché de Noël a ouvert jeudi sur la place de l'hôtel de ville, avec soixante chalets.",
        "Il restera ouvert jusqu'au 24 décembre.",
      ],
    });
    expect(market.summaryOnly).toBeUndefined();
  });

  it('should read Atom summaries as summaries and resolve links against xml:base', async () => {
    // Act
    const items = itemsOf(await read('incoming/world.xml', fixture('atom-summary.xml')));

    // Assess
    expect(article(items.get('urn:uuid:0a6b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d'))).toMatchObject({
      title: 'Talks on river water sharing resume',
      summaryOnly: true,
      date: '2026-11-28',
      author: 'A. Moreau',
      url: 'https://wire.example.com/world/2026/11/28/river-talks',
      source: 'Example World Wire',
    });
    expect(article(items.get('urn:uuid:1b7c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e'))).toMatchObject({
      // `published` comes before `updated`.
      date: '2026-11-27',
      paragraphs: ['Scientists lowered the alert level after a week without tremors.'],
    });
  });
});

describe('Format: feed (recognition)', () => {
  it('should recognise feeds by their root element after the prolog, or by a .rss or .atom name', () => {
    // Prepare
    const cases: Array<[FileHead, boolean]> = [
      [
        head(
          'incoming/a.xml',
          '<?xml version="1.0"?>\n<!-- hi -->\n<?xml-stylesheet href="s.xsl"?>\n<rss version="2.0">',
        ),
        true,
      ],
      [
        head(
          'incoming/a.xml',
          '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "rss.dtd"><rss>',
        ),
        true,
      ],
      [
        head(
          'incoming/a.xml',
          '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">',
        ),
        true,
      ],
      [head('incoming/a.xml', '<feed xmlns="http://www.w3.org/2005/Atom">'), true],
      [head('incoming/a.xml', '<feed><entry/></feed>'), false],
      [head('incoming/a.xml', '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'), false],
      [head('incoming/a.xml', '<catalog/>'), false],
      [head('incoming/a.txt', 'rss feeds are great'), false],
      [head('incoming/a.atom', 'anything'), true],
      [head('incoming/a.RSS', 'anything'), true],
    ];

    // Act
    const recognised = cases.map(([h]) => feedFormat.recognises(h));

    // Assess
    expect(recognised).toEqual(cases.map(([, expected]) => expected));
  });

  it('should read an RSS 0.91 feed with its public DOCTYPE', async () => {
    // Prepare
    const file = `<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old Times</title><item><title>Hello</title><link>https://old.example.org/1</link><description>Still here.</description></item></channel></rss>`;

    // Act
    const items = itemsOf(await read('incoming/old.xml', file));

    // Assess
    expect(article(items.get('1'))).toMatchObject({ title: 'Hello', source: 'Old Times', summaryOnly: true });
  });
});
