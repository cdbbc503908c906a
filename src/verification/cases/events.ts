// Webhook payloads for case events: the tenant's person_id (pairwise sub) and case facts only — never internal
// ids, images, document numbers or extracted personal data.
import type { Decision } from './model.js';
import { MAX_ATTEMPTS } from './retake.js';
import type { CaseRow } from './store.js';

type CaseFacts = Pick<CaseRow, 'id' | 'sub' | 'level' | 'status'>;

export function caseEvent(row: CaseFacts, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { case_id: row.id, person_id: row.sub, level: row.level, status: row.status, ...extra };
}

/** Decision summary for `verification.case.decided` / `.reviewed`: outcome, risk and reason codes, no check details. */
export function decisionEvent(row: CaseFacts, d: Pick<Decision, 'outcome' | 'risk_level' | 'human_verified' | 'automation_tier' | 'reasons'>): Record<string, unknown> {
  return caseEvent(row, {
    outcome: d.outcome,
    risk_level: d.risk_level,
    human_verified: d.human_verified,
    automation_tier: d.automation_tier,
    reasons: d.reasons.map((r) => r.code),
  });
}

/**
 * `verification.case.resubmission_requested`: the reason codes with the exact instruction for each, and how many
 * attempts are left. The case takes a new upload (the retake); nothing about the photos themselves.
 */
export function resubmissionEvent(row: CaseFacts & Pick<CaseRow, 'attempts'>, d: Pick<Decision, 'human_verified' | 'reasons'>): Record<string, unknown> {
  return caseEvent(row, {
    outcome: 'resubmission_requested',
    human_verified: d.human_verified,
    reasons: d.reasons.map((r) => r.code),
    instructions: d.reasons.filter((r) => r.instruction).map((r) => ({ code: r.code, instruction: r.instruction })),
    attempts: row.attempts,
    attempts_left: Math.max(0, MAX_ATTEMPTS - row.attempts),
  });
}
