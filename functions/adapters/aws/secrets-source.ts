import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** How long signing secrets are kept before being read again (rotation shows up within this). */
const SECRET_TTL_MS = 5 * 60_000;

/**
 * Reads webhook signing secrets from Secrets Manager: the secret string holds one
 * `whsec_…` secret per line (two during a rotation). Cached per container.
 */
export class SecretsSource {
  private readonly client: SecretsManagerClient;
  private readonly cache = new Map<string, { secrets: string[]; at: number }>();

  constructor(client: SecretsManagerClient) {
    this.client = client;
  }

  async secrets(name: string): Promise<string[]> {
    const hit = this.cache.get(name);
    if (hit && Date.now() - hit.at < SECRET_TTL_MS) return hit.secrets;
    const res = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
    const secrets = (res.SecretString ?? '')
      .split(/\s+/)
      .map((s) => s.trim())
      .filter((s) => s.startsWith('whsec_'));
    if (secrets.length === 0) throw new Error(`secret ${name} holds no whsec_ signing secret`);
    this.cache.set(name, { secrets, at: Date.now() });
    return secrets;
  }
}
