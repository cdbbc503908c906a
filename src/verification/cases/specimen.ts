// Specimen and test documents: ICAO Doc 9303's fictional state Utopia (UTO) and the document numbers printed on
// the specimens in Doc 9303 itself. Anyone can render one, so outside sandbox mode (SANDBOX_MODE) they are
// refused with a terminal reason (not a capture problem a retake could fix); in sandbox mode they pass.
import type { DocumentAnalysis } from '../engine/document/analyze.js';
import type { CheckResult } from '../engine/types.js';

/** ICAO's code for the fictional issuing state of its specimens. */
export const SPECIMEN_STATE = 'UTO';

/**
 * Document numbers of the Doc 9303 specimens: L898902C3 (Part 4, TD3 passport), D23145890 (Part 5 TD1 card and
 * Part 6 TD2 card), D23145890734 (Part 5, the TD1 long-number example, continued in the optional data) and
 * L8988901C (Part 7, MRV-A and MRV-B visas).
 */
export const SPECIMEN_NUMBERS: ReadonlySet<string> = new Set(['L898902C3', 'D23145890', 'D23145890734', 'L8988901C']);

/** A failing `document.specimen` check when the read document is a specimen; null for any other document. */
export function specimenCheck(a: Pick<DocumentAnalysis, 'mrz' | 'documentKey'>): CheckResult | null {
  const state = a.mrz?.issuingState ?? a.documentKey?.issuingState;
  const number = a.documentKey?.number;
  const why =
    state === SPECIMEN_STATE || a.mrz?.nationality === SPECIMEN_STATE
      ? 'Issuing state or nationality UTO is the ICAO specimen state (Utopia).'
      : number !== undefined && SPECIMEN_NUMBERS.has(number)
        ? 'The document number is one printed on an ICAO Doc 9303 specimen.'
        : null;
  if (!why) return null;
  return {
    name: 'document.specimen',
    passed: false,
    score: null,
    threshold: null,
    code: 'specimen_document',
    reason: `${why} Specimen and test documents are accepted only in sandbox mode.`,
  };
}
