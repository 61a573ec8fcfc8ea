import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { webhookUrlFromSecret } from '../../core/alerts/webhook-endpoints.ts';

/** How long signing secrets are kept before being read again (rotation shows up within this). */
const SECRET_TTL_MS = 5 * 60_000;

/**
 * Reads webhook secrets from Secrets Manager: signing secrets (the secret string holds one
 * `whsec_…` secret per line, two during a rotation) and endpoint URLs that are credentials
 * (the URL itself, or JSON `{"url": …}`). Cached per container.
 */
export class SecretsSource {
  private readonly client: SecretsManagerClient;
  private readonly cache = new Map<string, { value: string; at: number }>();

  constructor(client: SecretsManagerClient) {
    this.client = client;
  }

  private async value(name: string): Promise<string> {
    const hit = this.cache.get(name);
    if (hit && Date.now() - hit.at < SECRET_TTL_MS) return hit.value;
    const res = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
    const value = res.SecretString ?? '';
    this.cache.set(name, { value, at: Date.now() });
    return value;
  }

  async secrets(name: string): Promise<string[]> {
    const secrets = (await this.value(name))
      .split(/\s+/)
      .map((s) => s.trim())
      .filter((s) => s.startsWith('whsec_'));
    if (secrets.length === 0) throw new Error(`secret ${name} holds no whsec_ signing secret`);
    return secrets;
  }

  async webhookUrl(name: string): Promise<string> {
    return webhookUrlFromSecret(await this.value(name), name);
  }
}
