// Applying an outcome — automated (decide) or human (review) — in ONE transaction: the case row, the person's
// assurance, the document registry and dedup enrollment on approval, and the outbox events.
import { StoredDataError } from '../../db/codec.js';
import type { Trx } from '../../db/index.js';
import { ConflictError, NotFoundError } from '../../http/errors.js';
import { log } from '../../log.js';
import { emitEvent } from '../../webhooks/outbox.js';
import { thresholds } from '../thresholds.js';
import type { CaseContext } from './context.js';
import { decisionEvent, resubmissionEvent } from './events.js';
import type { Decision, FaceTemplate, Level, Outcome, ReviewOutcome } from './model.js';
import { moveAssurance } from './mode.js';
import { caseProvenance, type ApprovalSource } from './provenance.js';
import { instructionFor, MAX_ATTEMPTS } from './retake.js';
import { keptFace, openPrivate, sealPrivate, type PrivateCaseData } from './sealed.js';
import { caseStore, documentRegistry, type CaseRow } from './store.js';

const DAY_MS = 86_400_000;

/** Earlier of the document's expiry (end of that day, UTC) and maxValidityDays from now. */
export function approvalExpiry(now: Date, documentExpiry: string | null | undefined): Date {
  const cap = now.getTime() + thresholds.decision.maxValidityDays * DAY_MS;
  const doc = documentExpiry ? Date.parse(`${documentExpiry}T00:00:00Z`) + DAY_MS : Number.POSITIVE_INFINITY;
  return new Date(Math.min(cap, Number.isNaN(doc) ? cap : doc));
}

/** `method`, `checks` and `screenedAt` are the approval's provenance (auto from decide, human from a review). */
interface Approval extends ApprovalSource {
  level: Level;
  amlClear: boolean | null;
  face: FaceTemplate | null;
}

async function approve(trx: Trx, ctx: CaseContext, row: CaseRow, a: Approval, now: Date): Promise<void> {
  // t2 and t3 mean "screened": aml_clear null (screening never ran) can never come with them. The decision model
  // already sends such a case to manual_review (screening_unavailable); this refuses any path that gets here anyway.
  // A review can clear a screening hit (false), never an absent screening (null).
  if (a.level !== 't1' && a.amlClear === null) {
    throw new ConflictError('screening_required', `A ${a.level} approval requires a sanctions/PEP screening result; screening did not run for this case.`);
  }
  if (!row.livemode) {
    // Test mode: the tenant's test assurance only; the document registry and face dedup hold live identities.
    const { provenance } = caseProvenance(row, a);
    await moveAssurance(trx, ctx, row, { kind: 'approved', tier: a.level, amlClear: a.amlClear, expiresAt: approvalExpiry(now, row.extraction?.mrz?.expiry_date), provenance, claims: null }, now, 'verification_approved');
    return;
  }
  if (row.document_fingerprint) {
    await documentRegistry.claim(trx, { fingerprint: row.document_fingerprint, person_id: row.person_id, case_id: row.id, verified_at: now });
    const owner = await documentRegistry.find(trx, row.document_fingerprint);
    if (owner && owner.person_id !== row.person_id) {
      throw new ConflictError('document_already_verified', 'This document already backs another verified person.');
    }
  }
  const expiry = row.extraction?.mrz?.expiry_date;
  const { provenance, claims } = caseProvenance(row, a);
  await ctx.assurance.apply(
    trx,
    row.person_id,
    { kind: 'approved', tier: a.level, amlClear: a.amlClear, expiresAt: approvalExpiry(now, expiry), provenance, claims },
    now,
    'verification_approved',
  );
  if (a.face) await ctx.dedup.enroll(trx, { personId: row.person_id, caseId: row.id, ...a.face });
}

