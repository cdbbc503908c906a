// Capture problems: the one home of which failures a new photo fixes, what the person is told to do about each,
// and how many attempts a case gets. decide() (decision.ts) judges the checks; retakeOutcome() then turns a
// decision that failed only on capture problems into `resubmission_requested` while attempts are left.
import type { Decision, Reason } from './model.js';

/** At most this many decided attempts per case (and per hosted session); a capture problem on the last is a rejection. */
export const MAX_ATTEMPTS = 3;

// Everything else that fails (check digits, an expired or already verified document, a face mismatch, screening
// hits, duplicates, editing software) is a fraud signal or a fact about the person: never a retake.
// Keyed by code; `selfie`/`document` when the same code means another photo depending on the check that raised it.
const INSTRUCTIONS = {
  blurred: 'Retake the photo of the document holding the camera steady, so that all the text is sharp.',
  glare: 'Retake the photo of the document in even light without glare or reflections on it.',
  low_resolution: 'Retake the photo of the document closer or at a higher resolution, so that the document fills the picture.',
  mrz_not_found: 'Retake the photo of the document with its machine-readable zone (the lines of letters and <<< at the bottom) fully visible and sharp.',
  mrz_missing_back: 'Upload the back of the ID card too (document_back): its machine-readable zone is on the back.',
  no_face: 'Retake the selfie with one face, fully visible and facing the camera, in good light.',
  no_face_document: 'Retake the photo of the document so that its portrait photo is fully visible and not covered by glare.',
  multiple_faces: 'Retake the selfie with only the person being verified in the picture.',
  unreadable_image: 'Upload the photo again as a plain JPEG or PNG taken by the camera: the image could not be read.',
} as const;

export type RetakeCode = 'blurred' | 'glare' | 'low_resolution' | 'mrz_not_found' | 'mrz_missing_back' | 'no_face' | 'multiple_faces' | 'unreadable_image';
export const RETAKE_CODES: readonly RetakeCode[] = ['blurred', 'glare', 'low_resolution', 'mrz_not_found', 'mrz_missing_back', 'no_face', 'multiple_faces', 'unreadable_image'];
const RETAKE = new Set<string>(RETAKE_CODES);
// Follow-on codes that come with a capture problem (a step that could not run, t3's human step): neutral.
const NEUTRAL = new Set(['not_performed', 'human_review_required']);
// A blurred, glared or too small photo makes the OCR misread the MRZ: garbled characters fail the format and the
// check digits, and the expiry can't be read. On such a photo these say nothing about the document, so they follow
// the capture problem; on a photo that passed the quality checks they stay fraud signals (a tampered digit is
// rejected). A tampered document sent blurred gets retakes, never an approval: its last attempt is rejected.
const QUALITY = new Set(['blurred', 'glare', 'low_resolution']);
const MISREAD = new Set(['mrz_format', 'check_digit_mismatch', 'expiry_unreadable']);

export const isRetakeCode = (code: string): code is RetakeCode => RETAKE.has(code);

/** True when the reasons are only things a retake fixes (and at least one of them). */
export function retakeFixes(reasons: readonly Pick<Reason, 'code'>[]): boolean {
  const codes = reasons.map((r) => r.code);
  const poorPhoto = codes.some((c) => QUALITY.has(c));
  return codes.some((c) => RETAKE.has(c)) && codes.every((c) => RETAKE.has(c) || NEUTRAL.has(c) || (poorPhoto && MISREAD.has(c)));
}

/** The retake codes among the reasons: what the person is told to fix. */
export const retakeCodes = (reasons: readonly Pick<Reason, 'code'>[]): string[] => [...new Set(reasons.map((r) => r.code).filter((c) => RETAKE.has(c)))];

/** The exact instruction for one retake reason (the check tells a document's missing portrait from the selfie's). */
export function instructionFor(r: Pick<Reason, 'code' | 'check'>): string | undefined {
  if (!isRetakeCode(r.code)) return undefined;
  if (r.code === 'no_face' && r.check === 'face.document_portrait') return INSTRUCTIONS.no_face_document;
  return INSTRUCTIONS[r.code];
}

/** Each retake reason with its instruction; the follow-on codes (not_performed, …) stay as they are: no task. */
export const withInstructions = (reasons: readonly Reason[]): Reason[] =>
  reasons.map((r) => {
    const instruction = instructionFor(r);
    return instruction ? { ...r, instruction } : r;
  });

/**
 * `attempt` is this decision's number (1-based). A decision that failed only on capture problems asks for a
 * resubmission while attempts are left, and is a rejection (with the same reasons) on the last one. Anything else
 * is returned unchanged: a capture problem next to a fraud signal is judged by the fraud signal.
 */
export function retakeOutcome(decision: Decision, attempt: number): Decision {
  if (decision.outcome === 'approved' || !retakeFixes(decision.reasons)) return decision;
  if (attempt < MAX_ATTEMPTS) return { ...decision, outcome: 'resubmission_requested', reasons: withInstructions(decision.reasons) };
  return { ...decision, outcome: 'rejected' };
}
