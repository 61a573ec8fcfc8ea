import { describe, expect, it } from 'vitest';
import { lintQuery } from '../../../functions/core/topics/lint.ts';
import {
  parseListItem,
  parseQuery,
  QUERY_LIMITS,
  type QueryNode,
  QuerySyntaxError,
} from '../../../functions/core/topics/query.ts';

/** The tree without spans, for readable expectations. */
const shape = (node: QueryNode): unknown => {
  switch (node.type) {
    case 'term':
      return `${node.field === 'any' ? '' : `${node.field}:`}~${node.stem}`;
    case 'phrase':
      return `${node.field === 'any' ? '' : `${node.field}:`}"${node.words.join(' ')}"`;
    case 'prefix':
      return `${node.field === 'any' ? '' : `${node.field}:`}${node.prefix}*`;
    case 'list':
      return `@${node.name}`;
    case 'and':
    case 'or':
      return { [node.type]: node.children.map(shape) };
    case 'not':
      return { not: shape(node.child) };
    case 'near':
      return { [`near${node.ordered ? 'f' : ''}/${node.distance}`]: [shape(node.left), shape(node.right)] };
    case 'country':
      return `country:${node.code}`;
    case 'countries':
      return `countries>=${node.min}`;
    case 'lang':
      return `lang:${node.languages.join(',')}`;
    case 'exact':
      return `${node.field === 'any' ? '' : `${node.field}:`}=${node.words.join(' ')}`;
    case 'org':
      return `org:${node.id}`;
    case 'actors':
      return `actors>=${node.min}`;
    case 'atleast':
      return { [`atleast${node.min}`]: shape(node.operand) };
    case 'scope':
      return { [node.unit]: shape(node.child) };
  }
};
const lists = new Map([['supplies', ['masks', 'medical masks', 'vaccin*'].map(parseListItem)]]);
const languageLists = new Map([['giving', ['es: donación', 'es: regalo'].map(parseListItem)]]);
const parsed = (q: string) => shape(parseQuery(q, lists));

