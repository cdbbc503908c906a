// The operator's review queue (issue 12 §1–2): manual_review cases oldest first with their age against the SLA,
// claims (one reviewer at a time; a claim lapses or is released), the case as a reviewer sees it, and decisions
// with a reason code and a mandatory note. A decision goes through the cases' own finishReview (finish.ts), in
// whose transaction this service records it: four eyes for t3, screening required for a human t2+ approval.
import type { Knex } from 'knex';
import type { Clock } from '../clock.js';
import type { SecretBox } from '../crypto/seal.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../http/errors.js';
import { newId } from '../ids.js';
import type { FaceDedup } from '../verification/dedup-adapter.js';
import { thresholds } from '../verification/thresholds.js';
import type { UploadStore } from '../verification/cases/files.js';
import type { ReviewResult, StaffActor } from '../verification/cases/finish.js';
import type { ReviewOutcome } from '../verification/cases/model.js';
import { keptFace, openPrivate } from '../verification/cases/sealed.js';
import type { CaseService } from '../verification/cases/service.js';
import { caseStore, fileStore, type CaseRow, type FileRow } from '../verification/cases/store.js';
import { isReasonFor } from './reasons.js';
import { reviewStore, type DecisionRow } from './store.js';
import type { AuditActor, AuditRecorder } from '../audit/service.js';

export interface ReviewDeps {
  db: Knex;
  clock: Clock;
  cases: Pick<CaseService, 'review'>;
  /** Whether the person holds a role that may review (console/roles.ts REVIEW_ROLES), read at each call. */
  mayReview: (personId: string) => Promise<boolean>;
  uploads: UploadStore;
  dedup: Pick<FaceDedup, 'search'>;
  /** Opens the sealed case data (the retained face descriptor, for the dedup candidates). */
  caseKey: Buffer;
  /** Seals reviewer notes (the instance secret's 'review-notes' subkey), bound to the decision id. */
  notes: SecretBox;
  slaHours: number;
  t3Reviewers: number;
  claimMinutes: number;
  /** Decisions (in their transaction) and image views go on the operator's audit chain. */
  audit: Pick<AuditRecorder, 'record'>;
}

const staffActor = (actor: StaffActor): AuditActor => ({ type: 'staff', id: actor.personId });

export interface QueueItem {
  id: string;
  tenantId: string;
  level: 't1' | 't2' | 't3';
  /** Since the case entered manual review. */
  since: Date;
  ageHours: number;
  /** Past REVIEW_SLA_HOURS. */
  overdue: boolean;
  claimedBy: string | null;
  claimedByMe: boolean;
  awaitingSecondReviewer: boolean;
}

export interface DecisionInput {
  outcome: ReviewOutcome;
  reasonCode: string;
  note: string;
}

export interface DecisionView {
  reviewerId: string;
  reviewerEmail: string | null;
  outcome: ReviewOutcome;
  reasonCode: string;
  note: string;
  final: boolean;
  decidedAt: Date;
}

/** A dedup candidate: the other verified case, whatever tenant it belongs to (the operator sees all). */
export interface Candidate {
  caseId: string;
  similarity: number;
  files: FileRow[];
}

export const MAX_NOTE = 4000;
const HOUR_MS = 3_600_000;

