import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ArticleFile, parseArticle } from '../../../functions/core/articles/parse-article.ts';

const seed = (name: string): ArticleFile => ({
  key: `incoming/${name}`,
  bytes: readFileSync(new URL(`../../fixtures/seeds/articles/${name}`, import.meta.url)),
  receivedAt: '2026-11-23T10:00:00.000Z',
});
const text = (body: string, key = 'incoming/story.txt'): ArticleFile => ({
  key,
  bytes: new TextEncoder().encode(body),
  receivedAt: '2026-11-23T10:00:00.000Z',
});
const parsed = (file: ArticleFile) => {
  const result = parseArticle(file);
  if (!result.ok) throw new Error(`expected an article, got ${result.error.kind}: ${result.error.message}`);
  return result.value;
};

describe('Function: parseArticle (seed articles)', () => {
  it('should read the header date and by-line of 000 and drop its Twitter footer', () => {
    // Prepare
    const file = seed('000_9c9c4874b48bb81e.txt');

    // Act
    const article = parsed(file);

    // Assess
    expect(article.date).toBe('2020-07-26');
    expect(article.dateSource).toBe('file');
    expect(article.author).toBe('Ayya Lmahamad');
    expect(article.format).toBe('text');
    expect(article.titleSource).toBe('lead-sentence');
    expect(article.title).toBe(
      'A ceremony has been held at the Azerbaijan Foreign Ministry on receiving medical masks brough by South Korea as part…',
    );
    expect(article.title.length).toBeLessThanOrEqual(120);
    expect(article.paragraphs).toHaveLength(5);
    expect(article.paragraphs[0]).toBe(
      "A ceremony has been held at the Azerbaijan Foreign Ministry on receiving medical masks brough by South Korea as part of the country's fight against COVID-19, the ministry’s press service reported.",
    );
    expect(article.paragraphs.at(-1)).toBe(
      'Bayramova and Ambassador of South Korea to Azerbaijan Kim Tong Op signed the Act of Acceptance and Delivery of disinfectants delivered by the Korean government to Azerbaijan to help fight the pandemic.',
    );
    expect(article.paragraphs.join('\n')).not.toMatch(/Follow us|^--$/m);
    expect(article.sourceKey).toBe('incoming/000_9c9c4874b48bb81e.txt');
    expect(article.id).toMatch(/^[0-9a-f]{32}$/);
    expect(article.contentHash).toMatch(/^[0-9a-f]{64}$/);
    // Unicode word segmentation: "COVID-19" is two words.
    expect(article.wordCount).toBe(289);
  });

  it('should take the body of 003 from its header line and find no author', () => {
    // Prepare
    const file = seed('003_c3fb651c5343490c.txt');

    // Act
    const article = parsed(file);

    // Assess
    expect(article.date).toBe('2020-07-01');
    expect(article.author).toBeUndefined();
    expect(article.title).toBe(
      'Azerbaijan continues international cooperation regarding COVID-19, Assistant to the President of Azerbaijan, Head of…',
    );
    expect(article.paragraphs).toHaveLength(11);
    expect(article.paragraphs[0]).toBe(
      'Azerbaijan continues international cooperation regarding COVID-19, Assistant to the President of Azerbaijan, Head of the Department of Foreign Policy Affairs of the Azerbaijani Presidential Administration Hikmat Hajiyev said.',
    );
    expect(article.paragraphs.at(-1)).toBe(
      '"This again exposed Armenia’s true essence,” assistant to the Azerbaijani president added. “All countries show solidarity regarding the battle with COVID-19. All countries stress great importance and relevance of this initiative. However, Armenia, opposing this initiative, demonstrated its true nature."',
    );
  });

  it('should give the two seeds different ids and the same id on every run', () => {
    // Act
    const a = parsed(seed('000_9c9c4874b48bb81e.txt'));
    const b = parsed(seed('003_c3fb651c5343490c.txt'));

    // Assess
    expect(a.id).not.toBe(b.id);
    expect(parsed(seed('000_9c9c4874b48bb81e.txt')).id).toBe(a.id);
  });
});

