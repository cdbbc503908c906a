// Synthetic face descriptors for the dedup tests. Like FaceRes descriptors, different people share a large common
// component (pairwise cosine ≈ 0.38); a "re-enrolment" is built at an exact cosine to an enrolled face.
import { EMBEDDING_DIM as D } from '../../../src/verification/dedup/types.js';

/** Deterministic standard normal stream (LCG + Box–Muller). */
export function gaussians(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

export function unit(v: ArrayLike<number>): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! ** 2;
  n = Math.sqrt(n);
  return Float32Array.from(v, (x) => x / n);
}

const shared = unit(Float32Array.from({ length: D }, gaussians(1)));

/** Person `seed`: 0.78 × the shared direction + isotropic noise, normalised (impostor pairs at cosine ≈ 0.38). */
export function face(seed: number): Float32Array {
  const g = gaussians(1000 + seed);
  return unit(Float32Array.from({ length: D }, (_, i) => 0.78 * shared[i]! + g() / Math.sqrt(D)));
}

/** Isotropic random unit vector (no shared component). */
export function randomFace(seed: number): Float32Array {
  return unit(Float32Array.from({ length: D }, gaussians(5_000_000 + seed)));
}

/** A unit vector at exactly cosine `c` to the unit vector `v`, in a random direction. */
export function atCosine(v: Float32Array, c: number, seed: number): Float32Array {
  const g = Float32Array.from({ length: D }, gaussians(9_000_000 + seed));
  let dot = 0;
  for (let i = 0; i < D; i++) dot += g[i]! * v[i]!;
  const u = unit(g.map((x, i) => x - dot * v[i]!));
  return unit(Float32Array.from({ length: D }, (_, i) => c * v[i]! + Math.sqrt(1 - c * c) * u[i]!));
}
