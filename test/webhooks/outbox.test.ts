// The outbox: events exist exactly when their transaction commits, and fan out only to the right tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSafePayload, emitAssuranceChanged, emitEvent, emitToPersonTenants } from '../../src/webhooks/outbox.js';
import { createEndpoint } from '../../src/webhooks/service.js';
import { deliveryId } from '../../src/webhooks/relay.js';
import { buildWebhookParts, type WebhookParts } from '../../src/webhooks/workers.js';
import { createTestDeps, type TestDeps, TEST_ACTOR } from '../support/deps.js';
import { personWithSubjects, startReceiver, tenantWithKey, type Receiver } from './support.js';

let deps: TestDeps;
let receiver: Receiver;
let parts: WebhookParts;

beforeAll(async () => {
  deps = await createTestDeps({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  receiver = await startReceiver();
  parts = buildWebhookParts(deps);
});
afterAll(async () => {
  parts.client.close();
  await parts.queue.close();
  await receiver.close();
  await deps.cleanup();
});

const countEvents = async () => Number((await deps.db.knex('webhook_events').count({ n: '*' }))[0]!.n);

describe('transactional outbox', () => {
  it('a state change that rolls back emits nothing', async () => {
    const db = deps.db.knex;
    const { tenantId } = await tenantWithKey(db);
    await createEndpoint(deps, tenantId, { url: receiver.url, events: ['*'] }, TEST_ACTOR);
    const { personId } = await personWithSubjects(db, [tenantId]);
    const before = await countEvents();
    await expect(
      db.transaction(async (trx) => {
        await trx('assurance').insert({ person_id: personId, status: 'verified', tier: 't2' });
        await emitEvent(trx, { tenantId, type: 'verification.case.decided', data: { case_id: 'vc_r' } });
        await emitAssuranceChanged(trx, personId, { previous: { status: 'unverified', tier: 't0' }, current: { status: 'verified', tier: 't2' } });
        throw new Error('decision failed after the events were written');
      }),
    ).rejects.toThrow('decision failed');
    expect(await countEvents()).toBe(before);
    expect(await db('assurance').where({ person_id: personId })).toHaveLength(0);
    await parts.relay.drain();
    await parts.dispatchers[0]!.runOnce();
    expect(receiver.received).toHaveLength(0);

    // The same change committed: delivered.
    await db.transaction(async (trx) => {
      await trx('assurance').insert({ person_id: personId, status: 'verified', tier: 't2' });
      await emitAssuranceChanged(trx, personId, { previous: { status: 'unverified', tier: 't0' }, current: { status: 'verified', tier: 't2' } });
    });
    await parts.relay.drain();
    await parts.dispatchers[0]!.runOnce();
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
      type: 'person.assurance.changed',
      data: { previous: { status: 'unverified', tier: 't0' }, current: { status: 'verified', tier: 't2' } },
    });
  });

  it('fans out to subscribed, enabled endpoints of the event tenant only', async () => {
    const db = deps.db.knex;
    receiver.received.length = 0;
    const a = await tenantWithKey(db, 'A');
    const b = await tenantWithKey(db, 'B');
    const aAll = await createEndpoint(deps, a.tenantId, { url: `${receiver.url}/a-all`, events: ['*'] }, TEST_ACTOR);
    const aDecided = await createEndpoint(deps, a.tenantId, { url: `${receiver.url}/a-decided`, events: ['verification.case.decided'] }, TEST_ACTOR);
    const aOff = await createEndpoint(deps, a.tenantId, { url: `${receiver.url}/a-off`, events: ['*'] }, TEST_ACTOR);
    await db('webhook_endpoints').where({ id: aOff.id }).update({ enabled: false });
    await createEndpoint(deps, b.tenantId, { url: `${receiver.url}/b-all`, events: ['*'] }, TEST_ACTOR);

    await db.transaction(async (trx) => {
      await emitEvent(trx, { tenantId: a.tenantId, type: 'verification.case.created', data: { case_id: 'vc_1' } });
      await emitEvent(trx, { tenantId: a.tenantId, type: 'verification.case.decided', data: { case_id: 'vc_1' } });
    });
    await parts.relay.drain();
    await parts.dispatchers[0]!.runOnce();
    const got = receiver.received.map((r) => `${r.path} ${JSON.parse(r.body).type}`).sort();
    expect(got).toEqual([
      '/hook/a-all verification.case.created',
      '/hook/a-all verification.case.decided',
      '/hook/a-decided verification.case.decided',
    ]);
    // The relay computes webhook-ids in SQL; redelivery computes them in JS: they must agree.
    for (const r of receiver.received) {
      const ep = r.path === '/hook/a-all' ? aAll.id : aDecided.id;
      expect(r.headers['webhook-id']).toBe(deliveryId(JSON.parse(r.body).id, ep));
    }
    expect(aAll.id).not.toBe(aDecided.id);
  });

  it('person events carry each tenant its own pairwise id and refuse the internal one', async () => {
    const db = deps.db.knex;
    const a = await tenantWithKey(db, 'A');
    const b = await tenantWithKey(db, 'B');
    const c = await tenantWithKey(db, 'C (does not know the person)');
    const { personId, subs } = await personWithSubjects(db, [a.tenantId, b.tenantId]);
    const { ids } = await db.transaction((trx) =>
      emitToPersonTenants(trx, personId, 'person.assurance.changed', (tenantId, sub) => ({ note: `${tenantId}:${sub}` })),
    );
    expect(ids).toHaveLength(2);
    const rows = await db('webhook_events').whereIn('id', ids);
    for (const r of rows) expect(r.data.person_id).toBe(subs[r.tenant_id]);
    expect(rows.map((r) => r.tenant_id)).not.toContain(c.tenantId);

    await expect(
      db.transaction((trx) => emitToPersonTenants(trx, personId, 'person.assurance.changed', () => ({ internal: personId }))),
    ).rejects.toThrow(/internal person id/);
  });

  it('refuses images, raw document numbers and unknown event types', () => {
    expect(() => assertSafePayload({ selfie: 'x' })).toThrow(/must not be sent/);
    expect(() => assertSafePayload({ doc: { document_number: 'X1234567' } })).toThrow(/must not be sent/);
    expect(() => assertSafePayload({ blob: Buffer.from('abc') })).toThrow(/binary/);
    expect(() => assertSafePayload({ blob: 'A'.repeat(5000) })).toThrow(/too long/);
    expect(() => assertSafePayload({ portrait_image: 'https://x/p.jpg' })).toThrow(/must not be sent/);
    expect(() => assertSafePayload({ note: 'data:image/jpeg;base64,/9j/4AAQ' })).toThrow(/data: URL/);
    expect(() => assertSafePayload({ case_id: 'vc_1', checks: [{ name: 'mrz', passed: true, score: 0.9 }] })).not.toThrow();
    expect(() => assertSafePayload({ selfie: { passed: true }, document_number_valid: true })).not.toThrow();
    return expect(
      deps.db.knex.transaction((trx) => emitEvent(trx, { tenantId: 't', type: 'made.up' as never, data: {} })),
    ).rejects.toThrow(/unknown webhook event type/);
  });
});
