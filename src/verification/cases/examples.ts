// Examples for the case API's documentation (/api/v1/openapi.json, /docs/api); test/http/openapi.test.ts checks
// them against each route's own schemas. `livemode` is added to every object response by the contract layer.
import type { Examples } from '../../http/contract.js';

/** Object responses carry `livemode`; objects inside lists do not. */
const live = <T extends object>(o: T) => ({ ...o, livemode: true });
const person = 'Q2x1cZk3Tn8w0aLh5VJq1A';
const id = 'vc_01JD7Q3M8R2WQZ4X6B9N5T0KCE';

const check = { name: 'document_mrz_check_digits', passed: true, score: 1, threshold: 1, reason: 'All MRZ check digits are valid.' };
const document = {
  type: 'passport',
  mrz: { format: 'TD3', issuing_state: 'D', document_number: 'C01X•••••', expiry_date: '2031-08-14' },
  check_digits: [{ field: 'document_number', valid: true }, { field: 'birth_date', valid: true }, { field: 'expiry_date', valid: true }],
  quality: { sharpness: 0.82, glare: 0.03 },
  checks: [check],
};
const decision = {
  outcome: 'approved',
  risk_level: 'low',
  human_verified: false,
  automation_tier: 't2',
  checks: [check, { name: 'face_match', passed: true, score: 0.91, threshold: 0.6, reason: 'The selfie matches the document photo.' }],
  reasons: [],
};
const openCase = {
  id,
  person_id: person,
  level: 't2',
  status: 'open',
  attempts: 0,
  attempts_left: 3,
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-01T10:00:00.000Z',
  uploaded_at: null,
  decided_at: null,
  document: null,
  liveness_challenge: null,
  decision: null,
  review: null,
};
const decidedCase = {
  ...openCase,
  status: 'approved',
  attempts: 1,
  attempts_left: 0,
  updated_at: '2026-12-01T10:02:41.000Z',
  uploaded_at: '2026-12-01T10:01:12.000Z',
  decided_at: '2026-12-01T10:02:41.000Z',
  document,
  files: { document: true, document_back: false, selfie: true, frames: 0, purged_at: null },
  decision,
};

/** A first attempt with glare on the document: the person is asked for a retake, the case takes a new upload. */
const glare = { name: 'document.quality_glare', passed: false, score: 0.31, threshold: 0.12, code: 'glare', reason: 'Glare covers part of the document.' };
const retakeCase = {
  ...decidedCase,
  id: 'vc_01JD7R0B3F8KQ2V5N7C4X9M1ZD',
  status: 'resubmission_requested',
  attempts: 1,
  attempts_left: 2,
  document: { ...document, checks: [check, glare] },
  decision: {
    ...decision,
    outcome: 'resubmission_requested',
    risk_level: 'medium',
    automation_tier: 't0',
    checks: [check, glare],
    reasons: [{ code: 'glare', message: glare.reason, check: glare.name, instruction: 'Retake the photo of the document in even light without glare or reflections on it.' }],
  },
};

export const createCaseExample: Examples = { request: { person_id: person, level: 't2' }, responses: { 201: live(openCase) } };
export const listCasesExample: Examples = { responses: { 200: { data: [live(decidedCase), live(retakeCase)], next_cursor: null, livemode: true } } };
export const getCaseExample: Examples = { responses: { 200: live(decidedCase) } };
export const uploadExample: Examples = {
  // Files by name: the parts of the multipart body (test/http/openapi.test.ts checks them as files).
  request: { document: 'passport.jpg', selfie: 'selfie.jpg', liveness_mode: 'passive', applicant_given_name: 'Erika', applicant_family_name: 'Mustermann', applicant_birthdate: '1984-08-12' },
  responses: { 200: { case_id: id, document, files: { document: true, document_back: false, selfie: true, frames: 0 }, livemode: true } },
};
export const challengeExample: Examples = { responses: { 200: { challenge: ['turn_left', 'center', 'turn_right'], issued_at: '2026-12-01T10:00:30.000Z', livemode: true } } };
export const decideExample: Examples = { request: {}, responses: { 200: { case_id: id, status: 'approved', ...decision, livemode: true } } };
