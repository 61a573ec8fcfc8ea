import { describe, expect, it } from 'vitest';
import type { Article } from '../../../functions/core/articles/article.ts';
import {
  htmlBlocks,
  htmlFormat,
  loadHtmlParser,
  MAX_HTML_DEPTH,
  MAX_HTML_ELEMENTS,
  parseHtmlDocument,
} from '../../../functions/core/articles/formats/html.ts';
import { parseArticle } from '../../../functions/core/articles/parse-article.ts';
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

/** Running text of about 60 words, so a page made of it is an article. */
const STORY = [
  'Rescue teams reached the villages cut off by the landslide on Thursday and began moving families to a school in the valley.',
  'The regional governor said roads would stay closed for a week while engineers checked the bridges, and that food and blankets were on their way.',
];
const page = (head: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
const storyBody = (extra = '') => `<article>${STORY.map((p) => `<p>${p}</p>`).join('')}${extra}</article>`;

describe('Format: HTML pages', () => {
  it('should read the article of a news page and none of the navigation, advertising or footer around it', async () => {
    // Prepare
    const bytes = sampleBytes('news-page.html');

    // Act
    const a = await article('incoming/world/japan-ventilators.html', bytes);

    // Assess
    expect(a).toMatchObject({
      format: 'html',
      title: 'Japan sends ventilators and masks to Georgia’s hospitals',
      titleSource: 'file',
      date: '2026-11-28',
      dateSource: 'file',
      author: 'Nino Kapanadze',
      url: 'https://caspian-courier.example/world/2026/11/28/japan-ventilators-georgia',
      source: 'Caspian Courier',
      language: 'en',
      languageSource: 'declared',
      categories: ['World', 'Health', 'Aid'],
    });
    expect(a.paragraphs).toHaveLength(5);
    expect(a.paragraphs[0]).toBe(
      'A cargo plane chartered by the Japanese government landed in Tbilisi on Friday carrying 120 ventilators, two million surgical masks and 50,000 test kits for Georgian hospitals, the health ministry said.',
    );
    expect(a.paragraphs.at(-1)).toMatch(/^Georgia has received medical aid from several countries/);
    const text = a.paragraphs.join('\n');
    for (const noise of [
      'cookies',
      'Advertisement',
      'Holiday flights',
      'premium app',
      'Related',
      'Derby',
      'Most read',
      'Share on',
      'Comments',
      'All rights reserved',
      'Photo:',
      'written by a script',
    ])
      expect(text).not.toContain(noise);
  });

  it('should refuse a page without article text, saying why', async () => {
    // Act
    const r = await read('incoming/world/index.html', sampleBytes('index-page.html'));

    // Assess
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'NoBody' } });
    expect(r.kind === 'error' && r.error.message).toMatch(
      /^the page has no article text: the text found has \d+ words, fewer than the 40 of an article/,
    );
  });

  it('should refuse a page with no running text at all', async () => {
    // Act
    const r = await read(
      'incoming/empty.html',
      page('<title>Sign in</title>', '<form><input name="u"></form>'),
    );

    // Assess
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'NoBody' } });
    expect(r.kind === 'error' && r.error.message).toMatch(/^the page has no article text: /);
  });

  it.each([
    [
      'the JSON-LD datePublished',
      '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2026-10-03T22:10:00-05:00"}</script>',
      '',
      '2026-10-03',
    ],
    [
      'a <time datetime> marked as the publication time',
      '',
      '<time datetime="2026-10-04" pubdate>4 October</time>',
      '2026-10-04',
    ],
    [
      'the first <time datetime>',
      '',
      '<time datetime="Sun, 05 Oct 2026 10:00:00 +0000">Sunday</time>',
      '2026-10-05',
    ],
    ['a date meta tag in a news form', '<meta name="date" content="6 October 2026">', '', '2026-10-06'],
  ])('should take the date from %s', async (_what, head, body, day) => {
    // Act
    const a = await article('incoming/p.html', page(head, storyBody(body)));

    // Assess
    expect(a).toMatchObject({ date: day, dateSource: 'file' });
  });

  it('should date a page without a date by the day it arrived', async () => {
    // Act
    const a = await article(
      'incoming/p.html',
      page('<meta property="article:published_time" content="soon">', storyBody()),
    );

    // Assess
    expect(a).toMatchObject({ date: '2026-12-01', dateSource: 'received' });
  });

  it('should keep only http and https addresses, from the canonical link first and og:url after', async () => {
    // Prepare
    const bad = page(
      '<link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="https://news.example/a">',
      storyBody(),
    );
    const relative = page('<link rel="canonical" href="/a">', storyBody());

    // Act
    const [a, b] = [await article('incoming/a.html', bad), await article('incoming/b.html', relative)];

    // Assess
    expect(a.url).toBe('https://news.example/a');
    expect(b.url).toBeUndefined();
  });

  it('should take the title from <title> without the site name after it', async () => {
    // Act
    const a = await article(
      'incoming/p.html',
      page(
        '<title>Landslide cuts off villages | Valley Times</title><meta property="og:site_name" content="Valley Times">',
        storyBody(),
      ),
    );

    // Assess
    expect(a).toMatchObject({ title: 'Landslide cuts off villages', source: 'Valley Times' });
  });

  it('should read a fragment saved under an .html name', async () => {
    // Act
    const a = await article('incoming/fragment.html', STORY.map((p) => `<p>${p}</p>`).join('\n'));

    // Assess
    expect(a.format).toBe('html');
    expect(a.paragraphs).toEqual(STORY);
  });

  it('should read an XHTML page with an XML declaration as a page, not refuse it as XML', async () => {
    // Prepare
    const xhtml = `<?xml version="1.0" encoding="utf-8"?>\n<!-- saved page -->\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body>${storyBody()}</body></html>`;

    // Act
    const a = await article('incoming/page', xhtml);

    // Assess
    expect(a.format).toBe('html');
  });

  it('should never run the scripts of a page', async () => {
    // Prepare
    const g = globalThis as { pageScriptRan?: boolean };
    const html = page(
      '<script>globalThis.pageScriptRan = true;</script>',
      `${storyBody()}<img src="x" onerror="globalThis.pageScriptRan = true"><script>document.write('<p>injected</p>')</script>`,
    );

    // Act
    const a = await article('incoming/p.html', html);

    // Assess
    expect(g.pageScriptRan).toBeUndefined();
    expect(a.paragraphs.join(' ')).not.toContain('injected');
  });

  it('should refuse a page nested too deep quickly, before the reader recurses into it', async () => {
    // Prepare: about 165 KB of nested elements.
    const depth = 15_000;
    const html = page('', `${'<div>'.repeat(depth)}${STORY[0]}${'</div>'.repeat(depth)}`);
    const started = performance.now();

    // Act
    const r = await read('incoming/deep.html', html);

    // Assess
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'UnsupportedFormat' } });
    expect(r.kind === 'error' && r.error.message).toContain(`more than ${MAX_HTML_DEPTH} deep`);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('should read a page of nested advertisement slots in bounded time', async () => {
    // Prepare: slots inside slots, each one's text the whole rest of the page.
    const depth = MAX_HTML_DEPTH - 10;
    const html = page(
      '',
      `${storyBody()}${'<div class="ad-slot">Advertisement '.repeat(depth)}${'</div>'.repeat(depth)}`,
    );
    const started = performance.now();

    // Act
    const a = await article('incoming/ads.html', html);

    // Assess
    expect(a.paragraphs).toEqual(STORY);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('should refuse a page with more elements than the bound', async () => {
    // Prepare
    const html = page('', `<ul>${'<li><a href="#">x</a></li>'.repeat(MAX_HTML_ELEMENTS / 2 + 1)}</ul>`);

    // Act
    const r = await read('incoming/wide.html', html);

    // Assess
    expect(r).toMatchObject({ kind: 'error', error: { kind: 'TooLarge' } });
    expect(r.kind === 'error' && r.error.message).toContain(`more than ${MAX_HTML_ELEMENTS} elements`);
  });

  it('should recognise pages by name and by their first tag, after comments', () => {
    // Prepare
    const head = (key: string, text: string) => ({ key, text, bytes: new TextEncoder().encode(text) });

    // Act + Assess
    expect(htmlFormat.recognises(head('incoming/a.htm', 'plain words'))).toBe(true);
    expect(htmlFormat.recognises(head('incoming/a', '<!-- a --><!-- b -->\n<!DOCTYPE html><html>'))).toBe(
      true,
    );
    expect(htmlFormat.recognises(head('incoming/a', '<HTML><BODY>'))).toBe(true);
    expect(htmlFormat.recognises(head('incoming/a.txt', 'date 2026-01-01 <html> in a sentence'))).toBe(false);
    expect(htmlFormat.recognises(head('incoming/a.xml', '<?xml version="1.0"?><rss/>'))).toBe(false);
  });

  it('should still refuse a page in parseArticle, which reads text and JSON only', () => {
    // Act
    const r = parseArticle({ key: 'incoming/p.html', bytes: sampleBytes('news-page.html'), receivedAt });

    // Assess
    expect(r).toMatchObject({ ok: false, error: { kind: 'UnsupportedFormat' } });
  });
});

