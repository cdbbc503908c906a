// The sealed private data of a case: what must not sit in clear columns (liveness mode, the applicant's typed
// data, a face descriptor kept for review), AES-GCM sealed under the case's own AAD; wiped by retention.
import { z } from 'zod';
import { openJson, sealJson } from '../../crypto/seal.js';
import type { ApplicantData } from '../engine/document/analyze.js';
import { LEGACY_DESCRIPTOR } from '../dedup/types.js';
import { thresholds } from '../thresholds.js';
import type { FaceTemplate } from './model.js';

export interface PrivateCaseData {
  livenessMode: 'passive' | 'active';
  applicant?: ApplicantData;
  /** Selfie descriptor of a case waiting for review, so an approval can enroll it for dedup. */
  embedding?: number[];
  /** The model that made `embedding` (absent in cases sealed before descriptors were named: LEGACY_DESCRIPTOR). */
  descriptor?: string;
  /** Its face.match review threshold (absent before: the default descriptor's). */
  reviewThreshold?: number;
}

const applicantData = z.object({
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  birthdate: z.string().optional(),
  nationality: z.string().optional(),
  documentNumber: z.string().optional(),
}) satisfies z.ZodType<ApplicantData>;

/** Decodes PrivateCaseData when it is opened (a mismatch is a server error, not silently passed on). */
const privateCaseData: z.ZodType<PrivateCaseData> = z.object({
  livenessMode: z.enum(['passive', 'active']),
  applicant: applicantData.optional(),
  embedding: z.array(z.number()).optional(),
  descriptor: z.string().optional(),
  reviewThreshold: z.number().optional(),
});

/** The kept selfie template of a case waiting for review, if any. */
export function keptFace(priv: PrivateCaseData | null | undefined): FaceTemplate | null {
  if (!priv?.embedding) return null;
  return { descriptor: priv.descriptor ?? LEGACY_DESCRIPTOR, embedding: priv.embedding, reviewThreshold: priv.reviewThreshold ?? thresholds.face.match.review };
}

/** Binds the sealed blob to its case: a blob copied to another case does not open. */
export const privateAad = (caseId: string) => `case-private:${caseId}`;

export const sealPrivate = (key: Buffer, caseId: string, data: PrivateCaseData): string => sealJson(key, data, privateAad(caseId));

export const openPrivate = (key: Buffer, caseId: string, sealed: string): PrivateCaseData => openJson(key, sealed, privateAad(caseId), privateCaseData);
