// Assurance rows: queries only.
import type { Queryable } from '../db/index.js';
import type { AssuranceRow, NoAssurance } from './model.js';

/** A tenant's subject and the person's assurance (all null while the person has none). */
export type SubjectAssuranceRow = { sub: string; person_id: string } & (Omit<AssuranceRow, 'person_id'> | NoAssurance);

export const assuranceStore = {
  /** The tenant's subject and the person's assurance in one round trip (the status API's hot path). */
  findBySubject: (db: Queryable, tenantId: string, sub: string): Promise<SubjectAssuranceRow | undefined> =>
    db('subjects as s')
      .leftJoin('assurance as a', 'a.person_id', 's.person_id')
      .where({ 's.tenant_id': tenantId, 's.sub': sub })
      .first('s.sub', 's.person_id', 'a.status', 'a.tier', 'a.aml_clear', 'a.verified_at', 'a.expires_at'),
  find: (db: Queryable, personId: string): Promise<AssuranceRow | undefined> =>
    db('assurance').where({ person_id: personId }).first(),
  /** Row lock for read-modify-write inside a transaction. */
  findForUpdate: (trx: Queryable, personId: string): Promise<AssuranceRow | undefined> =>
    trx('assurance').where({ person_id: personId }).forUpdate().first(),
  update: (db: Queryable, personId: string, fields: Partial<Omit<AssuranceRow, 'person_id'>> & { updated_at: Date }) =>
    db('assurance').where({ person_id: personId }).update(fields),
};
