import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp, readSubscribers } from '../../infra/app.ts';

// The seeds are what a deployment edits: this checks only that synth accepts them. Every other
// stack test builds the app from the tests' own copy in tests/fixtures/seeds.
describe('App: the shipped seeds', () => {
  it('should synthesise from seeds/ with the AwsSolutions checks, one alert subscription per email subscriber', () => {
    // Prepare
    const outdir = mkdtempSync(join(tmpdir(), 'newswatch-shipped-'));
    const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
    const { app, stack } = buildApp(new App({ outdir, context }));

    // Act
    app.synth();

    // Assess
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ violations?: unknown[] }>;
    };
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
    const endpoints = Object.values(
      Template.fromStack(stack).findResources('AWS::SNS::Subscription', {
        Properties: { Protocol: 'email' },
      }),
    ).map((r) => (r as { Properties: { Endpoint: string } }).Properties.Endpoint);
    for (const s of readSubscribers()) if ('email' in s) expect(endpoints).toContain(s.email);
  });
});
