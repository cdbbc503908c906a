// Assurance rows: queries only.
import type { Queryable } from '../db/index.js';
import type { AssuranceRow, NoAssurance } from './model.js';
import { provenanceColumn, type StoredProvenance } from './provenance.js';

/** The hot path's columns: the row and how it was reached, never the provenance JSON or the sealed claims. */
const STATUS_COLUMNS = ['a.status', 'a.tier', 'a.aml_clear', 'a.verified_at', 'a.expires_at', 'a.verification_method', 'a.screened_at'];

/** The provenance and the sealed document claims of a verified assurance (null otherwise). */
export interface ProvenanceFields {
  provenance: StoredProvenance | null;
  claims_enc: string | null;
}

/** A tenant's subject and the person's assurance (all null while the person has none). */
export type SubjectAssuranceRow = { sub: string; person_id: string } & (Omit<AssuranceRow, 'person_id'> | NoAssurance);

/** A person's account fields joined with their assurance (the claims a token or userinfo carries). */
export interface PersonAssuranceRow extends Partial<Omit<AssuranceRow, 'person_id'>>, Partial<ProvenanceFields> {
  id: string;
  email: string;
  email_verified: boolean;
  name: string | null;
}

type ProvenanceWrite = { provenance?: string | null; claims_enc?: string | null };
/** Encodes the provenance JSON for a write (pg would send a JS object's arrays as Postgres arrays). */
const encodeProvenance = (p: ProvenanceFields | undefined): ProvenanceWrite =>
  p ? { provenance: p.provenance ? provenanceColumn.encode(p.provenance) : null, claims_enc: p.claims_enc } : {};

export const assuranceStore = {
  /** The tenant's subject and the person's assurance in one round trip (the status API's hot path). */
  findBySubject: (db: Queryable, tenantId: string, sub: string): Promise<SubjectAssuranceRow | undefined> =>
    db('subjects as s')
      .leftJoin('assurance as a', 'a.person_id', 's.person_id')
      .where({ 's.tenant_id': tenantId, 's.sub': sub })
      .first('s.sub', 's.person_id', ...STATUS_COLUMNS),
  /** The person and their assurance in one round trip (the token endpoint reads it on every code exchange). */
  // The provenance and sealed claims come along (verified_claims is built from them only when asked for).
  findPersonWithAssurance: async (db: Queryable, personId: string): Promise<PersonAssuranceRow | undefined> => {
    const row: (Omit<PersonAssuranceRow, 'provenance'> & { provenance?: unknown }) | undefined = await db('persons as p')
      .leftJoin('assurance as a', 'a.person_id', 'p.id')
      .where('p.id', personId)
      .first('p.id', 'p.email', 'p.email_verified', 'p.name', ...STATUS_COLUMNS, 'a.provenance', 'a.claims_enc');
    return row && { ...row, provenance: row.provenance == null ? null : provenanceColumn.decode(row.provenance) };
  },
  find: (db: Queryable, personId: string): Promise<AssuranceRow | undefined> =>
    db('assurance').where({ person_id: personId }).first('person_id', ...STATUS_COLUMNS.map((c) => c.slice(2))),
  /** Row lock for read-modify-write inside a transaction. */
  findForUpdate: (trx: Queryable, personId: string): Promise<AssuranceRow | undefined> =>
    trx('assurance').where({ person_id: personId }).forUpdate().first('person_id', ...STATUS_COLUMNS.map((c) => c.slice(2))),
  /** A new person's row (the columns' defaults: unverified at t0). */
  insertInitial: (db: Queryable, personId: string) => db('assurance').insert({ person_id: personId }),
  insert: (db: Queryable, row: AssuranceRow & { updated_at: Date }, provenance?: ProvenanceFields) =>
    db('assurance').insert({ ...row, ...encodeProvenance(provenance) }),
  update: (db: Queryable, personId: string, fields: Partial<Omit<AssuranceRow, 'person_id'>> & { updated_at: Date }, provenance?: ProvenanceFields) =>
    db('assurance').where({ person_id: personId }).update({ ...fields, ...encodeProvenance(provenance) }),
  /** Drops the sealed document claims of these (expired) assurances; the provenance stays as the record. */
  clearClaims: async (db: Queryable, personIds: string[]): Promise<void> => {
    if (personIds.length) await db('assurance').whereIn('person_id', personIds).update({ claims_enc: null });
  },

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

const TEST_COLUMNS = ['person_id', 'status', 'tier', 'aml_clear', 'verified_at', 'expires_at', 'verification_method', 'screened_at'];

/** Test mode's assurance: one row per (tenant, person), never the person's reusable one (test-mode.ts). */
export const testAssuranceStore = {
  find: (db: Queryable, tenantId: string, personId: string, lock = false): Promise<AssuranceRow | undefined> => {
    const q = db('test_assurance').where({ tenant_id: tenantId, person_id: personId });
    return (lock ? q.forUpdate() : q).first(...TEST_COLUMNS);
  },
  insert: (db: Queryable, tenantId: string, row: AssuranceRow & { updated_at: Date }) => db('test_assurance').insert({ ...row, tenant_id: tenantId }),
  update: (db: Queryable, tenantId: string, personId: string, row: Omit<AssuranceRow, 'person_id'> & { updated_at: Date }) =>
    db('test_assurance').where({ tenant_id: tenantId, person_id: personId }).update(row),
  delete: (db: Queryable, tenantId: string, personId: string) => db('test_assurance').where({ tenant_id: tenantId, person_id: personId }).delete(),
  /** The person behind a tenant's subject. */
  personOf: async (db: Queryable, tenantId: string, sub: string): Promise<string | undefined> =>
    (await db('subjects').where({ tenant_id: tenantId, sub }).first<{ person_id: string } | undefined>('person_id'))?.person_id,
};