describe('Function: htmlBlocks', () => {
  it('should make a paragraph of each block, of two line breaks, and nothing of hidden or non-text elements', async () => {
    // Prepare
    const parse = await loadHtmlParser();
    const document = parseHtmlDocument(
      parse,
      [
        '<p>One <b>bold</b>\n  word.</p>',
        '<div>Loose text<br>on two lines<br><br>then another</div>',
        '<span style="display: none">preheader</span><p hidden>hidden</p><p aria-hidden="true">aria</p>',
        '<table><tr><td>cell a</td><td>cell b</td></tr></table>',
        '<ul><li>item &amp; more</li></ul><h2>Heading</h2>',
        '<script>var x = "code";</script><style>p{}</style><figure><img alt="alt"><figcaption>caption</figcaption></figure>',
        '<p>control\u0001 character</p>',
      ].join(''),
    );

    // Act
    const blocks = htmlBlocks(document.body as never);

    // Assess
    expect(blocks).toEqual([
      { tag: 'P', text: 'One bold word.' },
      { tag: 'DIV', text: 'Loose text on two lines' },
      { tag: 'DIV', text: 'then another' },
      { tag: 'TR', text: 'cell a cell b' },
      { tag: 'LI', text: 'item & more' },
      { tag: 'H2', text: 'Heading' },
      { tag: 'P', text: 'control character' },
    ]);
  });
});
