// Centring face descriptors before indexing: different people spread apart, the same face stays close.
import { describe, expect, it } from 'vitest';
import { center, cosine, meanOf, MIN_ROWS_FOR_MEAN } from '../../../src/verification/dedup/centering.js';
import { EMBEDDING_DIM as D } from '../../../src/verification/dedup/types.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}
const unit = (v: Float32Array) => {
  const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  return v.map((x) => x / n);
};
const r = rng(7);
const shared = unit(Float32Array.from({ length: D }, r));
/** Face-like: a large shared component plus a personal one (pairwise cosine ≈ 0.4, like FaceRes impostors). */
const person = (g: () => number) => unit(Float32Array.from({ length: D }, (_, i) => 0.8 * shared[i]! + g() * (2 / Math.sqrt(D))));

describe('descriptor centring', () => {
  it('needs enough descriptors to estimate the mean', () => {
    const few = Array.from({ length: MIN_ROWS_FOR_MEAN - 1 }, () => person(r));
    expect(meanOf(few)).toBeUndefined();
    expect(center(few[0]!, undefined)).toEqual(few[0]);
  });

  it('moves different people apart while a re-enrolled face stays the nearest', () => {
    const people = Array.from({ length: 600 }, (_, k) => person(rng(100 + k)));
    const mean = meanOf(people)!;
    const raw = cosine(people[0]!, people[1]!);
    const centred = cosine(center(people[0]!, mean), center(people[1]!, mean));
    expect(raw).toBeGreaterThan(0.3);
    expect(Math.abs(centred)).toBeLessThan(0.15);
    // A noisy second photo of person 0: still far closer to person 0 than to anyone else, in both spaces.
    const g = rng(999);
    const again = unit(people[0]!.map((x) => x + g() * (1.5 / Math.sqrt(D))));
    const q = center(again, mean);
    const sims = people.map((p) => cosine(q, center(p, mean)));
    expect(sims.indexOf(Math.max(...sims))).toBe(0);
    expect(cosine(again, people[0]!)).toBeGreaterThan(0.8);
  });
});