describe('Function: parseArticle (text format)', () => {
  it('should give the same id to the same text with CRLF, a BOM, other spacing and curly quotes', () => {
    // Prepare
    const plain = "date 2024-03-01 By Jo Bloggs\n\nIt's raining in Baku.\n\nSecond paragraph here.\n";
    const variant =
      '\uFEFFdate 2024-03-01 By Jo Bloggs\r\n\r\nIt’s  raining in\r\nBaku.\r\n\r\n\r\nSecond paragraph here.';

    // Act
    const a = parsed(text(plain));
    const b = parsed(text(variant, 'incoming/other.txt'));

    // Assess
    expect(b.id).toBe(a.id);
    expect(b.contentHash).not.toBe(a.contentHash);
    expect(b.paragraphs).toEqual(['It’s raining in Baku.', 'Second paragraph here.']);
  });

  it('should compose accents to NFC', () => {
    // Act
    const article = parsed(text('date 2024-03-01\n\nCafe\u0301 owners in Montre\u0301al.'));

    // Assess
    expect(article.paragraphs[0]).toBe('Café owners in Montréal.');
  });

  it('should read a by-line on its own line after the header', () => {
    // Act
    const article = parsed(text('  date 2024-03-01\nBy Maria de la Cruz\n\nBody text.'));

    // Assess
    expect(article.author).toBe('Maria de la Cruz');
    expect(article.paragraphs).toEqual(['Body text.']);
  });

  it('should treat a sentence that starts with "By" as body, not as a by-line', () => {
    // Act
    const article = parsed(text('date 2024-03-01 By the end of the week, prices had doubled.\n\nMore.'));

    // Assess
    expect(article.author).toBeUndefined();
    expect(article.paragraphs[0]).toBe('By the end of the week, prices had doubled.');
  });

  it('should use the day the file arrived when it states no date', () => {
    // Act
    const article = parsed(text('Dr. Smith said the U.S. aid had arrived. Officials agreed.'));

    // Assess
    expect(article.date).toBe('2026-11-23');
    expect(article.dateSource).toBe('received');
    expect(article.title).toBe('Dr. Smith said the U.S. aid had arrived');
  });

  it('should keep a -- line that is followed by long story text', () => {
    // Prepare
    const long = 'Story text continues here after a scene break. '.repeat(6);

    // Act
    const article = parsed(text(`date 2024-03-01\n\nOpening.\n\n--\n\n${long}`));

    // Assess
    expect(article.paragraphs).toHaveLength(3);
  });

  it('should remove copyright and newsletter footers without a -- line', () => {
    // Act
    const article = parsed(
      text(
        'date 2024-03-01\n\nThe story.\n\nSubscribe to our newsletter\n\n© 2024 Daily News. All rights reserved.',
      ),
    );

    // Assess
    expect(article.paragraphs).toEqual(['The story.']);
  });
});

describe('Function: parseArticle (JSON format)', () => {
  it('should read every field of a JSON article', () => {
    // Prepare
    const json = JSON.stringify({
      title: '  Aid   arrives in Baku ',
      content: 'First paragraph.\n\nSecond paragraph.',
      published_at: '2024-05-06T23:30:00-05:00',
      author: ['Ann Lee', 'Bo Kim'],
      url: 'https://news.example.com/aid',
      source: 'Example News',
      tags: ['ignored'],
    });

    // Act
    const article = parsed(text(json, 'incoming/aid.json'));

    // Assess
    expect(article).toMatchObject({
      format: 'json',
      title: 'Aid arrives in Baku',
      titleSource: 'file',
      date: '2024-05-06',
      dateSource: 'file',
      author: 'Ann Lee, Bo Kim',
      url: 'https://news.example.com/aid',
      source: 'Example News',
      paragraphs: ['First paragraph.', 'Second paragraph.'],
      wordCount: 4,
    });
  });

  it('should accept body as a list of paragraphs and derive the title', () => {
    // Act
    const article = parsed(
      text('{"body": ["Floods hit the coast. Many left.", "More."], "date": "2024-01-02"}'),
    );

    // Assess
    expect(article.paragraphs).toEqual(['Floods hit the coast. Many left.', 'More.']);
    expect(article.title).toBe('Floods hit the coast');
  });

  it('should give the same id to the same text in JSON and in the text format', () => {
    // Act
    const fromJson = parsed(text('{"text": "Same words.\\n\\nSame end."}', 'incoming/a.json'));
    const fromText = parsed(text('date 2020-01-01\n\nSame words.\n\nSame end.'));

    // Assess
    expect(fromJson.id).toBe(fromText.id);
  });
});

