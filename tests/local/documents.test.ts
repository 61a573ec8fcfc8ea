import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { sampleBytes } from '../fixtures/formats/samples.ts';
import { eventLog, makeWorkspace, waitFor, type Workspace } from './helpers.ts';

describe('Local runtime: web pages and documents dropped into the inbox', () => {
  let ws: Workspace;
  let runtime: LocalRuntime | undefined;
  const log = eventLog();

  beforeAll(async () => {
    ws = makeWorkspace();
    runtime = await startLocalRuntime({ paths: ws.paths, port: 0, settleMs: 250, onEvent: log.onEvent });
    await waitFor('the seed articles', () => (log.of('ingested').length === 2 ? true : undefined));
    await runtime.idle();
  });

  afterAll(async () => {
    await runtime?.stop();
    ws.remove();
  });

  it('should store a saved news page as its article and alert on it', async () => {
    // Prepare
    const rt = runtime as LocalRuntime;
    log.clear();

    // Act
    writeFileSync(join(ws.paths.inbox, 'japan-ventilators.html'), sampleBytes('news-page.html'));
    const ingested = await waitFor('the page', () => log.of('ingested')[0]);
    await waitFor('its alert', () =>
      log.of('alert').find((e) => e.alert.topic.id === 'international-health-aid'),
    );
    await rt.idle();

    // Assess
    expect(ingested.outcome).toMatchObject({
      status: 'stored',
      key: 'inbox/japan-ventilators.html',
      title: 'Japan sends ventilators and masks to Georgia’s hospitals',
    });
    const article = (await rt.snapshot()).articles.find(
      (a) => a.sourceKey === 'inbox/japan-ventilators.html',
    );
    expect(article).toMatchObject({
      format: 'html',
      date: '2026-11-28',
      source: 'Caspian Courier',
      author: 'Nino Kapanadze',
    });
    expect(article?.paragraphs).toHaveLength(5);
  });

  it('should store a PDF and a Word document, and quarantine a scan with its reason', async () => {
    // Prepare
    const rt = runtime as LocalRuntime;
    log.clear();

    // Act
    writeFileSync(join(ws.paths.inbox, 'equipment.pdf'), sampleBytes('article.pdf'));
    writeFileSync(join(ws.paths.inbox, 'field-hospital.docx'), sampleBytes('press-release.docx'));
    writeFileSync(join(ws.paths.inbox, 'scan.pdf'), sampleBytes('scan.pdf'));
    await waitFor('three outcomes', () => (log.of('ingested').length === 3 ? true : undefined));
    await rt.idle();

    // Assess
    const outcomes = Object.fromEntries(log.of('ingested').map((e) => [e.outcome.key, e.outcome]));
    expect(outcomes['inbox/equipment.pdf']).toMatchObject({ status: 'stored' });
    expect(outcomes['inbox/field-hospital.docx']).toMatchObject({ status: 'stored' });
    expect(outcomes['inbox/scan.pdf']).toMatchObject({ status: 'rejected', error: { kind: 'NoBody' } });
    expect(existsSync(join(ws.paths.home, 'quarantine', 'scan.pdf'))).toBe(true);
    const snap = await rt.snapshot();
    expect(snap.errors.find((e) => e.key === 'inbox/scan.pdf')?.message).toMatch(
      /no text layer \(a scan\?\)/,
    );
    expect(snap.articles.map((a) => a.format).sort()).toEqual(['docx', 'html', 'pdf', 'text', 'text']);
  });
});
