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

/** The IPv4 address inside an IPv6 one (`::ffff:a.b.c.d`, `64:ff9b::a.b.c.d`, 6to4), if any. */
const embeddedIPv4 = (ipv6: string): string | undefined => {
  const lower = ipv6.toLowerCase();
  const dotted = /(?:^::ffff:|^::|^64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const n = (parseInt(hex[1] as string, 16) << 16) | parseInt(hex[2] as string, 16);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(lower);
  if (sixToFour) {
    const n = (parseInt(sixToFour[1] as string, 16) << 16) | parseInt(sixToFour[2] as string, 16);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  return undefined;
};

/** True when an IP address (v4 or v6) is on the public internet. */
export const isPublicAddress = (address: string): boolean => {
  const family = isIP(address);
  if (family === 4) return !internal.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIPv4(address);
    if (v4 !== undefined && internal.check(v4, 'ipv4')) return false;
    return !internal.check(address, 'ipv6');
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
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !isPublicAddress(host)) {
    throw new UnsafeWebhookUrlError(`${host} is an internal address`);
  }
  if (/^(localhost|.*\.localhost|.*\.local|.*\.internal)$/i.test(host)) {
    throw new UnsafeWebhookUrlError(`${host} names an internal host`);
  }
  return url;
};
