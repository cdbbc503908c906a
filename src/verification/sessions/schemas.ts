// zod schemas for the sessions API. Strict objects: an unknown key is a 400, not silently ignored.
import { z } from 'zod';
import { livemodeField } from '../../http/contract.js';
import { LEVELS } from '../cases/model.js';
import { idempotencyKey, subject } from '../cases/schemas.js';
import { pageQuery } from '../../http/pages.js';
import { SESSION_STATUSES } from './model.js';

const externalUserId = z.string().trim().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const createSessionBody = z.strictObject({
  level: z.enum(LEVELS),
  external_user_id: externalUserId.optional().describe('Your id for the person: while a session for it and this level is open, the create returns that one (200).'),
  person_id: subject.optional().describe('The person, when they already signed in to you (your pairwise subject).'),
  redirect_uri: z.url({ protocol: /^https?$/ }).max(2000).describe("Where the browser goes at the end, with session_id and status. Registered on one of your clients or with `kycport tenant redirect-uris add`."),
  metadata: z.record(z.string().max(64), z.string().max(500)).refine((m) => Object.keys(m).length <= 20, 'at most 20 keys').optional(),
  locale: z.enum(['en', 'de']).optional().describe('Language of the hosted pages (else the browser\'s).'),
});

export const createSessionHeaders = z.object({
  'Idempotency-Key': idempotencyKey.optional().describe('The same key with the same body replays the session; with a different body it is a 422.'),
});

export const sessionParams = z.object({ id: z.string().min(1).max(64).regex(/^vs_[\w-]+$/, 'invalid session id') });

export const listSessionsQuery = z.strictObject({
  status: z.enum(SESSION_STATUSES).optional(),
  external_user_id: externalUserId.optional(),
  ...pageQuery,
});

const timestamp = z.iso.datetime();

export const sessionResponse = z
  .strictObject({
    id: z.string(),
    status: z.enum(SESSION_STATUSES),
    level: z.enum(LEVELS),
    url: z.string().nullable().describe('Single-use link to the hosted flow (24 h); a fresh one on every read while the person can still act, else null.'),
    expires_at: timestamp,
    external_user_id: z.string().nullable(),
    person_id: z.string().nullable().describe('Your pairwise subject for the person, once they signed in on the hosted page.'),
    case_id: z.string().nullable().describe('The verification case of the latest attempt.'),
    outcome: z.enum(['approved', 'rejected', 'manual_review']).nullable(),
    reasons: z.array(z.string()).describe('Reason codes of the outcome, or what a retake must fix.'),
    attempts: z.number().int(),
    metadata: z.record(z.string(), z.string()).nullable(),
    redirect_uri: z.string(),
    created_at: timestamp,
    updated_at: timestamp,
    livemode: livemodeField,
  })
  .meta({ id: 'VerificationSession' });

export const sessionListResponse = z.strictObject({
  data: z.array(sessionResponse),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
});
