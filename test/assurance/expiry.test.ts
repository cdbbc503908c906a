// person.assurance.expired: announced once per expiry, in the transaction that marks it announced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { sweepExpiredAssurance } from '../../src/assurance/expiry.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { personWithSubjects, tenantWithKey } from '../webhooks/support.js';

let deps: TestDeps;
const clock = new ManualClock(new Date('2026-06-01T00:00:00Z'));

beforeAll(async () => {
  deps = await createTestDeps({ clock });
});
afterAll(async () => deps.cleanup());

describe('expiry sweeper', () => {
  it('announces each passed expiry once, to every tenant under its pairwise id', async () => {
    const db = deps.db.knex;
    const a = await tenantWithKey(db, 'A');
    const b = await tenantWithKey(db, 'B');
    const expiring = await personWithSubjects(db, [a.tenantId, b.tenantId]);
    const later = await personWithSubjects(db, [a.tenantId]);
    const rejected = await personWithSubjects(db, [a.tenantId]);
    const expiresAt = new Date('2026-06-10T00:00:00Z');
    await db('assurance').insert([
      { person_id: expiring.personId, status: 'verified', tier: 't2', expires_at: expiresAt },
      { person_id: later.personId, status: 'verified', tier: 't1', expires_at: new Date('2027-01-01T00:00:00Z') },
      { person_id: rejected.personId, status: 'rejected', tier: 't0', expires_at: expiresAt },
    ]);

    expect(await sweepExpiredAssurance(deps.db.knex, clock)).toBe(0);
    clock.set(new Date('2026-06-10T00:00:01Z'));
    expect(await sweepExpiredAssurance(deps.db.knex, clock)).toBe(1);
    const events = await db('webhook_events').where({ type: 'person.assurance.expired' }).orderBy('tenant_id');
    expect(events).toHaveLength(2);
    for (const e of events) {
      expect(e.data).toEqual({
        person_id: expiring.subs[e.tenant_id],
        previous: { status: 'verified', tier: 't2' },
        current: { status: 'expired', tier: 't2' },
        expired_at: expiresAt.toISOString(),
      });
    }
    expect(await sweepExpiredAssurance(deps.db.knex, clock)).toBe(0);

    // Re-verified with a new expiry: announced again when that one passes.
    await db('assurance').where({ person_id: expiring.personId }).update({ expires_at: new Date('2026-07-01T00:00:00Z') });
    clock.set(new Date('2026-07-02T00:00:00Z'));
    expect(await sweepExpiredAssurance(deps.db.knex, clock)).toBe(1);
    expect(await db('webhook_events').where({ type: 'person.assurance.expired' })).toHaveLength(4);
  });
});
