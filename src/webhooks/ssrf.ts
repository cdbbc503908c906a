// SSRF guard: webhook URLs are tenant input, so deliveries may only reach public addresses. The check runs on
// the resolved IP at connect time (the socket connects to the address that was checked: no DNS rebinding).
import dns from 'node:dns';
import net from 'node:net';

type Range = { base: bigint; bits: number; reason: string };

const V4: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes the 169.254.169.254 metadata service
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes 255.255.255.255 broadcast
];
const V6: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'reserved'], // IPv4-compatible, deprecated
  ['100::', 64, 'discard'],
  ['2001::', 32, 'teredo'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'private'], // unique local; includes fd00:ec2::254 (AWS metadata over IPv6)
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

function v4ToBig(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** 128-bit value of an IPv6 address (with or without an embedded dotted quad). */
function v6ToBig(ip: string): bigint {
  let s = ip.split('%')[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const v = v4ToBig(dotted[1]!);
    s = `${s.slice(0, -dotted[1]!.length)}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

const v4Ranges: Range[] = V4.map(([a, bits, reason]) => ({ base: v4ToBig(a), bits, reason }));
const v6Ranges: Range[] = V6.map(([a, bits, reason]) => ({ base: v6ToBig(a), bits, reason }));

function inRange(value: bigint, width: number, r: { base: bigint; bits: number }): boolean {
  const shift = BigInt(width - r.bits);
  return value >> shift === r.base >> shift;
}

/** IPv4 hidden inside an IPv6 address (mapped, NAT64, 6to4) so it gets the IPv4 rules. */
function embeddedV4(v: bigint): bigint | undefined {
  if (v >> 32n === 0xffffn) return v & 0xffffffffn; // ::ffff:a.b.c.d
  if (v >> 32n === 0x64ff9bn << 64n) return v & 0xffffffffn; // 64:ff9b::/96
  if (v >> 112n === 0x2002n) return (v >> 80n) & 0xffffffffn; // 2002:AABB:CCDD::/48
  return undefined;
}

/** Why an address is not a public destination, or undefined when it is. Non-IP input is refused. */
export function blockedReason(ip: string): string | undefined {
  const kind = net.isIP(ip.split('%')[0]!);
  if (kind === 4) return v4Ranges.find((r) => inRange(v4ToBig(ip), 32, r))?.reason;
  if (kind !== 6) return 'not an IP address';
  const v = v6ToBig(ip);
  const inner = embeddedV4(v);
  if (inner !== undefined) {
    const reason = v4Ranges.find((r) => inRange(inner, 32, r))?.reason;
    return reason ? `${reason} (IPv4 inside IPv6)` : undefined;
  }
  return v6Ranges.find((r) => inRange(v, 128, r))?.reason;
}

/** Hostnames, IPs and CIDRs the operator allows despite the rules (WEBHOOK_ALLOW_HOSTS). */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly ranges: { v6: boolean; base: bigint; bits: number }[] = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const e = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
      const [addr, bitsText] = e.split('/');
      const kind = net.isIP(addr ?? '');
      if (kind === 0) {
        this.hosts.add(e);
        continue;
      }
      const width = kind === 4 ? 32 : 128;
      const bits = bitsText === undefined ? width : Number(bitsText);
      this.ranges.push({ v6: kind === 6, base: kind === 4 ? v4ToBig(addr!) : v6ToBig(addr!), bits });
    }
  }

  allowsHost(hostname: string): boolean {
    return this.hosts.has(hostname.toLowerCase());
  }

  allowsIp(ip: string): boolean {
    const kind = net.isIP(ip);
    if (kind === 0) return false;
    const value = kind === 4 ? v4ToBig(ip) : v6ToBig(ip);
    return this.ranges.some((r) => r.v6 === (kind === 6) && inRange(value, r.v6 ? 128 : 32, r));
  }
}

/** URL host without IPv6 brackets. */
export function bareHostname(u: URL): string {
  return u.hostname.replace(/^\[|\]$/g, '');
}

/** Scheme and literal-IP rules for a URL a tenant registers; returns a refusal reason or undefined. */
export function urlRefusal(raw: string, opts: { isProduction: boolean; allow: AllowList }): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'not an absolute URL';
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && !opts.isProduction)) {
    return opts.isProduction ? 'must use https' : 'must use https (or http outside production)';
  }
  if (u.username || u.password) return 'must not contain credentials';
  if (u.hash) return 'must not contain a fragment';
  const host = bareHostname(u);
  if (net.isIP(host) && !opts.allow.allowsHost(host) && !opts.allow.allowsIp(host)) {
    const reason = blockedReason(host);
    if (reason) return `resolves to a ${reason} address`;
  }
  return undefined;
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

export class DestinationRefused extends Error {
  override name = 'DestinationRefused';
}

/** Every address the name resolves to must be public (or allow-listed); one bad answer refuses the host. */
export async function resolveChecked(hostname: string, resolver: Resolver, allow: AllowList): Promise<{ address: string; family: number }[]> {
  if (net.isIP(hostname)) {
    const reason = allow.allowsHost(hostname) || allow.allowsIp(hostname) ? undefined : blockedReason(hostname);
    if (reason) throw new DestinationRefused(`${hostname} is a ${reason} address`);
    return [{ address: hostname, family: net.isIP(hostname) }];
  }
  const addresses = await resolver(hostname);
  if (addresses.length === 0) throw new DestinationRefused(`${hostname} does not resolve`);
  if (allow.allowsHost(hostname)) return addresses;
  for (const a of addresses) {
    const reason = allow.allowsIp(a.address) ? undefined : blockedReason(a.address);
    if (reason) throw new DestinationRefused(`${hostname} resolves to a ${reason} address`);
  }
  return addresses;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for http(s).request that hands the socket only checked addresses. */
export function guardedLookup(resolver: Resolver, allow: AllowList) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolveChecked(hostname, resolver, allow).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (wanted.length === 0) return callback(Object.assign(new Error(`no IPv${options.family} address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        if (options.all) return callback(null, wanted);
        return callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: Error) => callback(Object.assign(err, { code: 'EREFUSED_DESTINATION' }), ''),
    );
  };
}
