// SSRF guard: address rules, URL rules at registration, and the check on the resolved IP at delivery time.
// Resolvers are injected; nothing here sends traffic anywhere but 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllowList, blockedReason, urlRefusal, type Resolver } from '../../src/webhooks/ssrf.js';
import { emitEvent } from '../../src/webhooks/outbox.js';
import { createEndpoint } from '../../src/webhooks/service.js';
import { buildWebhookParts } from '../../src/webhooks/workers.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { startReceiver, tenantWithKey, type Receiver } from './support.js';

describe('address rules', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.100.100.200', 'cgnat'],
    ['224.0.0.251', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'private'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback (IPv4 inside IPv6)'],
    ['::ffff:7f00:1', 'loopback (IPv4 inside IPv6)'],
    ['::ffff:a9fe:a9fe', 'link-local (IPv4 inside IPv6)'],
    ['64:ff9b::a00:1', 'private (IPv4 inside IPv6)'],
    ['2002:a00:1::1', 'private (IPv4 inside IPv6)'],
  ])('%s is refused (%s)', (ip, reason) => {
    expect(blockedReason(ip)).toBe(reason);
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => {
    expect(blockedReason(ip)).toBeUndefined();
  });

  it('refuses non-IP input', () => {
    expect(blockedReason('localhost')).toBe('not an IP address');
  });
});

describe('URLs at registration', () => {
  const allow = new AllowList([]);
  it.each([
    'https://127.0.0.1/hook',
    'https://10.0.0.1/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://2130706433/hook', // 127.0.0.1 as one number
    'https://0x7f.1/hook',
  ])('refuses %s', (url) => {
    expect(urlRefusal(url, { isProduction: false, allow })).toMatch(/address$/);
  });

  it('requires https in production, allows http elsewhere, refuses credentials and other schemes', () => {
    expect(urlRefusal('http://hooks.example.com/x', { isProduction: true, allow })).toBe('must use https');
    expect(urlRefusal('http://hooks.example.com/x', { isProduction: false, allow })).toBeUndefined();
    expect(urlRefusal('https://hooks.example.com/x', { isProduction: true, allow })).toBeUndefined();
    expect(urlRefusal('https://u:p@hooks.example.com/x', { isProduction: false, allow })).toBe('must not contain credentials');
    expect(urlRefusal('ftp://hooks.example.com/x', { isProduction: false, allow })).toMatch(/https/);
    expect(urlRefusal('not a url', { isProduction: false, allow })).toBe('not an absolute URL');
  });

  it('lets the allow-list through (hosts, IPs, CIDRs)', () => {
    expect(urlRefusal('http://127.0.0.1:8080/x', { isProduction: false, allow: new AllowList(['127.0.0.1']) })).toBeUndefined();
    expect(urlRefusal('http://10.1.2.3/x', { isProduction: false, allow: new AllowList(['10.0.0.0/8']) })).toBeUndefined();
    expect(urlRefusal('http://[::1]/x', { isProduction: false, allow: new AllowList(['[::1]']) })).toBeUndefined();
    expect(urlRefusal('http://10.1.2.3/x', { isProduction: false, allow: new AllowList(['10.0.0.0/16']) })).toMatch(/private/);
  });
});

describe('at delivery time', () => {
  let deps: TestDeps;
  let receiver: Receiver;
  let tenantId: string;
  const names: Record<string, string[]> = {
    'internal.example': ['10.1.2.3'],
    'sneaky.example': ['93.184.216.34', '192.168.0.10'],
    'metadata.example': ['169.254.169.254'],
    'v6loop.example': ['::1'],
    'receiver.test': ['127.0.0.1'],
  };
  const resolver: Resolver = async (host) =>
    (names[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  beforeAll(async () => {
    deps = await createTestDeps();
    receiver = await startReceiver();
    tenantId = (await tenantWithKey(deps.db.knex)).tenantId;
  });
  afterAll(async () => {
    await receiver.close();
    await deps.cleanup();
  });

  async function attempt(host: string, allowHosts: string[]): Promise<{ status: string; last_error: string | null }> {
    const d = { ...deps, config: { ...deps.config, webhooks: { ...deps.config.webhooks, allowHosts } } };
    const ep = await createEndpoint(d, tenantId, { url: `http://${host}:${receiver.port}/hook`, events: ['webhook.test'] });
    const parts = buildWebhookParts(d, { resolver });
    const { id } = await deps.db.knex.transaction((trx) => emitEvent(trx, { tenantId, type: 'webhook.test', data: {}, endpointId: ep.id }));
    await parts.relay.drain();
    await parts.dispatchers[0]!.runOnce();
    parts.client.close();
    return deps.db.knex('webhook_deliveries').where({ event_id: id }).first();
  }

  it.each([
    ['internal.example', /resolves to a private address/],
    ['sneaky.example', /resolves to a private address/],
    ['metadata.example', /resolves to a link-local address/],
    ['v6loop.example', /resolves to a loopback address/],
    ['receiver.test', /resolves to a loopback address/],
  ])('refuses %s before connecting', async (host, error) => {
    const d = await attempt(host, []);
    expect(d.status).toBe('pending'); // retried later: DNS may change
    expect(d.last_error).toMatch(/^refused: /);
    expect(d.last_error).toMatch(error);
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses a literal IP that was allowed when registered but is not any more', async () => {
    const d = { ...deps, config: { ...deps.config, webhooks: { ...deps.config.webhooks, allowHosts: ['127.0.0.1'] } } };
    const ep = await createEndpoint(d, tenantId, { url: receiver.url, events: ['webhook.test'] });
    const parts = buildWebhookParts(deps);
    const { id } = await deps.db.knex.transaction((trx) => emitEvent(trx, { tenantId, type: 'webhook.test', data: {}, endpointId: ep.id }));
    await parts.relay.drain();
    await parts.dispatchers[0]!.runOnce();
    parts.client.close();
    const row = await deps.db.knex('webhook_deliveries').where({ event_id: id }).first();
    expect(row.last_error).toBe('refused: 127.0.0.1 is a loopback address');
    expect(receiver.received).toHaveLength(0);
  });

  it('connects to the address it checked (a name only the injected resolver knows)', async () => {
    const d = await attempt('receiver.test', ['127.0.0.1']);
    expect(d.status).toBe('delivered');
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.headers.host).toBe(`receiver.test:${receiver.port}`);
  });
});
