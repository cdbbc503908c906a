// Face descriptors of different people share a large common component (every pair sits at cosine ≈ 0.38), which
// leaves HNSW graphs nearly flat and hard to navigate. Subtracting the mean descriptor before indexing spreads
// them out (impostor pairs near 0, the same face still far above); final similarities are computed on the raw
// descriptors, so thresholds keep their calibrated meaning.
import { EMBEDDING_DIM } from './types.js';

/** Below this many descriptors the mean is too noisy to use; the index then works on raw descriptors. */
export const MIN_ROWS_FOR_MEAN = 500;

export function meanOf(rows: ArrayLike<number>[]): Float32Array | undefined {
  if (rows.length < MIN_ROWS_FOR_MEAN) return undefined;
  const m = new Float32Array(EMBEDDING_DIM);
  for (const r of rows) for (let i = 0; i < EMBEDDING_DIM; i++) m[i]! += r[i]!;
  for (let i = 0; i < EMBEDDING_DIM; i++) m[i]! /= rows.length;
  return m;
}

/** (v − mean) / ‖v − mean‖, or v itself without a mean. */
export function center(v: ArrayLike<number>, mean: Float32Array | undefined): Float32Array {
  const out = Float32Array.from(v);
  if (!mean) return out;
  let n = 0;
  for (let i = 0; i < EMBEDDING_DIM; i++) {
    out[i]! -= mean[i]!;
    n += out[i]! ** 2;
  }
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < EMBEDDING_DIM; i++) out[i]! /= n;
  return out;
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
