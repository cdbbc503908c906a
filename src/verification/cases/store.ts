// Verification cases, their files and the verified-document registry: queries only. Case rows are decoded here
// (JSON columns through their schemas in model.ts), so callers get precise types.
import { jsonColumn } from '../../db/codec.js';
import type { Queryable } from '../../db/index.js';
import type { ChallengeStep } from '../engine/liveness/challenge.js';
import {
  challengeSchema,
  decisionSchema,
  extractionSchema,
  reviewSchema,
  type CaseStatus,
  type Extraction,
  type Level,
  type Outcome,
  type Review,
  type RiskLevel,
  type StoredDecision,
} from './model.js';

export interface CaseRow {
  id: string;
  tenant_id: string;
  person_id: string;
  sub: string;
  level: Level;
  status: CaseStatus;
  idempotency_key: string | null;
  request_hash: string | null;
  challenge: ChallengeStep[] | null;
  challenge_issued_at: Date | null;
  extraction: Extraction | null;
  private_enc: string | null;
  document_fingerprint: string | null;
  uploaded_at: Date | null;
  decision: StoredDecision | null;
  /** The final outcome (a review overrides the automated one). */
  outcome: Outcome | null;
  risk_level: RiskLevel | null;
  human_verified: boolean;
  decided_at: Date | null;
  /** Decided attempts (retake.ts MAX_ATTEMPTS); a retake upload after resubmission_requested starts the next. */
  attempts: number;
  review: Review | null;
  reviewed_at: Date | null;
  purged_at: Date | null;
  /** Set when the person was erased: the row is kept, without biometrics, as the decision record (privacy/). */
  erased_at: Date | null;
  /** false: a test-mode case (a test key made it); it moves the tenant's test assurance, never the person's. */
  livemode: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface FileRow {
  id: string;
  case_id: string;
  kind: 'document' | 'document_back' | 'selfie' | 'frame';
  seq: number;
  storage_path: string;
  content_type: string;
  bytes: number;
  width: number;
  height: number;
  created_at: Date;
}

export interface ListQuery {
  tenantId: string;
  livemode: boolean;
  status?: CaseStatus;
  sub?: string;
  limit: number;
  after?: { createdAt: Date; id: string };
}

const columns = {
  challenge: jsonColumn('verification_cases.challenge', challengeSchema.nullable()),
  extraction: jsonColumn('verification_cases.extraction', extractionSchema.nullable()),
  decision: jsonColumn('verification_cases.decision', decisionSchema.nullable()),
  review: jsonColumn('verification_cases.review', reviewSchema.nullable()),
};

/** A row as the driver returns it: timestamps are already Date, JSON columns parsed but not yet checked. */
type RawCaseRow = Omit<CaseRow, keyof typeof columns> & Record<keyof typeof columns, unknown>;

function decodeCase(r: RawCaseRow): CaseRow {
  return {
    ...r,
    challenge: columns.challenge.decode(r.challenge),
    extraction: columns.extraction.decode(r.extraction),
    decision: columns.decision.decode(r.decision),
    review: columns.review.decode(r.review),
  };
}

const decodeOne = (r: RawCaseRow | undefined): CaseRow | undefined => (r ? decodeCase(r) : undefined);

type CaseUpdate = Partial<Omit<CaseRow, 'id' | 'tenant_id'>> & { updated_at: Date };

function encodeUpdate(fields: CaseUpdate): Record<string, unknown> {
  const row: Record<string, unknown> = { ...fields };
  if (fields.challenge !== undefined) row.challenge = columns.challenge.encode(fields.challenge);
  if (fields.extraction !== undefined) row.extraction = columns.extraction.encode(fields.extraction);
  if (fields.decision !== undefined) row.decision = columns.decision.encode(fields.decision);
  if (fields.review !== undefined) row.review = columns.review.encode(fields.review);
  return row;
}

export const caseStore = {
  insert: (db: Queryable, row: Omit<CaseRow, 'extraction' | 'private_enc' | 'document_fingerprint' | 'uploaded_at' | 'decision' | 'outcome' | 'risk_level' | 'human_verified' | 'decided_at' | 'review' | 'reviewed_at' | 'purged_at' | 'erased_at' | 'challenge' | 'challenge_issued_at' | 'attempts'> & { attempts?: number }) =>
    db('verification_cases').insert(row),

  /** `livemode` given: only a case of that mode (a key of the other mode gets 404). */
  find: async (db: Queryable, tenantId: string, id: string, livemode?: boolean): Promise<CaseRow | undefined> =>
    decodeOne(await db<RawCaseRow>('verification_cases').where({ tenant_id: tenantId, id, ...(livemode === undefined ? {} : { livemode }) }).first()),

  findForUpdate: async (trx: Queryable, tenantId: string, id: string): Promise<CaseRow | undefined> =>
    decodeOne(await trx<RawCaseRow>('verification_cases').where({ tenant_id: tenantId, id }).forUpdate().first()),

  findById: async (db: Queryable, id: string): Promise<CaseRow | undefined> => decodeOne(await db<RawCaseRow>('verification_cases').where({ id }).first()),

  findByIdempotencyKey: async (db: Queryable, tenantId: string, key: string, livemode: boolean): Promise<CaseRow | undefined> =>
    decodeOne(await db<RawCaseRow>('verification_cases').where({ tenant_id: tenantId, idempotency_key: key, livemode }).first()),

  async list(db: Queryable, q: ListQuery): Promise<CaseRow[]> {
    const query = db<RawCaseRow>('verification_cases').where({ tenant_id: q.tenantId, livemode: q.livemode });
    if (q.status) query.andWhere({ status: q.status });
    if (q.sub) query.andWhere({ sub: q.sub });
    if (q.after) query.andWhereRaw('(created_at, id) < (?, ?)', [q.after.createdAt, q.after.id]);
    const rows = await query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(q.limit);
    return rows.map(decodeCase);
  },

  update: (db: Queryable, id: string, fields: CaseUpdate) => db('verification_cases').where({ id }).update(encodeUpdate(fields)),

  /** The person's latest approved case (for duplicate reasons). */
  latestApproved: (db: Queryable, personId: string): Promise<Pick<CaseRow, 'id' | 'tenant_id'> | undefined> =>
    db('verification_cases').where({ person_id: personId, status: 'approved', livemode: true }).orderBy('decided_at', 'desc').first('id', 'tenant_id'),

  /** Cases whose uploads are due for deletion: final decision (review, else automated) or, never decided, last upload before `before`. */
  dueForPurge: (db: Queryable, before: Date, limit: number): Promise<Pick<CaseRow, 'id'>[]> =>
    db('verification_cases')
      .whereNull('purged_at')
      .andWhereRaw('coalesce(reviewed_at, decided_at, uploaded_at) < ?', [before])
      .orderBy('created_at')
      .limit(limit)
      .select('id'),

  /** Every case of a person, oldest first (the person's export and erasure). */
  forPerson: async (db: Queryable, personId: string): Promise<CaseRow[]> =>
    (await db<RawCaseRow>('verification_cases').where({ person_id: personId }).orderBy([{ column: 'created_at' }, { column: 'id' }])).map(decodeCase),

  /** The approved case that backs the person's assurance now: the latest final approval. */
  latestApprovedFull: async (db: Queryable, personId: string): Promise<CaseRow | undefined> =>
    decodeOne(
      await db<RawCaseRow>('verification_cases')
        .where({ person_id: personId, status: 'approved', livemode: true })
        .orderByRaw('coalesce(reviewed_at, decided_at) desc nulls last')
        .first(),
    ),

  delete: (db: Queryable, id: string) => db('verification_cases').where({ id }).delete(),

  /** Decision records of erased persons whose record-keeping period ended before `before`; returns how many went. */
  deleteErasedBefore: async (db: Queryable, before: Date, limit: number): Promise<number> => {
    const due = await db('verification_cases').where('erased_at', '<', before).orderBy('erased_at').limit(limit).pluck<string[]>('id');
    if (due.length) await db('verification_cases').whereIn('id', due).delete();
    return due.length;
  },
};

export const fileStore = {
  insert: (db: Queryable, rows: FileRow[]) => (rows.length ? db('verification_files').insert(rows) : Promise.resolve()),
  forCase: (db: Queryable, caseId: string): Promise<FileRow[]> => db('verification_files').where({ case_id: caseId }).orderBy([{ column: 'kind' }, { column: 'seq' }]),
  deleteForCase: (db: Queryable, caseId: string) => db('verification_files').where({ case_id: caseId }).delete(),
  forCases: (db: Queryable, caseIds: string[]): Promise<FileRow[]> =>
    caseIds.length ? db('verification_files').whereIn('case_id', caseIds).orderBy([{ column: 'case_id' }, { column: 'kind' }, { column: 'seq' }]) : Promise.resolve([]),
};

export const documentRegistry = {
  find: (db: Queryable, fingerprint: string): Promise<{ fingerprint: string; person_id: string; case_id: string } | undefined> =>
    db('verified_documents').where({ fingerprint }).first(),
  /** Records that `fingerprint` backs `personId`; a no-op when it already does. */
  claim: (db: Queryable, row: { fingerprint: string; person_id: string; case_id: string; verified_at: Date }) =>
    db('verified_documents').insert(row).onConflict('fingerprint').ignore(),
};
