import { describe, expect, it } from 'vitest';
import { porterStem as stemOf } from '../../../functions/core/topics/analysis/default.ts';
import { fold } from '../../../functions/core/topics/analysis/fold.ts';
import { tokenize } from '../../../functions/core/topics/analysis/registry.ts';

describe('Function: tokenize', () => {
  it('should fold case and accents, drop possessives and keep character offsets', () => {
    // Act
    const tokens = tokenize('Café owners’ COVID-19 plan; Azerbaijan’s aid');

    // Assess
    expect(tokens.map((t) => t.folded)).toEqual([
      'cafe',
      'owners',
      'covid',
      '19',
      'plan',
      'azerbaijan',
      'aid',
    ]);
    const covid = tokens[2];
    expect(covid).toMatchObject({ raw: 'COVID', index: 2, start: 13, end: 18 });
  });

  it('should give inflected forms one stem', () => {
    // Act & Assess
    expect(stemOf('donations')).toBe(stemOf('donated'));
    expect(stemOf('masks')).toBe('mask');
    expect(stemOf('vaccines')).toBe(stemOf('vaccination'));
    expect(stemOf('19')).toBe('19');
  });

  it('should fold letters that have no combining form', () => {
    // Act & Assess
    expect(fold('Straße ÆSIR Øresund Łódź')).toBe('strasse aesir oresund lodz');
  });
});
