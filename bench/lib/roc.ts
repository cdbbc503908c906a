// ROC helpers for face descriptor benches: FAR/FRR at a threshold, FRR at a target FAR, a threshold table.

export interface RocRow {
  threshold: number;
  far: number;
  frr: number;
}
export type Roc = RocRow[];

const rate = (scores: number[], pred: (s: number) => boolean) => (scores.length ? scores.filter(pred).length / scores.length : NaN);

export function rocAt(genuine: number[], impostor: number[], t: number): RocRow {
  return { threshold: t, far: rate(impostor, (s) => s >= t), frr: rate(genuine, (s) => s < t) };
}

/** FAR and FRR at every 0.01 step across the range where either changes. */
export function rocTable(genuine: number[], impostor: number[]): Roc {
  const lo = Math.floor(Math.min(...genuine, ...impostor) * 100);
  const hi = Math.ceil(Math.max(...genuine, ...impostor) * 100);
  const rows: Roc = [];
  for (let t = lo; t <= hi; t++) rows.push(rocAt(genuine, impostor, t / 100));
  return rows;
}

/**
 * The lowest threshold whose FAR on these impostor pairs is ≤ maxFar (just above the k-th highest impostor
 * score, k = floor(maxFar × n)), and the FRR there. `falseAccepts` allowed and the pair counts say how much
 * the figure rests on: with 0 false accepts among n pairs, FAR < 3/n at 95% confidence.
 */
export function frrAtFar(v: { genuine: number[]; impostor: number[] }, maxFar: number) {
  const imp = [...v.impostor].sort((a, b) => b - a);
  const allowed = Math.floor(maxFar * imp.length);
  const threshold = (imp[allowed] ?? -1) + 1e-6;
  const row = rocAt(v.genuine, v.impostor, threshold);
  return {
    threshold: Math.round(threshold * 1000) / 1000,
    far: row.far,
    frr: row.frr,
    falseAcceptsAllowed: allowed,
    genuinePairs: v.genuine.length,
    impostorPairs: imp.length,
    farUpperBound95: imp.length ? Math.round(Math.min(1, (allowed === 0 ? 3 : allowed + 2 * Math.sqrt(allowed) + 2) / imp.length) * 10000) / 10000 : NaN,
  };
}

export interface Distribution {
  n: number;
  min: number;
  p5: number;
  p50: number;
  p95: number;
  max: number;
}

export function distribution(scores: number[]): Distribution {
  const s = [...scores].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))] ?? NaN;
  const r = (n: number) => Math.round(n * 1000) / 1000;
  return { n: s.length, min: r(s[0] ?? NaN), p5: r(q(0.05)), p50: r(q(0.5)), p95: r(q(0.95)), max: r(s.at(-1) ?? NaN) };
}
