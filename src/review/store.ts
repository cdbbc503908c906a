// The review queue's claims and the reviewers' decisions: queries only.
import type { Queryable } from '../db/index.js';
import type { ReviewOutcome } from '../verification/cases/model.js';

export interface ClaimRow {
  case_id: string;
  reviewer_id: string;
  claimed_at: Date;
  expires_at: Date;
}

export interface DecisionRow {
  id: string;
  case_id: string;
  reviewer_id: string;
  outcome: ReviewOutcome;
  reason_code: string;
  /** Sealed (secretBox, bound to the decision id): a note describes a person. */
  note_enc: string;
  final: boolean;
  decided_at: Date;
}

/** A manual_review case as the queue lists it (no personal data). */
export interface QueueRow {
  id: string;
  tenant_id: string;
  level: 't1' | 't2' | 't3';
  decided_at: Date | null;
  created_at: Date;
  reviewer_id: string | null;
  claim_expires_at: Date | null;
}

/**
 * A final decision after a held approval ends that round: a resubmission reopens the case for new captures, and an
 * approval of the old photos must not count towards four eyes on the new ones.
 */
const laterFinal = (db: Queryable) =>
  db('review_decisions as f').whereRaw('f.case_id = review_decisions.case_id and f.final and f.decided_at >= review_decisions.decided_at');

export const reviewStore = {
  /** Cases waiting for a reviewer, oldest first (by when they entered review), with their live claim if any. */
  queue: (db: Queryable, now: Date, limit: number): Promise<QueueRow[]> =>
    db('verification_cases as c')
      .leftJoin('review_claims as r', (j) => j.on('r.case_id', 'c.id').andOn('r.expires_at', '>', db.raw('?', [now])))
      .where('c.status', 'manual_review')
      .whereNull('c.erased_at')
      // Test-mode cases (a tenant's kp_test_ key) are never the operator's work: they stay in manual_review.
      .where('c.livemode', true)
      .orderByRaw('coalesce(c.decided_at, c.created_at) asc, c.id asc')
      .limit(limit)
      .select('c.id', 'c.tenant_id', 'c.level', 'c.decided_at', 'c.created_at', 'r.reviewer_id', 'r.expires_at as claim_expires_at'),

  liveClaim: (db: Queryable, caseId: string, now: Date): Promise<ClaimRow | undefined> =>
    db('review_claims').where({ case_id: caseId }).andWhere('expires_at', '>', now).first(),

  /** Takes the claim when it is free, lapsed or already this reviewer's; returns whether this reviewer holds it. */
  async claim(db: Queryable, row: ClaimRow): Promise<boolean> {
    await db('review_claims')
      .insert(row)
      .onConflict('case_id')
      .merge(['reviewer_id', 'claimed_at', 'expires_at'])
      .where(function () {
        void this.where('review_claims.expires_at', '<=', row.claimed_at).orWhere('review_claims.reviewer_id', row.reviewer_id);
      });
    const held = await db<ClaimRow>('review_claims').where({ case_id: row.case_id }).first();
    return held?.reviewer_id === row.reviewer_id;
  },

  release: (db: Queryable, caseId: string, reviewerId: string) => db('review_claims').where({ case_id: caseId, reviewer_id: reviewerId }).delete(),
  dropClaim: (db: Queryable, caseId: string) => db('review_claims').where({ case_id: caseId }).delete(),

  insertDecision: (db: Queryable, row: DecisionRow) => db('review_decisions').insert(row),

  /** Approvals held for a second reviewer (non-final approvals; a final decision closes the case). */
  pendingApprovers: (db: Queryable, caseId: string): Promise<string[]> =>
    db('review_decisions').where({ case_id: caseId, outcome: 'approved', final: false }).whereNotExists(laterFinal(db)).distinct().pluck('reviewer_id'),

  /** Cases of `ids` with a held approval: the queue marks them "awaiting a second reviewer". */
  awaitingSecond: (db: Queryable, ids: string[]): Promise<string[]> =>
    ids.length ? db('review_decisions').whereIn('case_id', ids).where({ outcome: 'approved', final: false }).whereNotExists(laterFinal(db)).distinct().pluck('case_id') : Promise.resolve([]),

  decisionsOf: (db: Queryable, caseId: string): Promise<DecisionRow[]> => db('review_decisions').where({ case_id: caseId }).orderBy('decided_at'),
};
