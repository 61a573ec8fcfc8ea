/**
 * Lambda cold-start proxy: each function bundled as CDK bundles it (esbuild, ESM, minified,
 * node24, the same banner), its size, and the time to import it in a fresh Node process,
 * beside (a) an empty handler and (b) a handler that only constructs the same AWS SDK
 * clients, bundled the same way. (b) is the floor; the difference is what our code and
 * libraries add. The ingest function's document libraries are bundled beside it, as the stack
 * does (`infra/separate-modules.ts`); what importing each costs the first page, mail, PDF or
 * Word document is measured too. `npm run bench:coldstart` (`-- --smoke` for CI).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  BUNDLE_BANNER,
  bundleSeparately,
  INGEST_SEPARATE_MODULES,
  packageOf,
} from '../infra/separate-modules.ts';
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
const out = mkdtempSync(join(tmpdir(), 'newswatch-coldstart-'));
// The same options as infra/constructs/newswatch-function.ts gives NodejsFunction.
/** Bytes in the bundle per package (our own code by folder), from esbuild's metafile. */
const composition = new Map<string, Map<string, number>>();
const bundle = async (
  entry: string | { contents: string },
  name: string,
  external: readonly string[] = [],
): Promise<string> => {
  const outfile = join(out, name, 'index.mjs');
  const result = await build({
    external: [...external],
    metafile: true,
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: process.cwd(), loader: 'ts' } }),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    charset: 'utf8',
    mainFields: ['module', 'main'],
    banner: { js: BUNDLE_BANNER },
    outfile,
    logLevel: 'silent',
  });
  const parts = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs))
    for (const [path, input] of Object.entries(output.inputs)) {
      const pkg =
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 3).join('/');
      parts.set(pkg, (parts.get(pkg) ?? 0) + input.bytesInOutput);
    }
  composition.set(name, parts);
  return outfile;
};

/** What a function's bundle holds beyond its floor (b), largest first. */
const addedBy = (fn: string, floor: string, top = 8): Array<{ part: string; kib: number }> => {
  const base = composition.get(floor) ?? new Map<string, number>();
  return [...(composition.get(fn) ?? new Map<string, number>())]
    .map(([part, bytes]) => ({ part, kib: (bytes - (base.get(part) ?? 0)) / 1024 }))
    .filter((p) => p.kib >= 1)
    .sort((a, b) => b.kib - a.kib)
    .slice(0, top);
};

