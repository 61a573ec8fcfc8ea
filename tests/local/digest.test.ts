import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWorkspace, newswatch } from './helpers.ts';

type DigestRun = {
  day: string;
  sent: Array<{ subscriberId: string; alerts: number; part: number; partial: boolean }>;
};

describe("CLI: today's digest sent early", () => {
  const ws = makeWorkspace();
  afterAll(() => ws.remove());

  it('should still digest the alerts that come later that day, in a second part, once', async () => {
    // Prepare: the digest reader (caucasus-editor) of the seed subscribers; one seed article alerted.
    const today = new Date().toISOString().slice(0, 10);
    const seed = (name: string) => join(process.cwd(), 'tests', 'fixtures', 'seeds', 'articles', name);
    const outbox = () => readdirSync(join(ws.paths.home, 'outbox')).filter((f) => f.startsWith('digest_'));
    const firstIngest = await newswatch(ws, ['--json', 'ingest', seed('000_9c9c4874b48bb81e.txt')]);
    expect(firstIngest.code).toBe(0);

    // Act: today's digest now; another article alerts later that day; the digest again, twice.
    const early = await newswatch(ws, ['--json', 'alerts', 'digest', '--day', today]);
    await newswatch(ws, ['--json', 'ingest', seed('003_c3fb651c5343490c.txt')]);
    const later = await newswatch(ws, ['alerts', 'digest', '--day', today]);
    const again = await newswatch(ws, ['--json', 'alerts', 'digest', '--day', today]);

    // Assess
    const first = (JSON.parse(early.stdout) as DigestRun).sent;
    expect(first).toEqual([
      { subscriberId: 'caucasus-editor', alerts: expect.any(Number), part: 1, partial: true },
    ]);
    expect(later.code).toBe(0);
    expect(later.stdout).toMatch(/^digest for caucasus-editor: 1 more alert \(part 2\)$/m);
    expect(later.stdout).toContain(`${today} has not ended: its alerts up to now went out`);
    expect((JSON.parse(again.stdout) as DigestRun).sent).toEqual([]);
    expect(outbox().sort()).toEqual([
      `digest_caucasus-editor_${today}--caucasus-editor@example.org.eml`,
      `digest_caucasus-editor_${today}_part2--caucasus-editor@example.org.eml`,
    ]);
    const part2 = readFileSync(
      join(ws.paths.home, 'outbox', `digest_caucasus-editor_${today}_part2--caucasus-editor@example.org.eml`),
      'utf8',
    );
    expect(part2).toMatch(new RegExp(`^Subject: \\[newswatch\\] 1 more alert on ${today} so far$`, 'm'));
    expect(part2).toContain('Azerbaijan continues');
    expect(part2).not.toContain('A ceremony has been held');
  });
});
