// Every threshold the verification engine uses, in one place. Each value says how it was chosen.
// Sections are owned by the module named in their comment.
export const thresholds = {
  // document/ — image quality and forensics (owner: src/verification/engine/document; see docs/document-checks.md)
  document: {
    /** Quality metrics are taken on a copy scaled to this width, so they do not depend on upload resolution. */
    analysisWidth: 1000,
    /** Min short side in px. PLACEHOLDER, set from measurements below. */
    minShortSidePx: 600,
    /** Min variance of the Laplacian at analysisWidth. PLACEHOLDER. */
    minLaplacianVariance: 100,
    /** Luminance at or above which a pixel counts as blown out by glare. */
    glareLevel: 250,
    /** Max share of blown-out pixels. PLACEHOLDER. */
    maxGlareFraction: 0.1,
  },
  // face/ — detection, match, liveness
  face: {
    // Human's face score (mesh confidence) below which a detection is ignored. Human's demos use 0.2–0.6; 0.5 kept
    // every face in the sample group photos (scores 0.63–1.00) and no false detections on them.
    detectMinConfidence: 0.5,
    matchThreshold: 0.5, // CALIBRATION_PENDING
  },
  // dedup/ — 1:N search
  dedup: {},
  // screening/ — sanctions & PEP name matching
  screening: {
    // Final score (name similarity ± birth-date/nationality adjustments) at or above which an entry is a hit.
    // Chosen on the synthetic calibration in bench/screening.ts (see docs/screening.md): at 0.88 every
    // transliteration / diacritic / token-order / one-typo variant of a listed name scored a hit, while random
    // different names from the same name pools stayed below. Sanctions screening favours recall: a hit goes
    // to manual review, a miss is a compliance failure.
    hitThreshold: 0.88,
    // Name similarity an entry must reach before dates or nationality count at all, so a matching birth date
    // cannot turn a weak name match (e.g. only the surname agrees) into a hit.
    minNameScore: 0.82,
    // Jaro-Winkler a single token must reach to count as a blocking hit; candidates need two such tokens
    // (one when either name has only one token). Lower = slower with no recall gain above minNameScore.
    tokenMin: 0.8,
    // Score adjustments. Birth dates are the strongest disambiguator lists give; nationality is weaker
    // (dual nationals, lists record citizenship loosely), so it moves the score less.
    birthDateMatch: 0.08,
    birthYearMatch: 0.03,
    birthDateMismatch: -0.15,
    nationalityMatch: 0.03,
    nationalityMismatch: -0.05,
    // At most this many hits are returned (best first).
    maxHits: 20,
  },
  // decision — how checks combine into outcome and risk
  decision: {},
} as const;