describe('Function: parseArticle (titles and JSON escapes)', () => {
  const json = (o: object): ArticleFile => text(JSON.stringify(o), 'incoming/story.json');

  it('should cut a long emoji title between graphemes, never leaving half an emoji', () => {
    // Prepare: 300 is the longest title kept; 499 emoji are 998 UTF-16 units.
    const file = json({ title: '😀'.repeat(499), body: 'Masks arrived.' });

    // Act
    const article = parsed(file);

    // Assess
    expect(article.title.isWellFormed()).toBe(true);
    expect(article.title).toBe(`${'😀'.repeat(149)}…`);
  });

  it('should cut a derived title without a space between graphemes', () => {
    // Prepare: a lead sentence of ZWJ emoji, no space to cut at.
    const file = text(`${'👩‍⚕️'.repeat(60)} arrived.`);

    // Act
    const article = parsed(file);

    // Assess
    expect(article.title.length).toBeLessThanOrEqual(120);
    expect(article.title.isWellFormed()).toBe(true);
    expect(article.title.replace(/…$/, '').split('👩‍⚕️').join('')).toBe('');
  });

  it('should apply the text rules to strings JSON escapes decode: no NUL, no half surrogate', () => {
    // Prepare: JSON.stringify writes these as \u0000 and \ud83d escapes.
    const file = json({
      title: 'Aid\u0000 \ud83d arrives',
      author: 'A\u0007B',
      body: 'Masks\u0000 arrived.',
    });

    // Act
    const article = parsed(file);

    // Assess
    expect(article.title).toBe('Aid \ufffd arrives');
    expect(article.author).toBe('AB');
    expect(article.paragraphs).toEqual(['Masks arrived.']);
  });
});

describe('Function: parseArticle (bad input)', () => {
  const bytes = (...b: number[]) => Uint8Array.from(b);
  const cases: Array<[string, ArticleFile, string, RegExp]> = [
    ['an empty file', { ...text(''), bytes: new Uint8Array() }, 'EmptyFile', /empty \(0 bytes\)/],
    ['white space only', text(' \n\t\r\n '), 'EmptyFile', /only white space/],
    [
      'a PNG image',
      { ...text(''), bytes: bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) },
      'BinaryFile',
      /PNG image/,
    ],
    ['a PDF', text('%PDF-1.7\n...'), 'BinaryFile', /PDF document/],
    [
      'a zip archive',
      { ...text(''), bytes: bytes(0x50, 0x4b, 0x03, 0x04, 1, 2) },
      'BinaryFile',
      /ZIP archive/,
    ],
    ['NUL bytes', { ...text(''), bytes: bytes(0x61, 0x62, 0x00, 0x63) }, 'BinaryFile', /NUL byte at byte 2/],
    [
      'Windows-1252 text',
      { ...text(''), bytes: bytes(0x64, 0x61, 0x74, 0x65, 0x0a, 0x63, 0x61, 0x66, 0xe9) },
      'NotUtf8',
      /not UTF-8 at byte 8 \(line 2\).*Windows-1252/,
    ],
    ['an overlong UTF-8 sequence', { ...text(''), bytes: bytes(0x41, 0xc0, 0xaf) }, 'NotUtf8', /at byte 1/],
    ['an HTML page', text('<!DOCTYPE html><html><body>x</body></html>'), 'UnsupportedFormat', /HTML/],
    [
      'a header and no body',
      text('date 2020-01-01 By Ann Lee\n\n--\n\nFollow us on Twitter @x'),
      'NoBody',
      /no article text/,
    ],
    ['an impossible date', text('date 2020-02-30 Body.'), 'InvalidArticle', /"2020-02-30" is not a date/],
    [
      'broken JSON',
      text('{"title": "x",\n "body": }'),
      'MalformedJson',
      /value expected at line 2, column 10/,
    ],
    ['a JSON array', text('[{"body": "a"}, {"body": "b"}]'), 'InvalidArticle', /holds 2 articles/],
    [
      'JSON without a body',
      text('{"title": "Only a title"}'),
      'NoBody',
      /no body \(looked for "body", "content", "text"/,
    ],
    ['JSON with a bad URL', text('{"body": "x", "url": "javascript:alert(1)"}'), 'InvalidArticle', /"url"/],
    [
      'JSON with a bad date',
      text('{"body": "x", "date": "yesterday"}'),
      'InvalidArticle',
      /"yesterday" is not a date \(ISO 8601, RFC 2822/,
    ],
  ];

  it.each(cases)('should reject %s with a typed error', (_name, file, kind, message) => {
    // Act
    const result = parseArticle(file);

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe(kind);
    expect(result.error.message).toMatch(message);
  });

  it('should refuse a file over the size limit without decoding it', () => {
    // Prepare
    const file = text('x'.repeat(2000));

    // Act
    const result = parseArticle(file, { maxBytes: 1000 });

    // Assess
    expect(result).toEqual({
      ok: false,
      error: {
        kind: 'TooLarge',
        message: 'the file is 2000 bytes, over the 1000-byte limit for one article',
      },
    });
  });

  it('should read UTF-16 with a byte-order mark', () => {
    // Prepare
    const body = 'date 2024-03-01\n\nÜber Baku.';
    const le = new Uint8Array(2 + body.length * 2);
    le.set([0xff, 0xfe]);
    for (let i = 0; i < body.length; i++) le[2 + i * 2] = body.charCodeAt(i);

    // Act
    const article = parsed({ ...text(''), bytes: le });

    // Assess
    expect(article.paragraphs).toEqual(['Über Baku.']);
  });

  it('should refuse gzip, compressed input is not accepted, so no archive is ever expanded', () => {
    // A gzip stream of 10 MB of zeros (a small bomb): it is named, not decompressed.
    const result = parseArticle({
      ...text(''),
      bytes: Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xed, 0xc1]),
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toMatchObject({
        kind: 'BinaryFile',
        message: expect.stringMatching(/gzip archive/),
      });
  });

  it('should read CRLF, lone CR and UTF-16 big-endian text as the same article as LF UTF-8', () => {
    const body = 'date 2024-03-01\n\nAid reached Baku.\n\nTrucks followed.';
    const lf = parsed(text(body));
    const crlf = parsed(text(body.replaceAll('\n', '\r\n')));
    const be = new Uint8Array(2 + body.length * 2);
    be.set([0xfe, 0xff]);
    for (let i = 0; i < body.length; i++) be[3 + i * 2] = body.charCodeAt(i);
    expect(crlf.id).toBe(lf.id);
    expect(parsed({ ...text(''), bytes: be }).id).toBe(lf.id);
  });

  it('should treat a flood of empty lines as an empty file (the test time limit bounds it)', () => {
    const result = parseArticle(text('\n'.repeat(200_000)), { maxBytes: 1_000_000 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.kind).toBe('EmptyFile');
  });

  it('should read one 10 MB line when the limit allows it, and refuse it under the default limit', () => {
    const line = `date 2024-03-01\n\n${'aid reached the port, '.repeat(500_000)}`;
    expect(line.length).toBeGreaterThan(10_000_000);
    const refused = parseArticle(text(line));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.kind).toBe('TooLarge');
    const result = parseArticle(text(line), { maxBytes: 16 * 1024 * 1024, maxTextBytes: Infinity });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.paragraphs).toHaveLength(1);
  });
});

