/**
 * Packages a function loads only for some of its inputs: the libraries of the document
 * formats (web pages, mail, PDF, Word), which the ingest function imports the first time
 * such a file arrives. They are kept out of the function's bundle and bundled each on its own
 * into `node_modules/<package>/index.mjs` beside it, where Node finds them by name; a cold
 * start then neither loads nor parses them. The worker threads a function starts (the PDF
 * reader's) are bundled the same way into a file each beside its bundle, importing the
 * separate modules from there. `node infra/separate-modules.ts <dir> [--worker <file>=<entry>]…
 * <package>…` is what the function's bundling runs after esbuild; the cold-start benchmark
 * calls {@link bundleSeparately} and {@link bundleWorkers} the same way.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The packages the ingest function imports lazily: the article formats' libraries (see
 * `functions/core/articles/formats/`) and the language identifier's tables
 * (`language-identifier.ts`), which only an article that states no language loads.
 */
export const INGEST_SEPARATE_MODULES = [
  'linkedom',
  '@mozilla/readability',
  'postal-mime',
  'mammoth',
  'unpdf',
  'feedsmith',
  'fast-xml-parser',
  'eld/extrasmall',
] as const;

/**
 * The worker threads the ingest function starts, by the file each is bundled into beside the
 * function's bundle (where the module that starts it looks for it) and its entry.
 */
export const INGEST_WORKERS: Readonly<Record<string, string>> = {
  'pdf-worker.mjs': 'functions/core/articles/formats/pdf-worker.ts',
};

/** The banner every newswatch bundle starts with: CommonJS code inside calls require(). */
export const BUNDLE_BANNER =
  "import{createRequire}from'module';const require=createRequire(import.meta.url);";

/** A module name as its package and the subpath within it (`eld/extrasmall` → `eld`, `extrasmall`). */
export const packageOf = (name: string): { pkg: string; subpath?: string } => {
  const parts = name.split('/');
  const n = name.startsWith('@') ? 2 : 1;
  const subpath = parts.slice(n).join('/');
  return { pkg: parts.slice(0, n).join('/'), ...(subpath ? { subpath } : {}) };
};

/**
 * Bundles each package with its dependencies into `<outputDir>/node_modules/<package>/index.mjs`
 * (a subpath such as `eld/extrasmall` into `<subpath>.mjs`, named in the package's exports),
 * exporting what Node's own import of the module exports, with the options the functions are
 * bundled with. Returns the size of each bundle in bytes.
 */
export const bundleSeparately = async (
  outputDir: string,
  packages: readonly string[],
): Promise<Record<string, number>> => {
  const sizes: Record<string, number> = {};
  for (const name of packages) {
    const { pkg, subpath } = packageOf(name);
    const dir = join(outputDir, 'node_modules', ...pkg.split('/'));
    const file = `${subpath ?? 'index'}.mjs`;
    mkdirSync(join(dir, file, '..'), { recursive: true });
    // The names Node gives an import of the package, CommonJS ones included.
    const exported = Object.keys((await import(name)) as Record<string, unknown>);
    const named = exported.filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
    const reexports = [...named, ...(exported.includes('default') ? ['default'] : [])];
    const result = await build({
      stdin: {
        contents: `export { ${reexports.join(', ')} } from ${JSON.stringify(name)};`,
        resolveDir: fileURLToPath(new URL('..', import.meta.url)),
        sourcefile: 'index.mjs',
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      mainFields: ['module', 'main'],
      banner: { js: BUNDLE_BANNER },
      outfile: join(dir, file),
      metafile: true,
      logLevel: 'error',
    });
    // Several subpaths of one package share its manifest.
    const manifestPath = join(dir, 'package.json');
    const exports: Record<string, string> = existsSync(manifestPath)
      ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, string> }).exports
      : {};
    exports[subpath ? `./${subpath}` : '.'] = `./${file}`;
    writeFileSync(manifestPath, `${JSON.stringify({ name: pkg, type: 'module', exports }, null, 2)}\n`);
    sizes[name] = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  }
  return sizes;
};

/**
 * Bundles each worker entry (a path from the repository root) into `<outputDir>/<file>`, with
 * the options the functions are bundled with and the separate modules left to be imported
 * from `node_modules` beside it. Returns the size of each bundle in bytes.
 */
export const bundleWorkers = async (
  outputDir: string,
  workers: Readonly<Record<string, string>>,
  separate: readonly string[],
): Promise<Record<string, number>> => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const sizes: Record<string, number> = {};
  for (const [file, entry] of Object.entries(workers)) {
    const result = await build({
      entryPoints: [join(root, entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      mainFields: ['module', 'main'],
      banner: { js: BUNDLE_BANNER },
      external: [...separate],
      outfile: join(outputDir, file),
      metafile: true,
      logLevel: 'error',
    });
    sizes[file] = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  }
  return sizes;
};

if (import.meta.main) {
  const usage = () => {
    console.error('usage: node infra/separate-modules.ts <output dir> [--worker <file>=<entry>]… <package>…');
    process.exit(2);
  };
  const [outputDir, ...rest] = process.argv.slice(2);
  const workers: Record<string, string> = {};
  const packages: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--worker') {
      const [file, entry] = (rest[++i] ?? '').split('=');
      if (!file || !entry) usage();
      else workers[file] = entry;
    } else packages.push(arg);
  }
  if (!outputDir || packages.length + Object.keys(workers).length === 0) usage();
  else {
    await bundleSeparately(outputDir, packages);
    await bundleWorkers(outputDir, workers, packages);
  }
}
