// Face descriptors of different people share a large common component (every pair sits at cosine ≈ 0.38; the mean
// of 121 sample-image descriptors has norm 0.65). Sketching (descriptor − mean) spreads different people apart
// (impostor pairs near cosine 0, the same face still far above), so the Hamming distance separates a re-enrolled
// face from unrelated ones by more bits. Final similarities are computed on the raw descriptors, so thresholds
// keep their calibrated meaning.
import { EMBEDDING_DIM } from './types.js';

/**
 * Enrolled rows needed before the mean is fixed (stored once for every process; until then sketches are taken of
 * raw descriptors, which at so few rows still puts a duplicate far inside the re-ranked candidates).
 */
export const MIN_ROWS_FOR_MEAN = 1000;

export function meanOf(rows: ArrayLike<number>[]): Float32Array {
  const m = new Float64Array(EMBEDDING_DIM);
  for (const r of rows) for (let i = 0; i < EMBEDDING_DIM; i++) m[i]! += r[i]!;
  return Float32Array.from(m, (x) => x / rows.length);
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < EMBEDDING_DIM; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / (Math.sqrt(na * nb) || 1);
}
