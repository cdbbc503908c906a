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
  { form: subnet('::ffff:0:0:0', 96), group: 6 }, // IPv4-translated (SIIT)
  { form: subnet('64:ff9b::', 96), group: 6 }, // NAT64
  { form: subnet('2002::', 16), group: 1 }, // 6to4: 2002:AABB:CCDD::/48
];

/** Literal forms refused when an endpoint is registered, whatever IPv4 address they carry. */
const IPV4_IN_IPV6_LITERAL = [
  { name: 'mapped', list: subnet('::ffff:0:0', 96) },
  { name: 'translated', list: subnet('::ffff:0:0:0', 96) },
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

/** The ports an allow-list entry opens: a bare entry only the default web ports, `:port` one, `:*` every port. */
type Ports = 'default' | '*' | number;
const DEFAULT_PORTS = new Set([80, 443]);

interface AllowEntry {
  host?: string;
  net?: { list: net.BlockList; family: Family };
  ports: Ports;
}

/** Splits `host`, `host:port`, `1.2.3.4/8:port`, `[v6]:port`, `[v6/64]:*` or a bare IPv6 (`::1`, `fd00::/8`). */
function splitPort(entry: string): { addr: string; ports: Ports } {
  const bracket = /^\[([^\]]+)\](?::(\*|\d+))?$/.exec(entry);
  if (bracket) return { addr: bracket[1]!, ports: portOf(bracket[2]) };
  const colons = entry.split(':').length - 1;
  if (colons !== 1) return { addr: entry, ports: 'default' }; // a host, an IPv4, or an unbracketed IPv6
  const [addr, port] = entry.split(':') as [string, string];
  return { addr, ports: portOf(port) };
}

function portOf(text: string | undefined): Ports {
  if (text === undefined) return 'default';
  if (text === '*') return '*';
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new Error(`WEBHOOK_ALLOW_HOSTS: bad port "${text}" (a number 1-65535, or *)`);
  return port;
}

const portAllowed = (ports: Ports, port: number) => (ports === '*' ? true : ports === 'default' ? DEFAULT_PORTS.has(port) : ports === port);

/**
 * Hostnames, IPs and CIDRs the operator allows despite the rules (WEBHOOK_ALLOW_HOSTS), each on its own ports:
 * `name` or `10.0.0.0/8` opens only ports 80 and 443, `name:8443` that port, `name:*` every port.
 */
export class AllowList {
  private readonly entries: AllowEntry[] = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const { addr, ports } = splitPort(raw.trim().toLowerCase());
      const [ip, bitsText] = addr.split('/');
      const kind = net.isIP(ip ?? '');
      if (kind === 0) {
        if (bitsText !== undefined || !addr) throw new Error(`WEBHOOK_ALLOW_HOSTS: "${raw}" is neither a host name nor an IP or CIDR`);
        this.entries.push({ host: addr, ports });
        continue;
      }
      // Kept apart by family so an IPv4 entry allows only IPv4 connections (BlockList would also match ::ffff:a.b.c.d).
      const family: Family = kind === 4 ? 'ipv4' : 'ipv6';
      const prefix = bitsText === undefined ? (kind === 4 ? 32 : 128) : Number(bitsText);
      const list = new net.BlockList();
      // addSubnet throws ERR_OUT_OF_RANGE on a bad prefix: a typo in WEBHOOK_ALLOW_HOSTS fails loudly.
      list.addSubnet(ip!, prefix, family);
      this.entries.push({ net: { list, family }, ports });
    }
  }

  /** Whether `host` (a name or an IP) may be reached on `port`. */
  allows(host: string, port: number): boolean {
    return this.entries.some((e) => matches(e, host) && portAllowed(e.ports, port));
  }

  /** Whether some entry names this host or IP, whatever its ports. */
  listsOnAnyPort(host: string): boolean {
    return this.entries.some((e) => matches(e, host));
  }
}

function matches(e: AllowEntry, host: string): boolean {
  if (e.host !== undefined) return e.host === host.toLowerCase();
  const kind = net.isIP(host);
  const family: Family = kind === 4 ? 'ipv4' : 'ipv6';
  return kind !== 0 && e.net!.family === family && e.net!.list.check(host, family);
}

/** The port a URL connects to. */
export const portOfUrl = (u: URL): number => (u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80);

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
  if (net.isIP(host) && !opts.allow.allows(host, portOfUrl(u))) {
    // Written as IPv6 but meaning an IPv4 address: whichever it is, the tenant should write the IPv4 address.
    if (IPV4_IN_IPV6_LITERAL.some((f) => f.list.check(host, 'ipv6'))) {
      return `is an IPv4-${IPV4_IN_IPV6_LITERAL.find((f) => f.list.check(host, 'ipv6'))!.name} IPv6 address; write the IPv4 address`;
    }
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

/**
 * Every address the name resolves to must be public (or allow-listed on this port); one bad answer refuses the
 * host. The messages name addresses: they are for the operator's log, never the tenant (see http-client.ts).
 */
export async function resolveChecked(hostname: string, port: number, resolver: Resolver, allow: AllowList): Promise<{ address: string; family: number }[]> {
  if (net.isIP(hostname)) {
    const reason = allow.allows(hostname, port) ? undefined : blockedReason(hostname);
    if (reason) throw new DestinationRefused(`${hostname} is a ${reason} address${portNote(allow, [hostname], port)}`);
    return [{ address: hostname, family: net.isIP(hostname) }];
  }
  const addresses = await resolver(hostname).catch((err: NodeJS.ErrnoException) => {
    throw new DestinationRefused(`${hostname} does not resolve (${err.code ?? err.message})`);
  });
  if (addresses.length === 0) throw new DestinationRefused(`${hostname} does not resolve`);
  if (allow.allows(hostname, port)) return addresses;
  for (const a of addresses) {
    const reason = allow.allows(a.address, port) ? undefined : blockedReason(a.address);
    if (reason) throw new DestinationRefused(`${hostname} resolves to ${a.address}, a ${reason} address${portNote(allow, [hostname, a.address], port)}`);
  }
  return addresses;
}

/** For the operator: an allow-listed destination refused only because of its port. */
const portNote = (allow: AllowList, names: string[], port: number) =>
  names.some((n) => allow.listsOnAnyPort(n)) ? ` (WEBHOOK_ALLOW_HOSTS lists it, but not for port ${port})` : '';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for http(s).request to `port` that hands the socket only checked addresses. */
export function guardedLookup(resolver: Resolver, allow: AllowList, port: number) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolveChecked(hostname, port, resolver, allow).then(
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
