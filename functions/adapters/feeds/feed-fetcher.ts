import { lookup } from 'node:dns/promises';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { checkFeedUrl, isPublicAddress, UnsafeFeedUrlError } from '../../core/alerts/ssrf.ts';
import type { FeedAnswer, FeedRequest } from '../../core/pipeline/ports.ts';

/** Redirects followed at most on the way to a feed (each target checked like the feed's own URL). */
export const MAX_FEED_REDIRECTS = 3;

/** Longest validator kept from an answer; a longer one is ignored rather than sent back. */
const MAX_VALIDATOR_LENGTH = 512;

/** Options of {@link fetchFeed}. */
export interface FeedFetchOptions {
  /** Which resolved addresses may be connected to over https; public internet addresses by default. */
  isAllowed?: (address: string) => boolean;
  /** Extra trusted certificate authorities (tests use a self-signed server). */
  ca?: string;
  /** Name resolution; the system resolver by default. */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>;
  /** Plain http to this machine's loopback (the local runtime only). */
  allowLocalHttp?: boolean;
  maxRedirects?: number;
}

type Resolved = { address: string; family: number };

/** One request's answer: a feed answer, or a redirect to follow. */
type Hop = FeedAnswer | { kind: 'redirect'; status: number; location: string };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const isLoopbackAddress = (address: string): boolean =>
  address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(address);

const failed = (error: string, status?: number, retryAfterMs?: number): FeedAnswer => ({
  kind: 'failed',
  error,
  ...(status !== undefined ? { status } : {}),
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});

/** `Retry-After` as milliseconds from now: a number of seconds or an HTTP date. */
export const retryAfterMs = (value: string | undefined, now = Date.now()): number | undefined => {
  if (!value) return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
};

const header = (res: IncomingMessage, name: string): string | undefined => {
  const value = res.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text && text.length <= MAX_VALIDATOR_LENGTH ? text : undefined;
};

/** Name resolution that took the whole time of the fetch. */
class ResolveTimeout extends Error {}

/** A promise that rejects with `onTimeout()` once `deadline` (epoch ms) has passed. */
const withDeadline = <T>(promise: Promise<T>, deadline: number, onTimeout: () => Error): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
};

/**
 * Fetches a feed safely, as webhooks are posted (functions/adapters/webhook/https-poster.ts):
 * the URL must pass the SSRF check, every address its name resolves to must be allowed, and
 * the connection is pinned to the checked address. Redirects are followed, at most
 * {@link MAX_FEED_REDIRECTS}, each target checked again the same way (and never from https to
 * plain http). One deadline covers the whole fetch, every redirect included; the body is read
 * up to `maxBytes` and a longer one is cut off. An unsafe URL or redirect throws
 * {@link UnsafeFeedUrlError}; everything else is an answer.
 */
export const fetchFeed = async (
  request: FeedRequest,
  options: FeedFetchOptions = {},
): Promise<FeedAnswer> => {
  const deadline = Date.now() + request.timeoutMs;
  const maxRedirects = options.maxRedirects ?? MAX_FEED_REDIRECTS;
  let url = checkFeedUrl(request.url, options);
  let movedTo: string | undefined;
  let permanent = true;
  for (let hop = 0; ; hop++) {
    const answer = await getOnce(url, request, deadline, options);
    if (answer.kind !== 'redirect') {
      return movedTo && permanent && answer.kind !== 'failed' ? { ...answer, movedTo } : answer;
    }
    if (hop >= maxRedirects) return failed(`more than ${maxRedirects} redirects`, answer.status);
    let next: URL;
    try {
      next = new URL(answer.location, url);
    } catch {
      return failed(`a redirect (${answer.status}) to something that is not a URL`, answer.status);
    }
    if (url.protocol === 'https:' && next.protocol !== 'https:') {
      throw new UnsafeFeedUrlError(
        `a redirect from https to ${next.protocol.replace(':', '')} is not followed`,
      );
    }
    try {
      url = checkFeedUrl(next.href, options);
    } catch (e) {
      throw new UnsafeFeedUrlError(`a redirect (${answer.status}) is refused: ${(e as Error).message}`);
    }
    permanent &&= answer.status === 301 || answer.status === 308;
    movedTo = url.href;
  }
};

