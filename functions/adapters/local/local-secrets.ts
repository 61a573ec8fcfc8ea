import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { webhookUrlFromSecret } from '../../core/alerts/webhook-endpoints.ts';

/** The environment variable that can hold a secret: `NEWSWATCH_SECRET_` and the name in upper case. */
export const secretEnvName = (secretName: string): string =>
  `NEWSWATCH_SECRET_${secretName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/**
 * Webhook secrets on one machine, in place of Secrets Manager: from the environment
 * (`NEWSWATCH_SECRET_<NAME>`), else from the file `<dir>/<name>`. A signing secret (one or
 * more `whsec_` values separated by spaces or new lines) is created with a new random value
 * the first time, so a receiver can be given the same value; an endpoint URL (Slack, Discord,
 * Teams) must be put there by the user.
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

  /** The endpoint URL a secret holds; says where to put it when it is not there yet. */
  async webhookUrl(secretName: string): Promise<string> {
    const fromEnv = this.env[secretEnvName(secretName)];
    if (fromEnv !== undefined) return webhookUrlFromSecret(fromEnv, secretName);
    try {
      return webhookUrlFromSecret(await readFile(this.pathOf(secretName), 'utf8'), secretName);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
      throw new Error(
        `the webhook URL secret ${secretName} is not set: write the URL into ${this.pathOf(secretName)} or set ${secretEnvName(secretName)}`,
        { cause: e },
      );
    }
  }

  /** Where a secret comes from: the environment variable (as `$NAME`) or its file; and whether it is there. */
  whereIs(secretName: string): { where: string; present: boolean } {
    const variable = secretEnvName(secretName);
    if (this.env[variable] !== undefined) return { where: `$${variable}`, present: true };
    return { where: this.pathOf(secretName), present: existsSync(this.pathOf(secretName)) };
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
