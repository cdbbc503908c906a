// Synthetic 1024-d face descriptors for bench/dedup.ts, cheap enough to make a million, and the exact baseline.
// Person p = normalise(0.78 · shared direction + gaussian noise / √D): every pair of people sits at cosine ≈ 0.38,
// the measured FaceRes impostor median. Person p is a pure function of p, so any row can be regenerated instead of
// keeping 4 GB of floats: noise comes from a 65,536-entry table of normal draws indexed by xorshift32, ≈ 2 ns a value.
// usearch is a devDependency used by benches only.
import { exactSearch, MetricKind } from 'usearch';
import { EMBEDDING_DIM as D } from '../../src/verification/dedup/types.js';

function boxMuller(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const NOISE = Float32Array.from({ length: 65536 }, boxMuller(12345));
const SHARED = (() => {
  const v = Float64Array.from({ length: D }, boxMuller(7));
  const n = Math.hypot(...v);
  return v.map((x) => (0.78 * x) / n);
})();

/** Writes person p's unit descriptor (p ≥ 0; p ≥ 2^30 for the noise-only stream of atCosine) at out[off…]. */
function fill(p: number, out: Float32Array, off: number, shared: boolean): void {
  let s = Math.imul(p + 1, 0x9e3779b1) ^ 0x5bd1e995 || 1;
  let n = 0;
  for (let i = 0; i < D; i += 2) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const a = (shared ? SHARED[i]! : 0) + NOISE[s & 0xffff]! / 32;
    const b = (shared ? SHARED[i + 1]! : 0) + NOISE[(s >>> 16) & 0xffff]! / 32;
    out[off + i] = a;
    out[off + i + 1] = b;
    n += a * a + b * b;
  }
  const inv = 1 / Math.sqrt(n);
  for (let i = 0; i < D; i++) out[off + i]! *= inv;
}

/** People start … start+count−1, row-major. */
export function people(start: number, count: number): Float32Array {
  const out = new Float32Array(count * D);
  for (let k = 0; k < count; k++) fill(start + k, out, k * D, true);
  return out;
}

export const person = (p: number) => people(p, 1);

/** A unit vector at exactly cosine c to person p (a re-enrolment of p at that similarity); `seed` picks the direction. */
export function atCosine(p: number, c: number, seed: number): Float32Array {
  const v = person(p);
  const g = new Float32Array(D);
  fill(2 ** 30 + seed, g, 0, false);
  let dot = 0;
  for (let i = 0; i < D; i++) dot += g[i]! * v[i]!;
  for (let i = 0; i < D; i++) g[i]! -= dot * v[i]!;
  const gn = Math.hypot(...g);
  return Float32Array.from(v, (x, i) => c * x + (Math.sqrt(1 - c * c) * g[i]!) / gn);
}

/**
 * Exact nearest person by cosine for every query, fed chunk by chunk: usearch's exactSearch, a SIMD f32 brute force
 * on one thread. The first `timed` queries are also searched one by one and timed (summed over chunks).
 */
export class ExactBaseline {
  readonly top: Array<{ p: number; dist: number }>;
  readonly ms: number[];
  private readonly batch: Float32Array;

  constructor(
    private readonly queries: Float32Array[],
    private readonly timed: number,
  ) {
    this.top = queries.map(() => ({ p: -1, dist: Infinity }));
    this.ms = new Array<number>(Math.min(timed, queries.length)).fill(0);
    this.batch = new Float32Array(queries.length * D);
    queries.forEach((q, j) => this.batch.set(q, j * D));
  }

  add(start: number, chunk: Float32Array): void {
    const all = exactSearch(chunk, this.batch, D, 1, MetricKind.Cos, 1) as { keys: BigUint64Array; distances: Float32Array };
    this.queries.forEach((_, j) => {
      if (all.distances[j]! < this.top[j]!.dist) this.top[j] = { p: start + Number(all.keys[j]), dist: all.distances[j]! };
    });
    for (let j = 0; j < this.ms.length; j++) {
      const t0 = process.hrtime.bigint();
      exactSearch(chunk, this.queries[j]!, D, 1, MetricKind.Cos, 1);
      this.ms[j]! += Number(process.hrtime.bigint() - t0) / 1e6;
    }
  }
}
