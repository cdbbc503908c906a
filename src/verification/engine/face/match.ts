// Cosine similarity between descriptors, and the three-zone doc-portrait vs selfie match check.
import type { CheckResult } from '../types.js';
import type { MatchThresholds } from './descriptors/types.js';

/** Cosine similarity; inputs need not be normalised. Returns a value in [-1, 1]. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`descriptor lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * Passes at ≥ approve. Between review and approve it fails with face_uncertain (a person looks at it; not a
 * rejection); below review with face_mismatch. The thresholds belong to the descriptor that made the scores.
 */
export function faceMatchCheck(similarity: number, match: MatchThresholds, descriptor: string): CheckResult {
  const score = Math.round(similarity * 1000) / 1000;
  const s = similarity.toFixed(3);
  const base = { name: 'face.match', score, threshold: match.approve, details: { review_threshold: match.review, descriptor } };
  if (similarity >= match.approve) {
    return { ...base, passed: true, reason: `The selfie matches the document portrait (cosine similarity ${s} ≥ ${match.approve}).` };
  }
  if (similarity >= match.review) {
    return {
      ...base,
      passed: false,
      code: 'face_uncertain',
      reason: `The selfie may match the document portrait but not with confidence (cosine similarity ${s}, between ${match.review} and ${match.approve}): a person should compare them.`,
    };
  }
  return {
    ...base,
    passed: false,
    code: 'face_mismatch',
    reason: `The selfie does not match the document portrait (cosine similarity ${s} < ${match.review}).`,
  };
}
