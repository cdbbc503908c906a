// The rule that turns labelled genuine/impostor scores into the face.match thresholds, shared by the built-in
// calibration and the operator's threshold file (bench/calibrate-face.ts --operator).
import type { ThresholdFile } from './threshold-file.js';

export interface ThresholdRule {
  /** approve = the lowest threshold with FAR ≤ this on the impostor pairs. */
  maxFar: number;
  /** review = the highest threshold with FRR ≤ this on the genuine pairs (so dedup at review finds ≥ 1 − maxFrr). */
  maxFrr: number;
}

export const DEFAULT_RULE: ThresholdRule = { maxFar: 0.001, maxFrr: 0.05 };

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Just above the k-th highest impostor score, k = floor(maxFar × n): at most k false accepts. */
export function approveThreshold(impostor: number[], maxFar: number): number {
  const sorted = [...impostor].sort((a, b) => b - a);
  const top = sorted[Math.floor(maxFar * sorted.length)];
  return top === undefined ? -1 : Math.ceil(top * 1000 + 1e-9) / 1000;
}

/** The highest threshold (0.001 steps) that rejects at most floor(maxFrr × n) genuine pairs. */
export function reviewThreshold(genuine: number[], maxFrr: number): number {
  const sorted = [...genuine].sort((a, b) => a - b);
  const low = sorted[Math.floor(maxFrr * sorted.length)];
  return low === undefined ? 1 : Math.floor(low * 1000) / 1000;
}

export function rocRows(genuine: number[], impostor: number[], step = 0.01) {
  const all = [...genuine, ...impostor];
  const rows = [];
  for (let t = Math.floor(Math.min(...all) / step) * step; t <= Math.max(...all) + step; t += step) {
    const th = round(t);
    rows.push({
      threshold: th,
      far: impostor.filter((s) => s >= th).length / (impostor.length || 1),
      frr: genuine.filter((s) => s < th).length / (genuine.length || 1),
    });
  }
  return rows;
}

export function buildThresholdFile(
  descriptor: string,
  scores: { genuine: number[]; impostor: number[]; identities: number },
  rule: ThresholdRule = DEFAULT_RULE,
  now = new Date(),
): ThresholdFile {
  if (scores.genuine.length === 0 || scores.impostor.length === 0) throw new Error('need at least one genuine and one impostor pair');
  const approve = approveThreshold(scores.impostor, rule.maxFar);
  // When genuine pairs score so low that FRR ≤ maxFrr would sit above approve, the review zone collapses to approve.
  const review = Math.min(approve, reviewThreshold(scores.genuine, rule.maxFrr));
  const n = scores.impostor.length;
  const bound = n >= 3 / rule.maxFar ? '' : ` Only ${n} impostor pairs: 0 false accepts among them bounds FAR below ${(300 / n).toFixed(2)}% (95%), not ${rule.maxFar * 100}%.`;
  return {
    descriptor,
    approve,
    review,
    rule: `approve: lowest threshold with FAR ≤ ${rule.maxFar} on ${n} impostor pairs; review: highest threshold with FRR ≤ ${rule.maxFrr} on ${scores.genuine.length} genuine pairs.${bound}`,
    pairs: { genuine: scores.genuine.length, impostor: n, identities: scores.identities },
    roc: rocRows(scores.genuine, scores.impostor),
    createdAt: now.toISOString(),
  };
}
