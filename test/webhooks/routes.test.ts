// The tenant API over HTTP: endpoint CRUD, rotation, test events, the attempt log, redelivery, isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { buildWebhookParts, type WebhookParts } from '../../src/webhooks/workers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startReceiver, type Receiver } from './support.js';

let srv: TestServer;
let receiver: Receiver;
let parts: WebhookParts;
let keyA: string;
let keyB: string;
let keyAId: string;
let tenantA: string;

beforeAll(async () => {
  srv = await startTestServer({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  receiver = await startReceiver();
  parts = buildWebhookParts(srv.deps);
  tenantA = await srv.tenant('A');
  ({ api_key: keyA, id: keyAId } = await srv.apiKey(tenantA));
  keyB = (await srv.apiKey(await srv.tenant('B'))).api_key;
});
afterAll(async () => {
  parts.client.close();
  await parts.queue.close();
  await receiver.close();
  await srv.close();
});

async function call(method: string, path: string, key: string | undefined, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${srv.url}/api/v1/webhooks${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function deliver(): Promise<void> {
  await parts.relay.drain();
  await parts.dispatchers[0]!.runOnce();
}

describe('webhook endpoints API', () => {
  it('requires an API key', async () => {
    const r = await call('GET', '/endpoints', undefined);
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('unauthorized');
  });

  it('creates, lists, reads, updates and deletes endpoints; the secret is shown once', async () => {
    const created = await call('POST', '/endpoints/', keyA, { url: receiver.url, events: ['verification.case.decided'], description: 'main' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: receiver.url, events: ['verification.case.decided'], enabled: true, description: 'main' });
    expect(created.body.id).toMatch(/^we_/);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);

    const list = await call('GET', '/endpoints', keyA);
    expect(list.body.data.map((e: { id: string }) => e.id)).toContain(created.body.id);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    const one = await call('GET', `/endpoints/${created.body.id}/`, keyA);
    expect(one.status).toBe(200);
    expect(one.body.secret).toBeUndefined();

    const patched = await call('PATCH', `/endpoints/${created.body.id}`, keyA, { events: ['*'], enabled: false });
    expect(patched.body).toMatchObject({ events: ['*'], enabled: false, disabled_reason: 'disabled_by_tenant' });
    const again = await call('PATCH', `/endpoints/${created.body.id}`, keyA, { enabled: true });
    expect(again.body).toMatchObject({ enabled: true, disabled_reason: null });

    expect((await call('DELETE', `/endpoints/${created.body.id}/`, keyA)).status).toBe(204);
    expect((await call('GET', `/endpoints/${created.body.id}`, keyA)).status).toBe(404);

    // Each change is on tenant A's audit chain, by the key that made it, without the signing secret.
    const trail = await srv.deps.db.knex('audit_entries').where({ object_id: created.body.id }).orderBy('seq');
    expect(trail.map((e: { chain: string; actor_type: string; actor_id: string; action: string }) => [e.chain, e.actor_type, e.actor_id, e.action])).toEqual([
      [tenantA, 'api_key', keyAId, 'webhook_endpoint.created'],
      [tenantA, 'api_key', keyAId, 'webhook_endpoint.updated'],
      [tenantA, 'api_key', keyAId, 'webhook_endpoint.updated'],
      [tenantA, 'api_key', keyAId, 'webhook_endpoint.deleted'],
    ]);
    expect(trail[1].details).toEqual({ events: ['*'], enabled: false, disabled_reason: 'disabled_by_tenant' });
    expect(JSON.stringify(trail)).not.toContain(created.body.secret);
    expect(await srv.services.audit.verify(tenantA)).toMatchObject({ ok: true });
  });

  it('stores the secret encrypted', async () => {
    const created = await call('POST', '/endpoints', keyA, { url: receiver.url, events: ['*'] });
    const row = await srv.deps.db.knex('webhook_endpoints').where({ id: created.body.id }).first();
    expect(row.secret_enc).toMatch(/^v1:/);
    expect(row.secret_enc).not.toContain(created.body.secret.slice(6, 20));
  });

  it('answers bad input with clear 4xx JSON errors', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ url: 'http://10.0.0.1/x', events: ['*'] }, 'invalid_url', /private address/],
      [{ url: 'http://127.0.0.2/x', events: ['*'] }, 'invalid_url', /loopback/],
      [{ url: 'https://[::1]/x', events: ['*'] }, 'invalid_url', /loopback/],
      [{ url: 'ftp://example.com/x', events: ['*'] }, 'invalid_url', /https/],
      [{ url: receiver.url, events: ['made.up'] }, 'validation_failed', /events\.0/],
      [{ url: receiver.url, events: [] }, 'validation_failed', /events/],
      [{ url: receiver.url }, 'validation_failed', /events/],
      [{ url: receiver.url, events: ['*'], extra: 1 }, 'validation_failed', /extra/],
      ['{not json', 'invalid_json', /^The body is not valid JSON: /],
    ];
    for (const [body, error, message] of cases) {
      const r = await call('POST', '/endpoints', keyA, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toBe(error);
      expect(r.body.message).toMatch(message);
    }
    expect((await call('PATCH', '/endpoints/we_nope', keyA, {})).body.error).toBe('validation_failed');
    expect((await call('PATCH', '/endpoints/we_nope', keyA, { enabled: true })).status).toBe(404);
    expect((await call('GET', '/endpoints/not-an-id', keyA)).body.error).toBe('validation_failed');
  });

  it("keeps tenants apart: another tenant's ids are 404", async () => {
    const ep = (await call('POST', '/endpoints', keyA, { url: receiver.url, events: ['*'] })).body;
    for (const [method, path] of [
      ['GET', `/endpoints/${ep.id}`],
      ['PATCH', `/endpoints/${ep.id}`],
      ['DELETE', `/endpoints/${ep.id}`],
      ['POST', `/endpoints/${ep.id}/rotate-secret`],
      ['POST', `/endpoints/${ep.id}/test`],
      ['GET', `/endpoints/${ep.id}/deliveries`],
    ] as const) {
      const r = await call(method, path, keyB, method === 'PATCH' ? { enabled: false } : undefined);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body.error).toBe('not_found');
    }
    expect((await call('GET', `/endpoints/${ep.id}`, keyA)).body).toMatchObject({ id: ep.id, enabled: true });
    expect((await call('GET', '/endpoints', keyB)).body.data.map((e: { id: string }) => e.id)).not.toContain(ep.id);
  });

  it('sends a test event, shows the attempt log, rotates the secret and redelivers', async () => {
    const ep = (await call('POST', '/endpoints', keyA, { url: `${receiver.url}/flow`, events: ['verification.case.created'] })).body;
    receiver.received.length = 0;
    receiver.reply = () => ({ status: 500 });
    const test = await call('POST', `/endpoints/${ep.id}/test/`, keyA);
    expect(test.status).toBe(202);
    await deliver();
    expect(receiver.received).toHaveLength(1);
    const first = receiver.received[0]!;
    const payload = new Webhook(ep.secret).verify(first.body, first.headers) as Record<string, any>;
    expect(payload).toMatchObject({ id: test.body.event_id, type: 'webhook.test', data: { endpoint_id: ep.id } });

    const log = await call('GET', `/endpoints/${ep.id}/deliveries/`, keyA);
    expect(log.status).toBe(200);
    expect(log.body.data).toHaveLength(1);
    expect(log.body.data[0]).toMatchObject({ kind: 'attempt', attempt: 1, status_code: 500, error: 'http_500', event_id: test.body.event_id });
    expect(log.body.data[0].webhook_id).toBe(first.headers['webhook-id']);
    expect(typeof log.body.data[0].latency_ms).toBe('number');
    expect(new Date(log.body.data[0].next_retry_at).getTime()).toBeGreaterThan(Date.now());

    const rotated = await call('POST', `/endpoints/${ep.id}/rotate-secret`, keyA);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(ep.secret);
    expect((await call('GET', `/endpoints/${ep.id}`, keyA)).body.previous_secret_expires_at).toBe(rotated.body.previous_secret_expires_at);
    const rotation = await srv.deps.db.knex('audit_entries').where({ object_id: ep.id, action: 'webhook_endpoint.secret_rotated' }).first();
    expect(rotation).toMatchObject({ chain: tenantA, actor_id: keyAId, details: { overlap_seconds: 86_400 } });

    receiver.reply = () => ({ status: 200 });
    expect((await call('POST', `/events/${test.body.event_id}/redeliver`, keyB)).status).toBe(404);
    const re = await call('POST', `/events/${test.body.event_id}/redeliver/`, keyA);
    expect(re.status).toBe(202);
    expect(re.body.webhook_ids).toEqual([first.headers['webhook-id']]);
    await deliver();
    expect(receiver.received).toHaveLength(2);
    const second = receiver.received[1]!;
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(() => new Webhook(rotated.body.secret).verify(second.body, second.headers)).not.toThrow();
    expect(() => new Webhook(ep.secret).verify(second.body, second.headers)).not.toThrow();
    const log2 = await call('GET', `/endpoints/${ep.id}/deliveries?limit=1`, keyA);
    expect(log2.body.data[0]).toMatchObject({ status_code: 200, error: null, next_retry_at: null });
    const older = await call('GET', `/endpoints/${ep.id}/deliveries?limit=1&cursor=${log2.body.next_cursor}`, keyA);
    expect(older.body.data[0]).toMatchObject({ status_code: 500 });
  });

  it('rotate-secret with overlap_seconds 0 expires the old secret at once', async () => {
    const ep = (await call('POST', '/endpoints', keyA, { url: `${receiver.url}/leak`, events: ['webhook.test'] })).body;
    expect((await call('POST', `/endpoints/${ep.id}/rotate-secret`, keyA, { overlap_seconds: -1 })).status).toBe(400);
    expect((await call('POST', `/endpoints/${ep.id}/rotate-secret`, keyA, { overlap_seconds: 8 * 86_400 })).status).toBe(400);
    const rotated = await call('POST', `/endpoints/${ep.id}/rotate-secret`, keyA, { overlap_seconds: 0 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.previous_secret_expires_at).toBeNull();
    expect((await call('GET', `/endpoints/${ep.id}`, keyA)).body.previous_secret_expires_at).toBeNull();
    receiver.received.length = 0;
    receiver.reply = () => ({ status: 200 });
    await call('POST', `/endpoints/${ep.id}/test`, keyA);
    await deliver();
    const r = receiver.received[0]!;
    expect(r.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(() => new Webhook(rotated.body.secret).verify(r.body, r.headers)).not.toThrow();
    expect(() => new Webhook(ep.secret).verify(r.body, r.headers)).toThrow();
  });

  it('refuses IPv4-mapped and IPv4-translated IPv6 literals at creation', async () => {
    for (const url of ['https://[::ffff:0:127.0.0.1]/x', 'https://[::ffff:0:8.8.8.8]/x', 'https://[::ffff:8.8.8.8]/x']) {
      const r = await call('POST', '/endpoints', keyA, { url, events: ['webhook.test'] });
      expect(r.status, url).toBe(400);
      expect(r.body).toMatchObject({ error: 'invalid_url', message: expect.stringMatching(/IPv4-(mapped|translated) IPv6 address; write the IPv4 address/) });
    }
  });
});
