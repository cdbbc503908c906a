// The client address behind proxies: the chain [...X-Forwarded-For, peer] read from the right past trusted hops.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { addressKey, clientIpResolver, normalizeIp } from '../../src/http/client-ip.js';
import { waitText } from '../../src/http/html.js';

const resolve = (trustProxy: string, peer: string, xff?: string) =>
  clientIpResolver(loadConfig({ TRUST_PROXY: trustProxy }).trustProxy)({
    socket: { remoteAddress: peer },
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  } as IncomingMessage);

describe('client address', () => {
  it('is the peer when no proxy is trusted, whatever the headers say', () => {
    expect(resolve('false', '203.0.113.1', '198.51.100.1')).toBe('203.0.113.1');
    expect(resolve('false', '::ffff:203.0.113.1')).toBe('203.0.113.1');
  });

  it('with N hops is N places left of the peer, never further left', () => {
    expect(resolve('1', '10.0.0.1', 'spoofed, 203.0.113.9')).toBe('203.0.113.9');
    expect(resolve('2', '10.0.0.1', '1.1.1.1, 203.0.113.9, 10.0.0.5')).toBe('203.0.113.9');
    expect(resolve('1', '10.0.0.1')).toBe('10.0.0.1');
    // Fewer entries than hops: the left-most there is (a request that skipped a proxy; use CIDRs to rule that out).
    expect(resolve('3', '10.0.0.1', '203.0.113.9')).toBe('203.0.113.9');
    // A garbled entry falls back to the nearest readable one to its right.
    expect(resolve('1', '10.0.0.1', '203.0.113.9, not-an-ip')).toBe('10.0.0.1');
  });

  it('with CIDRs is the right-most address that is not a trusted proxy', () => {
    const trust = '10.0.0.0/8,fd00::/8';
    expect(resolve(trust, '10.0.0.1', 'spoofed, 203.0.113.9, 10.1.2.3')).toBe('203.0.113.9');
    expect(resolve(trust, '10.0.0.1', '2001:db8::7, fd00::1')).toBe('2001:db8::7');
    expect(resolve(trust, '10.0.0.1', '203.0.113.9:51234')).toBe('203.0.113.9');
    expect(resolve(trust, '10.0.0.1', '[2001:db8::7]:443')).toBe('2001:db8::7');
    // Not from a trusted proxy: the header is the client's own invention.
    expect(resolve(trust, '203.0.113.50', '198.51.100.1')).toBe('203.0.113.50');
    // Only proxies in the chain: the left-most of them; garbage from a proxy: that proxy.
    expect(resolve(trust, '10.0.0.1', '10.0.0.2')).toBe('10.0.0.2');
    expect(resolve(trust, '10.0.0.1', 'garbage, 10.0.0.2')).toBe('10.0.0.2');
  });

  it('limits IPv6 clients by their /64, IPv4 by address', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(normalizeIp('2001:DB8::1')).toBe('2001:db8::1');
    expect(normalizeIp('')).toBeUndefined();
  });
});

describe('wait text', () => {
  it('says a wait the way a person would', () => {
    expect(waitText(3423)).toBe('57 minutes');
    expect(waitText(45)).toBe('45 seconds');
    expect(waitText(1)).toBe('1 second');
    expect(waitText(61)).toBe('1 minute');
    expect(waitText(3600)).toBe('1 hour');
    expect(waitText(5400)).toBe('1 hour 30 minutes');
  });
});
