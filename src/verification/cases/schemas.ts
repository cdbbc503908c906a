// zod schemas for the case API. Strict objects: an unknown key is a 400, not silently ignored.
import { z } from 'zod';
import { livemodeField } from '../../http/contract.js';
import { thresholds } from '../thresholds.js';
import { CASE_STATUSES, checkResultFields, LEVELS, OUTCOMES, REVIEW_OUTCOMES } from './model.js';
import type { MultipartLimits } from './multipart.js';
import { pageQuery } from '../../http/pages.js';

export const subject = z.string().min(1).max(100).regex(/^[\w-]+$/, 'invalid person id');

export const createCaseBody = z.strictObject({ person_id: subject, level: z.enum(LEVELS) });

export const caseParams = z.object({ id: z.string().min(1).max(64).regex(/^vc_[\w-]+$/, 'invalid case id') });

export const listQuery = z.strictObject({
  status: z.enum(CASE_STATUSES).optional(),
  person_id: subject.optional(),
  ...pageQuery,
});


/** Decide takes no input: everything is computed from the uploads. An empty JSON object is tolerated. */
export const decideBody = z.strictObject({});

export const idempotencyKey = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/** Text fields of the multipart upload. */
export const uploadFields = z.strictObject({
  liveness_mode: z.enum(['passive', 'active']).default('passive'),
  applicant_given_name: z.string().trim().min(1).max(200).optional(),
  applicant_family_name: z.string().trim().min(1).max(200).optional(),
  applicant_birthdate: isoDate.optional(),
  applicant_nationality: z.string().trim().regex(/^[A-Za-z<]{1,3}$/, 'ICAO 3-letter code').optional(),
  applicant_document_number: z.string().trim().regex(/^[A-Za-z0-9<]{1,20}$/, 'letters and digits').optional(),
});
export type UploadFields = z.infer<typeof uploadFields>;

export const UPLOAD_FILE_FIELDS = ['document', 'document_back', 'selfie', 'frames'] as const;
export const UPLOAD_TEXT_FIELDS = Object.keys(uploadFields.shape);

const MB = 1_048_576;
export const UPLOAD_LIMITS: MultipartLimits = {
  maxFileBytes: 10 * MB,
  maxTotalBytes: 64 * MB,
  maxFiles: 3 + thresholds.face.activeLiveness.maxFrames,
  maxFields: UPLOAD_TEXT_FIELDS.length,
  maxFieldBytes: 1024,
};
/** The multipart upload as documented: the text fields above plus the image parts (parsed by the upload route). */
export const uploadBody = uploadFields.extend({
  document: z.file().describe('Photo or scan of the identity document (front, with the MRZ).'),
  document_back: z.file().optional().describe('Back of an ID card, when its MRZ is on the back.'),
  selfie: z.file().optional().describe('A photo of the applicant (t2 and above).'),
  frames: z.array(z.file()).optional().describe('Active liveness: video frames following the issued challenge.'),
});

export const createCaseHeaders = z.object({
  'Idempotency-Key': idempotencyKey.optional().describe('The same key with the same body replays the case; with a different body it is a 422.'),
});

// Responses. Strict where the shape is ours, so a field added by mistake (or leaked) fails the response check.

const timestamp = z.iso.datetime();

export const checkResult = z.strictObject(checkResultFields).meta({ id: 'CheckResult' });

/** The document as the tenant sees it (number masked); after retention `redacted` and without personal fields. */
export const documentExtraction = z
  .looseObject({
    type: z.string().nullable(),
    mrz: z.record(z.string(), z.unknown()).nullable(),
    check_digits: z.array(z.strictObject({ field: z.string(), valid: z.boolean() })),
    quality: z.record(z.string(), z.unknown()),
    checks: z.array(checkResult),
    redacted: z.boolean().optional(),
  })
  .meta({ id: 'DocumentExtraction' });

const reason = z.strictObject({
  code: z.string(),
  message: z.string(),
  check: z.string().optional(),
  case_id: z.string().optional(),
  other_tenant: z.boolean().optional(),
  instruction: z.string().optional().describe('With outcome resubmission_requested: what the person must capture again, a stable text per code.'),
});

const decisionFields = {
  outcome: z
    .enum(OUTCOMES)
    .describe('`resubmission_requested`: the attempt failed only on capture problems (each reason says what to retake); upload the new captures to the same case, then decide again. The third attempt with capture problems is `rejected`.'),
  risk_level: z.enum(['low', 'medium', 'high']),
  human_verified: z.boolean(),
  automation_tier: z.enum(['t0', 't1', 't2']),
  checks: z.array(checkResult),
  reasons: z.array(reason),
};

export const caseResponse = z
  .strictObject({
    id: z.string(),
    person_id: z.string(),
    level: z.enum(LEVELS),
    status: z.enum(CASE_STATUSES),
    attempts: z.number().int().describe('Decided attempts so far (at most 3: a retake after `resubmission_requested` is the next one).'),
    attempts_left: z.number().int().describe('Attempts this case still takes; 0 once it is in manual_review or final.'),
    created_at: timestamp,
    updated_at: timestamp,
    uploaded_at: timestamp.nullable(),
    decided_at: timestamp.nullable(),
    document: documentExtraction.nullable(),
    liveness_challenge: z.array(z.string()).nullable(),
    files: z
      .strictObject({
        document: z.boolean(),
        document_back: z.boolean(),
        selfie: z.boolean(),
        frames: z.number().int(),
        purged_at: timestamp.nullable(),
      })
      .optional()
      .describe('Which uploads the case holds (single-case reads only).'),
    decision: z.strictObject(decisionFields).nullable(),
    review: z
      .strictObject({ outcome: z.enum(REVIEW_OUTCOMES), reason: z.string(), reviewed_at: timestamp, instruction: z.string().optional() })
      .nullable(),
    livemode: livemodeField,
  })
  .meta({ id: 'VerificationCase' });

export const caseListResponse = z.strictObject({
  data: z.array(caseResponse),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
});

export const uploadResponse = z.strictObject({
  case_id: z.string(),
  document: documentExtraction,
  files: z.strictObject({ document: z.boolean(), document_back: z.boolean(), selfie: z.boolean(), frames: z.number().int() }),
});

export const challengeResponse = z.strictObject({
  challenge: z.array(z.string()).describe('Head turns to perform, in order, while recording the liveness frames.'),
  issued_at: timestamp,
});

export const decisionResponse = z.strictObject({ case_id: z.string(), status: z.enum(CASE_STATUSES), ...decisionFields });
