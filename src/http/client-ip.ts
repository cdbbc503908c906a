// The client's address behind reverse proxies. Each proxy appends the address it got the request from to
// X-Forwarded-For, so the chain [...X-Forwarded-For, socket peer] can be believed only from its right end: walk it
// from the right past the trusted proxies (TRUST_PROXY: a hop count or their CIDRs); the first address that is not
// one of them is the client. Entries further left were written by the client and are never read.
import type { IncomingMessage } from 'node:http';
import net, { type Socket } from 'node:net';
import type Koa from 'koa';
import type { TrustProxy } from '../config.js';

export type ClientIpResolver = (req: IncomingMessage) => string;

// A connection's peer address is read once, not on each request of a keep-alive connection.
const peers = new WeakMap<Socket, string>();

function peerOf(req: IncomingMessage): string {
  const socket = req.socket;
  let peer = peers.get(socket);
  if (peer === undefined) {
    peer = normalizeIp(socket.remoteAddress ?? '') ?? '';
    // A socket not yet connected (or already gone) has no address yet: ask again next time.
    if (socket.remoteAddress) peers.set(socket, peer);
  }
  return peer;
}

export function clientIpResolver(trust: TrustProxy): ClientIpResolver {
  if (trust.kind === 'none') return peerOf;
  const trusted = trust.kind === 'cidrs' ? blockList(trust.cidrs) : undefined;
  return (req) => {
    const peer = peerOf(req);
    const header = req.headers['x-forwarded-for'];
    if (!header || !peer || (trusted && !isIn(trusted, peer))) return peer;
    const chain = [...(Array.isArray(header) ? header.join(',') : header).split(','), peer];
    if (trust.kind === 'hops') {
      // The peer is the nearest proxy; with N proxies the client is N places left of it (the left-most entry if
      // the chain is shorter). An entry a proxy garbled falls back to the nearest readable address right of it.
      for (let i = Math.max(0, chain.length - 1 - trust.hops); i < chain.length; i++) {
        const ip = normalizeIp(chain[i]!);
        if (ip) return ip;
      }
      return peer;
    }
    let last = peer;
    for (let i = chain.length - 2; i >= 0; i--) {
      const ip = normalizeIp(chain[i]!);
      // Garbage written by a trusted proxy: count the request against that proxy, never against a guess.
      if (!ip) return last;
      if (!isIn(trusted!, ip)) return ip;
      last = ip;
    }
    return last;
  };
}

/** Sets ctx.ip (read by every limit and log line) to the resolved client address, first thing in the chain. */
export function clientIp(trust: TrustProxy): Koa.Middleware {
  const resolve = clientIpResolver(trust);
  return (ctx, next) => {
    ctx.request.ip = resolve(ctx.req);
    return next();
  };
}

/**
 * The unit an address is limited by: an IPv4 address, or an IPv6 /64 (one subscriber's prefix: a client can pick
 * any of its 2^64 addresses, so limiting single IPv6 addresses would limit nothing).
 */
export function addressKey(ip: string): string {
  // Every IPv6 form has a colon: IPv4 skips the long IPv6 pattern.
  if (!ip.includes(':') || !net.isIPv6(ip)) return ip;
  const [head = '', tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const width = (parts: string[]) => parts.length + (parts.at(-1)?.includes('.') ? 1 : 0);
  const zeros = tail === undefined ? [] : Array<string>(Math.max(0, 8 - width(left) - width(right))).fill('0');
  const groups = [...left, ...zeros, ...right].slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16));
  return `${groups.join(':')}::/64`;
}

/** "1.2.3.4", "1.2.3.4:5678", "[::1]:80", "::ffff:1.2.3.4" → the bare address; undefined when it is none. */
export function normalizeIp(raw: string): string | undefined {
  let s = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) s = mapped[1]!;
  const family = net.isIP(s);
  if (!family) return undefined;
  return family === 6 ? s.toLowerCase() : s;
}

function blockList(cidrs: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const cidr of cidrs) {
    const [addr, bits] = cidr.split('/');
    const type = net.isIPv6(addr!) ? 'ipv6' : 'ipv4';
    list.addSubnet(addr!, Number(bits), type);
  }
  return list;
}

function isIn(list: net.BlockList, ip: string): boolean {
  return list.check(ip, net.isIPv6(ip) ? 'ipv6' : 'ipv4');
}
