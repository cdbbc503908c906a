// What 1:N dedup costs and catches with real face descriptors (the synthetic vectors of bench/dedup.ts measure
// search speed and recall, not this). The engine's descriptor on the calibration photos of bench/face-descriptors.ts:
// - flag rate: a new selfie of an already enrolled face against that enrolled selfie (genuine photo pairs) is
//   flagged when it scores at or above the face.match review threshold;
// - false flags: the share p of impostor photo pairs at or above it, projected to N enrolled other persons as
//   1 − (1 − p)^N, the chance that a new person is flagged at least once (pairs taken as independent), with the
//   expected number of other persons above the threshold, p × N (the reviewer is shown the 5 nearest).
// Held-out pairs only: the thresholds were chosen on them, so these are the figures the thresholds promise.
import { thresholds } from '../src/verification/thresholds.js';
import { evaluate } from './face-descriptors.js';
import type { BenchRow } from './lib/types.js';

const SIZES = [10_000, 100_000, 1_000_000];
const pct = (x: number) => `${(100 * x).toFixed(x < 0.001 && x > 0 ? 4 : 1)}%`;
const count = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

export async function run(): Promise<BenchRow[]> {
  const { review, approve } = thresholds.face.match;
  const { scores } = await evaluate(['faceres']);
  const photo = scores.faceres!.photoHeldOut!;
  const caught = photo.genuine.filter((s) => s >= review).length;
  const falseAt = (t: number) => photo.impostor.filter((s) => s >= t).length;
  const p = falseAt(review) / photo.impostor.length;
  const pApprove = falseAt(approve) / photo.impostor.length;
  const bound = 3 / photo.impostor.length; // rule of three: 0 of n observed → p < 3/n at 95%
  const rows: BenchRow[] = [
    {
      name: `dedup flag rate: re-enrolments with a new selfie of an enrolled face (held-out photo pairs, review ${review})`,
      value: pct(caught / photo.genuine.length),
      target: { goal: 'dedup flags ≥ 95% of re-enrolments with new photos', measured: `${caught}/${photo.genuine.length}`, met: caught / photo.genuine.length >= 0.95 },
      note: `human-faceres+flip; ${photo.genuine.length} genuine pairs, all of one man (person A, docs/face-checks.md): a small sample, not a population figure`,
    },
  ];
  for (const n of SIZES) {
    const flagged = 1 - (1 - p) ** n;
    rows.push({
      name: `dedup false flags per new enrolment at ${count(n)} enrolled (projected)`,
      value: pct(flagged),
      target: { goal: `false flags ≤ 1% at 1M (or the figure stated)`, measured: pct(flagged), met: flagged <= 0.01 },
      note: `p = ${falseAt(review)}/${photo.impostor.length} held-out impostor photo pairs ≥ ${review}; 1 − (1 − p)^N; about ${Math.round(p * n).toLocaleString('en')} other persons above the threshold per new enrolment (a reviewer sees the 5 nearest). Flagging only at approve ${approve} (${falseAt(approve)} of ${photo.impostor.length} pairs, p < ${bound.toFixed(4)} at 95%) would still give up to ${pct(1 - (1 - Math.max(pApprove, bound)) ** n)}: ≤ 1% at 1M needs p ≤ 1e-8, far beyond this model and this data`,
    });
  }
  return rows;
}
