// The status API's hot path: (tenant, sub) → assurance row, cached in process and dropped when the assurance
// row changes (trigger NOTIFY, delivered on commit). Expiry is applied at read time, so it needs no event.
// Unknown subjects are not cached: a person who just signed in to a tenant is visible at once.
import { InvalidatingCache } from '../db/cache.js';
import type { Invalidations } from '../db/invalidations.js';
import type { Queryable } from '../db/index.js';
import { assuranceStore, type SubjectAssuranceRow } from './store.js';

export type SubjectAssurance = SubjectAssuranceRow;

export class StatusCache {
  private readonly cache: InvalidatingCache<SubjectAssurance>;

  constructor(private readonly db: Queryable, invalidations: Invalidations) {
    this.cache = new InvalidatingCache(invalidations, 'assurance', 30_000);
  }

  /** Drops the person's cached rows in this process now (other processes hear the trigger's NOTIFY). */
  forget(personId: string): void {
    this.cache.invalidate(personId);
  }

  /** A cached row answers synchronously; otherwise a promise of the row (undefined: not this tenant's subject). */
  find(tenantId: string, sub: string): SubjectAssurance | Promise<SubjectAssurance | undefined> {
    const key = `${tenantId}\u0000${sub}`;
    return this.cache.peek(key) ?? this.cache.load(key, async () => {
      const row = await assuranceStore.findBySubject(this.db, tenantId, sub);
      return row && { value: row, tag: row.person_id };
    });
  }
}
