// SSRF guard: address rules, URL rules at registration, and the check on the resolved IP at delivery time.
// Resolvers are injected; nothing here sends traffic anywhere but 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AllowList, blockedReason, urlRefusal, type Resolver } from '../../src/webhooks/ssrf.js';
import { emitEvent } from '../../src/webhooks/outbox.js';
import { createEndpoint, listAttempts } from '../../src/webhooks/service.js';
import { buildWebhookParts } from '../../src/webhooks/workers.js';
import { createTestDeps, type TestDeps, TEST_ACTOR } from '../support/deps.js';
import { freePort } from '../support/net.js';
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
    ['::ffff:0:7f00:1', 'loopback (IPv4 inside IPv6)'], // IPv4-translated (SIIT)
    ['::ffff:0:a9fe:a9fe', 'link-local (IPv4 inside IPv6)'],
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
    'https://[::ffff:0:127.0.0.1]/hook',
  ])('refuses %s', (url) => {
    expect(urlRefusal(url, { isProduction: false, allow })).toMatch(/address$/);
  });

  it.each([
    ['https://[::ffff:8.8.8.8]/hook', 'mapped'],
    ['https://[::ffff:0:8.8.8.8]/hook', 'translated'],
    ['https://[::ffff:0:0808:0808]/hook', 'translated'],
  ])('refuses IPv4 written as IPv6 at registration, even a public one: %s', (url, form) => {
    expect(urlRefusal(url, { isProduction: false, allow })).toBe(`is an IPv4-${form} IPv6 address; write the IPv4 address`);
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
    expect(urlRefusal('http://127.0.0.1:8080/x', { isProduction: false, allow: new AllowList(['127.0.0.1:8080']) })).toBeUndefined();
    expect(urlRefusal('http://10.1.2.3/x', { isProduction: false, allow: new AllowList(['10.0.0.0/8']) })).toBeUndefined();
    expect(urlRefusal('http://[::1]/x', { isProduction: false, allow: new AllowList(['[::1]']) })).toBeUndefined();
    expect(urlRefusal('http://10.1.2.3/x', { isProduction: false, allow: new AllowList(['10.0.0.0/16']) })).toMatch(/private/);
  });

  it('opens only the ports an entry names: a bare entry 80 and 443, host:port that port, host:* every port', () => {
    const refused = (url: string, entries: string[]) => urlRefusal(url, { isProduction: false, allow: new AllowList(entries) });
    expect(refused('http://127.0.0.1/x', ['127.0.0.1'])).toBeUndefined();
    expect(refused('https://127.0.0.1/x', ['127.0.0.1'])).toBeUndefined();
    expect(refused('http://127.0.0.1:6379/x', ['127.0.0.1'])).toMatch(/loopback/);
    expect(refused('http://127.0.0.1:8080/x', ['127.0.0.1:8080'])).toBeUndefined();
    expect(refused('http://127.0.0.1:8081/x', ['127.0.0.1:8080'])).toMatch(/loopback/);
    expect(refused('http://127.0.0.1/x', ['127.0.0.1:8080'])).toMatch(/loopback/);
    expect(refused('http://127.0.0.1:6379/x', ['127.0.0.1:*'])).toBeUndefined();
    expect(refused('http://[::1]:8443/x', ['[::1]:8443'])).toBeUndefined();
    expect(refused('http://[::1]:8444/x', ['[::1]:8443'])).toMatch(/loopback/);
    expect(refused('http://10.9.9.9:8443/x', ['10.0.0.0/8:8443'])).toBeUndefined();
    expect(refused('http://[fd00::5]:9000/x', ['[fd00::/8]:9000'])).toBeUndefined();
    expect(refused('http://[fd00::5]:9000/x', ['fd00::/8'])).toMatch(/private/);
    const list = new AllowList(['hooks.internal:9000', 'dev.internal']);
    expect([list.allows('hooks.internal', 9000), list.allows('hooks.internal', 443), list.allows('dev.internal', 443), list.allows('dev.internal', 22)]).toEqual([true, false, true, false]);
    expect(() => new AllowList(['127.0.0.1:99999'])).toThrow(/bad port/);
    expect(() => new AllowList(['host:abc'])).toThrow(/bad port/);
  });
});

