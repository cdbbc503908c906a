// Calibrates the face-match threshold on the sample images shipped with @vladmandic/human and face-api.
// Run: npx tsx bench/calibrate-face.ts   (prints a JSON report; the numbers go into docs/face-checks.md)
// Genuine pairs = two different photos of person A; impostor pairs = person A vs someone else, or two different
// women of the face-api demo photos. Images are split into a tuning half and a held-out report half; the
// threshold is chosen on tuning pairs only and FAR/FRR are reported on held-out pairs only.
import { pathToFileURL } from 'node:url';
import { detectFaces } from '../src/verification/engine/face/detect.js';
import { cosine } from '../src/verification/engine/face/match.js';
import { demoSamples, gridOthers, personA, type Sample } from '../test/verification/engine/face/samples.js';

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

interface Embedded {
  id: string;
  person: string;
  embedding: Float32Array;
}

async function embedAll(samples: Sample[], skipped: string[]): Promise<Embedded[]> {
  const out: Embedded[] = [];
  for (const s of samples) {
    const det = await detectFaces(await s.load());
    const face = det.faces[0];
    if (!face?.embedding) skipped.push(s.id);
    else out.push({ id: s.id, person: s.person, embedding: face.embedding });
  }
  return out;
}

function pairs(a: Embedded[], b: Embedded[] | null, same: boolean): number[] {
  const scores: number[] = [];
  const right = b ?? a;
  a.forEach((x, i) => {
    right.forEach((y, j) => {
      if (b === null && j <= i) return;
      if ((x.person === y.person) === same) scores.push(cosine(x.embedding, y.embedding));
    });
  });
  return scores;
}

/**
 * Threshold rule: zero false accepts on the tuning set with a safety margin — midway between the highest
 * impostor score and the lowest genuine score above it, never lower than impostor max + 0.05.
 */
export function pickThreshold(genuine: number[], impostor: number[]): number {
  const impMax = Math.max(...impostor);
  const above = genuine.filter((g) => g > impMax).sort((x, y) => x - y);
  const mid = above.length ? (impMax + (above[0] as number)) / 2 : impMax + 0.05;
  return Math.round(Math.max(mid, impMax + 0.05) * 100) / 100;
}

const rate = (scores: number[], pred: (s: number) => boolean) => scores.filter(pred).length / scores.length;

export async function calibrate() {
  const skipped: string[] = [];
  const a = await embedAll(personA, skipped);
  const others = await embedAll(gridOthers, skipped);
  const demo = await embedAll([1, 2, 3, 4, 5, 6].flatMap(demoSamples), skipped);
  const aTune = a.filter((_, i) => i % 2 === 1);
  const aReport = a.filter((_, i) => i % 2 === 0);
  const col = (e: Embedded) => Number(e.id.split('-')[2]);
  const oTune = others.filter((e) => col(e) % 2 === 0);
  const oReport = others.filter((e) => col(e) % 2 === 1);
  const photo = (e: Embedded) => Number(e.id.slice(4, 5));
  const dTune = demo.filter((e) => photo(e) <= 3);
  const dReport = demo.filter((e) => photo(e) >= 4);

  const tune = {
    genuine: pairs(aTune, null, true),
    impostor: [...pairs(aTune, [...oTune, ...dTune], false), ...pairs(dTune, null, false)],
  };
  const report = {
    genuine: pairs(aReport, null, true),
    impostor: [...pairs(aReport, [...oReport, ...dReport], false), ...pairs(dReport, null, false)],
  };
  const threshold = pickThreshold(tune.genuine, tune.impostor);
  return {
    images: { personA: a.length, gridOthers: others.length, demoFaces: demo.length, skipped },
    threshold,
    tuning: { genuine: distribution(tune.genuine), impostor: distribution(tune.impostor) },
    heldOut: {
      genuine: distribution(report.genuine),
      impostor: distribution(report.impostor),
      far: rate(report.impostor, (s) => s >= threshold),
      frr: rate(report.genuine, (s) => s < threshold),
    },
    allImpostorMax: Math.max(...tune.impostor, ...report.impostor),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await calibrate();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
