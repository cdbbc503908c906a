// The assurance domain's service: a tenant's read of a person's status (cached), the claims join, and the changes
// a verification makes. Creation (persons/service.ts, in the person's transaction) and the expiry sweep (jobs.ts)
// call lifecycle.ts and expiry.ts directly. Built once in compose.ts.
import type { Knex } from 'knex';
import type { Clock } from '../clock.js';
import type { Invalidations } from '../db/invalidations.js';
import type { Queryable } from '../db/index.js';
import { NotFoundError } from '../http/errors.js';
import { andThen, type MaybePromise } from '../maybe-promise.js';
import { StatusCache } from './cache.js';
import { accountClaims, type AccountClaims } from './claims.js';
import { applyAssuranceChange, type AssuranceChange } from './lifecycle.js';
import { effectiveAssurance, type Assurance } from './model.js';

export interface AssuranceService {
  /**
   * The tenant's view: `subjectId` is the tenant's pairwise subject; unknown and foreign ids are both 404.
   * Synchronous on a cache hit (the status API's hot path).
   */
  statusForTenant(tenantId: string, subjectId: string): MaybePromise<Assurance & { person_id: string }>;
  /** Account fields + effective assurance of a person (ID token, userinfo). */
  claims: (personId: string) => Promise<AccountClaims | undefined>;
  /** Applies a verification outcome inside the caller's transaction (row locked, event emitted there too). */
  apply(trx: Queryable, personId: string, change: AssuranceChange, now: Date, reason: string): Promise<boolean>;
}

export function createAssuranceService(d: { db: Knex; clock: Clock; invalidations: Invalidations }): AssuranceService {
  const cache = new StatusCache(d.db, d.invalidations);
  return {
    statusForTenant: (tenantId, subjectId) => statusForTenant(cache, d.clock, tenantId, subjectId),
    claims: (personId) => accountClaims(d.db, d.clock, personId),
    apply: applyAssuranceChange,
  };
}

export function statusForTenant(
  cache: StatusCache,
  clock: Clock,
  tenantId: string,
  subjectId: string,
): MaybePromise<Assurance & { person_id: string }> {
  return andThen(cache.find(tenantId, subjectId), (row) => {
    if (!row) throw new NotFoundError('Person');
    return { person_id: row.sub, ...effectiveAssurance(row.status ? row : undefined, clock.now()) };
  });
}
