// The assurance domain's service: a tenant's read of a person's status (cached), the claims join, and the changes
// a verification makes. Creation (persons/service.ts, in the person's transaction) and the expiry sweep (jobs.ts)
// call lifecycle.ts and expiry.ts directly. Built once in compose.ts.
import { testStatusForTenant, withTestAssurance } from './test-mode.js';
import type { Knex } from 'knex';
import type { Clock } from '../clock.js';
import type { Invalidations } from '../db/invalidations.js';
import type { Queryable } from '../db/index.js';
import { NotFoundError } from '../http/errors.js';
import { andThen, type MaybePromise } from '../maybe-promise.js';
import { ClaimsCache, StatusCache, type SubjectAssurance } from './cache.js';
import { accountClaims, type AccountClaims } from './claims.js';
import { applyAssuranceChange, type AssuranceChange } from './lifecycle.js';
import { effectiveAssurance, isExpired, type Assurance } from './model.js';
import { openClaims, sealClaims } from './provenance.js';

/**
 * What a tenant reads of a person, expiry applied. Frozen: while the row stays cached, every read of it gets the
 * same object (until it expires), so a caller may keep what it derives from one (e.g. the serialized body).
 */
export type TenantStatus = Readonly<Assurance & { person_id: string }>;

export interface AssuranceService {
  /**
   * The tenant's view: `subjectId` is the tenant's pairwise subject; unknown and foreign ids are both 404.
   * Synchronous on a cache hit (the status API's hot path).
   */
  statusForTenant(tenantId: string, subjectId: string, livemode?: boolean): MaybePromise<TenantStatus>;
  /** Account fields + effective assurance of a person (ID token, userinfo). */
  claims: (personId: string, testTenant?: string) => Promise<AccountClaims | undefined>;
  /** Drops the person's cached statuses in this process (a withdrawal: the next lookup must be a 404 at once). */
  forgetCached(personId: string): void;
  /** Applies a verification outcome inside the caller's transaction (row locked, event emitted there too). */
  apply(trx: Queryable, personId: string, change: AssuranceChange, now: Date, reason: string): Promise<boolean>;
}

/** `claimsKey` seals the document claims kept with a verified assurance (the document encryption key). */
export function createAssuranceService(d: { db: Knex; clock: Clock; invalidations: Invalidations; claimsKey: Buffer }): AssuranceService {
  const cache = new StatusCache(d.db, d.invalidations);
  const claimsCache = new ClaimsCache(d.db, d.invalidations);
  const views = new WeakMap<SubjectAssurance, { expired: boolean; status: TenantStatus }>();
  return {
    // A test key reads the tenant's test assurance (test-mode.ts): uncached, never the person's live one.
    statusForTenant: (tenantId, subjectId, livemode = true) =>
      !livemode ? testStatusForTenant(d.db, d.clock.now(), tenantId, subjectId) : andThen(cache.find(tenantId, subjectId), (row) => {
        if (!row) throw new NotFoundError('Person');
        return statusOf(views, row, d.clock.now());
      }),
    claims: async (personId, testTenant) => {
      const row = await claimsCache.find(personId);
      if (!row) return undefined;
      const live = accountClaims(row, d.clock.now(), (sealed) => openClaims(d.claimsKey, personId, sealed));
      return testTenant ? withTestAssurance(d.db, d.clock.now(), testTenant, live) : live;
    },
    forgetCached: (personId) => {
      cache.forget(personId);
      claimsCache.forget(personId);
    },
    apply: (trx, personId, change, now, reason) => applyAssuranceChange(trx, personId, change, now, reason, (id, claims) => sealClaims(d.claimsKey, id, claims)),
  };
}

/** The row's status at `now`, made once per row and expiry state (a reloaded row is a new object). */
function statusOf(views: WeakMap<SubjectAssurance, { expired: boolean; status: TenantStatus }>, row: SubjectAssurance, now: Date): TenantStatus {
  const assurance = row.status ? row : undefined;
  const expired = assurance ? isExpired(assurance, now) : false;
  const memo = views.get(row);
  if (memo?.expired === expired) return memo.status;
  const status = Object.freeze({ person_id: row.sub, ...effectiveAssurance(assurance, now) });
  views.set(row, { expired, status });
  return status;
}