describe('Function: parseQuery', () => {
  it.each([
    ['international health aid', { and: ['~intern', '~health', '~aid'] }],
    ['masks OR ventilators', { or: ['~mask', '~ventil'] }],
    ['a OR b c', { or: ['~a', { and: ['~b', '~c'] }] }],
    ['(a OR b) AND NOT c', { and: [{ or: ['~a', '~b'] }, { not: '~c' }] }],
    ['"Medical Masks"', '"medical masks"'],
    ['“World Health Organization”', '"world health organization"'],
    ['covid-19', '"covid 19"'],
    ['vaccin*', 'vaccin*'],
    ['Café', '~cafe'],
    ['vaccine NEAR/5 deal', { 'near/5': ['~vaccin', '~deal'] }],
    ['vaccine ONEAR/3 (deal OR contract)', { 'nearf/3': ['~vaccin', { or: ['~deal', '~contract'] }] }],
    ['vaccine NEAR/3f deal', { 'nearf/3': ['~vaccin', '~deal'] }],
    ['title:vaccine body:"medical masks"', { and: ['title:~vaccin', 'body:"medical masks"'] }],
    ['author:(smith OR jones)', { or: ['author:~smith', 'author:~jone'] }],
    ['country:kr AND countries>=2', { and: ['country:KR', 'countries>=2'] }],
    ['@supplies AND aid', { and: ['@supplies', '~aid'] }],
    ['a &&b', { and: ['~a', '~b'] }],
    ['developing countries', { and: ['~develop', '~countri'] }],
    ['countries*', 'countries*'],
    ['{WHO} OR {U.N.}', { or: ['=WHO', '=U N'] }],
    ['title:{UN}', 'title:=UN'],
    ["{WHO's}", '=WHO'],
    ['org:who AND actors>=3', { and: ['org:WHO', 'actors>=3'] }],
    ['ATLEAST3(masks OR @supplies)', { atleast3: { or: ['~mask', '@supplies'] } }],
    ['ATLEAST2 aid', { atleast2: '~aid' }],
    ['ATLEAST2(sentence:(aid masks))', { atleast2: { sentence: { and: ['~aid', '~mask'] } } }],
    [
      'sentence:(@supplies AND donat* AND countries>=2)',
      { sentence: { and: ['@supplies', 'donat*', 'countries>=2'] } },
    ],
    [
      'paragraph:(aid NOT loan) AND lead:(vaccine)',
      { and: [{ paragraph: { and: ['~aid', { not: '~loan' }] } }, { lead: '~vaccin' }] },
    ],
    ['"lang: es"', '"lang es"'],
    ['lang:es AND vacuna', { and: ['lang:es', '~vacuna'] }],
    ['LANG:ES,fr,es vacuna', { and: ['lang:es,fr', '~vacuna'] }],
    ['lang:und OR NOT lang:en', { or: ['lang:und', { not: 'lang:en' }] }],
    ['sentence:(lang:ru AND вакцины)', { sentence: { and: ['lang:ru', '~вакцины'] } }],
    ['masks W/S donat* W/S countries>=2', { sentence: { and: ['~mask', 'donat*', 'countries>=2'] } }],
    ['(aid OR relief) W/P vaccine', { paragraph: { and: [{ or: ['~aid', '~relief'] }, '~vaccin'] } }],
    ['aid SAME vaccine AND korea', { and: [{ paragraph: { and: ['~aid', '~vaccin'] } }, '~korea'] }],
    ['10:30 meeting', { and: ['"10 30"', '~meet'] }],
  ])('should parse %s', (query, expected) => {
    // Act & Assess
    expect(parsed(query)).toEqual(expected);
  });

  it('should limit the items of a list to the field in scope', () => {
    // Act
    const node = parseQuery('title:@supplies', lists);

    // Assess
    expect(node.type === 'list' && node.items.map((i) => i.field)).toEqual(['title', 'title', 'title']);
  });

  it.each([
    ['vaccine AND (mask OR', 1, 21, 'expected a word, a phrase or "(" after OR, found the end of the query'],
    ['vaccine AND\n  (mask OR )', 2, 12, 'expected a word, a phrase or "(" after OR'],
    ['"medical masks', 1, 1, 'this quote is never closed'],
    ['vac*cine', 1, 4, 'a wildcard * can only end a word'],
    ['a) OR b', 1, 2, 'this ")" closes nothing'],
    ['(a OR b', 1, 8, 'expected ")" to close the "(" at column 1'],
    ['NOT', 1, 4, 'expected what to exclude after NOT'],
    ['a NEAR b', 1, 3, 'write NEAR/n'],
    ['a NEAR/2 b NEAR/2 c', 1, 12, 'NEAR cannot be chained'],
    ['(a AND b) NEAR/2 c', 1, 1, 'NEAR joins words'],
    ['country:XX', 1, 1, '"XX" is not an ISO 3166-1 country code'],
    ['countries>=0', 1, 1, 'write countries>=n'],
    ['@missing', 1, 1, 'there is no list named @missing (known: @supplies)'],
    ['title:body:a', 1, 7, 'body: cannot be used inside title:'],
    ['a ? b', 1, 3, 'single-letter wildcards'],
    ['()', 1, 2, 'empty parentheses'],
    ['masks AND title:country:ZZ', 1, 17, '"ZZ" is not an ISO 3166-1 country code'],
    ['masks\nAND title:@bad!', 2, 11, 'a list name is @ followed by'],
    ['   ', 1, 1, 'the query is empty'],
    ['masks AND source:reuters', 1, 11, 'unknown field "source:" (known: title:, body:'],
    ['masks AND lang:xx', 1, 16, '"xx" is not a language code'],
    ['masks AND\n  lang:es,english', 2, 11, '"english" is not a language code'],
    ['lang:es,,fr', 1, 9, 'a language code is missing between commas'],
    ['lang: es', 1, 1, 'write lang:xx with a language code'],
    ['lang:(es OR fr)', 1, 1, 'write lang:es,fr'],
    ['lang:es NEAR/3 aid', 1, 1, 'NEAR joins words'],
    ['source:reuters', 1, 1, 'unknown field "source:"'],
    ['titel:aid', 1, 1, 'unknown field "titel:"'],
    ['{WHO', 1, 1, 'this "{" is never closed'],
    ['WHO}', 1, 4, 'this "}" closes nothing'],
    ['{ }', 1, 1, 'these braces have no word in them'],
    ['org:NOPE', 1, 1, '"NOPE" is not an organisation the gazetteer knows'],
    ['actors>=0', 1, 1, 'write actors>=n'],
    ['atleast3(aid)', 1, 1, 'write ATLEAST3( … ) in capitals'],
    ['ATLEAST0(aid)', 1, 1, 'ATLEASTn counts from 1 to 100'],
    ['ATLEAST2(a AND b)', 1, 1, 'ATLEASTn counts words'],
    ['sentence:(a AND paragraph:(b))', 1, 17, 'paragraph:( … ) cannot be used inside sentence:( … )'],
    ['sentence:aid', 1, 1, 'sentence: scopes a group'],
    ['sentence: aid', 1, 11, 'expected "(" after sentence:'],
    ['sentence:(a W/S b)', 1, 13, '"W/S" cannot be used inside sentence:( … )'],
    ['a W/S b W/P c', 1, 9, '"W/P" cannot follow "W/S"'],
    ['sentence:(a) W/S b', 1, 14, '"W/S" joins conditions that are not scoped themselves'],
    ['a w/s b', 1, 3, 'write W/S in capitals'],
  ])('should reject %j at line %i, column %i', (query, line, column, message) => {
    // Act
    let error: unknown;
    try {
      parseQuery(query, lists);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(QuerySyntaxError);
    const e = error as QuerySyntaxError;
    expect({ line: e.line, column: e.column }).toEqual({ line, column });
    expect(e.message).toContain(message);
  });

  it('should put a caret under the problem', () => {
    // Act
    let described = '';
    try {
      parseQuery('masks AND (aid OR )');
    } catch (e) {
      described = (e as QuerySyntaxError).describe();
    }

    // Assess
    expect(described).toBe(
      'line 1, column 19: expected a word, a phrase or "(" after OR, found ")"\n  masks AND (aid OR )\n                    ^',
    );
  });

  it('should refuse queries over the length and nesting limits', () => {
    // Act & Assess
    expect(() => parseQuery('a '.repeat(QUERY_LIMITS.maxLength))).toThrow(/at most 4000 characters/);
    expect(() => parseQuery(`${'('.repeat(30)}a${')'.repeat(30)}`)).toThrow(/nests at most 24 levels/);
    expect(() => parseQuery(Array.from({ length: 301 }, (_, i) => `w${i}`).join(' OR '))).toThrow(
      /at most 300 words/,
    );
  });

  it('should count the items of the lists a query uses towards its limits, each list once', () => {
    // Prepare: two lists of 1,200 items; one of them used three times.
    const items = (p: string) => Array.from({ length: 1200 }, (_, i) => parseListItem(`${p}${i}`));
    const lists = new Map([
      ['big', items('b')],
      ['other', items('o')],
    ]);

    // Act
    const once = () => parseQuery('@big OR (@big AND aid) OR title:@big', lists);
    const both = () => parseQuery('@big AND @other', lists);

    // Assess
    expect(once).not.toThrow();
    expect(both).toThrow(
      'the lists of a query hold at most 2000 items together; with @other (1200) they hold 2400',
    );
    try {
      both();
    } catch (e) {
      expect((e as QuerySyntaxError).span).toEqual({ offset: 9, length: 6 });
    }
  });

  it('should treat regular-expression characters as plain text', () => {
    // Act & Assess
    expect(parsed('[x] OR a+ OR ^b$')).toEqual({ or: ['~x', '~a', '~b'] });
    expect(() => parsed('.*')).toThrow('a wildcard needs at least one letter before it');
    expect(() => parsed('(a+)+$')).toThrow('"+$" has no letters or digits to match');
  });
});

describe('Function: parseListItem', () => {
  it('should read a quoted item as exact, an item with spaces as a phrase, a trailing * as a wildcard', () => {
    // Act & Assess
    expect(['"vaccine"', 'medical masks', 'vaccin*', 'vaccines'].map((i) => shape(parseListItem(i)))).toEqual(
      ['"vaccine"', '"medical masks"', 'vaccin*', '~vaccin'],
    );
  });

  it('should limit an item that starts with a language code to that language', () => {
    // Act
    const items = ['es: donación', 'fr:"aide humanitaire"', 'ru:  маск*', 'donation'].map(parseListItem);

    // Assess
    expect(items.map((i) => [i.type, i.lang])).toEqual([
      ['term', 'es'],
      ['phrase', 'fr'],
      ['prefix', 'ru'],
      ['term', undefined],
    ]);
    expect(items[0]?.text).toBe('donación');
    expect(items[0]?.key).not.toBe(parseListItem('donación').key);
  });

  it('should refuse an item marked with a code that is no language', () => {
    // Act & Assess
    expect(() => parseListItem('xx: donación')).toThrow('"xx:" is not a language code');
  });
});

describe('Function: lintQuery', () => {
  it.each([
    ['v* AND aid', ['short-wildcard']],
    ['NOT sport', ['only-negative']],
    ['NOT sport AND NOT music', ['only-negative']],
    ['countries>=2 OR NOT sport', ['no-required-term']],
    ['aid or relief', ['lowercase-operator']],
    ['the AND aid', ['very-common-word']],
    ['vaccine NEAR/5 deal', []],
    ['lang:es AND (donation OR "medical supplies")', ['language-mismatch']],
    ['lang:es,fr AND sentence:(donation AND country:BO)', ['language-mismatch']],
    ['lang:es AND (vacuna OR vaccine)', []],
    ['lang:es AND vaccine AND @giving', []],
    ['lang:en AND vaccine', []],
    ['lang:es OR vaccine', ['no-required-term']],
    ['lang:fr AND hôpitaux AND @giving', ['language-mismatch']],
  ])('should warn about %j', (query, codes) => {
    // Act
    const warnings = lintQuery(query, parseQuery(query, languageLists));

    // Assess
    expect(warnings.map((w) => w.code)).toEqual(codes);
  });
});
