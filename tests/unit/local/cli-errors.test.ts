import { describe, expect, it } from 'vitest';
import { cannotRunMessage } from '../../../local/cli/main.ts';
import { StartupError } from '../../../local/local-newswatch.ts';

/** An error as Node or the AWS SDK makes it: a name, a message and their extra fields. */
const failure = (name: string, message: string, fields: Record<string, unknown> = {}) =>
  Object.assign(Object.defineProperty(new Error(message), 'name', { value: name }), fields);

describe('Function: cannotRunMessage', () => {
  it("should say why a command could not run in the project's words, not the library's", () => {
    // Act
    const messages = [
      new StartupError('port 4400 is already in use'),
      failure('Error', "ENOENT: no such file or directory, stat '/nope'", { code: 'ENOENT', path: '/nope' }),
      failure('Error', "EACCES: permission denied, open '/x'", { code: 'EACCES', path: '/x' }),
      failure('CredentialsProviderError', 'Could not load credentials from any providers'),
      failure('Error', 'Region is missing'),
      failure('Error', 'getaddrinfo ENOTFOUND s3.example', { code: 'ENOTFOUND', hostname: 's3.example' }),
    ].map(cannotRunMessage);

    // Assess
    expect(messages).toEqual([
      'port 4400 is already in use',
      '/nope: no such file or folder',
      '/x: not allowed to read or write it',
      'could not reach AWS: no credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
      'could not reach AWS: no region (give --region or set AWS_REGION)',
      'could not reach AWS at s3.example: ENOTFOUND',
    ]);
  });

  it('should name an error it does not know, so that it can be reported', () => {
    // Act / Assess
    expect(cannotRunMessage(new TypeError('x is not a function'))).toBe('TypeError: x is not a function');
  });
});
