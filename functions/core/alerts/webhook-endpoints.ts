/**
 * Where a webhook subscriber's alerts go, and which endpoint addresses are credentials.
 *
 * Slack, Discord and Teams incoming webhooks have no other authentication than their URL:
 * whoever holds it can post into the channel. Such a URL is a secret; it lives in Secrets
 * Manager (locally in the secrets folder), is named in the subscribers file by `urlSecret`,
 * and is read only when an alert is delivered, never written into the CloudFormation template
 * or a function's environment. A plain `url` is kept for generic endpoints, which authenticate
 * each request by its Standard Webhooks signature, and only when the URL holds no credential.
 */

/** The payload shapes a webhook endpoint can take. */
export type WebhookFormat = 'generic' | 'slack' | 'discord' | 'teams';

/** Formats whose endpoint URL is always a credential. */
export const CHAT_FORMATS: ReadonlySet<WebhookFormat> = new Set(['slack', 'discord', 'teams']);

const FORMAT_NAMES: Record<WebhookFormat, string> = {
  generic: 'generic',
  slack: 'Slack',
  discord: 'Discord',
  teams: 'Microsoft Teams',
};

/** Services whose incoming-webhook URLs carry their own credential. */
const CREDENTIAL_SERVICES: ReadonlyArray<{ service: string; is: (host: string, path: string) => boolean }> = [
  { service: 'Slack incoming-webhook', is: (h) => /^hooks\.slack(-gov)?\.com$/.test(h) },
  {
    service: 'Discord webhook',
    is: (h, p) => /^((canary|ptb)\.)?discord(app)?\.com$/.test(h) && /^\/api\/(v\d+\/)?webhooks\//.test(p),
  },
  {
    service: 'Microsoft Teams incoming-webhook',
    is: (h, p) =>
      /(^|\.)webhook\.office\.com$/.test(h) ||
      (/^outlook\.office(365)?\.com$/.test(h) && /^\/webhook/.test(p)),
  },
  {
    service: 'Teams workflow (Power Automate)',
    is: (h) => /\.logic\.azure\.com$/.test(h) || /\.api\.powerplatform\.com$/.test(h),
  },
];

/** Query parameters that hold a credential by their name (`?token=…`, Azure's `?code=…`, `sig=…`). */
const CREDENTIAL_PARAMETER =
  /^(token|access_token|auth|authorization|key|api_key|apikey|api-key|code|sig|signature|secret|password|pwd)$/i;

/**
 * Why a URL is a credential, or undefined when it is not: a user name or password in it, the
 * address of a chat service's incoming webhook, or a query parameter named like a credential.
 * The reason never repeats the URL.
 */
export const credentialInUrl = (raw: string): string | undefined => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return 'holds a user name or password';
  const host = url.hostname.toLowerCase().replace(/\.+$/, '');
  const service = CREDENTIAL_SERVICES.find((s) => s.is(host, url.pathname.toLowerCase()));
  if (service) return `is a ${service.service} URL, which is its own credential`;
  const parameter = [...url.searchParams.keys()].find((k) => CREDENTIAL_PARAMETER.test(k));
  if (parameter) return `has a query parameter "${parameter}", which holds a credential`;
  return undefined;
};

/** A webhook endpoint as the subscribers file gives it. */
export interface WebhookEndpoint {
  url?: string | undefined;
  urlSecret?: string | undefined;
  format: WebhookFormat;
}

/**
 * What is wrong with how an endpoint is given, and under which field; undefined when it is
 * fine. Chat formats must name a secret; a plain URL must not be a credential.
 */
export const webhookEndpointProblem = (
  w: WebhookEndpoint,
): { field: 'url' | 'urlSecret'; message: string } | undefined => {
  if (w.url === undefined && w.urlSecret === undefined) {
    return {
      field: 'url',
      message: 'a webhook needs urlSecret (the secret that holds its URL) or, for a generic endpoint, url',
    };
  }
  if (w.url !== undefined && w.urlSecret !== undefined) {
    return { field: 'url', message: 'give the webhook either url or urlSecret, not both' };
  }
  if (w.url === undefined) return undefined;
  if (CHAT_FORMATS.has(w.format)) {
    return {
      field: 'url',
      message: `a ${FORMAT_NAMES[w.format]} webhook URL is its own credential: store it in Secrets Manager and name that secret with urlSecret instead of url`,
    };
  }
  const reason = credentialInUrl(w.url);
  if (reason) {
    return {
      field: 'url',
      message: `webhook.url ${reason}: store the URL in Secrets Manager and name that secret with urlSecret instead of url`,
    };
  }
  return undefined;
};

/** A secret that should hold a webhook URL and does not. */
export class WebhookUrlSecretError extends Error {
  override readonly name = 'WebhookUrlSecretError';
}

/**
 * The webhook URL a secret holds: the URL itself, or JSON `{"url": "…"}` (what the Secrets
 * Manager console writes for a key/value secret). The error never repeats the value.
 */
export const webhookUrlFromSecret = (value: string, secretName: string): string => {
  const text = value.trim();
  let url = text;
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const field = (parsed as { url?: unknown } | undefined)?.url;
    if (typeof field !== 'string') {
      throw new WebhookUrlSecretError(`secret ${secretName} holds JSON without a "url" string`);
    }
    url = field.trim();
  }
  if (!/^https?:\/\/\S+$/i.test(url)) {
    throw new WebhookUrlSecretError(
      `secret ${secretName} does not hold a webhook URL: its value should be the https URL itself, or JSON {"url": "https://…"}`,
    );
  }
  return url;
};
