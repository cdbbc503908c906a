// The reason codes of a reviewer's decision (issue 12 §2). A decision's reason code is public: the tenant sees it
// on the case (`review.reason`) and in webhooks; the reviewer's note is private to the operator (review_decisions,
// sealed). Resubmission codes are exactly the retake codes (verification/cases/retake.ts), so the case reopens with
// the same instruction an automated retake gives, and the person is told what to capture again in words the hosted
// pages already have (hosted/messages `retake.*`).
import type { ReviewOutcome } from '../verification/cases/model.js';
import type { RetakeCode } from '../verification/cases/retake.js';

export const REASON_CODES = {
  approved: {
    documents_verified: 'Document and face checked by the reviewer; the automated concern does not hold.',
    screening_false_positive: 'The screening hit is not this person (different birth date, nationality or identity).',
    duplicate_false_positive: 'The possible duplicate is a different person.',
    check_false_negative: 'An automated check failed on a good capture (lighting, document wear).',
  },
  rejected: {
    document_fraudulent: 'The document looks forged or altered.',
    document_specimen: 'The document is a specimen or test document.',
    document_invalid: 'The document is expired, not accepted, or not the claimed type.',
    face_mismatch: 'The selfie is not the document holder.',
    liveness_spoof: 'The liveness capture is a photo, screen or mask.',
    screening_confirmed_match: 'Confirmed match on a sanctions, PEP or watch list.',
    duplicate_identity: 'The person is already verified under another account.',
    policy: 'Refused under the operator\'s policy (the note says which).',
  },
  resubmission_requested: {
    blurred: 'The photos are blurred.',
    glare: 'Glare hides part of the document.',
    low_resolution: 'The document is too small in the photo.',
    mrz_not_found: 'The machine-readable lines cannot be read.',
    mrz_missing_back: 'The back of the identity card is missing.',
    no_face: 'No usable face in the selfie.',
    multiple_faces: 'More than one face in the selfie.',
    unreadable_image: 'A photo cannot be read.',
  } satisfies Record<RetakeCode, string>,
} as const satisfies Record<ReviewOutcome, Record<string, string>>;

export const isReasonFor = (outcome: ReviewOutcome, code: string): boolean => Object.hasOwn(REASON_CODES[outcome], code);

/** Every code with its outcome and meaning (the console's form, the README table). */
export const reasonList = (outcome: ReviewOutcome): { code: string; text: string }[] =>
  Object.entries(REASON_CODES[outcome]).map(([code, text]) => ({ code, text }));