describe('Function: parseArticle (crafted files)', () => {
  it('should refuse JSON nested deeper than 64 levels with its place, open or closed', () => {
    // Prepare
    const open = text('['.repeat(200_000), 'incoming/deep.json');
    const closed = text(`{"body": "aid", "x": ${'['.repeat(65)}${']'.repeat(65)}}`, 'incoming/deep.json');
    const inString = text(`{"body": "${'['.repeat(500)}"}`, 'incoming/ok.json');

    // Act
    const results = [open, closed, inString].map((f) => parseArticle(f));

    // Assess
    expect(results[0]).toMatchObject({
      ok: false,
      error: { kind: 'InvalidArticle', at: { line: 1, column: 65 } },
    });
    expect(results[1]).toMatchObject({ ok: false, error: { kind: 'InvalidArticle' } });
    if (!results[1]?.ok) expect(results[1]?.error.message).toContain('more than 64 levels deep');
    expect(results[2]?.ok).toBe(true);
  });

  it('should refuse text that would not fit one stored article once decoded, as TooLarge', () => {
    // Prepare: UTF-16 Chinese within the file limit takes half as much again as UTF-8.
    const chars = `援助\n\n${'援助口罩中国塞尔维亚'.repeat(13_000)}`;
    const bytes = new Uint8Array(2 + chars.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < chars.length; i++) {
      bytes[2 + 2 * i] = chars.charCodeAt(i) & 0xff;
      bytes[3 + 2 * i] = chars.charCodeAt(i) >> 8;
    }

    // Act
    const result = parseArticle({ key: 'incoming/cjk.txt', bytes, receivedAt: '2026-11-23T10:00:00.000Z' });

    // Assess
    expect(bytes.length).toBeLessThanOrEqual(256 * 1024);
    expect(result).toMatchObject({ ok: false, error: { kind: 'TooLarge' } });
    if (!result.ok) expect(result.error.message).toMatch(/once decoded to UTF-8/);
  });

  it('should cut a huge author, title and source instead of refusing the article', () => {
    // Prepare
    const file = text(
      JSON.stringify({
        title: `${'Masks '.repeat(400)}👩‍⚕️`,
        author: 'A'.repeat(60_000),
        source: 'S'.repeat(5_000),
        body: 'China donated masks to Serbia.',
      }),
      'incoming/long.json',
    );

    // Act
    const article = parsed(file);

    // Assess
    expect(article.author?.length).toBeLessThanOrEqual(300);
    expect(article.source?.length).toBeLessThanOrEqual(200);
    expect(article.title.length).toBeLessThanOrEqual(300);
    for (const v of [article.author, article.source, article.title]) expect(v?.endsWith('…')).toBe(true);
  });
});
