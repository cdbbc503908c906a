// The case service: one entry point for a verification case's whole API lifecycle — create (idempotent), read,
// list, liveness challenge, upload (upload.ts), decide (checks.ts → finish.ts), review (finish.ts) — and the
// retention purge of its uploads (retention.ts). compose.ts builds it from a CaseContext.
import crypto from 'node:crypto';
import { NotFoundError, UnprocessableError, ConflictError } from '../../http/errors.js';
import { cursorCodec } from '../../http/pages.js';
import { newId } from '../../ids.js';
import { personStore } from '../../persons/store.js';
import { emitEvent } from '../../webhooks/outbox.js';
import { createChallenge } from '../engine/liveness/challenge.js';
import { decideCase } from './checks.js';
import type { CaseContext } from './context.js';
import { caseEvent } from './events.js';
import { finishReview, supersedeCase, type ReviewerDecision, type ReviewHooks, type StaffActor } from './finish.js';
import { UPLOADABLE, type CaseStatus, type Level } from './model.js';
import { purgeExpiredUploads } from './retention.js';
import { caseStore, fileStore, type CaseRow, type FileRow } from './store.js';
import { openForUpload, uploadToCase, type UploadBody } from './upload.js';
import { UploadIntake } from './intake.js';
import type { MultipartRules } from './multipart.js';
import { UPLOAD_LIMITS } from './schemas.js';
import type { IncomingMessage } from 'node:http';

export type CaseService = ReturnType<typeof createCaseService>;

export function createCaseService(ctx: CaseContext) {
  const intake = new UploadIntake(ctx.uploadTemp, ctx.uploadLimits, UPLOAD_LIMITS);
  return {
    create: (input: CreateInput) => createCase(ctx, input),
    get: (tenantId: string, id: string, livemode = true) => getCase(ctx, tenantId, id, livemode),
    list: (q: ListInput) => listCases(ctx, q),
    challenge: (tenantId: string, id: string, livemode = true) => issueChallenge(ctx, tenantId, id, livemode),
    /** The open case an upload is for (404/409 before the route reads the body). */
    openForUpload: (tenantId: string, id: string, livemode = true) => openForUpload(ctx, tenantId, id, livemode),
    /** A tenant slot and an in-flight reservation for one upload body (429/503 when full); release when answered. */
    admitUpload: (tenantId: string, req: IncomingMessage) => intake.admit(tenantId, req),
    /** Receives the multipart body via sealed temporary files (408 when it stalls). */
    receiveUpload: (req: IncomingMessage, rules: MultipartRules) => intake.receive(req, rules),
    upload: (row: CaseRow, body: UploadBody) => uploadToCase(ctx, row, body),
    decide: (tenantId: string, id: string, livemode = true) => decideCase(ctx, tenantId, id, livemode),
    /** A staff reviewer's decision (review/ service: claims, reason codes, notes, four eyes). */
    review: (actor: StaffActor, id: string, d: ReviewerDecision, hooks: ReviewHooks) => finishReview(ctx, actor, id, d, hooks),
    /** A hosted session's retake went to a new case: the one that asked for it is closed (sessions/service.ts). */
    supersede: (tenantId: string, id: string, byCaseId: string) => supersedeCase(ctx, tenantId, id, byCaseId),
    /** Deletes uploads past DOCUMENT_RETENTION_DAYS (jobs.ts runs it hourly). */
    purgeExpiredUploads: () => purgeExpiredUploads(ctx),
  };
}

export interface CreateInput {
  tenantId: string;
  personId: string;
  level: Level;
  idempotencyKey?: string;
  /** false: a test-mode case (a test key). Default: live. */
  livemode?: boolean;
  /**
   * Attempts already used elsewhere: a hosted session opens one case per attempt, and its next case continues the
   * count, so the third attempt with capture problems is rejected there too. Not part of the tenant API.
   */
  priorAttempts?: number;
}

