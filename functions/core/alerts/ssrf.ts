import { BlockList, isIP } from 'node:net';
import { isLoopbackHost } from './subscriber-rules.ts';

/**
 * Addresses a webhook may never reach: every block the IANA IPv4 and IPv6 Special-Purpose
 * Address Registries mark as not globally reachable, plus multicast and the reserved
 * 240.0.0.0/4, and IPv4 addresses embedded in IPv6. On IPv6 only global unicast (2000::/3) is
 * reachable at all, apart from the prefixes that carry an IPv4 address (checked as that IPv4).
 */
const internal = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network" (RFC 791)
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata at 169.254.169.254 (RFC 3927)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments (RFC 6890)
  ['192.0.2.0', 24], // documentation TEST-NET-1 (RFC 5737)
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast (RFC 7526)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['198.51.100.0', 24], // documentation TEST-NET-2
  ['203.0.113.0', 24], // documentation TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the limited broadcast 255.255.255.255
] as const) {
  internal.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard-only (RFC 6666)
  ['100:0:0:1::', 64], // dummy prefix (RFC 9780)
  ['2001::', 23], // IETF protocol assignments: Teredo, benchmarking, ORCHID (RFC 2928)
  ['2001:db8::', 32], // documentation (RFC 3849)
  ['3fff::', 20], // documentation (RFC 9637)
  ['5f00::', 16], // SRv6 segment identifiers (RFC 9602)
  ['fc00::', 7], // unique local (RFC 4193)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local (RFC 3879)
  ['ff00::', 8], // multicast
] as const) {
  internal.addSubnet(net, prefix, 'ipv6');
}

/** The 8 hextets of an IPv6 address in any spelling (`::`, embedded dotted IPv4, upper case). */
const hextets = (ipv6: string): number[] | undefined => {
  let text = ipv6.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return undefined;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((h) =>
    parseInt(h, 16),
  );
  return all.length === 8 && all.every((h) => h >= 0 && h <= 0xffff) ? all : undefined;
};

const v4 = (high: number, low: number) => [high >> 8, high & 255, low >> 8, low & 255].join('.');

/**
 * Every IPv4 address an IPv6 address carries inside it: IPv4-compatible (`::a.b.c.d`),
 * IPv4-mapped (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`), NAT64 (`64:ff9b::/96`),
 * 6to4 (`2002:AABB:CCDD::`) and Teredo (server and, inverted, client).
 */
const embeddedIPv4 = (h: number[]): string[] => {
  const [h0, h1, h2, h3, h4, h5, h6, h7] = h as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const out: string[] = [];
  const zeroTo = (n: number) => h.slice(0, n).every((x) => x === 0);
  if (zeroTo(6)) out.push(v4(h6, h7));
  if (zeroTo(5) && h5 === 0xffff) out.push(v4(h6, h7));
  if (zeroTo(4) && h4 === 0xffff && h5 === 0) out.push(v4(h6, h7));
  if (h0 === 0x64 && h1 === 0xff9b && h2 === 0 && h3 === 0 && h4 === 0 && h5 === 0) out.push(v4(h6, h7));
  if (h0 === 0x2002) out.push(v4(h1, h2));
  if (h0 === 0x2001 && h1 === 0) out.push(v4(h2, h3), v4(h6 ^ 0xffff, h7 ^ 0xffff));
  return out;
};

/** Tunnels and local-use translation prefixes that can reach a private network: never allowed. */
const tunnelled = (h: number[]): boolean =>
  (h[0] === 0x64 && h[1] === 0xff9b && h[2] === 1) || (h[0] === 0x2001 && h[1] === 0);

/**
 * Prefixes outside 2000::/3 through which an IPv4 address is reached: IPv4-mapped
 * (`::ffff:0:0/96`), IPv4-translated (`::ffff:0:0:0/96`) and the well-known NAT64 prefix
 * (`64:ff9b::/96`). The deprecated IPv4-compatible form (`::a.b.c.d`) is not among them.
 */
