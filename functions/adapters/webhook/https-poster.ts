import { lookup } from 'node:dns/promises';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { checkWebhookUrl, isPublicAddress, UnsafeWebhookUrlError } from '../../core/alerts/ssrf.ts';

/** Time one delivery may take by default, from name resolution to the last byte of the answer. */
export const DEFAULT_POST_TIMEOUT_MS = 10_000;

/** Options of one POST. */
export interface PostOptions {
  /**
   * Total time limit of the delivery: resolving the name, connecting, sending and reading the
   * whole answer. An endpoint that answers slowly, byte by byte, is cut off when it is reached.
   */
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
 * a DNS answer cannot change between check and connect). Redirects are not followed. The
 * whole delivery has one deadline ({@link PostOptions.timeoutMs}), not an idle timeout that
 * each byte would restart.
 */
export const postWebhook = async (
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  options: PostOptions = {},
): Promise<PostResult> => {
  const url = checkWebhookUrl(rawUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_POST_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const timedOut = (): PostResult => ({ error: `no complete answer within ${timeoutMs} ms` });
  const allowed = options.isAllowed ?? isPublicAddress;
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  const resolve = options.resolve ?? ((name: string) => lookup(name, { all: true }));
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(host)
      ? [{ address: host, family: isIP(host) }]
      : await withDeadline(resolve(host), deadline, () => new ResolveTimeout());
  } catch (e) {
    if (e instanceof ResolveTimeout) return timedOut();
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
  return new Promise<PostResult>((settle) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      settle(result);
    };
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
      },
      (res) => {
        // The answer's body is not used, but it is read to its end within the deadline.
        res.resume();
        res.on('end', () => finish({ status: res.statusCode }));
        res.on('close', () =>
          finish(
            res.complete
              ? { status: res.statusCode }
              : { error: 'the connection closed before the answer was complete' },
          ),
        );
      },
    );
    const timer = setTimeout(
      () => {
        finish(timedOut());
        req.destroy();
      },
      Math.max(0, deadline - Date.now()),
    );
    req.on('error', (e) => finish({ error: e.message }));
    req.end(body);
  });
};

/** Name resolution that took the whole time of the delivery. */
class ResolveTimeout extends Error {}

/** A promise that rejects with `onTimeout()` once `deadline` (epoch ms) has passed. */
const withDeadline = <T>(promise: Promise<T>, deadline: number, onTimeout: () => Error): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
};
