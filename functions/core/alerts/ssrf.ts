import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may never reach: loopback, private, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, multicast, reserved and "this network" ranges, in
 * IPv4 and IPv6, including IPv4 addresses embedded in IPv6.
 */
const internal = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internal.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
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

/** True when an IP address (v4 or v6) is on the public internet. */
export const isPublicAddress = (address: string): boolean => {
  const family = isIP(address);
  if (family === 4) return !internal.check(address, 'ipv4');
  if (family === 6) {
    const h = hextets(address);
    if (!h || tunnelled(h)) return false;
    if (embeddedIPv4(h).some((a) => internal.check(a, 'ipv4'))) return false;
    return !internal.check(address.replace(/%.*$/, ''), 'ipv6');
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
    throw new UnsafeWebhookUrlError(`"${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:') throw new UnsafeWebhookUrlError('webhooks are delivered over https only');
  if (url.username || url.password)
    throw new UnsafeWebhookUrlError('a webhook URL must not hold credentials');
  // A trailing dot names the same host ("localhost." is localhost).
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  if (isIP(host) && !isPublicAddress(host)) {
    throw new UnsafeWebhookUrlError(`${host} is an internal address`);
  }
  if (/^(localhost|.*\.localhost|.*\.local|.*\.internal)$/i.test(host)) {
    throw new UnsafeWebhookUrlError(`${host} names an internal host`);
  }
  return url;
};
