// Cosine similarity between L2-normalised descriptors, and the doc-portrait vs selfie match check.
import { thresholds } from '../../thresholds.js';
import type { CheckResult } from '../types.js';

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

export function faceMatchCheck(similarity: number): CheckResult {
  const threshold = thresholds.face.matchThreshold;
  const passed = similarity >= threshold;
  return {
    name: 'face.match',
    passed,
    score: Math.round(similarity * 1000) / 1000,
    threshold,
    reason: passed
      ? `The selfie matches the document portrait (cosine similarity ${similarity.toFixed(3)} ≥ ${threshold}).`
      : `The selfie does not match the document portrait (cosine similarity ${similarity.toFixed(3)} < ${threshold}).`,
    ...(passed ? {} : { code: 'face_mismatch' }),
  };
}
