import { describe, expect, it } from 'vitest';
import { builtSamples, sampleBytes } from '../../fixtures/formats/samples.ts';

describe('Fixtures: sample documents', () => {
  it('should be the bytes their specs build (regenerate with tests/fixtures/formats/generate.ts)', () => {
    // Act
    const built = builtSamples();

    // Assess
    for (const [name, bytes] of Object.entries(built)) expect(sampleBytes(name), name).toEqual(bytes);
  });
});
