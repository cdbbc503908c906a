// Assurance rows: queries only.
import type { Queryable } from '../db/index.js';
import type { AssuranceRow } from './model.js';

export const assuranceStore = {
  find: (db: Queryable, personId: string): Promise<AssuranceRow | undefined> =>
    db('assurance').where({ person_id: personId }).first(),
  /** Row lock for read-modify-write inside a transaction. */
  findForUpdate: (trx: Queryable, personId: string): Promise<AssuranceRow | undefined> =>
    trx('assurance').where({ person_id: personId }).forUpdate().first(),
  update: (db: Queryable, personId: string, fields: Partial<Omit<AssuranceRow, 'person_id'>> & { updated_at: Date }) =>
    db('assurance').where({ person_id: personId }).update(fields),
};
