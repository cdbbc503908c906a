// What every check returns. The decision module combines these; nothing here decides on its own.
export interface CheckResult {
  /** Stable machine name, e.g. "document.mrz_check_digits", "face.match", "liveness.passive". */
  name: string;
  passed: boolean;
  /** The measured value (higher = better unless the check's README row says otherwise); null when not measurable. */
  score: number | null;
  threshold: number | null;
  /** A human sentence saying why it passed or failed. */
  reason: string;
  /** Advisory checks can send a case to manual review but never approve it on their own. */
  advisory?: boolean;
  /** Machine-readable reason code when failed (e.g. "check_digit_mismatch", "no_face", "multiple_faces"). */
  code?: string;
  /** Extra measured values safe to return to the tenant (never images, never raw document numbers). */
  details?: Record<string, unknown>;
}
