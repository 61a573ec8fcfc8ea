import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../functions/core/topics/analysis/registry.ts';
import { compileTopics, matchArticle } from '../../../functions/core/topics/matcher.ts';
import { findOrganisations } from '../../../functions/core/topics/places/organisations.ts';
import { parseListItem } from '../../../functions/core/topics/query.ts';
import { sentenceStarts } from '../../../functions/core/topics/units.ts';

const lists = new Map([['supplies', ['masks', 'ventilator*', 'test kits'].map(parseListItem)]]);

/** Whether one query matches one article given as title and paragraphs. */
const hit = (query: string, title: string, ...paragraphs: string[]): boolean => {
  const { index, errors } = compileTopics([{ id: 't', name: 'T', query, minScore: 0, enabled: true }], lists);
  expect(errors).toEqual([]);
  return matchArticle(index, { title, paragraphs }).matches.length === 1;
};

describe('Function: sentenceStarts', () => {
  it('should not end a sentence after titles, initials or U.S.', () => {
    // Prepare
    const text =
      'Mr. Smith met U.S. officials. The U.S. President spoke. J. K. Rowling wrote.\n\nNew paragraph.';

    // Act
    const starts = sentenceStarts(text);

    // Assess
    expect(starts.map((s) => text.slice(s, s + 12))).toEqual([
      'Mr. Smith me',
      'The U.S. Pre',
      'J. K. Rowlin',
      'New paragrap',
    ]);
  });
});

describe('Function: findOrganisations', () => {
  it.each([
    ['The WHO said on Monday', ['WHO']],
    ['the World Health Organization and UNICEF', ['WHO', 'UNICEF']],
    ['the U.N. and the EU', ['UN', 'EU']],
    ['Gavi, the Vaccine Alliance, and COVAX', ['GAVI', 'GAVI', 'COVAX']],
    ['the UN General Assembly met', ['UN']],
    ['la OMS y la Cruz Roja', ['WHO', 'RED-CROSS']],
    ['people who work with un poco de', []],
    ['Who knows? The care home', []],
  ])('should find the bodies in %j', (text, ids) => {
    // Act & Assess
    expect(findOrganisations(tokenize(text)).map((o) => o.id)).toEqual(ids);
  });
});

describe('Function: matchArticle with precise operators', () => {
  it('should match an exact-case acronym and not the pronoun', () => {
    // Act & Assess
    expect(hit('{WHO} AND funding', 'Funding', 'The WHO lost its funding.')).toBe(true);
    expect(hit('{WHO} AND funding', 'Funding', 'People who lost their funding.')).toBe(false);
    expect(hit('org:WHO', '', 'The World Health Organization spoke.')).toBe(true);
    expect(hit('org:WHO', '', 'Those who spoke.')).toBe(false);
  });

  it('should require every condition of a sentence scope in one sentence, places included', () => {
    // Prepare
    const query = 'sentence:(@supplies AND donat* AND countries>=2)';

    // Act & Assess
    expect(hit(query, '', 'South Korea donated masks to Azerbaijan on Monday.')).toBe(true);
    expect(hit(query, '', 'Mr. Park of South Korea donated masks to Azerbaijan.')).toBe(true);
    expect(hit(query, '', 'South Korea held talks. Azerbaijan donated masks to its hospitals.')).toBe(false);
    expect(hit(query, '', 'South Korea donated masks.', 'Azerbaijan thanked it.')).toBe(false);
    // The title is a sentence of its own.
    expect(hit(query, 'South Korea donates masks to Azerbaijan', 'Officials said so.')).toBe(true);
  });

  it('should hold a NOT inside a scope to that unit only', () => {
    // Prepare
    const query = 'sentence:(masks NOT sold)';

    // Act & Assess
    expect(hit(query, '', 'Masks were sold. Masks were given away.')).toBe(true);
    expect(hit(query, '', 'Masks were sold at a profit.')).toBe(false);
  });

  it('should scope to one paragraph and to the lead', () => {
    // Act & Assess
    expect(hit('paragraph:(aid AND vaccine)', '', 'Aid arrived. Vaccines too.', 'Other news.')).toBe(true);
    expect(hit('paragraph:(aid AND vaccine)', '', 'Aid arrived.', 'Vaccines too.')).toBe(false);
    expect(hit('lead:(aid AND vaccine)', 'Aid arrives', 'Vaccines were in it.', 'Later.')).toBe(true);
    expect(hit('lead:(aid AND vaccine)', 'News', 'Nothing here.', 'Aid and vaccines.')).toBe(false);
  });

  it('should count occurrences for ATLEAST, one place once even when two items find it', () => {
    // Act & Assess
    expect(hit('ATLEAST3(@supplies)', '', 'Masks, ventilators and test kits.')).toBe(true);
    expect(hit('ATLEAST3(@supplies)', '', 'Masks and ventilators.')).toBe(false);
    expect(hit('ATLEAST2(mask OR masks)', '', 'Masks arrived.')).toBe(false);
    expect(hit('sentence:(ATLEAST2(aid))', '', 'Aid and more aid.')).toBe(true);
    expect(hit('sentence:(ATLEAST2(aid))', '', 'Aid came. More aid came.')).toBe(false);
  });

  it('should count the sentences that satisfy a scope for ATLEAST', () => {
    // Prepare
    const query = 'ATLEAST2(sentence:(aid AND masks))';

    // Act & Assess
    expect(hit(query, 'Aid: masks', 'Masks came as aid.', 'Other news.')).toBe(true);
    expect(hit(query, '', 'Masks came as aid. Aid, then more aid, and masks.')).toBe(true);
    expect(hit(query, '', 'Masks came as aid. Aid came. Masks came.')).toBe(false);
  });

  it('should count countries and international bodies together as actors', () => {
    // Act & Assess
    expect(hit('actors>=3', '', 'UNICEF and the WHO helped Azerbaijan.')).toBe(true);
    expect(hit('actors>=3', '', 'The WHO helped Azerbaijan and the World Health Organization said so.')).toBe(
      false,
    );
    expect(hit('sentence:(aid AND actors>=2)', '', 'UNICEF sent aid to Azerbaijan.')).toBe(true);
  });
});