/** One GET, pinned to a checked address, within the deadline. */
const getOnce = async (
  url: URL,
  request: FeedRequest,
  deadline: number,
  options: FeedFetchOptions,
): Promise<Hop> => {
  const timedOut = () => failed(`no complete answer within ${request.timeoutMs} ms`);
  const secure = url.protocol === 'https:';
  const allowed = secure ? (options.isAllowed ?? isPublicAddress) : isLoopbackAddress;
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  const resolve = options.resolve ?? ((name: string) => lookup(name, { all: true }));
  let addresses: Resolved[];
  try {
    addresses = isIP(host)
      ? [{ address: host, family: isIP(host) }]
      : await withDeadline(resolve(host), deadline, () => new ResolveTimeout());
  } catch (e) {
    if (e instanceof ResolveTimeout) return timedOut();
    return failed(`cannot resolve ${host}: ${(e as { code?: string }).code ?? (e as Error).message}`);
  }
  const refused = addresses.find((a) => !allowed(a.address));
  if (addresses.length === 0 || refused) {
    throw new UnsafeFeedUrlError(
      `${host} resolves to ${refused?.address ?? 'nothing'}, which feeds may not be fetched from`,
    );
  }
  const target = addresses[0] as Resolved;
  return new Promise<Hop>((settle) => {
    let settled = false;
    const finish = (hop: Hop) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      settle(hop);
      req.destroy();
    };
    const req = (secure ? httpsRequest : httpRequest)(
      {
        protocol: url.protocol,
        hostname: host,
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        // Bodies are counted as they arrive: a compressed one could expand past the limit.
        headers: { ...request.headers, 'accept-encoding': 'identity' },
        agent: false,
        ...(secure && !isIP(host) ? { servername: host } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
        // Pin the connection to the address that was checked (Node asks for all addresses
        // when it may try several families).
        lookup: (_name, opts, callback) =>
          (opts as { all?: boolean }).all
            ? (callback as unknown as (e: null, a: Resolved[]) => void)(null, [target])
            : callback(null, target.address, target.family),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (REDIRECTS.has(status)) {
          const location = res.headers.location;
          finish(
            location
              ? { kind: 'redirect', status, location }
              : failed(`a redirect (${status}) without a Location`, status),
          );
          return;
        }
        const validators = {
          ...(header(res, 'etag') ? { etag: header(res, 'etag') as string } : {}),
          ...(header(res, 'last-modified') ? { lastModified: header(res, 'last-modified') as string } : {}),
        };
        if (status === 304) {
          finish({ kind: 'not-modified', ...validators });
          return;
        }
        if (status !== 200 && status !== 203) {
          finish(
            failed(
              `the server answered ${status}${res.statusMessage ? ` ${res.statusMessage.slice(0, 60)}` : ''}`,
              status,
              status === 429 || status === 503 ? retryAfterMs(header(res, 'retry-after')) : undefined,
            ),
          );
          return;
        }
        const encoding = header(res, 'content-encoding');
        if (encoding && encoding.toLowerCase() !== 'identity') {
          finish(
            failed(`the answer is compressed (${encoding.slice(0, 20)}), which was not asked for`, status),
          );
          return;
        }
        const tooLarge = () =>
          failed(`the document is over the ${request.maxBytes}-byte limit for one file`, status);
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > request.maxBytes) {
          finish(tooLarge());
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxBytes) finish(tooLarge());
          else chunks.push(chunk);
        });
        res.on('end', () =>
          finish({
            kind: 'document',
            body: new Uint8Array(Buffer.concat(chunks)),
            ...validators,
            ...(header(res, 'content-type') ? { contentType: header(res, 'content-type') as string } : {}),
          }),
        );
        res.on('close', () => {
          if (!res.complete) finish(failed('the connection closed before the document was complete', status));
        });
      },
    );
    const timer = setTimeout(() => finish(timedOut()), Math.max(0, deadline - Date.now()));
    req.on('error', (e) => finish(failed(e.message)));
    req.end();
  });
};
