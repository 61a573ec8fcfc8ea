import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../../functions/core/articles/article.ts';
import { newsmlFormat } from '../../../functions/core/articles/formats/newsml.ts';
import { nitfDay, nitfFormat } from '../../../functions/core/articles/formats/nitf.ts';
import { type FileReading, readArticleFile } from '../../../functions/core/articles/read-file.ts';

const receivedAt = '2026-12-01T08:00:00Z';
const enc = (s: string) => new TextEncoder().encode(s);
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/formats/${name}`, import.meta.url));
const read = (key: string, bytes: Uint8Array | string): Promise<FileReading> =>
  readArticleFile({ key, bytes: typeof bytes === 'string' ? enc(bytes) : bytes, receivedAt });

const single = (reading: FileReading): Article => {
  if (reading.kind !== 'article') throw new Error(`expected one article, got ${JSON.stringify(reading)}`);
  return reading.article;
};

const NAR = 'http://iptc.org/std/nar/2006-10-01/';
const newsItem = (inner: string, attrs = 'guid="urn:test:1"') =>
  `<newsItem xmlns="${NAR}" ${attrs} standard="NewsML-G2" standardversion="2.33">${inner}</newsItem>`;

describe('Format: NewsML-G2', () => {
  it('should read a newsItem: headline, by-line, dateline, first-created date, subjects, language, XHTML body', async () => {
    // Act
    const a = single(await read('incoming/battery.xml', fixture('newsml-item.xml')));

    // Assess
    expect(a).toMatchObject({
      format: 'newsml',
      sourceKey: 'incoming/battery.xml',
      title: 'Grid battery park the size of ten football pitches switches on',
      titleSource: 'file',
      author: 'Harpreet Kaur, Energy Correspondent',
      date: '2026-11-28',
      dateSource: 'file',
      source: 'Example Wire Service',
      language: 'en',
      languageSource: 'declared',
      categories: ['energy storage', 'medtop:20000251', 'batteries'],
      paragraphs: [
        'LONDON, Nov 28 — A battery park covering the area of ten football pitches began feeding electricity into the national grid on Saturday, its operator said.',
        'The site stores power from offshore wind farms on windy nights and releases it during the evening peak.',
        'Enough for a town',
        'At full charge it can supply about 300,000 homes for two hours.',
      ],
    });
    expect(a.summaryOnly).toBeUndefined();
    expect(a.container).toBeUndefined();
  });

  it('should read each newsItem of a newsMessage as an item named by its guid', async () => {
    // Act
    const reading = await read('incoming/wire.xml', fixture('newsml-message.xml'));

    // Assess
    if (reading.kind !== 'container') throw new Error(reading.kind);
    expect(reading.format).toBe('newsml');
    expect(reading.items.map((i) => i.key)).toEqual([
      'incoming/wire.xml#urn:newsml:wire.example.com:20261128:harvest',
      'incoming/wire.xml#urn:newsml:wire.example.com:20261128:marathon',
    ]);
    const [harvest, marathon] = reading.items.map((i) => (i.result.ok ? i.result.value : undefined));
    expect(harvest).toMatchObject({
      title: 'La cosecha de uva supera las previsiones',
      author: 'Lucía Fernández',
      // versionCreated is used when there is no firstCreated; the day as written.
      date: '2026-11-28',
      language: 'es',
      source: 'Example Wire Service',
      categories: ['agricultura'],
      paragraphs: [
        'MENDOZA, 28 nov — La cosecha de uva de este año superó en un 12 % las previsiones de los productores.',
        'Las bodegas esperan una buena temporada de exportación.',
      ],
      container: { key: 'incoming/wire.xml', item: 'urn:newsml:wire.example.com:20261128:harvest' },
    });
    expect(marathon).toMatchObject({
      title: 'Record field of 40,000 signs up for city marathon',
      author: 'Sam Okafor',
      date: '2026-11-27',
      language: 'en',
      categories: ['sport', 'marathon'],
      paragraphs: [
        "Organisers of the city marathon said a record 40,000 runners had signed up for next spring's race.",
        'Road closures will be announced in March.',
      ],
    });
  });

  it('should pass over package items, refuse a bad newsItem alone and fall back to the description', async () => {
    // Prepare
    const message = `<newsMessage xmlns="${NAR}"><itemSet>
      <packageItem guid="urn:pkg:1"><groupSet/></packageItem>
      ${newsItem('<contentMeta><headline>Photo only</headline><description>A caption for the photo.</description></contentMeta><contentSet><remoteContent href="https://img.example.com/1.jpg"/></contentSet>', 'guid="urn:photo:1"')}
      ${newsItem('<itemMeta><firstCreated>yesterday</firstCreated></itemMeta><contentSet><inlineData>Text.</inlineData></contentSet>', 'guid="urn:bad:2"')}
      ${newsItem('<contentMeta><headline>Nothing</headline></contentMeta>', 'guid="urn:empty:3"')}
      ${newsItem('<contentSet><inlineData contenttype="text/html">&lt;p&gt;One.&lt;/p&gt;&lt;p&gt;Two.&lt;/p&gt;</inlineData></contentSet>', 'guid="with space"')}
    </itemSet></newsMessage>`;

    // Act
    const reading = await read('incoming/mixed.xml', message);

    // Assess
    if (reading.kind !== 'container') throw new Error(reading.kind);
    const byItem = new Map(reading.items.map((i) => [i.item, i.result]));
    expect([...byItem.keys()]).toEqual(['urn:photo:1', 'urn:bad:2', 'urn:empty:3', '4']);
    expect(byItem.get('urn:photo:1')).toMatchObject({
      ok: true,
      value: { title: 'Photo only', summaryOnly: true, paragraphs: ['A caption for the photo.'] },
    });
    expect(byItem.get('urn:bad:2')).toMatchObject({
      ok: false,
      error: {
        kind: 'InvalidArticle',
        message: expect.stringContaining('newsItem 2 <firstCreated>: "yesterday"'),
      },
    });
    expect(byItem.get('urn:empty:3')).toMatchObject({ ok: false, error: { kind: 'NoBody' } });
    expect(byItem.get('4')).toMatchObject({ ok: true, value: { paragraphs: ['One.', 'Two.'] } });
  });

  it('should refuse a newsMessage without news items, and malformed NewsML with its line and column', async () => {
    // Act
    const empty = await read('incoming/empty.xml', `<newsMessage xmlns="${NAR}"><itemSet/></newsMessage>`);
    const broken = await read(
      'incoming/broken.xml',
      `<newsItem xmlns="${NAR}">\n<contentMeta>\n<headline>x</contentMeta></newsItem>`,
    );

    // Assess
    expect(empty).toMatchObject({ kind: 'error', error: { kind: 'NoBody' } });
    expect(broken).toMatchObject({ kind: 'error', error: { kind: 'MalformedXml', at: { line: 3 } } });
  });

  it('should recognise NewsML-G2 only by a newsItem or newsMessage root in its namespace', () => {
    // Prepare
    const heads = [
      `<?xml version="1.0"?><newsItem xmlns="${NAR}" guid="x">`,
      `<nar:newsMessage xmlns:nar="${NAR}">`,
      '<newsItem guid="x">',
      `<packageItem xmlns="${NAR}">`,
    ];

    // Act
    const recognised = heads.map((text) => newsmlFormat.recognises({ key: 'a.xml', bytes: enc(text), text }));

    // Assess
    expect(recognised).toEqual([true, true, false, false]);
  });
});

describe('Format: NITF', () => {
  it('should read the headline, by-line, dateline, issue date, publication, subjects and body', async () => {
    // Act
    const a = single(await read('incoming/museum.xml', fixture('nitf-article.xml')));

    // Assess
    expect(a).toMatchObject({
      format: 'nitf',
      title: 'Museum returns carved panels to their village',
      author: 'Rosa Delgado, Tribune Staff Writer',
      date: '2026-11-27',
      source: 'Example Tribune',
      url: 'https://tribune.example.com/culture/carved-panels-returned',
      language: 'en',
      languageSource: 'declared',
      categories: ['Arts, Culture and Entertainment', 'Museums', 'restitution', 'woodcarving'],
      paragraphs: [
        'CHICAGO, Nov. 27 — A city museum on Friday handed back eight carved wooden panels to the village where they were made, ending a ninety-year stay in its storerooms.',
        'Village elders travelled to the museum for the ceremony — the first time most of them had seen the panels.',
        'A long search',
        "Curators traced the panels' origin through letters and photographs found in the museum's archive.",
      ],
    });
    expect(a.paragraphs.join(' ')).not.toContain('Rosa Delgado covers');
  });

  it('should fall back to the abstract, then to pubdata for the date, and refuse a body with no text', async () => {
    // Prepare
    const abstractOnly = `<nitf><head><pubdata name="Example Post" date.publication="20261120T090000Z"/></head>
      <body><body.head><hedline><hl1>Short</hl1></hedline><abstract><p>Only the abstract.</p></abstract></body.head></body></nitf>`;
    const noText = '<nitf><head><title>Empty</title></head><body><body.content/></body></nitf>';
    const badDate =
      '<nitf><head><docdata><date.issue norm="soon"/></docdata></head><body><body.content><p>x</p></body.content></body></nitf>';

    // Act
    const a = single(await read('incoming/abstract.xml', abstractOnly));
    const empty = await read('incoming/empty.xml', noText);
    const bad = await read('incoming/bad.xml', badDate);

    // Assess
    expect(a).toMatchObject({
      title: 'Short',
      summaryOnly: true,
      date: '2026-11-20',
      source: 'Example Post',
      paragraphs: ['Only the abstract.'],
    });
    expect(empty).toMatchObject({ kind: 'error', error: { kind: 'NoBody' } });
    expect(bad).toMatchObject({
      kind: 'error',
      error: { kind: 'InvalidArticle', message: expect.stringContaining('date.issue: "soon"') },
    });
  });

  it('should read NITF dates in the basic and extended ISO 8601 forms, as written', () => {
    // Act
    const days = [
      '20261127T163000-0500',
      '20261127T2330Z',
      '20261127',
      '2026-11-27T23:30:00-05:00',
      '20261340',
    ].map(nitfDay);

    // Assess
    expect(days).toEqual(['2026-11-27', '2026-11-27', '2026-11-27', '2026-11-27', undefined]);
  });

  it('should recognise a nitf root, after a DOCTYPE too', () => {
    // Prepare
    const text =
      '<?xml version="1.0"?>\n<!DOCTYPE nitf PUBLIC "-//IPTC//DTD NITF 3.6//EN" "nitf-3-6.dtd">\n<nitf version="3.6">';

    // Act
    const recognised = [text, '<nitfx/>'].map((t) =>
      nitfFormat.recognises({ key: 'a.xml', bytes: enc(t), text: t }),
    );

    // Assess
    expect(recognised).toEqual([true, false]);
  });
});