const RUNS = smoke ? 3 : 15;
/** Median and p90 of the import time, each in a new Node process. */
const importTimes = (file: string): number[] => {
  const times: number[] = [];
  const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`;
  for (let i = 0; i < RUNS; i++) {
    const ms = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', TABLE_NAME: 'bench' },
    });
    times.push(Number(ms));
  }
  return times;
};

/** A handler that constructs the given clients and nothing else. */
const clientsOnly = (clients: Array<[pkg: string, cls: string]>, doc: boolean) => ({
  contents: [
    ...clients.map(([pkg, cls]) => `import { ${cls} } from '${pkg}';`),
    doc ? "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';" : '',
    ...clients.map(([, cls], i) =>
      cls === 'DynamoDBClient' && doc
        ? `const c${i} = DynamoDBDocumentClient.from(new ${cls}({}));`
        : `const c${i} = new ${cls}({});`,
    ),
    `export const handler = async () => ({ ok: ${clients.map((_, i) => `!!c${i}`).join(' && ')} });`,
  ].join('\n'),
});

const S3: [string, string] = ['@aws-sdk/client-s3', 'S3Client'];
const DDB: [string, string] = ['@aws-sdk/client-dynamodb', 'DynamoDBClient'];
const SNS: [string, string] = ['@aws-sdk/client-sns', 'SNSClient'];
const SECRETS: [string, string] = ['@aws-sdk/client-secrets-manager', 'SecretsManagerClient'];
const SQS: [string, string] = ['@aws-sdk/client-sqs', 'SQSClient'];

const empty = await bundle({ contents: 'export const handler = async () => ({});' }, 'empty');
const functions = [
  {
    name: 'ingest',
    entry: 'functions/ingest/handler.ts',
    clients: 'S3, DynamoDB (document client), SNS',
    floor: clientsOnly([S3, DDB, SNS], true),
    separate: INGEST_SEPARATE_MODULES,
  },
  {
    name: 'deliver-webhook',
    entry: 'functions/deliver-webhook/handler.ts',
    clients: 'S3, DynamoDB (document client), SNS, Secrets Manager, SQS',
    floor: clientsOnly([S3, DDB, SNS, SECRETS, SQS], true),
    separate: [] as readonly string[],
  },
];

interface Row {
  artefact: string;
  bytes: number;
  importP50: number;
  importP90: number;
}
const measure = (artefact: string, file: string): Row => {
  const times = importTimes(file);
  return { artefact, bytes: statSync(file).size, importP50: median(times), importP90: quantile(times, 0.9) };
};
const emptyRow = measure('(a) empty handler', empty);
const results: Array<{
  function: string;
  clients: string;
  fn: Row;
  floor: Row;
  empty: Row;
  added: Array<{ part: string; kib: number }>;
}> = [];
/** The separate modules beside a function's bundle: size, and the time of a first import of each. */
const separateModules: Array<{ function: string; module: string; bytes: number; importP50: number }> = [];
for (const f of functions) {
  const fn = measure(f.name, await bundle(f.entry, f.name, f.separate));
  if (f.separate.length > 0) {
    const sizes = await bundleSeparately(join(out, f.name), f.separate);
    for (const module of f.separate) {
      const { pkg, subpath } = packageOf(module);
      const times = importTimes(join(out, f.name, 'node_modules', pkg, `${subpath ?? 'index'}.mjs`));
      separateModules.push({ function: f.name, module, bytes: sizes[module] ?? 0, importP50: median(times) });
    }
  }
  const floor = measure(`(b) ${f.clients} clients only`, await bundle(f.floor, `${f.name}-floor`));
  const added = addedBy(f.name, `${f.name}-floor`);
  results.push({ function: f.name, clients: f.clients, fn, floor, empty: emptyRow, added });
}
for (const r of results)
  console.log(
    `\n${r.function} adds to (b): ${r.added.map((a) => `${a.part} ${a.kib.toFixed(0)} KiB`).join(', ')}`,
  );

/** Which format imports each separate module. */
const READ_BY: Record<string, string> = {
  linkedom: 'web pages, HTML mail, Word documents',
  '@mozilla/readability': 'web pages',
  'postal-mime': 'mail',
  mammoth: 'Word documents',
  unpdf: 'PDF',
  feedsmith: 'feeds',
  'fast-xml-parser': 'feeds, NewsML, NITF',
  'eld/extrasmall': 'articles that state no language',
};

const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(0)} %`;
const table: Table = {
  title: `Cold-start proxy: bundle size and import time in a fresh process (${RUNS} runs each) — ${describeMachine(meta)}`,
  header: ['artefact', 'size KiB', 'import p50 ms', 'import p90 ms', 'size vs (b)', 'import vs (b)'],
  left: [0],
  rows: [
    [
      emptyRow.artefact,
      (emptyRow.bytes / 1024).toFixed(1),
      emptyRow.importP50.toFixed(1),
      emptyRow.importP90.toFixed(1),
      '',
      '',
    ],
    ...results.flatMap((r) => [
      [
        r.floor.artefact,
        (r.floor.bytes / 1024).toFixed(0),
        r.floor.importP50.toFixed(1),
        r.floor.importP90.toFixed(1),
        '',
        '',
      ],
      [
        `${r.function} handler`,
        (r.fn.bytes / 1024).toFixed(0),
        r.fn.importP50.toFixed(1),
        r.fn.importP90.toFixed(1),
        pct(r.fn.bytes, r.floor.bytes),
        pct(r.fn.importP50, r.floor.importP50),
      ],
    ]),
  ],
};
printTable(table);
const separateTable: Table = {
  title: 'Loaded on the first document only: the libraries beside the ingest bundle',
  header: ['function', 'module', 'size KiB', 'first import p50 ms', 'read by'],
  left: [0, 1, 4],
  rows: separateModules.map((m) => [
    m.function,
    m.module,
    (m.bytes / 1024).toFixed(0),
    m.importP50.toFixed(1),
    READ_BY[m.module] ?? '',
  ]),
};
printTable(separateTable);
writeResults(
  'coldstart',
  {
    meta,
    runs: RUNS,
    results,
    separateModules,
    target: 'the function adds ≤ 30 % to (b) in size and import time',
  },
  [
    '# Cold-start proxy',
    '',
    describeMachine(meta),
    '',
    markdownTable(table),
    '',
    'Each artefact is bundled as the CDK stack bundles the functions (esbuild, ESM, minified,',
    'target node24, the createRequire banner) and imported in a new Node process; the time is',
    'the `import()` alone, measured inside the process, so Node start-up itself is left out.',
    '(b) constructs the same AWS SDK clients as the function and does nothing else: it is the',
    'floor any handler using those clients pays. Target: the function adds ≤ 30 % to (b).',
    '',
    markdownTable(separateTable),
    '',
    'The document formats load their libraries when the first file of their kind arrives; the',
    'stack bundles each on its own beside the ingest bundle, so a cold start loads none of them.',
    "A container pays a library's first import once, on the first page, mail, PDF or Word",
    'document it reads.',
    '',
    '## What each function adds to (b), largest first (KiB in the minified bundle)',
    '',
    ...results.map(
      (r) => `- **${r.function}**: ${r.added.map((a) => `${a.part} ${a.kib.toFixed(0)}`).join(', ')}`,
    ),
  ].join('\n'),
);
