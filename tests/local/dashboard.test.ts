import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMITS } from '../../local/dashboard/server.ts';
import { REPO_ROOT } from '../../local/local-newswatch.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { waitForStatus } from './helpers.ts';

const SEED_TITLE = 'A ceremony has been held at the Azerbaijan Foreign Ministry';
const SCREENSHOT = join(REPO_ROOT, 'test-results', 'dashboard.png');
const EDITOR_SCREENSHOT = join(REPO_ROOT, 'test-results', 'dashboard-topic-editor.png');
const STORY_SCREENSHOT = join(REPO_ROOT, 'test-results', 'dashboard-story.png');
const SEED_FILE = join(REPO_ROOT, 'tests', 'fixtures', 'seeds', 'articles', '000_9c9c4874b48bb81e.txt');
/** The seed text file names no source and sits at the top of the inbox: its outlet is 'unknown'. */
const SEED_OUTLET = 'unknown';
const COPY_TITLES = {
  'Caspian Wire': 'South Korea hands medical masks to Azerbaijan',
  Trend: 'Azerbaijan receives medical masks from South Korea',
};

/**
 * The paragraphs of the seed article's body: the file opens with a `date … By …` line of its
 * own and ends with a `--` signature and a footer, both left out.
 */
const seedParagraphs = (): string[] => {
  const paragraphs = readFileSync(SEED_FILE, 'utf8')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const body = /^date\s/i.test(paragraphs[0] ?? '') ? paragraphs.slice(1) : paragraphs;
  const footer = body.findIndex((p) => p === '--');
  return footer >= 0 ? body.slice(0, footer) : body;
};

/** What the server answered, and how many body bytes had been sent when it did. */
interface RawAnswer {
  status: number;
  body: string;
  sentWhenAnswered: number;
}

/**
 * Sends a request the way a hostile or careless client would: headers as given, then `total`
 * body bytes in 64 KiB chunks — with no `Content-Length` (chunked) unless the headers declare
 * one — and stops sending as soon as the server answers.
 */
const rawRequest = (
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | { total: number },
): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const url = new URL(base);
    let sent = 0;
    let answered = false;
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      answered = true;
      const sentWhenAnswered = sent;
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: text, sentWhenAnswered });
      });
    });
    req.on('error', (e) => (answered ? undefined : reject(e)));
    if (typeof body === 'string') {
      sent = Buffer.byteLength(body);
      req.end(body);
      return;
    }
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (!answered && sent < body.total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });

