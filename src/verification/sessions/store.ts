// Verification sessions, their links and the tenants' extra redirect URIs: queries only. JSON columns are
// decoded through their schemas, so callers get precise types.
import { z } from 'zod';
import { jsonColumn } from '../../db/codec.js';
import type { Queryable } from '../../db/index.js';
import type { Level } from '../cases/model.js';
import { OPEN, type SessionOutcome, type SessionStatus } from './model.js';

export interface SessionRow {
  id: string;
  tenant_id: string;
  status: SessionStatus;
  level: Level;
  external_user_id: string | null;
  person_id: string | null;
  sub: string | null;
  redirect_uri: string;
  return_to: string | null;
  metadata: Record<string, string> | null;
  locale: string | null;
  case_id: string | null;
  document_type: DocumentType | null;
  issuing_country: string | null;
  /** Captures taken so far in the hosted flow: storage paths by field (`frames` several). */
  staged: Staged | null;
  attempts: number;
  outcome: SessionOutcome | null;
  reasons: string[] | null;
  browser_hash: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  expires_at: Date;
  /** false: a test-mode session (a test key made it); its cases are test cases, the hosted pages say so. */
  livemode: boolean;
  created_at: Date;
  updated_at: Date;
}

export type DocumentType = 'passport' | 'id_card';
export const STAGE_FIELDS = ['document', 'document_back', 'selfie', 'frames'] as const;
export type StageField = (typeof STAGE_FIELDS)[number];
export type Staged = Partial<Record<StageField, string[]>>;

const columns = {
  staged: jsonColumn('verification_sessions.staged', z.partialRecord(z.enum(STAGE_FIELDS), z.array(z.string())).nullable()),
  metadata: jsonColumn('verification_sessions.metadata', z.record(z.string(), z.string()).nullable()),
  reasons: jsonColumn('verification_sessions.reasons', z.array(z.string()).nullable()),
};

type RawRow = Omit<SessionRow, keyof typeof columns> & Record<keyof typeof columns, unknown>;

const decode = (r: RawRow): SessionRow => ({ ...r, metadata: columns.metadata.decode(r.metadata), reasons: columns.reasons.decode(r.reasons), staged: columns.staged.decode(r.staged) });
const decodeOne = (r: RawRow | undefined) => (r ? decode(r) : undefined);

export type SessionUpdate = Partial<Omit<SessionRow, 'id' | 'tenant_id' | 'created_at'>> & { updated_at: Date };

function encode(fields: Partial<SessionRow>): Record<string, unknown> {
  const row: Record<string, unknown> = { ...fields };
  if (fields.metadata !== undefined) row.metadata = columns.metadata.encode(fields.metadata);
  if (fields.reasons !== undefined) row.reasons = columns.reasons.encode(fields.reasons);
  if (fields.staged !== undefined) row.staged = columns.staged.encode(fields.staged);
  return row;
}

export interface SessionListQuery {
  tenantId: string;
  livemode: boolean;
  status?: SessionStatus;
  externalUserId?: string;
  limit: number;
  after?: { createdAt: Date; id: string };
}

const table = (db: Queryable) => db<RawRow>('verification_sessions');

export const sessionStore = {
  insert: (db: Queryable, row: SessionRow) => db('verification_sessions').insert(encode(row)),
  find: async (db: Queryable, tenantId: string, id: string, livemode: boolean) => decodeOne(await table(db).where({ tenant_id: tenantId, id, livemode }).first()),
  findById: async (db: Queryable, id: string) => decodeOne(await table(db).where({ id }).first()),
  findByIdForUpdate: async (trx: Queryable, id: string) => decodeOne(await table(trx).where({ id }).forUpdate().first()),
  findByCase: async (trx: Queryable, caseId: string) => decodeOne(await table(trx).where({ case_id: caseId }).forUpdate().first()),
  findByIdempotencyKey: async (db: Queryable, tenantId: string, key: string, livemode: boolean) =>
    decodeOne(await table(db).where({ tenant_id: tenantId, idempotency_key: key, livemode }).first()),
  findOpen: async (db: Queryable, tenantId: string, externalUserId: string, level: Level, livemode: boolean) =>
    decodeOne(await table(db).where({ tenant_id: tenantId, external_user_id: externalUserId, level, livemode }).whereIn('status', OPEN).first()),

  async list(db: Queryable, q: SessionListQuery): Promise<SessionRow[]> {
    const query = table(db).where({ tenant_id: q.tenantId, livemode: q.livemode });
    if (q.status) query.andWhere({ status: q.status });
    if (q.externalUserId) query.andWhere({ external_user_id: q.externalUserId });
    if (q.after) query.andWhereRaw('(created_at, id) < (?, ?)', [q.after.createdAt, q.after.id]);
    const rows = await query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(q.limit);
    return rows.map(decode);
  },

  update: (db: Queryable, id: string, fields: SessionUpdate) => db('verification_sessions').where({ id }).update(encode(fields)),

  /** Sessions whose time ran out while the person could still act (the expiry job locks and expires them). */
  dueForExpiry: (db: Queryable, now: Date, statuses: readonly SessionStatus[], limit: number): Promise<{ id: string }[]> =>
    db('verification_sessions').whereIn('status', statuses).where('expires_at', '<=', now).orderBy('expires_at').limit(limit).select('id'),
};

/** The person's sessions holding staged photos (erasure clears them). */
export const stagedOf = (db: Queryable, personId: string): Promise<{ id: string }[]> =>
  db('verification_sessions').where({ person_id: personId }).whereNotNull('staged').select('id');

/** Sessions left in `processing` since before `before` (their decision never ran: e.g. the process stopped). */
export const stuckProcessing = (db: Queryable, before: Date, limit: number): Promise<{ id: string }[]> =>
  db('verification_sessions').where({ status: 'processing' }).where('updated_at', '<', before).orderBy('updated_at').limit(limit).select('id');

export const linkStore = {
  insert: (db: Queryable, row: { token_hash: string; session_id: string; expires_at: Date }) => db('verification_session_links').insert(row),
  /** Marks a live link used; its session id, or undefined when it is unknown, expired or used. */
  async consume(db: Queryable, tokenHash: string, now: Date): Promise<string | undefined> {
    const rows = await db('verification_session_links')
      .where({ token_hash: tokenHash })
      .whereNull('used_at')
      .where('expires_at', '>', now)
      .update({ used_at: now })
      .returning<{ session_id: string }[]>('session_id');
    return rows[0]?.session_id;
  },
  find: (db: Queryable, tokenHash: string): Promise<{ session_id: string; expires_at: Date; used_at: Date | null } | undefined> =>
    db('verification_session_links').where({ token_hash: tokenHash }).first('session_id', 'expires_at', 'used_at'),
};
