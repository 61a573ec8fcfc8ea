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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPLOAD_LIMIT } from '../../local/dashboard/server.ts';
import { REPO_ROOT } from '../../local/local-newswatch.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { waitForStatus } from './helpers.ts';
import { parseRfc4180 } from '../fixtures/rfc4180.ts';

/** Where the screenshots of these tests go (git-ignored, like every test output). */
const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'dashboard');
const shot = (name: string) => join(SCREENSHOTS, `${name}.png`);

/** Outlets, languages and places of the generated articles, by item number. */
const OUTLETS = ['Alpha News', 'Beta Wire', 'Gamma Daily'];
const PLACES = ['Azerbaijan', 'Peru', 'Kenya', 'Norway', 'Vietnam'];
const WORDS = ['harbour', 'orchard', 'railway', 'library', 'festival', 'bridge', 'market', 'glacier'];
const GENERATED = 61;

/** Item `i` of the generated feed: every third one about masks, one title written as a formula. */
const item = (i: number) => {
  const place = PLACES[i % PLACES.length] as string;
  const word = WORDS[i % WORDS.length] as string;
  const masks = i % 3 === 0;
  const day = String(1 + (i % 28)).padStart(2, '0');
  return {
    id: `gen-${i}`,
    title: i === 7 ? '=1+2 formula title' : `Report ${i} on the ${word} in ${place}`,
    date: `2026-03-${day}`,
    source: OUTLETS[i % OUTLETS.length],
    language: i % 4 === 0 ? 'es' : 'en',
    body: [
      `Item ${i}: the ${word} of ${place} was in the news ${i * 7} times this season.`,
      masks
        ? `Officials in ${place} handed out ${i * 100} medical masks near the ${word}, and masks ran short.`
        : `Nothing about health here, only the ${word} number ${i} and its visitors.`,
      `A closing line unique to item ${i} and the word ${WORDS[(i * 3) % WORDS.length]}.`,
    ],
  };
};

