import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The environment variable that can hold a secret: `NEWSWATCH_SECRET_` and the name in upper case. */
export const secretEnvName = (secretName: string): string =>
  `NEWSWATCH_SECRET_${secretName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/**
 * Webhook signing secrets on one machine, in place of Secrets Manager: from the environment
 * (`NEWSWATCH_SECRET_<NAME>`, one or more `whsec_` values separated by spaces or new lines),
 * else from `<dir>/<name>`, which is created with a new random secret the first time so a
 * receiver can be given the same value.
 */
export class LocalSecrets {
  private readonly dir: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(dir: string, env: NodeJS.ProcessEnv = process.env) {
    this.dir = dir;
    this.env = env;
  }

  /** The file a secret is kept in. */
  pathOf(secretName: string): string {
    return join(this.dir, ...secretName.split('/').filter((p) => p !== '' && p !== '.' && p !== '..'));
  }

  async secrets(secretName: string): Promise<string[]> {
    const fromEnv = this.env[secretEnvName(secretName)];
    const text = fromEnv ?? (await this.readOrCreate(secretName));
    const secrets = text.split(/\s+/).filter((s) => s.startsWith('whsec_'));
    if (secrets.length === 0) throw new Error(`secret ${secretName} holds no whsec_ signing secret`);
    return secrets;
  }

  private async readOrCreate(secretName: string): Promise<string> {
    const path = this.pathOf(secretName);
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
    }
    const secret = `whsec_${randomBytes(32).toString('base64')}\n`;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // `wx`: two first uses at once keep the first secret written.
    await writeFile(path, secret, { flag: 'wx', mode: 0o600 }).catch((e: { code?: string }) => {
      if (e.code !== 'EEXIST') throw e;
    });
    return readFile(path, 'utf8');
  }
}