const reachesIPv4 = (h: number[]): boolean => {
  const zeroTo = (n: number) => h.slice(0, n).every((x) => x === 0);
  return (
    (zeroTo(5) && h[5] === 0xffff) ||
    (zeroTo(4) && h[4] === 0xffff && h[5] === 0) ||
    (h[0] === 0x64 && h[1] === 0xff9b && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0)
  );
};

/** Global unicast, 2000::/3: the only IPv6 space that is routed on the internet. */
const globalUnicast = (h: number[]): boolean => ((h[0] ?? 0) & 0xe000) === 0x2000;

/** True when an IP address (v4 or v6) is on the public internet. */
export const isPublicAddress = (address: string): boolean => {
  const family = isIP(address);
  if (family === 4) return !internal.check(address, 'ipv4');
  if (family === 6) {
    const h = hextets(address);
    if (!h || tunnelled(h)) return false;
    if (embeddedIPv4(h).some((a) => internal.check(a, 'ipv4'))) return false;
    if (internal.check(address.replace(/%.*$/, ''), 'ipv6')) return false;
    return globalUnicast(h) || reachesIPv4(h);
  }
  return false;
};

/** Why a webhook URL is refused. */
export class UnsafeWebhookUrlError extends Error {
  override readonly name = 'UnsafeWebhookUrlError';
}

/**
 * Checks a webhook URL before any connection: https only, no user name or password, and a
 * host that is not an internal address however it is spelt. The WHATWG URL parser turns
 * decimal (`2130706433`), octal (`0177.0.0.1`) and hex (`0x7f.1`) IPv4 spellings into
 * dotted form, so they are checked like any other address. Names are checked again after
 * DNS resolution, on every address they resolve to.
 */
export const checkWebhookUrl = (raw: string): URL => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not repeated: the URL may come from a secret.
    throw new UnsafeWebhookUrlError(`the webhook URL (${raw.length} characters) is not a URL`);
  }
  if (url.protocol !== 'https:') throw new UnsafeWebhookUrlError('webhooks are delivered over https only');
  if (url.username || url.password)
    throw new UnsafeWebhookUrlError('a webhook URL must not hold credentials');
  const internal = internalHostProblem(url);
  if (internal) throw new UnsafeWebhookUrlError(internal);
  return url;
};

/**
 * Why a URL's host is internal (an internal address however it is spelt, or a name that only
 * resolves inside a network), or undefined for a host that may be public.
 */
const internalHostProblem = (url: URL): string | undefined => {
  // A trailing dot names the same host ("localhost." is localhost).
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  if (isIP(host) && !isPublicAddress(host)) return `${host} is an internal address`;
  if (/^(localhost|.*\.localhost|.*\.local|.*\.internal)$/i.test(host))
    return `${host} names an internal host`;
  return undefined;
};

/** Why a feed URL (or a redirect on the way to the feed) is refused. */
export class UnsafeFeedUrlError extends Error {
  override readonly name = 'UnsafeFeedUrlError';
}

/**
 * Checks a feed URL, and every redirect target, before any connection: the same rules as a
 * webhook URL (https, no user name or password, no internal host), except that with
 * `allowLocalHttp` (the local runtime only) plain http to this machine's loopback is allowed.
 * Names are checked again after DNS resolution by the fetcher.
 */
export const checkFeedUrl = (raw: string, options: { allowLocalHttp?: boolean } = {}): URL => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeFeedUrlError(`the feed URL (${raw.length} characters) is not a URL`);
  }
  if (url.username || url.password) throw new UnsafeFeedUrlError('a feed URL must not hold credentials');
  if (url.protocol === 'http:' && options.allowLocalHttp && isLoopbackHost(url.hostname)) return url;
  if (url.protocol !== 'https:') {
    throw new UnsafeFeedUrlError(
      options.allowLocalHttp
        ? 'feeds are fetched over https (plain http only from this machine: localhost, 127.0.0.1 or [::1])'
        : 'feeds are fetched over https only',
    );
  }
  const internal = internalHostProblem(url);
  if (internal) throw new UnsafeFeedUrlError(internal);
  return url;
};
