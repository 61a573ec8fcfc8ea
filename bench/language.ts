/**
 * Language detection: accuracy and cost of `detectLanguage` with the identifier the pipeline
 * loads. On real news (default ../shared/corpus/articles.jsonl, or NEWSWATCH_CORPUS /
 * --corpus; each line's `lang` is the truth): full texts (title and body) and titles alone as
 * short texts, per declared language. On the short texts written for the tests
 * (tests/fixtures/language-samples.ts): sentences and headlines in twelve languages, and
 * texts that should stay undetermined. The declared `lang` is never shown to the detector.
 * `npm run bench:language` (`-- --smoke` for CI: 200 corpus lines).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { detectLanguage, MIN_LANGUAGE_CONFIDENCE } from '../functions/core/articles/language.ts';
import { loadLanguageIdentifier } from '../functions/core/articles/language-identifier.ts';
import { languageSamples, undeterminedSamples } from '../tests/fixtures/language-samples.ts';
import {
  describeMachine,
  machine,
  markdownTable,
  median,
  printTable,
  quantile,
  smoke,
  type Table,
  writeResults,
} from './common.ts';

const meta = machine();
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const root = new URL('../', import.meta.url).pathname;
const corpusPath = resolve(
  arg('corpus') ?? process.env.NEWSWATCH_CORPUS ?? resolve(root, '../shared/corpus/articles.jsonl'),
);

const loadStarted = performance.now();
const identify = await loadLanguageIdentifier();
const loadMs = performance.now() - loadStarted;

interface Tally {
  texts: number;
  right: number;
  wrong: number;
  undetermined: number;
}
const tally = (): Tally => ({ texts: 0, right: 0, wrong: 0, undetermined: 0 });
const count = (t: Tally, truth: string, got: string) => {
  t.texts += 1;
  if (got === 'und') t.undetermined += 1;
  else if (got === truth) t.right += 1;
  else t.wrong += 1;
};
const pct = (k: number, n: number) => (n === 0 ? '–' : `${((k / n) * 100).toFixed(1)} %`);

interface CorpusLine {
  title: string;
  body: string;
  lang: string;
}
const corpus: CorpusLine[] = existsSync(corpusPath)
  ? readFileSync(corpusPath, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as CorpusLine)
      .filter((r) => typeof r.lang === 'string' && r.lang !== '' && typeof r.body === 'string')
      .slice(0, smoke ? 200 : undefined)
  : [];
if (corpus.length === 0)
  console.log(
    [
      `No corpus at ${corpusPath}: accuracy on real news is not measured (only on the test samples).`,
      'Supply JSON Lines, one article a line, {"title", "body", "lang"}, with `lang` the language it is',
      'written in, then run  npm run bench:language -- --corpus path/to/articles.jsonl  (or set NEWSWATCH_CORPUS)',
    ].join('\n'),
  );

const corpusRows: Array<{ language: string; full: Tally; titles: Tally }> = [];
const byLanguage = new Map<string, { full: Tally; titles: Tally }>();
const costUs: number[] = [];
// Warm-up, untimed: the first calls compile the detector and touch its tables.
for (const r of corpus.slice(0, 200)) detectLanguage(r.title, r.body.split(/\n+/), identify);
for (const r of corpus) {
  const paragraphs = r.body.split(/\n+/).filter((p) => p.trim() !== '');
  const t = byLanguage.get(r.lang) ?? { full: tally(), titles: tally() };
  byLanguage.set(r.lang, t);
  const started = performance.now();
  const full = detectLanguage(r.title, paragraphs, identify);
  costUs.push((performance.now() - started) * 1000);
  count(t.full, r.lang, full.language);
  if (r.title.trim() !== '') count(t.titles, r.lang, detectLanguage(r.title, [], identify).language);
}
for (const [language, t] of [...byLanguage].sort()) corpusRows.push({ language, ...t });

const own = languageSamples.map((s) => {
  const sentences = tally();
  const titles = tally();
  for (const text of s.sentences) count(sentences, s.language, detectLanguage('', [text], identify).language);
  for (const text of s.titles) count(titles, s.language, detectLanguage(text, [], identify).language);
  return { language: s.language, sentences, titles };
});
const undetermined = undeterminedSamples.filter(
  (t) => detectLanguage(t, [], identify).language === 'und',
).length;

const cost = {
  articles: costUs.length,
  p50Us: costUs.length ? median(costUs) : 0,
  p99Us: costUs.length ? quantile(costUs, 0.99) : 0,
  meanUs: costUs.length ? costUs.reduce((a, b) => a + b, 0) / costUs.length : 0,
};

const cells = (t: Tally) => [
  String(t.texts),
  pct(t.right, t.texts),
  pct(t.wrong, t.texts),
  pct(t.undetermined, t.texts),
];
const corpusTable: Table = {
  title: `Language detection on real news (${corpus.length} articles; \`lang\` is the truth) — ${describeMachine(meta)}`,
  header: ['language', 'texts', 'full: right', 'wrong', 'und', 'titles: right', 'wrong', 'und'],
  left: [0],
  rows: corpusRows.map((r) => [r.language, ...cells(r.full), ...cells(r.titles).slice(1)]),
};
const ownTable: Table = {
  title: 'Language detection on the test samples (tests/fixtures/language-samples.ts)',
  header: ['language', 'sentences right', 'headlines right', 'headlines und'],
  left: [0],
  rows: own.map((o) => [
    o.language,
    `${o.sentences.right}/${o.sentences.texts}`,
    `${o.titles.right}/${o.titles.texts}`,
    `${o.titles.undetermined}/${o.titles.texts}`,
  ]),
};
const costTable: Table = {
  title: 'Cost of deciding an article’s language (title and body, first 1 KiB looked at)',
  header: ['measure', 'value'],
  left: [0],
  rows: [
    ['identifier load (first import)', `${loadMs.toFixed(0)} ms`],
    ['per article p50', `${cost.p50Us.toFixed(0)} µs`],
    ['per article p99', `${cost.p99Us.toFixed(0)} µs`],
    ['per article mean', `${cost.meanUs.toFixed(0)} µs`],
    ['undetermined texts kept undetermined', `${undetermined}/${undeterminedSamples.length}`],
  ],
};
for (const t of [corpusTable, ownTable, costTable]) printTable(t);

const md = [
  '# Language detection',
  '',
  `${describeMachine(meta)}. \`npm run bench:language\`. A guess under confidence ${MIN_LANGUAGE_CONFIDENCE} is stored as \`und\`;`,
  '"right" counts only texts given their true language. How the language is decided: docs/article-formats.md.',
  '',
  `## ${corpusTable.title}`,
  '',
  corpus.length ? markdownTable(corpusTable) : `No corpus at ${corpusPath}.`,
  '',
  `## ${ownTable.title}`,
  '',
  markdownTable(ownTable),
  '',
  `## ${costTable.title}`,
  '',
  markdownTable(costTable),
].join('\n');
writeResults('language', { meta, loadMs, corpus: corpusRows, own, undetermined, cost }, md);
