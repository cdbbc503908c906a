// Expiry of a verified assurance. Reads apply expiry at once (model.ts: a verified row past expires_at reads
// `expired`); this sweep announces it: person.assurance.expired to every tenant that knows the person, once per
// expiry, in the transaction that marks it announced, and drops the sealed document claims kept for
// verified_claims (an expired assurance releases none; provenance.ts). Safe with several processes (SKIP LOCKED).
import type { Knex } from 'knex';
import type { Clock } from '../clock.js';
import { emitToPersonTenants } from '../webhooks/outbox.js';
import { assuranceStore } from './store.js';

export async function sweepExpiredAssurance(db: Knex, clock: Clock, limit = 200): Promise<number> {
  const now = clock.now();
  return db.transaction(async (trx) => {
    const rows = await assuranceStore.lockExpired(trx, now, limit);
    if (rows.length === 0) return 0;
    await assuranceStore.insertExpiryNotices(
      trx,
      rows.map((r) => ({ person_id: r.person_id, expires_at: r.expires_at, announced_at: now })),
    );
    await assuranceStore.clearClaims(trx, rows.map((r) => r.person_id));
    for (const r of rows) {
      await emitToPersonTenants(
        trx,
        r.person_id,
        'person.assurance.expired',
        () => ({
          previous: { status: 'verified', tier: r.tier },
          current: { status: 'expired', tier: r.tier },
          expired_at: r.expires_at.toISOString(),
        }),
        { at: now },
      );
    }
    return rows.length;
  });
}
