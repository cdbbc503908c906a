// Retry behaviour driven by a manual clock: the schedule, Retry-After, 410, redirects, timeouts and the
// five-day rule. Nothing here sleeps for a retry.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { emitEvent } from '../../src/webhooks/outbox.js';
import { createEndpoint } from '../../src/webhooks/service.js';
import { buildWebhookParts, type WebhookParts } from '../../src/webhooks/workers.js';
import { createTestDeps, type TestDeps, TEST_ACTOR } from '../support/deps.js';
import { startReceiver, tenantWithKey, type Receiver, type Reply } from './support.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const SCHEDULE = [0, 5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 14 * H, 20 * H, 24 * H];

let deps: TestDeps;
let clock: ManualClock;
let receiver: Receiver;
let parts: WebhookParts;
let reply: (path: string) => Reply;

beforeAll(async () => {
  clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
  deps = await createTestDeps({ clock, env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  receiver = await startReceiver((r) => reply(r.path));
  parts = buildWebhookParts(deps, { retry: { random: () => 0.5 } });
});
afterAll(async () => {
  parts.client.close();
  await parts.queue.close();
  await receiver.close();
  await deps.cleanup();
});
beforeEach(() => {
  receiver.received.length = 0;
  reply = () => ({ status: 500 });
});

async function setup(path = '/hook', events = ['verification.case.created']) {
  const t = await tenantWithKey(deps.db.knex);
  const ep = await createEndpoint(deps, t.tenantId, { url: `http://127.0.0.1:${receiver.port}${path}`, events }, TEST_ACTOR);
  return { tenantId: t.tenantId, endpointId: ep.id };
}

async function emit(tenantId: string) {
  return deps.db.knex.transaction((trx) => emitEvent(trx, { tenantId, type: 'verification.case.created', data: { case_id: 'vc_x' } }));
}

async function tick(): Promise<number> {
  await parts.relay.drain();
  return parts.dispatchers[0]!.runOnce();
}

const delivery = (eventId: string) => deps.db.knex('webhook_deliveries').where({ event_id: eventId }).first();
const endpoint = (id: string) => deps.db.knex('webhook_endpoints').where({ id }).first();

describe('retry schedule', () => {
  it('follows immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, then gives up', async () => {
    const { tenantId } = await setup();
    const { id } = await emit(tenantId);
    const start = clock.now().getTime();
    expect(await tick()).toBe(1); // attempt 1, immediately
    let elapsed = 0;
    for (let attempt = 2; attempt <= SCHEDULE.length; attempt++) {
      const d = await delivery(id);
      expect(d.attempts).toBe(attempt - 1);
      expect(new Date(d.next_attempt_at).getTime() - clock.now().getTime()).toBe(SCHEDULE[attempt - 1]);
      // Not a millisecond early…
      clock.advance(SCHEDULE[attempt - 1]! - 1);
      expect(await tick()).toBe(0);
      // …and on time.
      clock.advance(1);
      elapsed += SCHEDULE[attempt - 1]!;
      expect(await tick()).toBe(1);
    }
    expect(clock.now().getTime() - start).toBe(elapsed);
    const d = await delivery(id);
    expect(d).toMatchObject({ status: 'failed', attempts: 10, next_attempt_at: null, last_status_code: 500 });
    clock.advance(48 * H);
    expect(await tick()).toBe(0);
    expect(receiver.received).toHaveLength(10);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([d.id]));
  });

  it('adds at most ±10 % jitter', async () => {
    const jittery = buildWebhookParts(deps, { retry: { random: () => 1 } });
    const { tenantId } = await setup();
    const { id } = await emit(tenantId);
    await jittery.relay.drain();
    await jittery.dispatchers[0]!.runOnce();
    const d = await delivery(id);
    expect(new Date(d.next_attempt_at).getTime() - clock.now().getTime()).toBe(5.5 * S);
    jittery.client.close();
  });

  it('honours Retry-After (seconds and HTTP date) but never retries sooner than the schedule', async () => {
    const { tenantId } = await setup();
    const { id } = await emit(tenantId);
    reply = () => ({ status: 503, headers: { 'Retry-After': '120' } });
    await tick();
    expect(new Date((await delivery(id)).next_attempt_at).getTime() - clock.now().getTime()).toBe(120 * S);

    clock.advance(120 * S);
    reply = () => ({ status: 429, headers: { 'Retry-After': new Date(clock.now().getTime() + 3 * H).toUTCString() } });
    await tick();
    expect(new Date((await delivery(id)).next_attempt_at).getTime() - clock.now().getTime()).toBe(3 * H);

    clock.advance(3 * H);
    reply = () => ({ status: 503, headers: { 'Retry-After': '1' } });
    await tick();
    // Attempt 3 failed; the schedule's 30 min is later than the 1 s asked for.
    expect(new Date((await delivery(id)).next_attempt_at).getTime() - clock.now().getTime()).toBe(30 * M);
  });

  it('counts redirects as failures and does not follow them', async () => {
    const { tenantId } = await setup('/moved');
    const { id } = await emit(tenantId);
    reply = (path) => (path === '/moved' ? { status: 302, headers: { Location: `http://127.0.0.1:${receiver.port}/elsewhere` } } : { status: 200 });
    await tick();
    expect(await delivery(id)).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 302, last_error: 'http_302' });
    expect(receiver.received.map((r) => r.path)).toEqual(['/moved']);
  });

  it('times out a receiver that never answers, and treats a dropped connection as a failure', async () => {
    const { tenantId } = await setup();
    const { id } = await emit(tenantId);
    reply = () => 'hang';
    // A short timeout for this step only (15 s by default), so a slow machine can't turn other answers into timeouts.
    const impatient = buildWebhookParts(deps, { timeoutMs: 300, retry: { random: () => 0.5 } });
    await impatient.relay.drain();
    await impatient.dispatchers[0]!.runOnce();
    impatient.client.close();
    expect(await delivery(id)).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null, last_error: 'timeout' });
    clock.advance(5 * S);
    reply = () => 'drop';
    await tick();
    const d = await delivery(id);
    expect(d).toMatchObject({ status: 'pending', attempts: 2, last_status_code: null });
    expect(d.last_error).toBe('connection_failed');
    clock.advance(5 * M);
    reply = () => ({ status: 204 });
    await tick();
    expect(await delivery(id)).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 204, last_error: null });
  });
});

