// The hot paths' rows, cached in process and dropped when the row changes (trigger NOTIFY, delivered on commit).
// Expiry is applied at read time, so it needs no event. Unknown subjects and persons are not cached: a person who
// just signed up, or just signed in to a tenant, is visible at once.
// - the status API: (tenant, sub) → assurance row;
// - the token endpoint and userinfo: person → account fields with assurance and provenance (claims.ts).
import { InvalidatingCache } from '../db/cache.js';
import type { Invalidations } from '../db/invalidations.js';
import type { Queryable } from '../db/index.js';
import { assuranceStore, type PersonAssuranceRow, type SubjectAssuranceRow } from './store.js';

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

export class ClaimsCache {
  private readonly cache: InvalidatingCache<PersonAssuranceRow>;

  constructor(private readonly db: Queryable, invalidations: Invalidations) {
    // The person's claim fields (email, name) and their assurance: either change drops the entry.
    this.cache = new InvalidatingCache(invalidations, ['assurance', 'person'], 30_000);
  }

  forget(personId: string): void {
    this.cache.invalidate(personId);
  }

  find(personId: string): Promise<PersonAssuranceRow | undefined> {
    return this.cache.load(personId, async () => {
      const row = await assuranceStore.findPersonWithAssurance(this.db, personId);
      return row && { value: row, tag: personId };
    });
  }
}
