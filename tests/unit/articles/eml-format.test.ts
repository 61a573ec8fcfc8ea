import { describe, expect, it } from 'vitest';
import type { Article } from '../../../functions/core/articles/article.ts';
import { emlFormat } from '../../../functions/core/articles/formats/eml.ts';
import { readArticleFile } from '../../../functions/core/articles/read-file.ts';
import { sampleBytes } from '../../fixtures/formats/samples.ts';

const receivedAt = '2026-12-01T08:00:00.000Z';
const read = (key: string, content: string | Uint8Array) =>
  readArticleFile({
    key,
    bytes: typeof content === 'string' ? new TextEncoder().encode(content) : content,
    receivedAt,
  });
const article = async (key: string, content: string | Uint8Array): Promise<Article> => {
  const r = await read(key, content);
  if (r.kind !== 'article') throw new Error(`expected an article, got ${JSON.stringify(r)}`);
  return r.article;
};

const STORY =
  'The port authority said the new ferry line between Poti and Constanța would start in March, with two sailings a week for lorries and passengers, and that tickets would go on sale in January at the terminals, in travel agencies and online.';

const mail = (headers: string[], body: string) => `${headers.join('\r\n')}\r\n\r\n${body}`;

describe('Format: mail messages', () => {
  it('should read a newsletter from its plain-text part, without the browser link and the unsubscribe footer', async () => {
    // Act
    const a = await article('incoming/brief.eml', sampleBytes('newsletter.eml'));

    // Assess
    expect(a).toMatchObject({
      format: 'eml',
      title: 'Health brief: aid for Tbilisi and Yerevan — 27 November',
      titleSource: 'file',
      // 22:15 on the 27th in New York, the 28th in UTC: the day as written is kept.
      date: '2026-11-27',
      dateSource: 'file',
      author: 'Caucasus Health Brief',
      source: 'Caucasus Health Brief',
      language: 'en',
    });
    expect(a.paragraphs).toEqual([
      'JAPAN SENDS VENTILATORS TO GEORGIA',
      'A Japanese aid flight landed in Tbilisi on Friday with 120 ventilators, two million masks and 50,000 test kits for Georgian hospitals. The regional hospitals in Kutaisi and Batumi get the first machines.',
      'ARMENIA RECEIVES VACCINE DOSES FROM THE EU',
      'The European Union delivered 300,000 doses of influenza vaccine to Armenia, the health ministry in Yerevan said. Clinics in Gyumri and Vanadzor will start vaccinating older people next week.',
      'WHO OPENS A TRAINING CENTRE IN BAKU',
      'The World Health Organization opened a centre in Baku where nurses from the region will train in intensive care. The first course starts in January.',
      '— The Caucasus Health Brief team',
    ]);
  });

  it('should read the same message with CRLF line ends as the same article', async () => {
    // Prepare
    const lf = new TextDecoder().decode(sampleBytes('newsletter.eml'));
    const crlf = lf.replace(/\n/g, '\r\n');

    // Act
    const [a, b] = [await article('incoming/a.eml', lf), await article('incoming/b.eml', crlf)];

    // Assess
    expect(b.id).toBe(a.id);
  });

  it('should read an HTML-only message through its HTML, every story kept and hidden text left out', async () => {
    // Prepare: the sample's HTML part alone.
    const lf = new TextDecoder().decode(sampleBytes('newsletter.eml'));
    const html = lf.slice(lf.indexOf('<!doctype html>'), lf.indexOf('\n--=_brief_1187--'));
    const message = mail(
      [
        'From: "Caucasus Health Brief" <brief@health-brief.example>',
        'Subject: Health brief',
        'Date: Fri, 27 Nov 2026 22:15:00 -0500',
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
      ],
      html,
    );

    // Act
    const a = await article('incoming/html-only.eml', message);

    // Assess
    expect(a.paragraphs).toEqual([
      'Japan sends ventilators to Georgia',
      'A Japanese aid flight landed in Tbilisi on Friday with 120 ventilators, two million masks and 50,000 test kits for Georgian hospitals. The regional hospitals in Kutaisi and Batumi get the first machines.',
      'Armenia receives vaccine doses from the EU',
      'The European Union delivered 300,000 doses of influenza vaccine to Armenia, the health ministry in Yerevan said. Clinics in Gyumri and Vanadzor will start vaccinating older people next week.',
      'WHO opens a training centre in Baku',
      'The World Health Organization opened a centre in Baku where nurses from the region will train in intensive care. The first course starts in January.',
      '— The Caucasus Health Brief team',
    ]);
  });

  it('should read the HTML part when the plain-text part only points to it', async () => {
    // Prepare
    const message = mail(
      [
        'From: desk@port.example',
        'Subject: Ferry',
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary="b"',
      ],
      [
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'This newsletter needs a mail program that shows HTML.',
        '--b',
        'Content-Type: text/html; charset=utf-8',
        '',
        `<html><body><p>${STORY}</p></body></html>`,
        '--b--',
        '',
      ].join('\r\n'),
    );

    // Act
    const a = await article('incoming/ferry.eml', message);

    // Assess
    expect(a.paragraphs).toEqual([STORY]);
  });

  it('should decode the charset the message declares, which a text file could not have', async () => {
    // Prepare: 8-bit Latin-1, as older mail programs send it.
    const head = mail(
      [
        'From: =?ISO-8859-1?Q?Jos=E9_Mar=EDa?= <jm@port.example>',
        'Subject: Fwd: Ferry line',
        'Date: 3 Dec 2026 09:00:00 +0100',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: 8bit',
      ],
      '',
    );
    const body = Buffer.from(
      `${STORY}\r\n\r\nCaf\u00e9 owners at the terminal welcomed the news.\r\n`,
      'latin1',
    );
    const bytes = new Uint8Array(Buffer.concat([Buffer.from(head, 'latin1'), body]));

    // Act
    const a = await article('incoming/ferry.eml', bytes);

    // Assess
    expect(a).toMatchObject({ title: 'Ferry line', author: 'José María', date: '2026-12-03' });
    expect(a.paragraphs.at(-1)).toBe('Café owners at the terminal welcomed the news.');
  });

  it('should recognise a message by its headers when its name does not say', async () => {
    // Prepare
    const message = mail(
      [
        'Received: by mx.example; Thu, 3 Dec 2026 09:00:00 +0000',
        'From: desk@port.example',
        'Subject: Ferry',
      ],
      STORY,
    );
    const textArticle = 'Date: 3 December 2026\nFrom the port: the ferry starts in March.\n\nMore follows.';
    const head = (text: string) => ({ key: 'incoming/x', text, bytes: new TextEncoder().encode(text) });

    // Act
    const a = await article('incoming/message-1187', message);

    // Assess
    expect(a).toMatchObject({ format: 'eml', title: 'Ferry', author: 'desk@port.example' });
    expect(emlFormat.recognises(head(textArticle))).toBe(false);
    expect(emlFormat.recognises(head('Date: 3 December 2026\n\nBody.'))).toBe(false);
  });

  it('should refuse a message with no text of its own, naming its attachments', async () => {
    // Prepare
    const message = mail(
      [
        'From: desk@port.example',
        'Subject: Report attached',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
      ],
      [
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'See attached.',
        '--b',
        'Content-Type: application/pdf; name="report.pdf"',
        'Content-Disposition: attachment; filename="report.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQK',
        '--b--',
        '',
      ].join('\r\n'),
    );

    // Act
    const r = await read('incoming/report.eml', message);

    // Assess
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'NoBody' } });
    expect(r.kind === 'error' && r.error.message).toBe(
      'the mail message has no article text (2 words in its body, 1 attachment not read); send the article itself',
    );
  });

  it('should end any bytes under an .eml name as an article or a typed error', async () => {
    // Prepare
    const junk = [
      new Uint8Array([0, 1, 2, 255, 254]),
      new TextEncoder().encode('--\r\n\r\n\r\n'),
      new Uint8Array(5000).fill(0x3d),
    ];

    // Act
    const results = await Promise.all(junk.map((bytes) => read('incoming/junk.eml', bytes)));

    // Assess
    for (const r of results) expect(r.kind).toBe('error');
  });
});