/** Automated decision: the case must still be open and unchanged since the inputs were read. */
export async function finishCase(
  ctx: CaseContext,
  row: CaseRow,
  d: { decision: Decision; amlClear: boolean | null; face: FaceTemplate | null },
): Promise<CaseRow> {
  const now = ctx.clock.now();
  const { decision } = d;
  await ctx.db.transaction(async (trx) => {
    const locked = await caseStore.findForUpdate(trx, row.tenant_id, row.id);
    if (locked?.status !== 'open' || locked.uploaded_at?.getTime() !== row.uploaded_at?.getTime()) {
      throw new ConflictError('case_changed', 'The case changed while it was being decided; decide again.');
    }
    let privateEnc = locked.private_enc;
    if (decision.outcome === 'manual_review' && d.face && privateEnc) {
      // Kept sealed until the review, so an approval can enroll the face; removed at review or by retention.
      const priv = openPrivate(ctx.keys.encryption, row.id, privateEnc);
      privateEnc = sealPrivate(ctx.keys.encryption, row.id, { ...priv, ...d.face });
    }
    await caseStore.update(trx, row.id, {
      status: decision.outcome,
      decision: { ...decision, decided_at: now.toISOString(), aml_clear: d.amlClear },
      outcome: decision.outcome,
      risk_level: decision.risk_level,
      human_verified: false,
      decided_at: now,
      attempts: locked.attempts + 1,
      private_enc: privateEnc,
      updated_at: now,
    });
    if (decision.outcome === 'approved') {
      // Screening runs in the decide call that finishes here (checks.ts), so it ran now when it gave a result.
      const source = { method: 'auto' as const, checks: decision.checks, screenedAt: d.amlClear === null ? null : now };
      await approve(trx, ctx, locked, { level: row.level, amlClear: d.amlClear, face: d.face, ...source }, now);
    }
    // manual_review and resubmission_requested leave the person in progress: a reviewer or a retake follows.
    else await moveAssurance(trx, ctx, row, { kind: decision.outcome === 'rejected' ? 'rejected' : 'in_progress' }, now, `verification_${decision.outcome}`);
    await ctx.onOutcome?.(trx, { id: row.id, outcome: decision.outcome, reasons: decision.reasons, reviewed: false });
    const facts = { ...row, status: decision.outcome, attempts: locked.attempts + 1 };
    await emitEvent(trx, decision.outcome === 'resubmission_requested'
      ? { tenantId: row.tenant_id, type: 'verification.case.resubmission_requested', data: resubmissionEvent(facts, decision), at: now, livemode: row.livemode }
      : { tenantId: row.tenant_id, type: 'verification.case.decided', data: decisionEvent(facts, decision), at: now, livemode: row.livemode });
  });
  // Read-your-writes in this process: its cached status must not wait for the trigger's NOTIFY to arrive.
  ctx.assurance.forgetCached(row.person_id);
  return (await caseStore.find(ctx.db, row.tenant_id, row.id))!;
}

/** Who decides a review: a staff member (a KYCPort person account with the reviewer role, review/). */
export interface StaffActor {
  personId: string;
}

/** One reviewer's decision on a case; the reason code is public (tenants see it), the note stays in review/. */
export interface ReviewerDecision {
  outcome: ReviewOutcome;
  reasonCode: string;
}

/** What the review service adds inside the review's transaction: the four-eyes count and its own record. */
export interface ReviewHooks {
  /** Different reviewers a t3 approval needs (REVIEW_T3_REVIEWERS); other tiers need one. */
  t3Reviewers: number;
  /** Reviewers whose approval of this case is on record and still waiting for a second one. */
  pendingApprovers(trx: Trx, caseId: string): Promise<string[]>;
  /** Records this reviewer's decision; `final` false: an approval held for a second reviewer. */
  record(trx: Trx, row: CaseRow, final: boolean): Promise<void>;
}

export type ReviewResult = { row: CaseRow; awaitingSecondReviewer: boolean };

/**
 * Human review of a manual_review case: the case is loaded once, locked, inside the transaction. A t3 approval
 * is held until enough different reviewers approved it (four eyes); a rejection or a resubmission request by
 * any reviewer ends the review (a resubmission reopens the case for a retake while attempts are left). A t2+ approval needs a screening that ran: a reviewer may clear a hit (the approval
 * records the person as screened clear), never a screening that is absent.
 */
