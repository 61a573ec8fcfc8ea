import { describe, expect, it } from 'vitest';
import { formatProblem, loadTopicFiles } from '../../../functions/core/topics/topic-files.ts';

const BOMB = [
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
].join('\n');

describe('Function: loadTopicFiles', () => {
  it('should read one topic, a list of topics, or lists with topics, from YAML and JSON', () => {
    // Prepare
    const files = [
      { path: 'one.yaml', text: 'id: one\nname: One\nquery: aid\n' },
      {
        path: 'many.json',
        text: '[{"id": "two", "name": "Two", "query": "@kit", "minScore": 0.5, "enabled": false, "tags": ["x"]}]',
      },
      { path: 'lists.yml', text: 'lists:\n  kit:\n    - masks\n    - medical masks\n    - ventil*\n' },
    ];

    // Act
    const loaded = loadTopicFiles(files);

    // Assess
    expect(loaded.problems).toEqual([]);
    expect(loaded.topics).toEqual([
      { id: 'one', name: 'One', query: 'aid', minScore: 0.3, enabled: true },
      { id: 'two', name: 'Two', query: '@kit', minScore: 0.5, enabled: false, tags: ['x'] },
    ]);
    expect(loaded.lists.get('kit')?.map((i) => i.type)).toEqual(['term', 'phrase', 'prefix']);
    expect(loaded.rawLists).toEqual({ kit: ['masks', 'medical masks', 'ventil*'] });
  });

  it('should read list items limited to a language, written as a mapping or as text', () => {
    // Prepare
    const files = [
      {
        path: 'lists.yaml',
        text: 'lists:\n  giving:\n    - donat*\n    - es: donación\n    - "fr: dons"\n    - ru: пожертвование\n',
      },
    ];

    // Act
    const loaded = loadTopicFiles(files);

    // Assess
    expect(loaded.problems).toEqual([]);
    expect(loaded.rawLists).toEqual({ giving: ['donat*', 'es: donación', 'fr: dons', 'ru: пожертвование'] });
    expect(loaded.lists.get('giving')?.map((i) => i.lang)).toEqual([undefined, 'es', 'fr', 'ru']);
  });

  it('should point at a list item whose language is not a language code', () => {
    // Prepare
    const files = [{ path: 'lists.yaml', text: 'lists:\n  giving:\n    - donat*\n    - xx: donación\n' }];

    // Act
    const loaded = loadTopicFiles(files);

    // Assess
    expect(loaded.problems).toMatchObject([
      {
        file: 'lists.yaml',
        line: 4,
        message: expect.stringContaining('item 2: "xx:" is not a language code'),
      },
    ]);
  });

  it('should refuse unknown keys at their place instead of ignoring them', () => {
    // Prepare
    const text =
      'lists:\n  a: [x]\ntopic:\n  - id: one\ntopics:\n  - id: aid\n    name: Aid\n    query: aid\n    minscore: 0.9\n';

    // Act
    const { problems, topics } = loadTopicFiles([{ path: 't.yaml', text }]);

    // Assess
    expect(topics).toEqual([]);
    expect(problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([
      '3:1: unknown key "topic" (a file with lists has lists: and topics:)',
      '9:5: unknown key "minscore" (a topic has id, name, description, query, minScore, enabled, tags)',
    ]);
  });

  it('should report a query error at its line and column in the file, with a caret', () => {
    // Prepare
    const text = 'topics:\n  - id: aid\n    name: Aid\n    query: |\n      masks AND\n      (aid OR )\n';

    // Act
    const { problems, topics } = loadTopicFiles([{ path: 'topics/aid.yaml', text }]);

    // Assess
    expect(topics).toEqual([]);
    expect(problems.map(formatProblem)).toEqual([
      'topics/aid.yaml:6:15: topic aid: expected a word, a phrase or "(" after OR, found ")"\n        (aid OR )\n                ^',
    ]);
  });

  it.each([
    ['double-quoted with escapes', 'id: a\nname: A\nquery: "\\"medical masks\\" AND (aid OR )"\n', '3:39'],
    ['double-quoted with a tab escape', 'id: a\nname: A\nquery: "a\\tb (c OR )"\n', '3:20'],
    [
      'single-quoted with doubled quotes',
      "id: a\nname: A\nquery: '''medical masks'' AND (aid OR )'\n",
      '3:39',
    ],
    [
      'a literal block with a more-indented line',
      'id: a\nname: A\nquery: |\n  masks AND\n    (aid OR )\n',
      '5:13',
    ],
    [
      'a literal block with an indentation indicator',
      'id: a\nname: A\nquery: |2\n    masks AND (aid OR )\n',
      '4:23',
    ],
  ])('should place a query error inside %s', (_kind, text, at) => {
    // Act
    const [problem] = loadTopicFiles([{ path: 'f.yaml', text }]).problems;

    // Assess
    expect(`${problem?.line}:${problem?.column}`).toBe(at);
  });

  it('should point at a folded query and show the query with a caret when the file cannot be lined up', () => {
    // Act
    const [problem] = loadTopicFiles([
      { path: 'f.yaml', text: 'id: a\nname: A\nquery: >\n  masks AND\n  (aid OR )\n' },
    ]).problems;

    // Assess
    expect(problem).toMatchObject({ line: 3, column: 8 });
    expect(problem?.message).toContain('(query line 1, column 19)');
    expect(problem?.excerpt).toBe('  masks AND (aid OR )\n                    ^');
  });

  it('should report every problem and still load the good topics', () => {
    // Prepare
    const files = [
      {
        path: 'a.yaml',
        text: '- id: Bad Id\n  name: x\n  query: aid\n- id: ok\n  name: Ok\n  query: "aid OR relief"\n- id: ok\n  name: Again\n  query: aid\n',
      },
      { path: 'b.yaml', text: 'id: c\nname: C\nquery: aid\nminScore: 3\n' },
      { path: 'c.yaml', text: 'id: [unclosed\n' },
      { path: 'd.yaml', text: 'lists:\n  kit: []\n' },
    ];

    // Act
    const { problems, topics } = loadTopicFiles(files);

    // Assess
    expect(topics.map((t) => t.id)).toEqual(['ok']);
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`)).toEqual([
      'a.yaml:1:7 id: must be lower-case letters, digits and dashes (at most 64)',
      'a.yaml:7:7 topic id "ok" is already used in a.yaml',
      'b.yaml:4:11 minScore: must be a number from 0 to 1',
      expect.stringMatching(
        /^c\.yaml:\d+:\d+ the indentation is off here, or a \[ … \] or \{ … \} is not closed$/,
      ),
      'd.yaml:2:8 lists.kit: must have at least one item',
    ]);
  });

  it('should say that an id is used already beside every other problem of that topic, in reading order', () => {
    // Prepare
    const text = [
      '- id: a',
      '  name: A',
      '  query: aid',
      '- id: a',
      '  name: ""',
      '  query: "aid AND"',
      '  minScore: 5',
      '  enabld: true',
      '- id: a',
      '  name: Third',
      '  query: "aid AND"',
    ].join('\n');

    // Act
    const { problems, topics } = loadTopicFiles([{ path: 't.yaml', text }]);

    // Assess
    expect(topics.map((t) => t.name)).toEqual(['A']);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '4:7 topic id "a" is already used in t.yaml',
      '5:9 name: must not be empty',
      '6:18 topic a: expected a word, a phrase or "(" after AND, found the end of the query',
      '7:13 minScore: must be a number from 0 to 1',
      '8:3 unknown key "enabld" (a topic has id, name, description, query, minScore, enabled, tags)',
      '9:7 topic id "a" is already used in t.yaml',
      '11:18 topic a: expected a word, a phrase or "(" after AND, found the end of the query',
    ]);
  });

  it('should say what is wrong with the YAML in the words of the project, not the library', () => {
    // Act
    const messages = [
      'id: a\n---\nid: b\n',
      'id: a\nid: b\n',
      'id: a\nquery: "aid AND\n',
      'id: a\n\tname: b\n',
      'query: aid: relief\n',
    ].map((text) => loadTopicFiles([{ path: 't.yaml', text }]).problems[0]?.message);

    // Assess
    expect(messages).toEqual([
      'the file holds more than one YAML document: remove the "---" line (several items go in one list)',
      'this key is given twice in the same block',
      'a quote is not closed',
      'indent with spaces, not tabs',
      'a value with ": " in it must be in quotes, or this line is indented too far',
    ]);
  });

  it('should refuse a YAML alias bomb at its first alias, with line and column, without throwing', () => {
    // Prepare
    const bomb = `${BOMB}\ntopics:\n  - { id: t, name: T, query: aid }\n`;

    // Act
    const loaded = loadTopicFiles([{ path: 'bomb.yaml', text: bomb }]);
    const harmless = loadTopicFiles([
      {
        path: 'shared.yaml',
        text: 'common: &c { minScore: 0.5 }\ntopics:\n  - { id: t, name: T, query: aid }\n',
      },
    ]);

    // Assess
    expect(loaded.topics).toEqual([]);
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatchObject({ file: 'bomb.yaml', line: 2, column: 8 });
    expect(loaded.problems[0]?.message).toMatch(/aliases \(\*name\) expand more than 100 times/);
    expect(harmless.problems.every((p) => !/alias/.test(p.message))).toBe(true);
  });

  it('should refuse a list of more than 2000 items at the list', () => {
    // Prepare
    const items = Array.from({ length: 2001 }, (_, i) => `w${i}`).join(', ');
    const text = `lists:\n  huge: [${items}]\ntopics:\n  - { id: t, name: T, query: "@huge" }\n`;

    // Act
    const { problems, topics } = loadTopicFiles([{ path: 'lists.yaml', text }]);

    // Assess
    expect(topics).toEqual([]);
    expect(problems[0]).toMatchObject({
      file: 'lists.yaml',
      line: 2,
      message: 'lists.huge: a list holds at most 2000 items',
    });
  });

  it('should report the problems of a topic with a used id too, and say them in the words of the project', () => {
    // Prepare
    const text = [
      'topics:',
      '  - { id: t, name: T, query: aid }',
      '  - { id: t, name: Again, query: "aid AND (" }',
      '  - { id: u, name: U, query: aid, minScore: 1.5, enabled: "yes" }',
    ].join('\n');

    // Act
    const { problems, topics } = loadTopicFiles([{ path: 't.yaml', text }]);

    // Assess
    expect(topics.map((t) => t.id)).toEqual(['t']);
    expect(problems.map((p) => p.message)).toEqual([
      'topic id "t" is already used in t.yaml',
      expect.stringMatching(/^topic t: /),
      'minScore: must be a number from 0 to 1',
      'enabled: must be true or false',
    ]);
  });
});
