/**
 * The schema library, configured once: zod's tree-shakable build with English messages.
 * Use `import * as z from '…/validation.ts'` rather than importing 'zod', so bundles keep
 * only the parts in use and messages stay readable.
 */
import { config, type core } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';

/** The first problem of a failed parse as `field: message` (or the message alone at the root). */
export const firstIssue = (error: core.$ZodError): string => {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
};