describe('Dashboard for a day of work', () => {
  let dir: string;
  let topicsDir: string;
  let runtime: LocalRuntime;
  let url: string;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // Prepare: our own copy of the fixture topics, with a simple topic on masks; the seed
    // articles, then one JSON file of generated articles from three outlets in two languages.
    dir = mkdtempSync(join(tmpdir(), 'newswatch-workbench-'));
    topicsDir = join(dir, 'topics');
    cpSync(join(REPO_ROOT, 'tests', 'fixtures', 'seeds', 'topics'), topicsDir, { recursive: true });
    writeFileSync(
      join(topicsDir, 'masks.yaml'),
      'topics:\n  - id: masks-watch\n    name: Masks watch\n    query: masks\n    minScore: 0\n',
    );
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
    url = runtime.url as string;
    await waitForStatus(url, (s) => s.articles === 2);
    writeFileSync(
      join(dir, 'inbox', 'generated.json'),
      JSON.stringify(Array.from({ length: GENERATED }, (_, i) => item(i))),
    );
    await waitForStatus(url, (s) => s.articles === 2 + GENERATED, 60_000);
    await runtime.idle();
    mkdirSync(SCREENSHOTS, { recursive: true });

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should page the article list on the server, 50 at a time', async () => {
    // Prepare
    const sent: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/articles') sent.push(r.url());
    });

    // Act
    await page.goto(`${url}/#/articles`);
    await page.locator('#article-count', { hasText: /^63 articles/ }).waitFor();
    const first = await page.locator('#article-list > li').count();
    const firstLabel = await page.textContent('#page-label');
    await page.click('#page-next');
    await page.locator('#article-count', { hasText: '51–63 shown' }).waitFor();
    const second = await page.locator('#article-list > li').count();

    // Assess: only one page of articles ever reached the page.
    expect(first).toBe(50);
    expect(firstLabel).toBe('Page 1 of 2');
    expect(second).toBe(13);
    expect(await page.isDisabled('#page-next')).toBe(true);
    expect(page.url()).toContain('offset=50');
    expect(sent.every((u) => new URL(u).searchParams.get('limit') === '50')).toBe(true);
  });

  it('should filter by outlet, language, country and minimum score, and sort by score, with outlet, date, language, snippet and scored topic chips', async () => {
    // Act
    await page.goto(`${url}/#/articles`);
    await page.locator('#article-count', { hasText: /^63 articles/ }).waitFor();
    await page.selectOption('#outlet-filter', 'Beta Wire');
    await page.selectOption('#language-filter', 'en');
    await page.selectOption('#topic-filter', 'masks-watch');
    await page.selectOption('#sort-order', 'score');
    // Items 0..60 from Beta Wire (i % 3 === 1) are never about masks: nothing is left.
    await page.locator('#article-count', { hasText: /^0 articles$/ }).waitFor();
    await page.selectOption('#outlet-filter', 'Alpha News');
    const expected = Array.from({ length: GENERATED }, (_, i) => item(i)).filter(
      (x) => x.source === 'Alpha News' && x.language === 'en',
    ).length;
    await page.locator('#article-count', { hasText: new RegExp(`^${expected} articles?$`) }).waitFor();
    const rows = page.locator('#article-list > li');
    const scores = (
      await rows.locator('.topic-chip[data-topic-id="masks-watch"] .chip-score').allTextContents()
    ).map(Number);
    const first = rows.first();
    const meta = await first.locator('.meta').textContent();
    const snippetMarks = await first.locator('.snippet mark').allTextContents();
    await page.screenshot({ path: shot('article-list'), fullPage: true });
    await page.selectOption('#country-filter', 'PE');
    await page.locator('#article-list[data-shown*="country=PE"]').waitFor();
    const inPeru = await rows.locator('.article-link').allTextContents();
    await page.fill('#min-score-filter', '1.0');
    await page.locator('#article-count', { hasText: /^0 articles$/ }).waitFor();

    // Assess
    expect(scores).toHaveLength(expected);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(meta).toMatch(/^Alpha News · 2026-03-\d\d · en · /);
    expect(snippetMarks.map((m) => m.toLowerCase())).toContain('masks');
    expect(inPeru.length).toBeGreaterThan(0);
    for (const title of inPeru) expect(title).toContain('Peru');
    expect(page.url()).toContain('outlet=Alpha+News');
    expect(page.url()).toContain('sort=score');
  });

  it('should export the whole current view as RFC 4180 CSV and as JSON, formulas made inert', async () => {
    // Prepare: every article from Beta Wire, over two pages' worth of filters.
    await page.goto(`${url}/#/articles?outlet=Beta+Wire`);
    const expected = Array.from({ length: GENERATED }, (_, i) => item(i)).filter(
      (x) => x.source === 'Beta Wire',
    ).length;
    await page.locator('#article-count', { hasText: new RegExp(`^${expected} articles`) }).waitFor();

    // Act
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const csv = readFileSync(await csvDownload.path(), 'utf8');
    const json = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8')) as {
      total: number;
      filter: Record<string, unknown>;
      articles: Array<{ title: string; outlet: string }>;
    };
    const all = await fetch(`${url}/api/articles/export?format=csv`);

    // Assess
    const rows = parseRfc4180(csv);
    const header = rows[0] as string[];
    expect(csvDownload.suggestedFilename()).toMatch(/^newswatch-articles-.*\.csv$/);
    expect(header.slice(0, 4)).toEqual(['id', 'date', 'title', 'outlet']);
    expect(rows).toHaveLength(expected + 1);
    expect(rows.slice(1).every((r) => r[header.indexOf('outlet')] === 'Beta Wire')).toBe(true);
    expect(rows.map((r) => r[header.indexOf('title')])).toContain("'=1+2 formula title");
    expect(json.total).toBe(expected);
    expect(json.filter).toEqual({ outlet: 'Beta Wire' });
    expect(json.articles.map((a) => a.title)).toContain('=1+2 formula title');
    expect(all.headers.get('content-type')).toContain('text/csv');
    expect(parseRfc4180(await all.text())).toHaveLength(2 + GENERATED + 1);
  });

  it("should mark the words of the topic chosen, and list the story's other versions", async () => {
    // Prepare: another outlet's version of the seed article, with a closing paragraph of its own.
    const seedFile = join(REPO_ROOT, 'tests', 'fixtures', 'seeds', 'articles', '000_9c9c4874b48bb81e.txt');
    const paragraphs = readFileSync(seedFile, 'utf8')
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter((p) => p && !/^date\s/i.test(p));
    const footer = paragraphs.indexOf('--');
    writeFileSync(
      join(dir, 'inbox', 'caspian-version.json'),
      JSON.stringify({
        title: 'South Korea hands medical masks to Azerbaijan',
        date: '2020-07-26',
        source: 'Caspian Wire',
        body: [...paragraphs.slice(0, footer >= 0 ? footer : undefined), 'A closing paragraph of its own.'],
      }),
    );
    await waitForStatus(url, (s) => s.articles === 3 + GENERATED);
    await runtime.idle();
    const { articles } = (await (
      await fetch(`${url}/api/articles?topic=international-health-aid&sort=score`)
    ).json()) as { articles: Array<{ id: string; outlet: string }> };
    const seed = articles.find((a) => a.outlet !== 'Caspian Wire') as { id: string };
    await page.goto(`${url}/#/article/${seed.id}`);
    await page.locator('#highlight-chooser').waitFor();
    const marks = async () =>
      (await page.locator('#article-body mark').allTextContents()).map((m) => m.toLowerCase());

    // Act
    const every = await marks();
    await page.check('#highlight-chooser input[value="masks-watch"]');
    const masksOnly = await marks();
    await page.check('#highlight-chooser input[value="international-health-aid"]');
    const healthOnly = await marks();
    await page.screenshot({ path: shot('article-highlight'), fullPage: true });
    await page.check('#highlight-chooser input[value=""]');
    const none = await marks();

    // Assess
    expect(every).toContain('disinfectants');
    expect(new Set(masksOnly)).toEqual(new Set(['masks']));
    expect(healthOnly).toContain('disinfectants');
    expect(healthOnly.length).toBeLessThan(every.length + 1);
    expect(none).toEqual([]);
    const versions = page.locator('#article-versions tbody tr[data-article-id]');
    expect(await versions.count()).toBe(1);
    expect(await versions.first().textContent()).toContain('Caspian Wire');
    expect(await versions.first().textContent()).toContain('latest');
  });

  it('should take dropped files and a picked folder into the inbox, with the outcome of each file', async () => {
    // Prepare: a new article, a copy of a stored one, an empty file; a folder of two files.
    const seedText = readFileSync(
      join(REPO_ROOT, 'tests', 'fixtures', 'seeds', 'articles', '000_9c9c4874b48bb81e.txt'),
      'utf8',
    );
    const folder = join(dir, 'to-upload', 'batch');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(
      join(folder, 'one.json'),
      JSON.stringify({
        title: 'Folder article one',
        date: '2026-04-01',
        body: ['Medical masks reached Lima by sea.'],
      }),
    );
    writeFileSync(
      join(folder, 'sub', 'two.txt'),
      'date: 2026-04-02\n\nA second folder article about glaciers in Norway.\n',
    );
    await page.goto(`${url}/#/inbox`);
    await page.locator('#drop-zone').waitFor();

    // Act: drop three files (a DataTransfer made in the page, as a drop from the desktop gives).
    // (Written as page script: the tests are type-checked without the DOM's types.)
    const transfer = await page.evaluateHandle(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(['date: 2026-04-03\\n\\nMasks were dropped on the page in Quito.\\n'], 'dropped.txt'));
      data.items.add(new File([${JSON.stringify(seedText)}], 'copy-of-seed.txt'));
      data.items.add(new File([''], 'empty.txt'));
      return data;
    })()`);
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: transfer });
    const done = (file: string) =>
      page.locator(
        `#upload-results tr[data-file="${file}"]:not([data-status="waiting"]):not([data-status="sending"])`,
      );
    for (const f of ['dropped.txt', 'copy-of-seed.txt', 'empty.txt'])
      await done(f).waitFor({ timeout: 30_000 });
    await page.setInputFiles('#upload-folder', folder);
    for (const f of ['batch/one.json', 'batch/sub/two.txt']) await done(f).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: shot('inbox-upload'), fullPage: true });
    const status = async (f: string) =>
      page.getAttribute(`#upload-results tr[data-file="${f}"]`, 'data-status');
    const details = async (f: string) => page.textContent(`#upload-results tr[data-file="${f}"] .details`);

    // Assess
    expect(await status('dropped.txt')).toBe('stored');
    expect(await status('copy-of-seed.txt')).toBe('duplicate');
    expect(await status('empty.txt')).toBe('rejected');
    expect(await details('empty.txt')).toMatch(/^Empty\w*: /);
    expect(await status('batch/one.json')).toBe('stored');
    expect(await status('batch/sub/two.txt')).toBe('stored');
    expect(await page.textContent('#upload-summary')).toBe('3 stored, 1 duplicate, 1 rejected');
    expect(existsSync(join(dir, 'inbox', 'uploads', 'batch', 'sub', 'two.txt'))).toBe(true);
    await page.click('#upload-results tr[data-file="dropped.txt"] .details a');
    await page.locator('#article-title', { hasText: 'Masks were dropped on the page in Quito' }).waitFor();
  });

  it('should refuse an upload without its header, of an unsafe name, or over the size limit', async () => {
    // Prepare
    const post = (name: string, body: string | Uint8Array, headers: Record<string, string>) =>
      fetch(`${url}/api/inbox?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers });
    const raw = { 'content-type': 'application/octet-stream', 'x-newswatch-upload': '1' };

    // Act
    const noHeader = await post('x.txt', 'text', { 'content-type': 'application/octet-stream' });
    const crossSite = await post('x.txt', 'text', { ...raw, origin: 'http://evil.example' });
    const form = new FormData();
    form.append('file', new Blob(['date: 2026-04-05\n\nA multipart article on bridges.\n']), 'multi.txt');
    form.append('file', new Blob(['x']), '../../escape.txt');
    const multipart = await fetch(`${url}/api/inbox`, {
      method: 'POST',
      body: form,
      headers: { 'x-newswatch-upload': '1' },
    });
    const traversal = await post('../../../outside.txt', 'text', raw);
    const tooBig = await post('big.txt', new Uint8Array(UPLOAD_LIMIT + 1024), raw);

    // Assess
    expect(noHeader.status).toBe(403);
    expect(crossSite.status).toBe(403);
    expect(multipart.status).toBe(201);
    const multi = (await multipart.json()) as {
      files: Array<{ name: string; status: string; key?: string }>;
    };
    expect(multi.files.map((f) => [f.name, f.status])).toEqual([
      ['multi.txt', 'written'],
      ['../../escape.txt', 'refused'],
    ]);
    expect(multi.files[0]?.key).toBe('inbox/uploads/multi.txt');
    expect(((await traversal.json()) as { files: Array<{ status: string }> }).files[0]?.status).toBe(
      'refused',
    );
    expect(tooBig.status).toBe(413);
    expect(existsSync(join(dir, 'outside.txt'))).toBe(false);
    expect(existsSync(join(dir, 'escape.txt'))).toBe(false);
    expect(existsSync(join(dir, 'inbox', 'uploads', 'big.txt'))).toBe(false);
  });

  it('should show who gets what, and where each subscriber\u2019s copies of the latest alerts stand', async () => {
    // Act
    await page.goto(`${url}/#/subscribers`);
    const health = page.locator('#subscribers-table tr[data-subscriber="health-desk"]');
    await health.waitFor();
    const deliveries = page.locator('#deliveries-health-desk tbody tr[data-alert-id]');
    await page.screenshot({ path: shot('subscribers'), fullPage: true });
    const alerts = (await (await fetch(`${url}/api/alerts`)).json()) as {
      alerts: Array<{ alertId: string; recipients: Array<{ subscriberId: string; state: string }> }>;
    };
    const forHealth = alerts.alerts.filter((a) => a.recipients.some((r) => r.subscriberId === 'health-desk'));

    // Assess
    expect(await health.locator('.channel').textContent()).toBe('email: health-desk@example.org');
    expect(await health.locator('.topics a').allTextContents()).toEqual([
      'International health aid',
      'Vaccine supply deals',
      'Disinformation about health',
    ]);
    expect(await health.locator('.languages').textContent()).toBe('every language');
    expect(await health.locator('.gets').textContent()).toBe('each alert; score ≥ 0.5; one alert per story');
    expect(forHealth.length).toBeGreaterThan(0);
    expect(await deliveries.count()).toBe(Math.min(10, forHealth.length));
    const first = forHealth[0] as (typeof forHealth)[number];
    const state = first.recipients.find((r) => r.subscriberId === 'health-desk')?.state;
    expect(await deliveries.first().getAttribute('data-alert-id')).toBe(first.alertId);
    expect(await deliveries.first().getAttribute('data-state')).toBe(state);
    expect(await health.locator('.counts').textContent()).toMatch(/^\d+ delivered/);
    const editor = page.locator('#subscribers-table tr[data-subscriber="caucasus-editor"]');
    expect(await editor.locator('.gets').textContent()).toContain('a daily digest');
  });

  it('should draw the chart for the dates asked for, with a switch per topic', async () => {
    // Act
    await page.goto(`${url}/#/`);
    await page.locator('#chart').waitFor();
    await page.fill('#chart-from', '2026-03-05');
    await page.fill('#chart-to', '2026-03-11');
    await page.locator('#chart-status', { hasText: '2026-03-05 to 2026-03-11' }).waitFor();
    const toggles = await page.locator('#chart-topics input[data-topic-id]').count();
    await page.uncheck('#chart-topics input[data-topic-id="masks-watch"]');
    await page.screenshot({ path: shot('chart'), fullPage: true });
    const hiddenAttr = await page.getAttribute('#chart', 'data-hidden');
    const api = (await (await fetch(`${url}/api/chart?from=2026-03-05&to=2026-03-11`)).json()) as {
      days: string[];
      series: Array<{ topicId: string; counts: number[] }>;
    };
    await page.check('#chart-topics input[data-topic-id="masks-watch"]');

    // Assess
    expect(api.days).toHaveLength(7);
    expect(toggles).toBe(api.series.length);
    expect(api.series.find((x) => x.topicId === 'masks-watch')?.counts.reduce((a, b) => a + b, 0)).toBe(
      Array.from({ length: GENERATED }, (_, i) => item(i)).filter(
        (x) => x.body[1]?.includes('masks') && x.date >= '2026-03-05' && x.date <= '2026-03-11',
      ).length,
    );
    expect(hiddenAttr).toBe('masks-watch');
    expect(await page.getAttribute('#chart', 'data-hidden')).toBe('');
  });

  it('should say exactly what saving a topic will do: matches new and old, and who is alerted', async () => {
    // Prepare
    const stored = (await (await fetch(`${url}/api/articles?topic=masks-watch&limit=1`)).json()) as {
      total: number;
    };
    await page.goto(`${url}/#/topics/masks-watch`);
    await page.locator('#save-impact', { hasText: 'changes the topic masks-watch' }).waitFor();

    // Act
    await page.fill('#query-input', 'masks OR glacier');
    await page.locator('#preview-list[data-query="masks OR glacier"]').waitFor({ state: 'attached' });
    const widened = await page.textContent('#save-impact');
    const total = Number(/^(\d+) of/.exec((await page.textContent('#preview-count')) ?? '')?.[1]);
    await page.screenshot({ path: shot('topic-save-impact'), fullPage: true });
    await page.selectOption('#topic-select', 'international-health-aid');
    await page.locator('#impact-future', { hasText: 'health-desk' }).waitFor();
    const withSubscriber = await page.textContent('#impact-future');
    await page.uncheck('#topic-enabled');
    await page.locator('#impact-future', { hasText: 'disabled' }).waitFor();

    // Assess
    expect(stored.total).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(stored.total);
    expect(widened).toContain(
      `it matches ${total} articles: ${stored.total} already matched by this topic, ${total - stored.total} new`,
    );
    expect(widened).toContain('No alert goes out for stored articles');
    expect(widened).toContain('no subscriber takes this topic: nobody is alerted');
    expect(withSubscriber).toBe(
      'Articles arriving later that match alert: health-desk (email, score ≥ 0.5).',
    );
  });

  it('should disable, enable and delete topics in the overlay only, and refuse to delete a topic a subscriber names', async () => {
    // Prepare
    const sharedFiles = () =>
      readdirSync(topicsDir, { recursive: true })
        .map(String)
        .sort()
        .filter((f) => statSync(join(topicsDir, f)).isFile())
        .map((f) => [f, readFileSync(join(topicsDir, f), 'utf8')]);
    const before = sharedFiles();
    const overlayFile = join(dir, 'home', 'topics', 'my-topics.yaml');
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${url}/#/topics`);
    const row = (id: string) => page.locator(`#topics-table tr[data-topic-id="${id}"]`);
    await row('vaccine-supply-deals').waitFor();

    // Act
    await row('vaccine-supply-deals').locator('.topic-toggle').click();
    await page.locator('#topic-action-result', { hasText: 'Disabled Vaccine supply deals' }).waitFor();
    const disabled = await row('vaccine-supply-deals').locator('.enabled').textContent();
    const overlayDisabled = readFileSync(overlayFile, 'utf8');
    await row('vaccine-supply-deals').locator('.topic-toggle').click();
    await page.locator('#topic-action-result', { hasText: 'Enabled Vaccine supply deals' }).waitFor();
    await row('international-health-aid').locator('.topic-delete').click();
    await page.locator('#topic-action-result', { hasText: 'Not changed' }).waitFor();
    const refused = await page.textContent('#topic-action-result');
    await row('masks-watch').locator('.topic-delete').click();
    await page.locator('#topic-action-result', { hasText: 'Deleted Masks watch' }).waitFor();
    const topics = (await (await fetch(`${url}/api/topics`)).json()) as { topics: Array<{ id: string }> };

    // Assess
    expect(disabled).toBe('no');
    expect(overlayDisabled).toMatch(/id: vaccine-supply-deals\n[\s\S]*?enabled: false/);
    expect(await row('vaccine-supply-deals').locator('.enabled').textContent()).toBe('yes');
    expect(refused).toContain('subscriber health-desk names this topic');
    expect(await row('international-health-aid').count()).toBe(1);
    expect(await row('masks-watch').count()).toBe(0);
    expect(topics.topics.map((t) => t.id)).not.toContain('masks-watch');
    expect(readFileSync(overlayFile, 'utf8')).toMatch(/- id: masks-watch\n {4}deleted: true\n/);
    expect(sharedFiles()).toEqual(before);
  });

  it('should show the named lists beside the topics and save a changed or new one into the overlay', async () => {
    // Prepare
    const sharedLists = readFileSync(join(topicsDir, 'lists.yaml'), 'utf8');
    await page.goto(`${url}/#/topics`);
    await page.locator('#list-select option').nth(1).waitFor({ state: 'attached' });
    const first = await page.locator('#list-select option').nth(1).getAttribute('value');

    // Act: a new list, then a query that uses it.
    await page.selectOption('#list-select', first as string);
    const items = await page.inputValue('#list-items');
    await page.selectOption('#list-select', '');
    await page.fill('#list-name', 'cold_places');
    await page.fill('#list-items', 'glacier\n"mountain pass"');
    await page.click('#save-list');
    await page.locator('#list-result', { hasText: 'Saved @cold_places' }).waitFor();
    await page.selectOption('#topic-select', '');
    await page.fill('#query-input', '@cold_places');
    await page.locator('#preview-count', { hasText: /^\d+ of \d+ stored articles match/ }).waitFor();
    const matching = await page.textContent('#preview-count');
    await page.selectOption('#list-select', '');
    await page.fill('#list-name', 'bad_list');
    await page.fill('#list-items', 'a*b');
    await page.click('#save-list');
    await page.locator('#list-result', { hasText: 'Not saved' }).waitFor();

    // Assess
    expect(items.split('\n').length).toBeGreaterThan(0);
    expect(await page.locator('#list-select option[value="cold_places"]').textContent()).toBe(
      '@cold_places (2)',
    );
    expect(Number(/^(\d+)/.exec(matching ?? '')?.[1])).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'home', 'topics', 'my-topics.yaml'), 'utf8')).toContain('cold_places');
    expect(await page.textContent('#list-result pre')).toContain('wildcard');
    expect(readFileSync(join(topicsDir, 'lists.yaml'), 'utf8')).toBe(sharedLists);
  });

  it('should run without script errors', () => {
    // Assess
    expect(pageErrors).toEqual([]);
    for (const name of [
      'article-list',
      'article-highlight',
      'inbox-upload',
      'subscribers',
      'topic-save-impact',
    ])
      expect(statSync(shot(name)).size).toBeGreaterThan(0);
  });
});
