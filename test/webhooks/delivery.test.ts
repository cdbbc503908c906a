// End to end in one process: emit → relay → dispatcher → a receiver that checks every delivery with the
// `standardwebhooks` package, before and after a secret rotation.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createTestDeps, type TestDeps, TEST_ACTOR } from '../support/deps.js';
import { emitEvent, emitToPersonTenants } from '../../src/webhooks/outbox.js';
import { createEndpoint, rotateSecret } from '../../src/webhooks/service.js';
import { buildWebhookParts, startWebhookWorkers, type WebhookParts } from '../../src/webhooks/workers.js';
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

async function deliverAll(): Promise<void> {
  await parts.relay.drain();
  await parts.dispatchers[0]!.runOnce();
}

describe('signed deliveries', () => {
  it('every delivery verifies with standardwebhooks, with the old and the new secret during rotation', async () => {
    const db = deps.db.knex;
    const a = await tenantWithKey(db, 'A');
    const b = await tenantWithKey(db, 'B');
    const epA = await createEndpoint(deps, a.tenantId, { url: receiver.url, events: ['*'] }, TEST_ACTOR);
    const epB = await createEndpoint(deps, b.tenantId, { url: `${receiver.url}?t=b`, events: ['person.assurance.changed'] }, TEST_ACTOR);
    expect(epA.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const { personId, subs } = await personWithSubjects(db, [a.tenantId, b.tenantId]);
    await db.transaction(async (trx) => {
      await emitEvent(trx, { tenantId: a.tenantId, type: 'verification.case.created', data: { case_id: 'vc_1' } });
      await emitToPersonTenants(trx, personId, 'person.assurance.changed', () => ({
        previous: { status: 'pending', tier: 't0' },
        current: { status: 'verified', tier: 't2' },
      }));
    });
    await deliverAll();
    expect(receiver.received).toHaveLength(3);

    const secrets: Record<string, string> = { [epA.id]: epA.secret, [epB.id]: epB.secret };
    for (const r of receiver.received) {
      const isB = r.headers['webhook-signature'] && r.body.includes(b.tenantId);
      const payload = new Webhook(isB ? secrets[epB.id]! : secrets[epA.id]!).verify(r.body, r.headers) as Record<string, any>;
      expect(r.headers['webhook-id']).toMatch(/^msg_/);
      expect(Object.keys(payload).sort()).toEqual(['created_at', 'data', 'id', 'livemode', 'tenant_id', 'type']);
      if (payload.type === 'person.assurance.changed') {
        // The tenant's pairwise id, never the internal person id.
        expect(payload.data.person_id).toBe(subs[payload.tenant_id]);
        expect(r.body).not.toContain(personId);
      }
      // A's secret never verifies B's deliveries.
      expect(() => new Webhook(isB ? epA.secret : epB.secret).verify(r.body, r.headers)).toThrow();
    }

    const rotated = await rotateSecret(deps, a.tenantId, epA.id, TEST_ACTOR);
    receiver.received.length = 0;
    await db.transaction((trx) => emitEvent(trx, { tenantId: a.tenantId, type: 'verification.case.decided', data: { case_id: 'vc_1', decision: 'approved' } }));
    await deliverAll();
    expect(receiver.received).toHaveLength(1);
    const r = receiver.received[0]!;
    expect(r.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    // Receivers on either secret accept it during the overlap.
    expect((new Webhook(rotated.secret).verify(r.body, r.headers) as { type: string }).type).toBe('verification.case.decided');
    expect((new Webhook(epA.secret).verify(r.body, r.headers) as { type: string }).type).toBe('verification.case.decided');
  });

  it('after the 24 h overlap only the new secret signs', async () => {
    const db = deps.db.knex;
    const t = await tenantWithKey(db, 'C');
    const ep = await createEndpoint(deps, t.tenantId, { url: receiver.url, events: ['webhook.test'] }, TEST_ACTOR);
    const rotated = await rotateSecret(deps, t.tenantId, ep.id, TEST_ACTOR);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 24 * 3600e3 + 60e3);
      receiver.received.length = 0;
      await db.transaction((trx) => emitEvent(trx, { tenantId: t.tenantId, type: 'webhook.test', data: {}, endpointId: ep.id }));
      await deliverAll();
      const r = receiver.received[0]!;
      expect(r.headers['webhook-signature']!.split(' ')).toHaveLength(1);
      expect(() => new Webhook(rotated.secret).verify(r.body, r.headers)).not.toThrow();
      expect(() => new Webhook(ep.secret).verify(r.body, r.headers)).toThrow();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('startWebhookWorkers', () => {
  it('delivers in the background with the server-default setup and stops cleanly', async () => {
    const db = deps.db.knex;
    const t = await tenantWithKey(db, 'D');
    const ep = await createEndpoint(deps, t.tenantId, { url: `${receiver.url}/bg`, events: ['verification.case.created'] }, TEST_ACTOR);
    const workers = await startWebhookWorkers(deps);
    try {
      receiver.received.length = 0;
      for (let i = 0; i < 5; i++) {
        await db.transaction((trx) => emitEvent(trx, { tenantId: t.tenantId, type: 'verification.case.created', data: { case_id: `vc_${i}` } }));
      }
      const until = Date.now() + 10_000;
      while (receiver.received.length < 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(receiver.received.map((r) => (new Webhook(ep.secret).verify(r.body, r.headers) as { data: { case_id: string } }).data.case_id).sort()).toEqual(
        ['vc_0', 'vc_1', 'vc_2', 'vc_3', 'vc_4'],
      );
    } finally {
      await workers.stop();
    }
    const pending = await db('webhook_deliveries').where({ endpoint_id: ep.id }).whereNot({ status: 'delivered' });
    expect(pending).toEqual([]);
  });
});
