import { lookup } from 'node:dns/promises';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { checkWebhookUrl, isPublicAddress, UnsafeWebhookUrlError } from '../../core/alerts/ssrf.ts';

/** Options of one POST. */
export interface PostOptions {
  timeoutMs?: number;
  /** Which resolved addresses may be connected to; public internet addresses by default. */
  isAllowed?: (address: string) => boolean;
  /** Extra trusted certificate authorities (tests use a self-signed receiver). */
  ca?: string;
  /** Name resolution; the system resolver by default. */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>;
}

/** The answer of an endpoint; `status` is undefined when there was none (timeout, refused). */
export interface PostResult {
  status?: number;
  error?: string;
}

/**
 * POSTs a body to a webhook URL safely: the URL must pass the SSRF check, every address the
 * name resolves to must be allowed, and the connection is pinned to the checked address (so
 * a DNS answer cannot change between check and connect). Redirects are not followed.
 */
export const postWebhook = async (
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  options: PostOptions = {},
): Promise<PostResult> => {
  const url = checkWebhookUrl(rawUrl);
  const allowed = options.isAllowed ?? isPublicAddress;
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  const resolve = options.resolve ?? ((name: string) => lookup(name, { all: true }));
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
  } catch (e) {
    // No answer from DNS: like a timeout, worth another try later.
    return { error: `cannot resolve ${host}: ${(e as { code?: string }).code ?? (e as Error).message}` };
  }
  const refused = addresses.find((a) => !allowed(a.address));
  if (addresses.length === 0 || refused) {
    throw new UnsafeWebhookUrlError(
      `${host} resolves to ${refused?.address ?? 'nothing'}, which webhooks may not reach`,
    );
  }
  const target = addresses[0] as { address: string; family: number };
  return new Promise<PostResult>((resolve) => {
    const req = request(
      {
        protocol: 'https:',
        hostname: host,
        port: url.port || 443,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        servername: isIP(host) ? undefined : host,
        ...(options.ca ? { ca: options.ca } : {}),
        // Pin the connection to the address that was checked (Node asks for all addresses
        // when it may try several families).
        lookup: (_name, opts, callback) =>
          (opts as { all?: boolean }).all
            ? (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(
                null,
                [target],
              )
            : callback(null, target.address, target.family),
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', (e) => resolve({ error: e.message }));
    req.end(body);
  });
};
