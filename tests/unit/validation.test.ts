import { describe, expect, it } from 'vitest';
import * as z from '../../functions/core/validation.ts';

const problemsOf = (schema: z.ZodMiniType, value: unknown): string[] => {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('Module: validation', () => {
  it("should say every kind of problem in the project's words, without the library's", () => {
    // Prepare
    const schema = z.strictObject({
      name: z.string().check(z.minLength(1)),
      code: z.string().check(z.maxLength(3)),
      score: z.number().check(z.gte(0), z.lte(1)),
      count: z.int(),
      above: z.number().check(z.gt(0)),
      tags: z.array(z.string()).check(z.minLength(1), z.maxLength(2)),
      pair: z.array(z.string()).check(z.minLength(2)),
      mode: z.enum(['immediate', 'digest']),
      kind: z.literal('logistic-regression'),
      on: z.boolean(),
      mail: z.email(),
      site: z.url(),
      label: z.string().check(z.regex(/^[a-z]+$/)),
      needed: z.string(),
    });

    // Act
    const problems = problemsOf(schema, {
      name: '',
      code: 'abcd',
      score: 5,
      count: 1.5,
      above: 0,
      tags: ['a', 'b', 'c'],
      pair: [],
      mode: 'sometimes',
      kind: 'tree',
      on: 'yes',
      mail: 'nobody',
      site: 'not a url',
      label: 'A1',
      extra: 1,
    });

    // Assess
    expect(problems).toEqual([
      'name: must not be empty',
      'code: is at most 3 characters',
      'score: must be at most 1',
      'count: must be a whole number',
      'above: must be above 0',
      'tags: has at most 2 items',
      'pair: must have at least 2 items',
      'mode: must be one of "immediate", "digest"',
      'kind: must be "logistic-regression"',
      'on: must be true or false',
      'mail: must be an email address',
      'site: must be a URL',
      'label: is not in the form required',
      'needed: is missing',
      ': unknown key "extra"',
    ]);
    for (const p of problems) expect(p).not.toMatch(/Too (big|small)|Invalid|expected|>=|<=/);
  });

  it("should keep a schema's own message where it gives one", () => {
    // Act
    const problems = problemsOf(
      z.object({ minScore: z.number().check(z.lte(1, 'must be a number from 0 to 1')) }),
      { minScore: 2 },
    );

    // Assess
    expect(problems).toEqual(['minScore: must be a number from 0 to 1']);
  });
});
