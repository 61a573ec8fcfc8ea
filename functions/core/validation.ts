/**
 * The schema library, configured once: zod's tree-shakable build, with messages in the
 * project's words ("must not be empty", "is at most 200 characters") rather than the
 * library's ("Too small: expected string to have >=1 characters"); a schema's own message,
 * where it gives one, wins. Use `import * as z from '…/validation.ts'` rather than importing
 * 'zod', so bundles keep only the parts in use and every message reads the same.
 */
import { config, type core } from 'zod/mini';

const KIND: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a set of keys and values',
  record: 'a set of keys and values',
  map: 'a set of keys and values',
  set: 'a list',
  date: 'a date',
  null: 'null',
};

const UNIT: Record<string, [one: string, many: string]> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
  set: ['item', 'items'],
  map: ['entry', 'entries'],
  file: ['byte', 'bytes'],
};

const FORMAT: Record<string, string> = {
  email: 'an email address',
  url: 'a URL',
  datetime: 'a date and time (ISO 8601, such as 2026-11-28T09:30:00Z)',
  date: 'a day (YYYY-MM-DD)',
  time: 'a time (HH:MM)',
  uuid: 'a UUID',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  base64: 'base64 text',
};

const quote = (v: unknown) => (typeof v === 'string' ? `"${v}"` : String(v));

/** The project's message for a problem zod found. */
export const validationMessage = (issue: core.$ZodRawIssue): string => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is missing';
      return `must be ${KIND[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${quote(issue.values[0])}`
        : `must be one of ${issue.values.map(quote).join(', ')}`;
    case 'too_big': {
      const unit = UNIT[issue.origin];
      const max = Number(issue.maximum);
      if (unit)
        return `${issue.origin === 'string' ? 'is' : 'has'} at most ${max} ${max === 1 ? unit[0] : unit[1]}`;
      return issue.inclusive === false ? `must be below ${max}` : `must be at most ${max}`;
    }
    case 'too_small': {
      const unit = UNIT[issue.origin];
      const min = Number(issue.minimum);
      if (unit && min === 1 && issue.origin === 'string') return 'must not be empty';
      if (unit && min === 1) return `must have at least one ${unit[0]}`;
      if (unit) return `must have at least ${min} ${unit[1]}`;
      return issue.inclusive === false ? `must be above ${min}` : `must be at least ${min}`;
    }
    case 'invalid_format': {
      const f = issue as { format: string; prefix?: string; suffix?: string; includes?: string };
      if (f.format === 'starts_with') return `must start with "${f.prefix ?? ''}"`;
      if (f.format === 'ends_with') return `must end with "${f.suffix ?? ''}"`;
      if (f.format === 'includes') return `must contain "${f.includes ?? ''}"`;
      return FORMAT[f.format] ? `must be ${FORMAT[f.format]}` : 'is not in the form required';
    }
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map(quote).join(', ')}`;
    case 'invalid_key':
      return 'has a key that is not allowed';
    case 'invalid_element':
      return 'has a value that is not allowed';
    case 'invalid_union':
      return 'is none of the forms allowed here';
    default:
      return 'is not valid';
  }
};

config({ localeError: validationMessage });

export * from 'zod/mini';

/** The first problem of a failed parse as `field: message` (or the message alone at the root). */
export const firstIssue = (error: core.$ZodError): string => {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
};
