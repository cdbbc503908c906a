// Case vocabulary and the tenant-facing shape of a case (no internal ids, no images, no raw document numbers).
import type { CheckResult } from '../engine/types.js';
import type { CaseRow, FileRow } from './store.js';

export const LEVELS = ['t1', 't2', 't3'] as const;
export type Level = (typeof LEVELS)[number];
export const CASE_STATUSES = ['open', 'manual_review', 'approved', 'rejected'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export type Outcome = 'approved' | 'rejected' | 'manual_review';
export type RiskLevel = 'low' | 'medium' | 'high';

export interface Reason {
  code: string;
  message: string;
  /** The check that raised it, when one did. */
  check?: string;
  /** For possible_duplicate: the other person's verified case, when it belongs to the same tenant. */
  case_id?: string;
  /** For possible_duplicate across tenants: the other case exists but is not this tenant's to see. */
  other_tenant?: boolean;
}

export interface Decision {
  outcome: Outcome;
  risk_level: RiskLevel;
  human_verified: boolean;
  /** Highest tier whose automated checks all passed ('t0' = none); t3 always needs a human on top. */
  automation_tier: 't0' | 't1' | 't2';
  checks: CheckResult[];
  reasons: Reason[];
}

export interface Review {
  outcome: 'approved' | 'rejected';
  reason: string;
  reviewed_at: string;
}

const iso = (d: Date | string | null): string | null => (d ? new Date(d).toISOString() : null);

export function presentCase(row: CaseRow, files?: FileRow[]): Record<string, unknown> {
  const decision = row.decision as (Decision & { decided_at?: string }) | null;
  return {
    id: row.id,
    person_id: row.sub,
    level: row.level,
    status: row.status,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    uploaded_at: iso(row.uploaded_at),
    decided_at: iso(row.decided_at),
    document: row.extraction ?? null,
    liveness_challenge: row.challenge ?? null,
    ...(files ? { files: summariseFiles(files, row.purged_at) } : {}),
    decision: decision
      ? {
          outcome: row.outcome ?? decision.outcome,
          risk_level: row.risk_level ?? decision.risk_level,
          human_verified: row.human_verified,
          automation_tier: decision.automation_tier,
          checks: decision.checks,
          reasons: decision.reasons,
        }
      : null,
    review: row.review ?? null,
  };
}

function summariseFiles(files: FileRow[], purgedAt: Date | null): Record<string, unknown> {
  const count = (k: FileRow['kind']) => files.filter((f) => f.kind === k).length;
  return {
    document: count('document') > 0,
    document_back: count('document_back') > 0,
    selfie: count('selfie') > 0,
    frames: count('frame'),
    purged_at: iso(purgedAt),
  };
}
