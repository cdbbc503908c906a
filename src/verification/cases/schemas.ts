// zod schemas for the case API. Strict objects: an unknown key is a 400, not silently ignored.
import { z } from 'zod';
import { thresholds } from '../thresholds.js';
import { CASE_STATUSES, LEVELS } from './model.js';
import type { MultipartLimits } from './multipart.js';

const subject = z.string().min(1).max(100).regex(/^[\w-]+$/, 'invalid person id');

export const createCaseBody = z.strictObject({ person_id: subject, level: z.enum(LEVELS) });

export const caseParams = z.object({ id: z.string().min(1).max(64).regex(/^vc_[\w-]+$/, 'invalid case id') });

export const listQuery = z.strictObject({
  status: z.enum(CASE_STATUSES).optional(),
  person_id: subject.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(300).optional(),
});

export const reviewBody = z.strictObject({
  outcome: z.enum(['approved', 'rejected']),
  reason: z.string().trim().min(3).max(2000),
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
