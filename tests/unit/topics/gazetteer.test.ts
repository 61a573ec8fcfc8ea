import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../functions/core/topics/analysis/registry.ts';
import { findPlaces } from '../../../functions/core/topics/places/gazetteer.ts';
import { buildGazetteer } from '../../../scripts/build-gazetteer.ts';
import countries from '../../../functions/core/topics/places/countries.json' with { type: 'json' };

const codes = (text: string) => findPlaces(text, tokenize(text)).map((p) => p.code);

describe('Function: findPlaces', () => {
  it.each([
    ['South Korea sent masks', ['KR']],
    ['the Republic of Korea and Korean officials', ['KR', 'KR']],
    ['talks in Seoul', ['KR']],
    ['Azerbaijani people in Baku', ['AZ', 'AZ']],
    ['North Korea and the DPRK', ['KP', 'KP']],
    ['the U.S. and the UK', ['US', 'GB']],
    ['in Türkiye and Ankara', ['TR', 'TR']],
  ])('should find the countries in "%s"', (text, expected) => {
    // Act & Assess
    expect(codes(text)).toEqual(expected);
  });

  it.each([
    ['Georgia voted for the governor', []],
    ['Jordan Peterson spoke', []],
    ['Chad Smith played drums', []],
    ['we ate turkey', []],
    ['Turkey opened its borders.', []],
    ['fine china plates', []],
    ['He said “we will help.” Turkey opened its borders', []],
    ['Aid shipments\n\nTurkey opened its borders', []],
    ['(Turkey opened its borders)', []],
    ['• Turkey opened its borders', []],
  ])('should not count the ambiguous name in "%s"', (text, expected) => {
    // Act & Assess
    expect(codes(text)).toEqual(expected);
  });

  it('should count a case-sensitive name capitalised inside a sentence', () => {
    // Act & Assess
    expect(codes('Aid reached Turkey and China on Monday.')).toEqual(['TR', 'CN']);
  });

  it('should reach ambiguous countries through their unambiguous names', () => {
    // Act & Assess
    expect(codes('Tbilisi, Amman and N’Djamena')).toEqual(['GE', 'JO', 'TD']);
  });
});

describe('Function: buildGazetteer', () => {
  it('should produce the committed countries.json from the installed data package', () => {
    // Act & Assess
    expect(buildGazetteer()).toEqual(countries);
  });
});
