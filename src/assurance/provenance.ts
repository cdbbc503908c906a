// How a verified assurance was reached (issue 12 §4): by the engine (`auto`) or a reviewer (`human`), from which
// case, which checks ran and passed, whether and when screening ran, and which document backed it. Stored on the
// assurance row: the method and screening time as columns (the status API's hot path reads them with the row),
// the rest as one JSON column decoded with its zod codec. The case id stays operator-side: it is never put in a
// claim or a status, so no tenant learns which tenant opened the case.
//
// The person's claims from the document (names, birth date, nationalities) are personal data: they are copied at
// approval, sealed under the person's own AAD, and kept with the assurance while it is verified. Why a copy and
// not a read of the case: the case's personal MRZ fields and sealed data go at document retention
// (DOCUMENT_RETENTION_DAYS, 30 by default), while a verified assurance lasts up to a year and is what relying
// parties reuse. The copy goes with the assurance: replaced by the next approval, cleared when the assurance falls
// back (pending, rejected), cleared by the expiry sweep, and deleted with the person on erasure (row cascade).
import { z } from 'zod';
import { openJson, sealJson } from '../crypto/seal.js';
import { jsonColumn } from '../db/codec.js';

export const VERIFICATION_METHODS = ['auto', 'human'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

export interface ProvenanceCheck {
  name: string;
  passed: boolean;
}

/** The document behind the assurance, as the tenant-facing extraction names it (no number, no personal fields). */
export interface ProvenanceDocument {
  /** passport | id_card | td2 (engine vocabulary), null when unread. */
  type: string | null;
  /** ICAO 9303 document code (P, I, ID, AC, V…), null when no MRZ was read. */
  code: string | null;
  /** Issuing state as printed in the MRZ (ICAO 9303: 3 letters, or D for Germany). */
  country: string | null;
  /** YYYY-MM-DD. */
  expiry: string | null;
}

export interface Provenance {
  method: VerificationMethod;
  /** The case that reached the approval: operator-side only. */
  caseId: string;
  checks: ProvenanceCheck[];
  /** When the screening behind this approval ran; null when it did not. */
  screenedAt: Date | null;
  document: ProvenanceDocument;
}

/** What the document says about the person, in OpenID Connect claim names. */
export interface DocumentClaims {
  given_name?: string;
  family_name?: string;
  birthdate?: string;
  nationalities?: string[];
}

const documentClaims: z.ZodType<DocumentClaims> = z.strictObject({
  given_name: z.string().min(1).optional(),
  family_name: z.string().min(1).optional(),
  birthdate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  nationalities: z.array(z.string().min(1)).min(1).optional(),
});

/** The JSON column: method and screening time live in their own columns, so they are not repeated here. */
export interface StoredProvenance {
  case_id: string;
  checks: ProvenanceCheck[];
  document: ProvenanceDocument;
}

export const provenanceColumn = jsonColumn<StoredProvenance>(
  'assurance.provenance',
  z.looseObject({
    case_id: z.string(),
    checks: z.array(z.looseObject({ name: z.string(), passed: z.boolean() })),
    document: z.looseObject({ type: z.string().nullable(), code: z.string().nullable(), country: z.string().nullable(), expiry: z.string().nullable() }),
  }),
);

export const storedProvenance = (p: Provenance): StoredProvenance => ({ case_id: p.caseId, checks: p.checks, document: p.document });

/** Bound to the person: a blob copied to another person's row does not open. */
const claimsAad = (personId: string) => `assurance-claims:${personId}`;

export const sealClaims = (key: Buffer, personId: string, claims: DocumentClaims): string => sealJson(key, documentClaims.parse(claims), claimsAad(personId));

export const openClaims = (key: Buffer, personId: string, sealed: string): DocumentClaims => openJson(key, sealed, claimsAad(personId), documentClaims);