const requestHash = (i: CreateInput) => crypto.createHash('sha256').update(JSON.stringify([i.personId, i.level])).digest('base64url');

function replay(existing: CaseRow, hash: string): { row: CaseRow; replayed: true } {
  if (existing.request_hash !== hash) {
    throw new UnprocessableError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body.');
  }
  return { row: existing, replayed: true };
}

export async function createCase(ctx: CaseContext, input: CreateInput): Promise<{ row: CaseRow; replayed: boolean }> {
  const db = ctx.db;
  const hash = requestHash(input);
  const livemode = input.livemode ?? true;
  if (input.idempotencyKey) {
    const existing = await caseStore.findByIdempotencyKey(db, input.tenantId, input.idempotencyKey, livemode);
    if (existing) return replay(existing, hash);
  }
  const subject = await personStore.findSubject(db, input.tenantId, input.personId);
  if (!subject) throw new NotFoundError('Person');
  const now = ctx.clock.now();
  const row = {
    id: newId('vc'),
    tenant_id: input.tenantId,
    person_id: subject.person_id,
    sub: subject.sub,
    level: input.level,
    status: 'open' as const,
    attempts: input.priorAttempts ?? 0,
    idempotency_key: input.idempotencyKey ?? null,
    request_hash: input.idempotencyKey ? hash : null,
    livemode,
    created_at: now,
    updated_at: now,
  };
  try {
    await db.transaction(async (trx) => {
      await caseStore.insert(trx, row);
      await emitEvent(trx, { tenantId: input.tenantId, type: 'verification.case.created', data: caseEvent(row), at: now, livemode });
    });
  } catch (err) {
    // Two requests racing with one key: the loser replays the winner's case.
    if (input.idempotencyKey && (err as { code?: string }).code === '23505') {
      const existing = await caseStore.findByIdempotencyKey(db, input.tenantId, input.idempotencyKey, livemode);
      if (existing) return replay(existing, hash);
    }
    throw err;
  }
  return { row: (await caseStore.find(db, input.tenantId, row.id))!, replayed: false };
}

export async function getCase(ctx: CaseContext, tenantId: string, id: string, livemode: boolean): Promise<{ row: CaseRow; files: FileRow[] }> {
  const row = await caseStore.find(ctx.db, tenantId, id, livemode);
  if (!row) throw new NotFoundError('Verification case');
  return { row, files: await fileStore.forCase(ctx.db, id) };
}

export interface ListInput {
  tenantId: string;
  status?: CaseStatus;
  personId?: string;
  limit: number;
  cursor?: string;
  livemode?: boolean;
}

export async function listCases(ctx: CaseContext, q: ListInput): Promise<{ rows: CaseRow[]; nextCursor: string | null }> {
  const after = q.cursor ? cursor.decode(q.cursor) : undefined;
  // Fetch one extra row to know whether there is a next page without a count query.
  const rows = await caseStore.list(ctx.db, { tenantId: q.tenantId, livemode: q.livemode ?? true, status: q.status, sub: q.personId, limit: q.limit + 1, after });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > q.limit && last ? cursor.encode(last) : null };
}

const cursor = cursorCodec(/^vc_[\w-]+$/);

/** A fresh random head-turn sequence, stored on the case; the decide step checks frames against it. */
export async function issueChallenge(ctx: CaseContext, tenantId: string, id: string, livemode: boolean): Promise<{ challenge: string[]; issued_at: string }> {
  return ctx.db.transaction(async (trx) => {
    const row = await caseStore.findForUpdate(trx, tenantId, id);
    if (row?.livemode !== livemode) throw new NotFoundError('Verification case');
    if (!UPLOADABLE.includes(row.status)) throw new ConflictError('case_closed', `The case is ${row.status}; no new challenge can be issued.`);
    const challenge = createChallenge();
    const now = ctx.clock.now();
    await caseStore.update(trx, id, { challenge, challenge_issued_at: now, updated_at: now });
    return { challenge, issued_at: now.toISOString() };
  });
}
