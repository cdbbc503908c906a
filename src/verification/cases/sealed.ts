// The sealed private data of a case: what must not sit in clear columns (liveness mode, the applicant's typed
// data, a face descriptor kept for review), AES-GCM sealed under the case's own AAD; wiped by retention.
import type { ApplicantData } from '../engine/document/analyze.js';
import { openJson, sealJson } from './crypto.js';

export interface PrivateCaseData {
  livenessMode: 'passive' | 'active';
  applicant?: ApplicantData;
  /** Selfie descriptor of a case waiting for review, so an approval can enroll it for dedup. */
  embedding?: number[];
}

/** Binds the sealed blob to its case: a blob copied to another case does not open. */
export const privateAad = (caseId: string) => `case-private:${caseId}`;

export const sealPrivate = (key: Buffer, caseId: string, data: PrivateCaseData): string => sealJson(key, data, privateAad(caseId));

export const openPrivate = (key: Buffer, caseId: string, sealed: string): PrivateCaseData => openJson<PrivateCaseData>(key, sealed, privateAad(caseId));
