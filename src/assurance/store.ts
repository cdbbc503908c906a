// Assurance rows: queries only.
import type { Queryable } from '../db/index.js';
import type { AssuranceRow, NoAssurance } from './model.js';

/** A tenant's subject and the person's assurance (all null while the person has none). */
export type SubjectAssuranceRow = { sub: string; person_id: string } & (Omit<AssuranceRow, 'person_id'> | NoAssurance);

/** A person's account fields joined with their assurance (the claims a token or userinfo carries). */
export interface PersonAssuranceRow extends Partial<Omit<AssuranceRow, 'person_id'>> {
  id: string;
  email: string;
  email_verified: boolean;
  name: string | null;
}

export const assuranceStore = {
  /** The tenant's subject and the person's assurance in one round trip (the status API's hot path). */
  findBySubject: (db: Queryable, tenantId: string, sub: string): Promise<SubjectAssuranceRow | undefined> =>
    db('subjects as s')
      .leftJoin('assurance as a', 'a.person_id', 's.person_id')
      .where({ 's.tenant_id': tenantId, 's.sub': sub })
      .first('s.sub', 's.person_id', 'a.status', 'a.tier', 'a.aml_clear', 'a.verified_at', 'a.expires_at'),
  /** The person and their assurance in one round trip (the token endpoint reads it on every code exchange). */
  findPersonWithAssurance: (db: Queryable, personId: string): Promise<PersonAssuranceRow | undefined> =>
    db('persons as p')
      .leftJoin('assurance as a', 'a.person_id', 'p.id')
      .where('p.id', personId)
      .first('p.id', 'p.email', 'p.email_verified', 'p.name', 'a.status', 'a.tier', 'a.aml_clear', 'a.verified_at', 'a.expires_at'),
  find: (db: Queryable, personId: string): Promise<AssuranceRow | undefined> =>
    db('assurance').where({ person_id: personId }).first(),
  /** Row lock for read-modify-write inside a transaction. */
  findForUpdate: (trx: Queryable, personId: string): Promise<AssuranceRow | undefined> =>
    trx('assurance').where({ person_id: personId }).forUpdate().first(),
  /** A new person's row (the columns' defaults: unverified at t0). */
  insertInitial: (db: Queryable, personId: string) => db('assurance').insert({ person_id: personId }),
  insert: (db: Queryable, row: AssuranceRow & { updated_at: Date }) => db('assurance').insert(row),
  update: (db: Queryable, personId: string, fields: Partial<Omit<AssuranceRow, 'person_id'>> & { updated_at: Date }) =>
    db('assurance').where({ person_id: personId }).update(fields),

  /** Verified assurances past expiry not announced yet, locked (SKIP LOCKED: several sweepers may run). */
  lockExpired: (db: Queryable, now: Date, limit: number): Promise<{ person_id: string; tier: string; expires_at: Date }[]> =>
    db('assurance as a')
      .where('a.status', 'verified')
      .andWhere('a.expires_at', '<=', now)
      .whereNotExists(function () {
        this.select(1).from('assurance_expiry_notices as n').whereRaw('n.person_id = a.person_id and n.expires_at = a.expires_at');
      })
      .orderBy('a.expires_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .select('a.person_id', 'a.tier', 'a.expires_at'),
  insertExpiryNotices: async (db: Queryable, rows: { person_id: string; expires_at: Date; announced_at: Date }[]): Promise<void> => {
    if (rows.length) await db('assurance_expiry_notices').insert(rows);
  },
};