describe('at delivery time', () => {
  let deps: TestDeps;
  let receiver: Receiver;
  let tenantId: string;
  let stderr: string[] = [];
  const names: Record<string, string[]> = {
    'internal.example': ['10.1.2.3'],
    'sneaky.example': ['93.184.216.34', '192.168.0.10'],
    'metadata.example': ['169.254.169.254'],
    'v6loop.example': ['::1'],
    'siit.example': ['::ffff:0:7f00:1'],
    'receiver.test': ['127.0.0.1'],
  };
  const resolver: Resolver = async (host) => {
    if (!names[host]) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return names[host].map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  beforeAll(async () => {
    deps = await createTestDeps();
    receiver = await startReceiver();
    tenantId = (await tenantWithKey(deps.db.knex)).tenantId;
    // The operator's log (log.ts writes warnings to stderr as JSON lines).
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await receiver.close();
    await deps.cleanup();
  });

  // Deliveries refused by earlier tests come due again (retries) and may be sent by a later test's dispatcher with
  // its allow-list: each test counts only its own event at the receiver.
  async function attempt(
    url: string,
    allowHosts: string[],
  ): Promise<{ status: string; last_error: string | null; tenantLog: string; operatorLog: string; received: { headers: Record<string, string> }[] }> {
    stderr = [];
    const d = { ...deps, config: { ...deps.config, webhooks: { ...deps.config.webhooks, allowHosts } } };
    // Registered with the port open, so the URL is accepted whatever the delivery-time allow-list says.
    const ep = await createEndpoint({ ...deps, config: { ...deps.config, webhooks: { ...deps.config.webhooks, allowHosts: ['127.0.0.1:*'] } } }, tenantId, { url, events: ['webhook.test'] }, TEST_ACTOR);
    const parts = buildWebhookParts(d, { resolver });
    const { id } = await deps.db.knex.transaction((trx) => emitEvent(trx, { tenantId, type: 'webhook.test', data: {}, endpointId: ep.id }));
    await parts.relay.drain();
    await parts.dispatchers[0]!.runOnce();
    parts.client.close();
    const row = await deps.db.knex('webhook_deliveries').where({ event_id: id }).first();
    // What the tenant reads: its endpoint's attempt log over the service the API uses.
    const tenantLog = JSON.stringify(await listAttempts(deps, tenantId, ep.id, { limit: 10 }));
    return { ...row, tenantLog, operatorLog: stderr.join(''), received: receiver.received.filter((r) => r.body.includes(id)) };
  }

  it.each([
    ['internal.example', 'resolves to 10.1.2.3, a private address'],
    ['sneaky.example', 'resolves to 192.168.0.10, a private address'],
    ['metadata.example', 'resolves to 169.254.169.254, a link-local address'],
    ['v6loop.example', 'resolves to ::1, a loopback address'],
    ['siit.example', 'resolves to ::ffff:0:7f00:1, a loopback (IPv4 inside IPv6) address'],
    ['receiver.test', 'resolves to 127.0.0.1, a loopback address'],
    ['nowhere.example', 'does not resolve (ENOTFOUND)'],
  ])('refuses %s before connecting; the tenant sees only destination_refused, the operator the reason', async (host, detail) => {
    const d = await attempt(`http://${host}:${receiver.port}/hook`, []);
    expect(d.status).toBe('pending'); // retried later: DNS may change
    expect(d.last_error).toBe('destination_refused');
    expect(d.tenantLog).toContain('"error":"destination_refused"');
    expect(d.tenantLog).not.toMatch(/resolve|private|loopback|link-local|\d+\.\d+\.\d+\.\d+|::/);
    expect(d.operatorLog).toContain(`${host} ${detail}`);
    expect(d.received).toHaveLength(0);
  });

  it('refuses a literal IP that was allowed when registered but is not any more', async () => {
    const d = await attempt(receiver.url, []);
    expect(d.last_error).toBe('destination_refused');
    expect(d.operatorLog).toContain('127.0.0.1 is a loopback address');
    expect(d.received).toHaveLength(0);
  });

  it('refuses an allow-listed host on a port its entry does not open, and says why in the operator log only', async () => {
    const d = await attempt(`http://receiver.test:${receiver.port}/hook`, ['receiver.test']);
    expect(d.last_error).toBe('destination_refused');
    expect(d.operatorLog).toContain(`(WEBHOOK_ALLOW_HOSTS lists it, but not for port ${receiver.port})`);
    expect(d.received).toHaveLength(0);
  });

  it('reports a refused connection as connection_failed; the socket error goes to the operator log', async () => {
    const closed = await freePort();
    const d = await attempt(`http://127.0.0.1:${closed}/hook`, ['127.0.0.1:*']);
    expect(d.last_error).toBe('connection_failed');
    expect(d.tenantLog).not.toContain('ECONNREFUSED');
    expect(d.tenantLog).not.toContain('127.0.0.1');
    expect(d.operatorLog).toContain(`ECONNREFUSED 127.0.0.1:${closed}`);
  });

  it('connects to the address it checked (a name only the injected resolver knows)', async () => {
    const d = await attempt(`http://receiver.test:${receiver.port}/hook`, [`127.0.0.1:${receiver.port}`]);
    expect(d.status).toBe('delivered');
    expect(d.received).toHaveLength(1);
    expect(d.received[0]!.headers.host).toBe(`receiver.test:${receiver.port}`);
  });
});
