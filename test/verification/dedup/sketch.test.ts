// Sketches (sign bits of a rotated, centred descriptor) and the WebAssembly Hamming scan over them.
import { describe, expect, it } from 'vitest';
import { cosine, meanOf } from '../../../src/verification/dedup/centering.js';
import { SKETCH_BYTES, sketchOf } from '../../../src/verification/dedup/sketch.js';
import { SketchSet } from '../../../src/verification/dedup/sketch-set.js';
import { atCosine, face, gaussians, randomFace } from './faces.js';

function hamming(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) for (let x = a[i]! ^ b[i]!; x; x &= x - 1) d++;
  return d;
}
const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
};

describe('sketchOf', () => {
  it('is deterministic, 128 bytes, and its Hamming distance estimates the angle', () => {
    const a = randomFace(1);
    expect(sketchOf(a, undefined)).toHaveLength(SKETCH_BYTES);
    expect(sketchOf(Float32Array.from(a), undefined)).toEqual(sketchOf(a, undefined));
    for (const c of [0.95, 0.8, 0.5, 0]) {
      const b = atCosine(a, c, 7);
      const expected = (1024 * Math.acos(c)) / Math.PI;
      // Binomial noise: sd ≤ 16 bits.
      expect(Math.abs(hamming(sketchOf(a, undefined), sketchOf(b, undefined)) - expected)).toBeLessThan(64);
    }
  });

  it('centring on the mean separates different people from a re-enrolment at the strongMatch similarity', () => {
    const people = Array.from({ length: 1000 }, (_, i) => face(i));
    const mean = meanOf(people);
    const raw = cosine(people[0]!, people[1]!);
    expect(raw).toBeGreaterThan(0.3);
    const centred = people.slice(0, 200).map((p) => sketchOf(p, mean));
    const impostors = stats(centred.slice(1).map((s, i) => hamming(s, centred[i]!)));
    expect(impostors.mean).toBeGreaterThan(480); // ≈ 512: unrelated after centring
    const dup = people.slice(0, 50).map((p, i) => hamming(sketchOf(atCosine(p, 0.8, i), mean), sketchOf(p, mean)));
    // Far below every impostor: ≥ 8 impostor standard deviations apart on average.
    expect((impostors.mean - stats(dup).mean) / impostors.sd).toBeGreaterThan(8);
    expect(Math.max(...dup)).toBeLessThan(impostors.mean - 6 * impostors.sd);
  });
});

describe('SketchSet', () => {
  const random = (g: () => number) => Uint8Array.from({ length: SKETCH_BYTES }, () => Math.floor(((g() + 4) / 8) * 256) & 255);

  it.each([
    ['on the calling thread', {}],
    ['on 3 scan threads', { threads: 3, parallelFrom: 1 }],
  ])('returns exactly the k nearest sketches, nearest first, after growth and removals (%s)', async (_, opts) => {
    const g = gaussians(3);
    const set = new SketchSet(opts);
    const all = new Map<number, Uint8Array>();
    for (let id = 1; id <= 5000; id++) {
      const s = random(g);
      all.set(id, s);
      set.add(id, s);
    }
    for (let id = 7; id <= 5000; id += 97) {
      expect(set.remove(id)).toBe(true);
      all.delete(id);
    }
    expect(set.remove(7)).toBe(false);
    expect(set.size).toBe(all.size);
    for (const [trial, k] of [1, 5, 64, 300].entries()) {
      const q = trial % 2 ? all.get(500)! : random(g);
      const got = await set.nearest(q, k);
      const exact = [...all.values()].map((s) => hamming(q, s)).sort((a, b) => a - b);
      expect(new Set(got).size).toBe(k);
      expect(got.every((id) => all.has(id))).toBe(true);
      expect(got.map((id) => hamming(q, all.get(id)!))).toEqual(exact.slice(0, k));
    }
    expect(await set.nearest(all.get(500)!, 1)).toEqual([500]);
    await set.close();
  });

  it.each([
    ['on the calling thread', {}],
    ['on 2 scan threads', { threads: 2, parallelFrom: 1 }],
  ])('handles empty sets, k larger than the set, and ties (%s)', async (_, opts) => {
    const set = new SketchSet(opts);
    const s = new Uint8Array(SKETCH_BYTES).fill(0xaa);
    expect(await set.nearest(s, 5)).toEqual([]);
    set.add(3, s);
    set.add(1, s);
    set.add(2, new Uint8Array(SKETCH_BYTES));
    expect(await set.nearest(s, 10)).toEqual([3, 1, 2]);
    expect(await set.nearest(s, 1)).toEqual([3]);
    set.clear();
    expect(await set.nearest(s, 1)).toEqual([]);
    await set.close();
  });

  it('keeps ties in slot order across the threads\' parts, and refuses changes while the threads scan', async () => {
    const set = new SketchSet({ threads: 2, parallelFrom: 1 });
    const s = new Uint8Array(SKETCH_BYTES).fill(0x0f);
    for (let id = 1; id <= 9; id++) set.add(id, s);
    expect(await set.nearest(s, 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await set.nearest(s, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    const scan = set.nearest(s, 3);
    expect(() => set.add(10, s)).toThrow(/during a scan/);
    expect(() => set.remove(1)).toThrow(/during a scan/);
    expect(await scan).toEqual([1, 2, 3]);
    set.add(10, s);
    expect(set.size).toBe(10);
    // Each scan takes its listeners off the threads again (Node warns past 10 on one emitter).
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    for (let i = 0; i < 15; i++) await set.nearest(s, 1);
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
    await set.close();
  });
});
