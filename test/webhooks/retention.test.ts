// Webhook history retention: finished history goes after WEBHOOK_RETENTION_DAYS; nothing undelivered ever does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createEndpoint } from '../../src/webhooks/service.js';
import { pruneWebhookHistory } from '../../src/webhooks/retention.js';
import { createTestDeps, type TestDeps, TEST_ACTOR } from '../support/deps.js';
import { tenantWithKey } from './support.js';

let deps: TestDeps;
const clock = new ManualClock(new Date('2026-06-01T00:00:00Z'));
beforeAll(async () => {
  deps = await createTestDeps({ clock, env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
});
afterAll(async () => deps.cleanup());

const day = 86_400_000;
const ago = (days: number) => new Date(clock.now().getTime() - days * day);

describe('webhook history retention', () => {
  it('deletes finished events, deliveries and attempts past the retention, and keeps pending and recent ones', async () => {
    const db = deps.db.knex;
    const { tenantId } = await tenantWithKey(db);
    const ep = await createEndpoint(deps, tenantId, { url: 'http://127.0.0.1:9/hook', events: ['*'] }, TEST_ACTOR);
    const event = async (id: string, createdDaysAgo: number, relayed: boolean, delivery?: 'delivered' | 'failed' | 'pending') => {
      await db('webhook_events').insert({ id, tenant_id: tenantId, type: 'verification.case.decided', data: {}, created_at: ago(createdDaysAgo), relayed_at: relayed ? ago(createdDaysAgo) : null });
      if (!delivery) return;
      await db('webhook_deliveries').insert({ id: `msg_${id}`, event_id: id, endpoint_id: ep.id, tenant_id: tenantId, status: delivery, created_at: ago(createdDaysAgo) });
      await db('webhook_attempts').insert({ tenant_id: tenantId, endpoint_id: ep.id, delivery_id: `msg_${id}`, event_id: id, kind: 'attempt', attempt: 1, created_at: ago(createdDaysAgo) });
    };
    await event('evt_old_delivered', 40, true, 'delivered');
    await event('evt_old_failed', 40, true, 'failed');
    await event('evt_old_no_endpoint', 40, true);
    await event('evt_old_pending', 40, true, 'pending');
    await event('evt_old_unrelayed', 40, false);
    await event('evt_recent', 5, true, 'delivered');
    await db('webhook_attempts').insert([
      { tenant_id: tenantId, endpoint_id: ep.id, delivery_id: null, kind: 'webhook.endpoint.disabled', created_at: ago(40) },
      { tenant_id: tenantId, endpoint_id: ep.id, delivery_id: null, kind: 'webhook.endpoint.disabled', created_at: ago(5) },
    ]);

    expect(await pruneWebhookHistory(db, clock, 30)).toEqual({ events: 3, attempts: 1 });
    const left = (await db('webhook_events').select('id').orderBy('id')).map((r) => r.id);
    expect(left).toEqual(['evt_old_pending', 'evt_old_unrelayed', 'evt_recent']);
    expect((await db('webhook_deliveries').select('id').orderBy('id')).map((r) => r.id)).toEqual(['msg_evt_old_pending', 'msg_evt_recent']);
    expect(await db('webhook_attempts').whereNotNull('delivery_id').pluck('event_id')).toEqual(expect.arrayContaining(['evt_old_pending', 'evt_recent']));
    expect(Number((await db('webhook_attempts').count({ n: '*' }).first())!.n)).toBe(3);
    // Idempotent: a second run finds nothing more.
    expect(await pruneWebhookHistory(db, clock, 30)).toEqual({ events: 0, attempts: 0 });
  });

  it('works through a backlog larger than one batch', async () => {
    const db = deps.db.knex;
    const { tenantId } = await tenantWithKey(db, 'Backlog');
    const rows = Array.from({ length: 2500 }, (_, i) => ({ id: `evt_bl_${i}`, tenant_id: tenantId, type: 'x', data: {}, created_at: ago(100), relayed_at: ago(100) }));
    for (let i = 0; i < rows.length; i += 500) await db('webhook_events').insert(rows.slice(i, i + 500));
    expect((await pruneWebhookHistory(db, clock, 30)).events).toBe(2500);
  });
});
