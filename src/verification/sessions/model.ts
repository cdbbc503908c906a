// Session vocabulary: statuses and the moves between them, and the tenant-facing shape of a session (pairwise
// person_id, reason codes only — never case details or images). Which failures a retake fixes, and how many
// attempts there are, is the case's (cases/retake.ts): a session follows its attempt's case outcome.
import type { Level } from '../cases/model.js';
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

/** A link (the session's `url`) lives this long; each fresh link moves the session's expiry with it. */
export const LINK_TTL_MS = 24 * 3600 * 1000;

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
