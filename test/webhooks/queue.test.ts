// Crash safety of the delivery queue (Redis sorted set with leases, or the Postgres table without Redis).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { emitEvent } from '../../src/webhooks/outbox.js';
import { RedisQueue } from '../../src/webhooks/queue.js';
import { reconcileQueue } from '../../src/webhooks/reconciler.js';
import { createEndpoint } from '../../src/webhooks/service.js';
import { buildWebhookParts, type WebhookParts } from '../../src/webhooks/workers.js';
import { createTestDeps, type TestDeps, TEST_ACTOR } from '../support/deps.js';
import { startReceiver, tenantWithKey, type Receiver } from './support.js';

let deps: TestDeps;
let receiver: Receiver;
let parts: WebhookParts;
let tenantId: string;
const clock = new ManualClock(new Date('2026-04-01T00:00:00Z'));
let status = 200;

beforeAll(async () => {
  deps = await createTestDeps({ clock, env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  receiver = await startReceiver(() => ({ status }));
  parts = buildWebhookParts(deps, { leaseMs: 30_000, retry: { random: () => 0.5 } });
  tenantId = (await tenantWithKey(deps.db.knex)).tenantId;
  await createEndpoint(deps, tenantId, { url: receiver.url, events: ['*'] }, TEST_ACTOR);
});
afterAll(async () => {
  parts.client.close();
  await parts.queue.close();
  await receiver.close();
  await deps.cleanup();
});
beforeEach(() => {
  receiver.received.length = 0;
  status = 200;
});

const emit = () => deps.db.knex.transaction((trx) => emitEvent(trx, { tenantId, type: 'verification.case.created', data: {} }));
const dispatch = () => parts.dispatchers[0]!.runOnce();
const redisKey = () => `${deps.config.redisPrefix}wh:due`;

const withRedis = Boolean(process.env.REDIS_URL);

describe('delivery queue', () => {
  it("reclaims a crashed worker's in-flight deliveries when their lease runs out", async () => {
    await emit();
    await parts.relay.drain();
    // A worker claims and dies before doing anything.
    expect(await parts.queue.claim(10)).toHaveLength(1);
    expect(await dispatch()).toBe(0);
    clock.advance(29_999);
    expect(await dispatch()).toBe(0);
    clock.advance(1);
    expect(await dispatch()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    expect(await dispatch()).toBe(0);
  });

  it('a claimed delivery put back unsent is due again at once, before its lease ends', async () => {
    await emit();
    await parts.relay.drain();
    const [id] = await parts.queue.claim(10);
    expect(id).toBeDefined();
    expect(await parts.queue.claim(10)).toHaveLength(0);
    await parts.queue.release([id!]);
    expect(await dispatch()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    // Once its outcome is settled, putting it back again brings nothing back.
    await parts.queue.release([id!]);
    expect(await dispatch()).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  // Without Redis the table is the queue, so these states cannot arise.
  it.skipIf(!withRedis)('never resends a delivery that Postgres already records as delivered', async () => {
    const { id } = await emit();
    await parts.relay.drain();
    await dispatch();
    const d = await deps.db.knex('webhook_deliveries').where({ event_id: id }).first();
    expect(d.status).toBe('delivered');
    // A worker died after writing the outcome but before removing it from Redis.
    await parts.queue.enqueue([{ id: d.id, at: clock.now() }]);
    expect(await dispatch()).toBe(0);
    expect(receiver.received).toHaveLength(1);
    expect(await (parts.queue as RedisQueue).size()).toBe(0);
  });

  it.skipIf(!withRedis)('keeps the recorded retry time when a delivery resurfaces early', async () => {
    status = 500;
    const { id } = await emit();
    await parts.relay.drain();
    await dispatch();
    const d = await deps.db.knex('webhook_deliveries').where({ event_id: id }).first();
    // As if the queue update after the outcome write was lost and the lease expired.
    await parts.queue.enqueue([{ id: d.id, at: clock.now() }], { replace: true });
    expect(await dispatch()).toBe(0);
    expect(Number(await deps.redis!.zscore(redisKey(), d.id))).toBe(new Date(d.next_attempt_at).getTime());
    clock.advance(5_000);
    status = 200;
    expect(await dispatch()).toBe(1);
  });

  it.skipIf(!withRedis)('the reconciler restores deliveries Redis lost (relay died after commit, or Redis restarted empty)', async () => {
    const { id } = await emit();
    await parts.relay.drain();
    await deps.redis!.del(redisKey());
    expect(await dispatch()).toBe(0);
    const opts = { prefix: deps.config.redisPrefix, graceMs: 30_000, lockMs: 1 };
    // Too young to be called lost: a relay may be between its commit and ZADD right now.
    expect(await reconcileQueue(deps.db, deps.redis!, parts.queue, clock, opts)).toBe(0);
    clock.advance(30_001);
    await new Promise((r) => setTimeout(r, 5)); // the 1 ms reconcile lock expires
    expect(await reconcileQueue(deps.db, deps.redis!, parts.queue, clock, opts)).toBe(1);
    expect(await dispatch()).toBe(1);
    const d = await deps.db.knex('webhook_deliveries').where({ event_id: id }).first();
    expect(d.status).toBe('delivered');
  });
});
