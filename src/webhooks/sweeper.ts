// person.assurance.expired: finds verified assurances past expires_at that were not announced yet, and in one
// transaction marks them announced and writes the events. Safe with several processes (SKIP LOCKED).
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { emitToPersonTenants } from './outbox.js';
import { webhookStore } from './store.js';

export async function sweepExpiredAssurance(db: Database, clock: Clock, limit = 200): Promise<number> {
  const now = clock.now();
  return db.knex.transaction(async (trx) => {
    const rows = await webhookStore.lockExpiredAssurance(trx, now, limit);
    if (rows.length === 0) return 0;
    await webhookStore.insertExpiryNotices(
      trx,
      rows.map((r) => ({ person_id: r.person_id, expires_at: r.expires_at, announced_at: now })),
    );
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