export async function finishReview(ctx: CaseContext, actor: StaffActor, id: string, d: ReviewerDecision, hooks: ReviewHooks): Promise<ReviewResult> {
  const now = ctx.clock.now();
  const found = await caseStore.findById(ctx.db, id);
  if (!found) throw new NotFoundError('Verification case');
  const tenantId = found.tenant_id;
  const held = await ctx.db.transaction(async (trx) => {
    const row = await caseStore.findForUpdate(trx, tenantId, id);
    if (!row) throw new NotFoundError('Verification case');
    if (row.erased_at) throw new ConflictError('person_erased', 'The person erased their account; this case is kept only as the record of its automated decision.');
    if (row.status !== 'manual_review') throw new ConflictError('not_in_review', `Only cases in manual_review can be reviewed; this one is ${row.status}.`);
    const automated = row.decision;
    if (!automated) throw new StoredDataError(`verification_cases ${row.id}: in manual_review without a decision`);
    const screened = automated.aml_clear !== null && automated.aml_clear !== undefined;
    if (d.outcome === 'approved' && row.level !== 't1' && !screened) {
      throw new ConflictError('screening_required', `A ${row.level} approval needs a screening that ran; this case has none. Reject it or request a resubmission.`);
    }
    if (d.outcome === 'approved') {
      const earlier = await hooks.pendingApprovers(trx, row.id);
      if (earlier.includes(actor.personId)) throw new ConflictError('second_reviewer_required', 'You already approved this case; a different reviewer must approve it too.');
      const needed = row.level === 't3' ? hooks.t3Reviewers : 1;
      if (earlier.length + 1 < needed) {
        await hooks.record(trx, row, false);
        await caseStore.update(trx, row.id, { updated_at: now });
        return true;
      }
    }
    await hooks.record(trx, row, true);
    const priv = row.private_enc ? openPrivate(ctx.keys.encryption, row.id, row.private_enc) : null;
    if (d.outcome === 'approved') {
      const kept = keptFace(priv);
      if (!kept && row.level !== 't1') log.info('review approval without a retained face descriptor; not enrolled for dedup', { case_id: row.id });
      // The reviewer cleared any screening hit; t1 needs no screening and keeps what ran (or null).
      const amlClear = screened ? true : null;
      const screenedAt = screened && automated.decided_at ? new Date(automated.decided_at) : null;
      await approve(trx, ctx, row, { level: row.level, amlClear, face: kept, method: 'human', checks: automated.checks, screenedAt }, now);
    }
    // A resubmission request reopens the case for a retake while attempts are left; on the last attempt it is a
    // rejection (the review record keeps what the reviewer asked for).
    const retake = d.outcome === 'resubmission_requested' && row.attempts < MAX_ATTEMPTS;
    const caseOutcome: Outcome = d.outcome === 'approved' ? 'approved' : retake ? 'resubmission_requested' : 'rejected';
    // A retake leaves the person's assurance as the manual review left it (in progress): a new attempt follows.
    if (caseOutcome === 'rejected') await moveAssurance(trx, ctx, row, { kind: 'rejected' }, now, 'verification_rejected');
    const instruction = d.outcome === 'resubmission_requested' ? instructionFor({ code: d.reasonCode }) : undefined;
    const { embedding: _drop, descriptor: _model, reviewThreshold: _flagAt, ...rest } = priv ?? ({} as PrivateCaseData);
    await caseStore.update(trx, row.id, {
      status: caseOutcome,
      outcome: caseOutcome,
      human_verified: true,
      review: { outcome: d.outcome, reason: d.reasonCode, reviewed_at: now.toISOString(), ...(instruction ? { instruction } : {}) },
      reviewed_at: now,
      private_enc: priv ? sealPrivate(ctx.keys.encryption, row.id, rest) : null,
      updated_at: now,
    });
    const resubmit = d.outcome === 'resubmission_requested';
    const reasons = resubmit ? [{ code: d.reasonCode, message: 'A reviewer asked for new captures.', ...(instruction ? { instruction } : {}) }] : automated.reasons;
    await ctx.onOutcome?.(trx, { id: row.id, outcome: caseOutcome, reasons, reviewed: true, resubmit });
    const facts = { ...row, status: caseOutcome };
    const reviewed = { ...automated, outcome: caseOutcome, human_verified: true, reasons };
    await emitEvent(trx, retake
      ? { tenantId, type: 'verification.case.resubmission_requested', data: resubmissionEvent(facts, reviewed), at: now, livemode: row.livemode }
      : { tenantId, type: 'verification.case.reviewed', data: decisionEvent(facts, { ...automated, outcome: caseOutcome, human_verified: true }), at: now, livemode: row.livemode });
    return false;
  });
  const done = (await caseStore.find(ctx.db, tenantId, id))!;
  ctx.assurance.forgetCached(done.person_id);
  return { row: done, awaitingSecondReviewer: held };
}

/**
 * Closes a case that waits for a retake because the retake went to another case (a hosted session's next attempt):
 * `rejected`, its capture reasons kept and a `retaken` reason naming the new case. The person's assurance is not
 * touched: the new case is their attempt now. Not a decision, so no session follows it; the tenant gets the case's
 * final `verification.case.decided`.
 */
export async function supersedeCase(ctx: CaseContext, tenantId: string, id: string, byCaseId: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (trx) => {
    const row = await caseStore.findForUpdate(trx, tenantId, id);
    if (row?.status !== 'resubmission_requested' || !row.decision) return;
    const reasons = [...row.decision.reasons, { code: 'retaken', message: `The captures were taken again in case ${byCaseId}.`, case_id: byCaseId }];
    await caseStore.update(trx, id, { status: 'rejected', outcome: 'rejected', decision: { ...row.decision, reasons }, updated_at: now });
    await emitEvent(trx, {
      tenantId,
      type: 'verification.case.decided',
      data: decisionEvent({ ...row, status: 'rejected' }, { ...row.decision, outcome: 'rejected', reasons }),
      at: now,
      livemode: row.livemode,
    });
  });
}
