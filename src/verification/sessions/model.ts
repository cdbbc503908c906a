// Session vocabulary: statuses and the moves between them, which case outcomes a retake can fix, and the
// tenant-facing shape of a session (pairwise person_id, reason codes only — never case details or images).
import type { Level, Reason } from '../cases/model.js';
import type { SessionRow } from './store.js';

export const SESSION_STATUSES = [
  'created',
  'in_progress',
  'processing',
  'resubmission_requested',
  'manual_review',
  'verified',
  'rejected',
  'expired',
  'canceled',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** The person can still act: the link opens, captures are taken; these expire and can be canceled. */
export const ACTIVE: readonly SessionStatus[] = ['created', 'in_progress', 'resubmission_requested'];
/** Not final yet: the create's "create or resume" returns these (matches the partial unique index). */
export const OPEN: readonly SessionStatus[] = [...ACTIVE, 'processing'];
export const FINAL: readonly SessionStatus[] = ['verified', 'rejected', 'expired', 'canceled'];

export const isActive = (s: SessionStatus) => ACTIVE.includes(s);
export const isFinal = (s: SessionStatus) => FINAL.includes(s);

/** At most this many captures per session; a retake problem on the last one is a rejection. */
export const MAX_ATTEMPTS = 3;
/** A link (the session's `url`) lives this long; each fresh link moves the session's expiry with it. */
export const LINK_TTL_MS = 24 * 3600 * 1000;

// Capture problems a new photo fixes. Everything else that fails (check digits, an expired or already verified
// document, a face mismatch, screening hits) is a fraud signal or a fact about the person: never a retake.
const RETAKE = new Set(['blurred', 'glare', 'low_resolution', 'mrz_not_found', 'mrz_missing_back', 'no_face', 'multiple_faces', 'unreadable_image']);
// Follow-on codes that come with a capture problem (a step that could not run, t3's human step): neutral.
const NEUTRAL = new Set(['not_performed', 'human_review_required']);

/** True when the case failed only on things a retake fixes (and at least one of them). */
export function retakeFixes(reasons: readonly Pick<Reason, 'code'>[]): boolean {
  const codes = reasons.map((r) => r.code);
  return codes.some((c) => RETAKE.has(c)) && codes.every((c) => RETAKE.has(c) || NEUTRAL.has(c));
}

/** The retake codes among a case's reasons: what the person is told to fix. */
export const retakeCodes = (reasons: readonly Pick<Reason, 'code'>[]): string[] => [...new Set(reasons.map((r) => r.code).filter((c) => RETAKE.has(c)))];

export type SessionOutcome = 'approved' | 'rejected' | 'manual_review';

export interface SessionView {
  id: string;
  status: SessionStatus;
  level: Level;
  url: string | null;
  expires_at: string;
  external_user_id: string | null;
  person_id: string | null;
  case_id: string | null;
  outcome: SessionOutcome | null;
  reasons: string[];
  attempts: number;
  metadata: Record<string, string> | null;
  redirect_uri: string;
  created_at: string;
  updated_at: string;
  livemode: boolean;
}

export function presentSession(row: SessionRow, url: string | null = null): SessionView {
  return {
    id: row.id,
    status: row.status,
    level: row.level,
    url,
    expires_at: row.expires_at.toISOString(),
    external_user_id: row.external_user_id,
    person_id: row.sub,
    case_id: row.case_id,
    outcome: row.outcome,
    reasons: row.reasons ?? [],
    attempts: row.attempts,
    metadata: row.metadata,
    redirect_uri: row.redirect_uri,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    livemode: row.livemode,
  };
}

/** Webhook payload: the session's facts, the tenant's pairwise person_id, reason codes only. */
export function sessionEvent(row: SessionRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    session_id: row.id,
    status: row.status,
    level: row.level,
    external_user_id: row.external_user_id,
    person_id: row.sub,
    case_id: row.case_id,
    attempts: row.attempts,
    ...extra,
  };
}
