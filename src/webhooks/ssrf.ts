// SSRF guard: webhook URLs are tenant input, so deliveries may only reach public addresses. The check runs on
// the resolved IP at connect time (the socket connects to the address that was checked: no DNS rebinding).
import dns from 'node:dns';
import net from 'node:net';

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

type Family = 'ipv4' | 'ipv6';

/** One BlockList per reason, in table order (the first reason that matches is the one reported). */
function byReason(table: [string, number, string][], family: Family): [string, net.BlockList][] {
  const lists = new Map<string, net.BlockList>();
  for (const [address, prefix, reason] of table) {
    const list = lists.get(reason) ?? new net.BlockList();
    list.addSubnet(address, prefix, family);
    lists.set(reason, list);
  }
  return [...lists];
}

const v4Rules = byReason(V4, 'ipv4');
const v6Rules = byReason(V6, 'ipv6');

function subnet(address: string, prefix: number): net.BlockList {
  const list = new net.BlockList();
  list.addSubnet(address, prefix, 'ipv6');
  return list;
}

// IPv6 forms that carry an IPv4 address, and the 16-bit group where it starts. BlockList finds the form but cannot
// hand back the embedded address (it matches IPv4 rules against ::ffff:a.b.c.d itself, but not NAT64 or 6to4, and
// the reason must say the address was wrapped), so it is read from the groups here.
const EMBEDDED_V4: { form: net.BlockList; group: number }[] = [
  { form: subnet('::ffff:0:0', 96), group: 6 }, // IPv4-mapped
  { form: subnet('64:ff9b::', 96), group: 6 }, // NAT64
  { form: subnet('2002::', 16), group: 1 }, // 6to4: 2002:AABB:CCDD::/48
];

/** The eight 16-bit groups of a valid IPv6 address (with or without an embedded dotted quad). */
function v6Groups(ip: string): number[] {
  let s = ip.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, -dotted[0].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g || '0', 16));
}

/** IPv4 hidden inside an IPv6 address (mapped, NAT64, 6to4) so it gets the IPv4 rules. */
function embeddedV4(ip: string): string | undefined {
  const hit = EMBEDDED_V4.find((e) => e.form.check(ip, 'ipv6'));
  if (!hit) return undefined;
  const g = v6Groups(ip);
  const [hi, lo] = [g[hit.group]!, g[hit.group + 1]!];
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

function reasonIn(rules: [string, net.BlockList][], ip: string, family: Family): string | undefined {
  return rules.find(([, list]) => list.check(ip, family))?.[0];
}

/** Why an address is not a public destination, or undefined when it is. Non-IP input is refused. */
export function blockedReason(raw: string): string | undefined {
  const ip = raw.split('%')[0]!; // a zone id names the interface, not the address
  const kind = net.isIP(ip);
  if (kind === 4) return reasonIn(v4Rules, ip, 'ipv4');
  if (kind !== 6) return 'not an IP address';
  const inner = embeddedV4(ip);
  if (inner !== undefined) {
    const reason = reasonIn(v4Rules, inner, 'ipv4');
    return reason ? `${reason} (IPv4 inside IPv6)` : undefined;
  }
  return reasonIn(v6Rules, ip, 'ipv6');
}

/** Hostnames, IPs and CIDRs the operator allows despite the rules (WEBHOOK_ALLOW_HOSTS). */
export class AllowList {
  private readonly hosts = new Set<string>();
  // Kept apart by family so an IPv4 entry allows only IPv4 connections (BlockList would also match ::ffff:a.b.c.d).
  private readonly v4 = new net.BlockList();
  private readonly v6 = new net.BlockList();

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const e = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
      const [addr, bitsText] = e.split('/');
      const kind = net.isIP(addr ?? '');
      if (kind === 0) {
        this.hosts.add(e);
        continue;
      }
      const prefix = bitsText === undefined ? (kind === 4 ? 32 : 128) : Number(bitsText);
      // addSubnet throws ERR_OUT_OF_RANGE on a bad prefix: a typo in WEBHOOK_ALLOW_HOSTS fails loudly.
      (kind === 4 ? this.v4 : this.v6).addSubnet(addr!, prefix, kind === 4 ? 'ipv4' : 'ipv6');
    }
  }

  allowsHost(hostname: string): boolean {
    return this.hosts.has(hostname.toLowerCase());
  }

  allowsIp(ip: string): boolean {
    const kind = net.isIP(ip);
    if (kind === 4) return this.v4.check(ip, 'ipv4');
    return kind === 6 && this.v6.check(ip, 'ipv6');
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
