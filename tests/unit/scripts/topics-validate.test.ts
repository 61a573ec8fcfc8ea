import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const validate = (folder?: string) =>
  spawnSync(process.execPath, ['scripts/topics.ts', 'validate', ...(folder ? [folder] : [])], {
    encoding: 'utf8',
  });

describe('Command: topics:validate', () => {
  it('should accept the seed topics', () => {
    // Act
    const run = validate('tests/fixtures/seeds/topics');

    // Assess
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /3 files, 7 topics \(7 enabled\), 13 lists: 0 errors, 0 warnings; topic set a3-[0-9a-f]{16}/,
    );
  });

  it('should print errors with file, line, column and caret, warnings, and exit 1', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'topics-'));
    writeFileSync(join(dir, 'a.yaml'), 'id: x\nname: X\nquery: "v* AND (aid OR"\n');
    writeFileSync(join(dir, 'b.yaml'), 'id: y\nname: Y\nquery: "v* AND aid"\n');

    // Act
    const run = validate(dir);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      `${join(dir, 'a.yaml')}:3:23: topic x: expected a word, a phrase or "(" after OR`,
    );
    expect(run.stdout).toContain('warning  topic y, query line 1, column 1: "v*" matches a great many words');
    expect(run.stdout).toContain('2 files, 1 topic (1 enabled), 0 lists: 1 error, 1 warning; topic set');
  });
});