describe('endpoint health', () => {
  it('410 disables the endpoint, logs it and tells the tenant on its other endpoints', async () => {
    const { tenantId, endpointId } = await setup('/gone');
    const watcher = await createEndpoint(deps, tenantId, { url: `http://127.0.0.1:${receiver.port}/watch`, events: ['webhook.endpoint.disabled'] }, TEST_ACTOR);
    reply = (path) => (path === '/gone' ? { status: 410 } : { status: 200 });
    const { id } = await emit(tenantId);
    await tick();
    expect(await delivery(id)).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 410 });
    expect(await endpoint(endpointId)).toMatchObject({ enabled: false, disabled_reason: 'gone' });
    const log = await deps.db.knex('webhook_attempts').where({ endpoint_id: endpointId }).orderBy('id');
    expect(log.map((l) => l.kind)).toEqual(['attempt', 'webhook.endpoint.disabled']);
    // The disabled event reaches the tenant's other endpoint.
    await tick();
    const notice = receiver.received.find((r) => r.path === '/watch');
    expect(JSON.parse(notice!.body)).toMatchObject({ type: 'webhook.endpoint.disabled', tenant_id: tenantId, data: { endpoint_id: endpointId, reason: 'gone' } });
    expect(watcher.id).not.toBe(endpointId);
    // A disabled endpoint gets no new deliveries.
    const next = await emit(tenantId);
    await tick();
    expect(await delivery(next.id)).toBeUndefined();
  });

  it('disables an endpoint after five days of failures; a success in between resets the clock', async () => {
    const { tenantId, endpointId } = await setup();
    await emit(tenantId);
    await tick();
    const firstFail = clock.now();
    expect(new Date((await endpoint(endpointId)).failing_since)).toEqual(firstFail);

    // Four days on, one success: healthy again.
    clock.advance(4 * 24 * H);
    reply = () => ({ status: 200 });
    await tick();
    expect((await endpoint(endpointId)).failing_since).toBeNull();

    reply = () => ({ status: 500 });
    await emit(tenantId);
    await tick();
    const since = clock.now();
    clock.advance(5 * 24 * H - 1);
    await emit(tenantId);
    await tick();
    expect(await endpoint(endpointId)).toMatchObject({ enabled: true });
    clock.advance(1);
    await emit(tenantId);
    await tick();
    expect(await endpoint(endpointId)).toMatchObject({ enabled: false, disabled_reason: 'failing' });
    expect(new Date((await endpoint(endpointId)).failing_since)).toEqual(since);
    const disabled = await deps.db.knex('webhook_attempts').where({ endpoint_id: endpointId, kind: 'webhook.endpoint.disabled' });
    expect(disabled).toHaveLength(1);
    expect(disabled[0].error).toBe('Every delivery failed for 5 days.');
    // Its still-pending deliveries are cancelled, not sent.
    const sent = receiver.received.length;
    clock.advance(24 * H);
    await tick();
    expect(receiver.received.length).toBe(sent);
    expect(await deps.db.knex('webhook_deliveries').where({ endpoint_id: endpointId, status: 'pending' })).toHaveLength(0);
  });
});