describe('Dashboard', () => {
  let dir: string;
  let topicsDir: string;
  let runtime: LocalRuntime | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** Script errors and CSP violations (Chromium reports both on the console). */
  const pageErrors: string[] = [];
  /** Requests the server refused or failed. */
  const failedRequests: string[] = [];

  beforeAll(async () => {
    // Prepare: a home, an inbox and a copy of the seed topics of our own, so saving a topic
    // never touches the repository's seeds; the seed articles are ingested on the first start.
    dir = mkdtempSync(join(tmpdir(), 'newswatch-dashboard-'));
    topicsDir = join(dir, 'topics');
    cpSync(join(REPO_ROOT, 'tests', 'fixtures', 'seeds', 'topics'), topicsDir, { recursive: true });
    runtime = await startLocalRuntime({
      paths: {
        home: join(dir, 'home'),
        inbox: join(dir, 'inbox'),
        topics: topicsDir,
        subscribers: join(REPO_ROOT, 'tests', 'fixtures', 'seeds', 'subscribers.yaml'),
        seedArticles: join(REPO_ROOT, 'tests', 'fixtures', 'seeds', 'articles'),
        labels: join(dir, 'labels'),
      },
      port: 0,
      settleMs: 100,
    });
    const url = runtime.url as string;
    await waitForStatus(url, (s) => s.articles === 2);
    await runtime.idle();
    await waitForStatus(url, (s) => s.alerts > 0);
    // Two other outlets carry the same story: one adds a closing paragraph, one drops the last.
    const paragraphs = seedParagraphs();
    writeFileSync(
      join(dir, 'inbox', 'caspian-wire-masks.json'),
      JSON.stringify({
        title: COPY_TITLES['Caspian Wire'],
        date: '2020-07-26',
        source: 'Caspian Wire',
        body: [...paragraphs, 'An added closing paragraph about the shipment.'],
      }),
    );
    writeFileSync(
      join(dir, 'inbox', 'trend-masks.json'),
      JSON.stringify({
        title: COPY_TITLES.Trend,
        date: '2020-07-26',
        source: 'Trend',
        body: paragraphs.slice(0, -1),
      }),
    );
    await waitForStatus(url, (s) => s.articles === 4);
    await runtime.idle();

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      // A refused request is logged too; those are checked by URL below.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400) failedRequests.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should list the stored articles', async () => {
    // Act
    await page.click('nav >> text=Articles');
    const item = page.locator('#article-list > li', { hasText: SEED_TITLE });
    await item.waitFor();

    // Assess: the seed and its two copies are one story of three articles; the other seed stands alone.
    expect(await page.locator('#article-list > li').count()).toBe(4);
    expect(await page.textContent('#article-count')).toBe('4 articles');
    expect(await item.locator('.topic-chip .chip-name').allTextContents()).toContain(
      'International health aid',
    );
    expect(await item.locator('.story-badge').textContent()).toBe('story · 3 articles');
    for (const title of Object.values(COPY_TITLES)) {
      const copy = page.locator('#article-list > li', { hasText: title });
      expect(await copy.locator('.story-badge').textContent()).toBe('story · 3 articles');
    }
    const alone = page.locator('#article-list > li', { hasText: 'Azerbaijan continues' });
    expect(await alone.locator('.story-badge').count()).toBe(0);
  });

  it('should narrow the list by search words and dates', async () => {
    // Act
    await page.fill('#search-input', 'ambassador masks');
    await page.locator('#article-count', { hasText: /^3 articles$/ }).waitFor();
    const bySearch = await page.locator('#article-list > li .article-link').allTextContents();
    await page.fill('#search-input', '');
    await page.fill('#to-date', '2020-07-10');
    await page.locator('#article-list > li', { hasText: 'Azerbaijan continues' }).waitFor();
    const byDate = await page.locator('#article-list > li').count();

    // Assess: the seed and both copies tell of the ambassador and the masks.
    expect(bySearch).toHaveLength(3);
    for (const title of [SEED_TITLE, ...Object.values(COPY_TITLES)])
      expect(bySearch.filter((t) => t.includes(title))).toHaveLength(1);
    expect(byDate).toBe(1);
    expect(page.url()).toContain('to=2020-07-10');
  });

  it('should show an article with its matched terms highlighted', async () => {
    // Prepare
    await page.goto(`${runtime?.url}/#/articles`);

    // Act
    await page.locator('#article-list .article-link', { hasText: SEED_TITLE }).click();
    await page.locator('#article-title').waitFor();

    // Assess: the marks fall exactly on the words the matcher found (offsets line up with the text).
    expect(await page.textContent('#article-title')).toContain(SEED_TITLE);
    const marks = await page.locator('#article-body mark').allTextContents();
    expect(marks).toContain('masks');
    expect(marks).toContain('disinfectants');
    const cards = page.locator('#article-matches > li');
    expect(await cards.count()).toBe(3);
    const health = cards.filter({ hasText: 'International health aid' });
    expect(await health.textContent()).toContain('sent');
    expect(await health.locator('.snippet mark').count()).toBeGreaterThan(0);
    const story = page.locator('#article-story');
    expect(await story.textContent()).toMatch(/^Also reported as: /);
    expect((await story.locator('a').allTextContents()).sort()).toEqual([
      'Caspian Wire',
      'Trend',
      'see the story side by side',
    ]);
  });

  it('should label a match and a miss, and show the figures on the topic page', async () => {
    // Prepare
    await page.goto(`${runtime?.url}/#/articles`);
    await page.locator('#article-list .article-link', { hasText: SEED_TITLE }).click();
    await page.locator('#article-relevance').waitFor();

    // Act: the health-aid alert was right; vaccine-supply-deals should not have missed it (for the test).
    const row = page.locator('#match-labels li[data-topic-id="international-health-aid"]');
    await row.locator('.label-reason').fill('masks handed over to Azerbaijan');
    await row.locator('.label-yes').click();
    await page.locator('#label-status', { hasText: 'Saved' }).waitFor();
    await page.selectOption('#missed-topic', 'vaccine-supply-deals');
    await page.fill('#missed-reason', 'a delivery of supplies');
    await page.click('#mark-missed');
    await page.locator('#missed-current', { hasText: 'relevant' }).waitFor();

    // Assess: both labels are lines of the labels folder, in the documented format.
    const lines = (name: string) =>
      readFileSync(join(dir, 'labels', name), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines('international-health-aid.jsonl')).toEqual([
      expect.objectContaining({
        topic: 'international-health-aid',
        label: 1,
        reason: 'masks handed over to Azerbaijan',
        by: 'dashboard',
      }),
    ]);
    expect(lines('vaccine-supply-deals.jsonl')).toEqual([expect.objectContaining({ label: 1 })]);
    expect(await row.locator('.label-current').textContent()).toContain('relevant');

    // Act: the topic page counts them.
    await page.goto(`${runtime?.url}/#/topics/vaccine-supply-deals`);
    await page.locator('#relevance-figures').waitFor();

    // Assess: one relevant article, matched by nothing: a miss.
    expect(await page.textContent('#relevance-figures')).toContain('1 labelled, 1 relevant');
    expect(await page.locator('#misses tbody tr').count()).toBe(1);
    expect(await page.textContent('#misses')).toContain('no match');
  });

  it('should list the story the three outlets reported', async () => {
    // Act
    await page.click('nav >> text=Stories');
    const rows = page.locator('#stories-table tbody tr[data-story-id]');
    await rows.first().waitFor();

    // Assess: only stories of more than one article are listed.
    expect(await rows.count()).toBe(1);
    const cells = await rows.first().locator('td').allTextContents();
    expect(cells[0]).toContain(SEED_TITLE);
    expect(cells[1]).toBe('3');
    expect(
      cells[2]
        ?.split(', ')
        .sort()
        .map((s) => s.trim()),
    ).toEqual(['Caspian Wire', 'Trend', SEED_OUTLET].sort());
  });

  it('should list every story, single articles too, when asked', async () => {
    // Act
    await page.check('#all-stories');
    await page.locator('#stories-table caption', { hasText: 'Every story' }).waitFor();
    const rows = page.locator('#stories-table tbody tr[data-story-id]');

    // Assess: the seed's story and the other seed article's own.
    expect(await rows.count()).toBe(2);
    expect(await rows.filter({ hasText: 'Azerbaijan continues' }).locator('td').nth(1).textContent()).toBe(
      '1',
    );
    expect(page.url()).toContain('#/stories?all=true');
    await page.uncheck('#all-stories');
    await page.locator('#stories-table caption', { hasText: 'more than once' }).waitFor();
  });

  it("should show a story's articles side by side", async () => {
    // Act
    await page.locator('#stories-table a', { hasText: SEED_TITLE }).click();
    const columns = page.locator('#story-articles > .story-article');
    await page.locator('.view:not([aria-busy]) #story-articles').waitFor();
    const boxes = await Promise.all(
      (await columns.all()).map(async (c) => (await c.boundingBox()) ?? { x: NaN, y: NaN, width: 0 }),
    );
    const outlets = await columns.locator('h2 .outlet').allTextContents();
    mkdirSync(dirname(STORY_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: STORY_SCREENSHOT, fullPage: true });

    // Assess: three columns on one row, left to right, the first article first.
    expect(await page.textContent('#story-title')).toContain(SEED_TITLE);
    expect(boxes).toHaveLength(3);
    const [a, b, c] = boxes as [(typeof boxes)[0], (typeof boxes)[0], (typeof boxes)[0]];
    expect(b.y).toBe(a.y);
    expect(c.y).toBe(a.y);
    expect(b.x).toBeGreaterThanOrEqual(a.x + a.width);
    expect(c.x).toBeGreaterThanOrEqual(b.x + b.width);
    expect(outlets[0]).toBe(SEED_OUTLET);
    expect([...outlets].sort()).toEqual(['Caspian Wire', 'Trend', SEED_OUTLET].sort());
    expect(await columns.first().locator('.badge').allTextContents()).toEqual(['first']);
    expect(await columns.locator('.badge', { hasText: 'latest' }).count()).toBe(1);
    expect(await columns.first().locator('.badge', { hasText: 'latest' }).count()).toBe(0);
    const caspian = columns.filter({ has: page.locator('h2', { hasText: 'Caspian Wire' }) });
    expect(await caspian.locator('p.differs').allTextContents()).toEqual([
      'An added closing paragraph about the shipment.',
    ]);
    expect(await columns.first().locator('.body p').count()).toBe(seedParagraphs().length);
    expect(statSync(STORY_SCREENSHOT).size).toBeGreaterThan(0);
  });

  it('should lead from the story badge of an article to its story', async () => {
    // Prepare
    await page.click('nav >> text=Articles');
    const item = page.locator('#article-list > li', { hasText: COPY_TITLES.Trend });
    await item.waitFor();

    // Act
    await item.locator('.story-badge').click();
    await page.locator('.view:not([aria-busy]) #story-articles').waitFor();

    // Assess
    expect(await page.locator('#story-articles > .story-article').count()).toBe(3);
    expect(page.url()).toContain('#/story/');
    expect(await page.getAttribute('nav a[data-route="stories"]', 'aria-current')).toBe('page');
  });

  it('should preview a query as it is typed', async () => {
    // Prepare
    await page.click('nav >> text=Topics');
    await page.locator('#topics-table').waitFor();

    // Act
    await page.fill('#query-input', '"medical masks" AND korea');
    await page.locator('#preview-count', { hasText: '3 of 4 stored articles match' }).waitFor();

    // Assess: the seed and its two copies.
    const items = page.locator('#preview-list > li');
    expect(await items.count()).toBe(3);
    const seed = items.filter({ hasText: SEED_TITLE });
    expect(await seed.count()).toBe(1);
    expect(await seed.locator('.snippet mark').allTextContents()).toContain('medical masks');
    expect(await page.locator('#query-problems .problem').count()).toBe(0);
    await page.screenshot({ path: EDITOR_SCREENSHOT, fullPage: true });
    expect(statSync(EDITOR_SCREENSHOT).size).toBeGreaterThan(0);
  });

  it('should show where a broken query is wrong', async () => {
    // Act
    await page.fill('#query-input', '');
    await page.locator('#query-input').pressSequentially('masks AND (', { delay: 20 });
    // Only the complete query's answer counts: a pause while typing may preview a partial one.
    const problem = page.locator('#query-problems .problem.error', { hasText: 'column 12' });
    await problem.waitFor();

    // Assess
    expect(await problem.textContent()).toContain('line 1, column 12');
    expect(await problem.locator('pre').textContent()).toMatch(/masks AND \(\n\s*\^/);
    expect(await page.textContent('#preview-count')).toContain('errors');
    expect(await page.locator('#preview-list > li').count()).toBe(0);
    expect(await page.getAttribute('#query-input', 'aria-invalid')).not.toBeNull();
  });

  it("should save a new topic into this machine's own topics, leaving the shared folder as it was", async () => {
    // Prepare
    await page.selectOption('#topic-select', '');
    await page.fill('#topic-id', 'korean-masks');
    await page.fill('#topic-name', 'Korean masks');
    await page.fill('#query-input', '"medical masks" AND korea');
    await page.fill('#min-score', '0.4');

    // Act
    await page.click('#save-topic');
    await page.locator('#save-result', { hasText: 'Saved to' }).waitFor();

    // Assess
    const file = join(dir, 'home', 'topics', 'my-topics.yaml');
    expect(await page.textContent('#save-result')).toContain(file);
    expect(existsSync(join(topicsDir, 'my-topics.yaml'))).toBe(false);
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('id: korean-masks');
    expect(text).toContain('"medical masks" AND korea');
    const row = page.locator('#topics-table tr[data-topic-id="korean-masks"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Korean masks');
    expect(existsSync(join(REPO_ROOT, 'seeds', 'topics', 'my-topics.yaml'))).toBe(false);
  });

  it('should refuse to save a topic whose query is broken', async () => {
    // Prepare
    await page.selectOption('#topic-select', '');
    await page.fill('#topic-id', 'broken-topic');
    await page.fill('#topic-name', 'Broken');
    await page.fill('#query-input', 'masks AND (');

    // Act
    await page.click('#save-topic');
    await page.locator('#save-result', { hasText: 'Not saved' }).waitFor();

    // Assess
    expect(await page.textContent('#save-result pre')).toContain('found the end of the query');
    expect(readFileSync(join(dir, 'home', 'topics', 'my-topics.yaml'), 'utf8')).not.toContain('broken-topic');
    expect(await page.locator('#topics-table tr[data-topic-id="broken-topic"]').count()).toBe(0);
  });

  it('should show the alert log', async () => {
    // Act
    await page.click('nav >> text=Alerts');
    const rows = page.locator('#alert-log tbody tr[data-alert-id]');
    await rows.first().waitFor();
    // The Caspian Wire copy matches the topic too: its alert is the story's update.
    const health = rows.filter({ hasText: 'International health aid' }).filter({ hasText: SEED_TITLE });

    // Assess
    expect(await rows.count()).toBeGreaterThanOrEqual(1);
    // Each recipient's copy with where it stands: the seed subscriber's email was written.
    expect(await health.locator('.recipient').count()).toBe(1);
    expect(await health.locator('.recipient').getAttribute('data-state')).toBe('delivered');
    expect(await health.locator('.recipient').textContent()).toBe('health-desk: delivered');
    await health.locator('a', { hasText: SEED_TITLE }).click();
    await page.locator('#article-title', { hasText: SEED_TITLE }).waitFor();
  });

  it('should draw the matches chart and list rejected files on the overview', async () => {
    // Prepare: a file that cannot become an article.
    writeFileSync(join(dir, 'inbox', 'empty.txt'), '');
    await waitForStatus(runtime?.url as string, (s) => s.errors === 1);

    // Act
    await page.click('nav >> text=Overview');
    // The view drops aria-busy once drawn; the chart does not animate, so it is complete by then.
    await page.locator('.view:not([aria-busy]) #chart').waitFor();
    const outbox = readdirSync(join(dir, 'home', 'outbox')).filter((f) => f.endsWith('.eml')).length;
    const delivered = await page.locator('[data-testid="status-delivered"] dd').textContent();
    const painted = await page.evaluate(
      "(() => { const c = document.querySelector('#chart'); return c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v) => v !== 0); })()",
    );
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Assess
    expect(await page.textContent('[data-testid="status-articles"] dd')).toBe('4');
    // The overview counts messages that went out, not alerts: one per email written here.
    expect(delivered).toBe(String(outbox));
    expect(painted).toBe(true);
    expect(await page.textContent('#error-log tbody')).toContain('empty.txt');
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(0);
  });

  it('should refuse request bodies over the limit of their route with 413 and a JSON error, chunked ones too', async () => {
    // Prepare
    const url = runtime?.url as string;
    const json = { 'content-type': 'application/json' };
    const topic = (queryLength: number) =>
      JSON.stringify({ name: 'Big', query: 'a'.repeat(queryLength), minScore: 0.5, enabled: true });
    const label = JSON.stringify({
      topic: 'international-health-aid',
      article: 'x',
      label: 1,
      reason: 'r'.repeat(20 * 1024),
    });

    // Act
    const declared = await rawRequest(
      url,
      'PUT',
      '/api/topics/big',
      { ...json, 'content-length': String(400 * 1024 * 1024) },
      { total: 400 * 1024 * 1024 },
    );
    const chunked = await rawRequest(url, 'PUT', '/api/topics/big', json, { total: 400 * 1024 * 1024 });
    const chunkedPreview = await rawRequest(url, 'POST', '/api/preview', json, { total: 4 * 1024 * 1024 });
    const chunkedElsewhere = await rawRequest(url, 'POST', '/api/no-such-route', json, {
      total: 4 * 1024 * 1024,
    });
    const bigLabel = await rawRequest(url, 'POST', '/api/labels', json, label);
    const bigButAllowedTopic = await rawRequest(url, 'PUT', '/api/topics/big', json, topic(100 * 1024));

    // Assess: refused before the body was read (a declared length), or once the limit was passed.
    for (const answer of [declared, chunked, chunkedPreview, chunkedElsewhere, bigLabel]) {
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual({
        error: expect.stringMatching(/^the request body is over \d+ bytes$/),
      });
    }
    expect(JSON.parse(declared.body).error).toBe(`the request body is over ${BODY_LIMITS.topic} bytes`);
    expect(JSON.parse(bigLabel.body).error).toBe(`the request body is over ${BODY_LIMITS.label} bytes`);
    expect(declared.sentWhenAnswered).toBeLessThan(16 * 1024 * 1024);
    expect(chunked.sentWhenAnswered).toBeLessThan(16 * 1024 * 1024);
    // 100 KiB is within the topic route's limit: the body is read and its query found too long.
    expect(bigButAllowedTopic.status).toBe(400);
    expect(existsSync(join(topicsDir, 'big.yaml'))).toBe(false);
  });

  it('should refuse a write from an opaque origin (Origin: null) with 403, not fail with 500', async () => {
    // Prepare
    const url = runtime?.url as string;
    const body = JSON.stringify({ name: 'Sandboxed', query: 'masks', minScore: 0.5, enabled: true });
    const headers = { 'content-type': 'application/json' };

    // Act
    const fromNull = await rawRequest(
      url,
      'PUT',
      '/api/topics/sandboxed',
      { ...headers, origin: 'null' },
      body,
    );
    const fromOther = await rawRequest(
      url,
      'POST',
      '/api/labels',
      { ...headers, origin: 'http://127.0.0.1:1' },
      body,
    );
    const unparsable = await rawRequest(
      url,
      'POST',
      '/api/preview',
      { ...headers, origin: 'not a url' },
      body,
    );

    // Assess
    for (const answer of [fromNull, fromOther, unparsable]) {
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({ error: 'cross-origin request refused' });
    }
    expect(readFileSync(join(dir, 'home', 'topics', 'my-topics.yaml'), 'utf8')).not.toContain('sandboxed');
  });

  it('should refuse a request naming another host (DNS rebinding) with 421', async () => {
    // Prepare
    const url = new URL(runtime?.url as string);

    // Act
    const rebound = await rawRequest(
      url.href,
      'GET',
      '/api/articles',
      { host: `attacker.example:${url.port}` },
      '',
    );
    const own = await rawRequest(url.href, 'GET', '/api/status', { host: `localhost:${url.port}` }, '');

    // Assess
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('articles');
    expect(own.status).toBe(200);
  });

  it('should show markup in an article as text: no element, no script, no request', async () => {
    // Prepare: a title and body written to run script and load an image if read as HTML, as
    // the one item of a JSON list.
    const url = runtime?.url as string;
    const title = 'Masks <img src="/pwned.png" onerror="window.pwned=1"> arrive';
    writeFileSync(
      join(dir, 'inbox', 'markup.json'),
      JSON.stringify([
        {
          id: 'm-1',
          title,
          date: '2020-07-27',
          body: [
            '<script>window.pwned = 2</script> Medical masks <b>arrived</b> in Baku from Seoul.',
            'More.',
          ],
        },
      ]),
    );
    await waitForStatus(url, (s) => s.articles === 5);
    await runtime?.idle();
    const list = (await (await fetch(`${url}/api/articles?q=pwned`)).json()) as {
      articles: Array<{ id: string }>;
    };
    const id = list.articles[0]?.id as string;

    // Act
    await page.goto(`${url}/#/article/${id}`);
    await page.locator('#article-title').waitFor();

    // Assess
    expect(await page.textContent('#article-title')).toContain('<img src="/pwned.png"');
    expect(await page.textContent('#article-body')).toContain('<script>window.pwned = 2</script>');
    expect(await page.locator('#article-title img, #article-body script, #article-body b').count()).toBe(0);
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
    expect(failedRequests.filter((r) => r.includes('pwned'))).toEqual([]);
    expect(await page.textContent('#article-item')).toBe('m-1');
    expect(await page.textContent('#article-format')).toBe('json');
  });

  it('should run without script errors or content security policy violations', () => {
    // Assess: the only refused request is the broken topic's save.
    expect(pageErrors).toEqual([]);
    expect(failedRequests).toEqual(['422 /api/topics/broken-topic']);
  });
});