export function createReviewService(d: ReviewDeps) {
  const noteAad = (decisionId: string) => `review-note:${decisionId}`;

  async function requireReviewer(actor: StaffActor): Promise<void> {
    if (!(await d.mayReview(actor.personId))) throw new ForbiddenError('Only the operator\'s reviewers may review cases.');
  }

  async function inReview(id: string): Promise<CaseRow> {
    const row = await caseStore.findById(d.db, id);
    if (!row) throw new NotFoundError('Verification case');
    return row;
  }

  async function claim(actor: StaffActor, id: string): Promise<{ expiresAt: Date }> {
    await requireReviewer(actor);
    const row = await inReview(id);
    if (row.status !== 'manual_review') throw new ConflictError('not_in_review', `The case is ${row.status}; there is nothing to review.`);
    const now = d.clock.now();
    const expiresAt = new Date(now.getTime() + d.claimMinutes * 60_000);
    if (!(await reviewStore.claim(d.db, { case_id: id, reviewer_id: actor.personId, claimed_at: now, expires_at: expiresAt }))) {
      throw new ConflictError('claimed_by_other', 'Another reviewer is working on this case.');
    }
    return { expiresAt };
  }

  return {
    slaHours: d.slaHours,
    t3Reviewers: d.t3Reviewers,

    async queue(actor: StaffActor, limit = 100): Promise<QueueItem[]> {
      await requireReviewer(actor);
      const now = d.clock.now();
      const rows = await reviewStore.queue(d.db, now, limit);
      const awaiting = new Set(await reviewStore.awaitingSecond(d.db, rows.map((r) => r.id)));
      return rows.map((r) => {
        const since = r.decided_at ?? r.created_at;
        const ageHours = (now.getTime() - since.getTime()) / HOUR_MS;
        return {
          id: r.id,
          tenantId: r.tenant_id,
          level: r.level,
          since,
          ageHours,
          overdue: ageHours > d.slaHours,
          claimedBy: r.reviewer_id,
          claimedByMe: r.reviewer_id === actor.personId,
          awaitingSecondReviewer: awaiting.has(r.id),
        };
      });
    },

    claim,

    async release(actor: StaffActor, id: string): Promise<void> {
      await requireReviewer(actor);
      await reviewStore.release(d.db, id, actor.personId);
    },

    /** Everything a reviewer needs on one case; image bytes come one at a time through image(). */
    async view(actor: StaffActor, id: string) {
      await requireReviewer(actor);
      const row = await inReview(id);
      const now = d.clock.now();
      const [files, claimRow, decisions] = await Promise.all([fileStore.forCase(d.db, id), reviewStore.liveClaim(d.db, id, now), reviewStore.decisionsOf(d.db, id)]);
      return { row, files, claim: claimRow ?? null, decisions: await Promise.all(decisions.map(openDecision)), candidates: await candidates(row) };
    },

    /** One stored image of a case, decrypted (the route sends it with no-store). */
    async image(actor: StaffActor, caseId: string, fileId: string): Promise<{ bytes: Buffer; type: string }> {
      await requireReviewer(actor);
      const file = (await fileStore.forCase(d.db, caseId)).find((f) => f.id === fileId);
      if (!file) throw new NotFoundError('Image');
      // Recorded before the bytes are read: a view that fails half-way still counts as one.
      await d.audit.record({ tenantId: null, actor: staffActor(actor), action: 'case.image_viewed', object: { type: 'case_file', id: file.id }, details: { case_id: caseId, kind: file.kind } });
      return { bytes: await d.uploads.read(file.storage_path), type: file.content_type };
    },

    async decide(actor: StaffActor, id: string, input: DecisionInput): Promise<ReviewResult> {
      await requireReviewer(actor);
      if (!isReasonFor(input.outcome, input.reasonCode)) throw new ValidationError(`"${input.reasonCode}" is not a reason code for ${input.outcome}.`);
      const note = input.note.trim();
      if (!note) throw new ValidationError('A note is required with every decision.');
      if (note.length > MAX_NOTE) throw new ValidationError(`The note is longer than ${MAX_NOTE} characters.`);
      // Deciding needs the claim: taken now when the case is free, refused while another reviewer holds it.
      await claim(actor, id);
      const result = await d.cases.review(actor, id, { outcome: input.outcome, reasonCode: input.reasonCode }, {
        t3Reviewers: d.t3Reviewers,
        pendingApprovers: (trx, caseId) => reviewStore.pendingApprovers(trx, caseId),
        async record(trx, row, final) {
          const decisionId = newId('rd');
          await reviewStore.insertDecision(trx, {
            id: decisionId,
            case_id: row.id,
            reviewer_id: actor.personId,
            outcome: input.outcome,
            reason_code: input.reasonCode,
            note_enc: d.notes.seal(note, noteAad(decisionId)),
            final,
            decided_at: d.clock.now(),
          });
          await d.audit.record(
            {
              tenantId: null,
              actor: staffActor(actor),
              action: final ? 'review.decided' : 'review.approval_held',
              object: { type: 'case', id: row.id },
              details: { decision_id: decisionId, outcome: input.outcome, reason_code: input.reasonCode, level: row.level, tenant_id: row.tenant_id },
            },
            trx,
          );
          // Held for a second reviewer: the claim goes, so another reviewer can take the case.
          await reviewStore.dropClaim(trx, row.id);
        },
      }).catch(async (err: unknown) => {
        // The first approver of a held t3 cannot finish it: the case goes back to the queue for someone else.
        if ((err as { code?: string }).code === 'second_reviewer_required') await reviewStore.release(d.db, id, actor.personId);
        throw err;
      });
      return result;
    },
  };

  async function openDecision(r: DecisionRow): Promise<DecisionView> {
    const who = await d.db('persons').where({ id: r.reviewer_id }).first<{ email: string } | undefined>('email');
    return {
      reviewerId: r.reviewer_id,
      reviewerEmail: who?.email ?? null,
      outcome: r.outcome,
      reasonCode: r.reason_code,
      note: d.notes.open(r.note_enc, noteAad(r.id)),
      final: r.final,
      decidedAt: r.decided_at,
    };
  }

  /** Verified faces like this case's selfie (the descriptor is kept sealed while the case waits for review). */
  async function candidates(row: CaseRow): Promise<Candidate[]> {
    if (row.status !== 'manual_review' || !row.private_enc) return [];
    const face = keptFace(openPrivate(d.caseKey, row.id, row.private_enc));
    if (!face) return [];
    const matches = (await d.dedup.search(face.descriptor, face.embedding, thresholds.dedup.searchK)).filter(
      (m) => m.personId !== row.person_id && m.caseId && m.similarity >= face.reviewThreshold,
    );
    return Promise.all(matches.map(async (m) => ({ caseId: m.caseId!, similarity: m.similarity, files: await fileStore.forCase(d.db, m.caseId!) })));
  }
}

export type ReviewService = ReturnType<typeof createReviewService>;
