// Persons and their pairwise subjects: queries only.
import type { AssuranceRow, NoAssurance } from '../assurance/model.js';
import type { Queryable } from '../db/index.js';

export interface PersonRow {
  id: string;
  email: string;
  password_hash: string;
  email_verified: boolean;
  name: string | null;
  created_at: Date;
}

export const personStore = {
  insert: (db: Queryable, row: Omit<PersonRow, 'created_at'>) => db('persons').insert(row),
  findById: (db: Queryable, id: string): Promise<PersonRow | undefined> => db('persons').where({ id }).first(),
  findWithAssurance: (db: Queryable, id: string): Promise<(PersonRow & (Omit<AssuranceRow, 'person_id'> | NoAssurance)) | undefined> =>
    db('persons as p')
      .leftJoin('assurance as a', 'a.person_id', 'p.id')
      .where('p.id', id)
      .first('p.*', 'a.status', 'a.tier', 'a.aml_clear', 'a.verified_at', 'a.expires_at'),
  findByEmail: (db: Queryable, email: string): Promise<PersonRow | undefined> =>
    db('persons').whereRaw('lower(email) = lower(?)', [email]).first(),
  markEmailVerified: (db: Queryable, id: string) => db('persons').where({ id }).update({ email_verified: true }),
  /** Undoes a sign-up whose verification mail could not be sent (never touches a verified account). */
  deleteUnverified: (db: Queryable, id: string) => db('persons').where({ id, email_verified: false }).delete(),

  /** Records the tenant's pairwise subject; idempotent. */
  upsertSubject: (db: Queryable, row: { tenant_id: string; person_id: string; sub: string }) =>
    db('subjects').insert(row).onConflict(['tenant_id', 'person_id']).ignore(),
  findSubject: (db: Queryable, tenantId: string, sub: string): Promise<{ person_id: string; sub: string } | undefined> =>
    db('subjects').where({ tenant_id: tenantId, sub }).first('person_id', 'sub'),
};
