import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every source file under a folder. */
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });

/** The packages a file imports at run time: `import type` and `export type` are erased, so left out. */
const importedPackages = (text: string): string[] => {
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] as string);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('#') && !s.startsWith('node:'))
    .filter((s) => !builtinModules.includes(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string)));
};

describe('Package: runtime dependencies', () => {
  it('should find every package the local runtime, the CLI and the functions import among `dependencies`', () => {
    // Prepare: `npm start` installs `dependencies` only (npm ci --omit=dev).
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const files = [...sources('local'), ...sources('functions'), ...sources('bin')];

    // Act
    const missing = files.flatMap((file) =>
      importedPackages(readFileSync(file, 'utf8'))
        .filter((pkg) => !(pkg in manifest.dependencies))
        .map((pkg) => `${file}: ${pkg}`),
    );

    // Assess
    expect(files.length).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it('should see value imports, side-effect imports and dynamic imports, and skip type-only ones', () => {
    // Act
    const found = importedPackages(
      [
        "import type { Context } from 'aws-lambda';",
        "import { type A, b } from '@scope/pkg/sub';",
        'import {\n  c,\n  d,\n} from "multi-line";',
        "import 'side-effect';",
        "export { e } from 're-export';",
        "export type { F } from 'type-only';",
        "const g = await import('lazy/part');",
        "import { join } from 'node:path';",
        "import { h } from '../relative.ts';",
      ].join('\n'),
    );

    // Assess
    expect(found.sort()).toEqual(['@scope/pkg', 'lazy', 'multi-line', 're-export', 'side-effect']);
  });
});
