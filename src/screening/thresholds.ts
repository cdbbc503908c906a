// Sanctions & PEP name matching thresholds (the screening section of verification/thresholds.ts, defined here so
// screening does not depend on verification). Each value says how it was chosen.
export const screeningThresholds = {
  // Final score (name similarity ± birth-date/nationality adjustments) at or above which an entry is a hit.
  // Checked on the synthetic lists of bench/screening.ts (docs/screening.md): at 0.88, 100% (100k list) and
  // 99.5% (1M) of listed names altered by a typo, transliteration swap, dropped middle name or token order
  // were hits, and 0% (100k) / 4% (1M) of names sharing no token with the list were. Sanctions screening
  // favours recall: a hit goes to manual review, a miss is a compliance failure.
  hitThreshold: 0.88,
  // Name similarity an entry must reach before dates or nationality count at all, so a matching birth date
  // cannot turn a weak name match (e.g. only the surname agrees) into a hit.
  minNameScore: 0.82,
  // Score adjustments. Birth dates are the strongest disambiguator lists give; nationality is weaker
  // (dual nationals, lists record citizenship loosely), so it moves the score less.
  birthDateMatch: 0.08,
  birthYearMatch: 0.03,
  birthDateMismatch: -0.15,
  nationalityMatch: 0.03,
  nationalityMismatch: -0.05,
  // At most this many hits are returned (best first).
  maxHits: 20,
} as const;
