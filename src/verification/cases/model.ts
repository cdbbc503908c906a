// Case vocabulary, the shapes of the case's JSON columns (zod schemas: the store decodes every read with them),
// and the tenant-facing shape of a case (no internal ids, no images, no raw document numbers).
import { z } from 'zod';
import type { ChallengeStep } from '../engine/liveness/challenge.js';
import type { CheckResult } from '../engine/types.js';
import { MAX_ATTEMPTS } from './retake.js';
import type { CaseRow, FileRow } from './store.js';

export const LEVELS = ['t1', 't2', 't3'] as const;
export type Level = (typeof LEVELS)[number];
// resubmission_requested: the last attempt failed only on capture problems (retake.ts); the case takes a new
// upload, which opens it again for the next attempt. approved and rejected are final.
export const CASE_STATUSES = ['open', 'resubmission_requested', 'manual_review', 'approved', 'rejected'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const OUTCOMES = ['approved', 'rejected', 'manual_review', 'resubmission_requested'] as const;
export type Outcome = (typeof OUTCOMES)[number];
/** A case in these statuses takes an upload (a resubmission_requested one: the retake of the next attempt). */
export const UPLOADABLE: readonly CaseStatus[] = ['open', 'resubmission_requested'];
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
  /** For a resubmission: what the person must capture again, a stable text per code (retake.ts). */
  instruction?: string;
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

/** The automated decision as stored: the decision plus when, and the screening result it was based on. */
export interface StoredDecision extends Decision {
  decided_at?: string;
  aml_clear?: boolean | null;
}

/** A reviewer's decision; a resubmission request asks for new captures in the same case (while attempts are left). */
export const REVIEW_OUTCOMES = ['approved', 'rejected', 'resubmission_requested'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

export interface Review {
  outcome: ReviewOutcome;
  /** The public reason code (review/reasons.ts); the reviewer's note is never here. */
  reason: string;
  reviewed_at: string;
  /** A resubmission request: what the person must capture again (retake.ts). */
  instruction?: string;
}

/** The document analysis as stored and shown (extraction.ts builds it); personal MRZ fields go at retention. */
/** A selfie's face descriptor and the model that made it (descriptors of different models never compare). */
export interface FaceTemplate {
  descriptor: string;
  embedding: number[];
  /** The descriptor's face.match review threshold, at which 1:N flags another person's face. */
  reviewThreshold: number;
}

export interface Extraction {
  type: string | null;
  mrz: {
    format: 'TD1' | 'TD2' | 'TD3';
    document_code: string;
    issuing_country: string;
    document_number_masked: string;
    expiry_date: string | null;
    expired: boolean | null;
    nationality?: string;
    surname?: string;
    given_names?: string;
    birth_date?: string | null;
    sex?: 'M' | 'F' | 'X';
    age_years?: number | null;
  } | null;
  check_digits: { field: string; valid: boolean }[];
  quality: Record<string, unknown>;
  checks: CheckResult[];
  redacted?: true;
}

/** A check's fields: stored loose (below), answered strict (schemas.ts). */
export const checkResultFields = {
  name: z.string(),
  passed: z.boolean(),
  score: z.number().nullable(),
  threshold: z.number().nullable(),
  reason: z.string(),
  advisory: z.boolean().optional(),
  code: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
};

// Loose objects: a stored JSON value keeps keys this version doesn't know (nothing is dropped on a rewrite).
const checkResultSchema = z.looseObject(checkResultFields);

export const challengeSchema: z.ZodType<ChallengeStep[]> = z.array(z.enum(['turn_left', 'turn_right', 'center']));

export const extractionSchema: z.ZodType<Extraction> = z.looseObject({
  type: z.string().nullable(),
  mrz: z
    .looseObject({
      format: z.enum(['TD1', 'TD2', 'TD3']),
      document_code: z.string(),
      issuing_country: z.string(),
      document_number_masked: z.string(),
      expiry_date: z.string().nullable(),
      expired: z.boolean().nullable(),
      nationality: z.string().optional(),
      surname: z.string().optional(),
      given_names: z.string().optional(),
      birth_date: z.string().nullable().optional(),
      sex: z.enum(['M', 'F', 'X']).optional(),
      age_years: z.number().nullable().optional(),
    })
    .nullable(),
  check_digits: z.array(z.looseObject({ field: z.string(), valid: z.boolean() })),
  quality: z.record(z.string(), z.unknown()),
  checks: z.array(checkResultSchema),
  redacted: z.literal(true).optional(),
});

export const decisionSchema: z.ZodType<StoredDecision> = z.looseObject({
  outcome: z.enum(OUTCOMES),
  risk_level: z.enum(['low', 'medium', 'high']),
  human_verified: z.boolean(),
  automation_tier: z.enum(['t0', 't1', 't2']),
  checks: z.array(checkResultSchema),
  reasons: z.array(
    z.looseObject({ code: z.string(), message: z.string(), check: z.string().optional(), case_id: z.string().optional(), other_tenant: z.boolean().optional(), instruction: z.string().optional() }),
  ),
  decided_at: z.string().optional(),
  aml_clear: z.boolean().nullable().optional(),
});

export const reviewSchema: z.ZodType<Review> = z.looseObject({ outcome: z.enum(REVIEW_OUTCOMES), reason: z.string(), reviewed_at: z.string(), instruction: z.string().optional() });

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function presentCase(row: CaseRow, files?: FileRow[]): Record<string, unknown> {
  const decision = row.decision;
  return {
    id: row.id,
    person_id: row.sub,
    level: row.level,
    status: row.status,
    attempts: row.attempts,
    attempts_left: UPLOADABLE.includes(row.status) ? Math.max(0, MAX_ATTEMPTS - row.attempts) : 0,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    uploaded_at: iso(row.uploaded_at),
    decided_at: iso(row.decided_at),
    document: row.extraction ?? null,
    liveness_challenge: row.challenge ?? null,
    livemode: row.livemode,
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
