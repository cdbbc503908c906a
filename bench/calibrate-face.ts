// Calibrates the face-match threshold on the sample images shipped with @vladmandic/human and face-api.
// Run: npx tsx bench/calibrate-face.ts   (prints a JSON report; the numbers go into docs/face-checks.md)
// Genuine pairs = two different photos of person A; impostor pairs = person A vs someone else, or two different
// women of the face-api demo photos. Images are split into a tuning half and a held-out report half; the
// threshold is chosen on tuning pairs only and FAR/FRR are reported on held-out pairs only.
import { pathToFileURL } from 'node:url';
import { detectFaces, embedWithFlip } from '../src/verification/engine/face/detect.js';
import { decodeRgb } from '../src/verification/engine/face/image.js';
import { cosine } from '../src/verification/engine/face/match.js';
import { generateIdCard, generatePassport, type Portrait } from '../test/support/documents/index.js';
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

/** The production descriptor: largest face, flip-averaged (embedWithFlip). */
async function embed(bytes: Buffer): Promise<Float32Array | null> {
  const img = await decodeRgb(bytes);
  const face = (await detectFaces(img)).faces[0];
  return face ? embedWithFlip(img, face) : null;
}

async function embedAll(samples: Sample[], skipped: string[]): Promise<Embedded[]> {
  const out: Embedded[] = [];
  for (const s of samples) {
    const embedding = await embed(await s.load());
    if (!embedding) skipped.push(s.id);
    else out.push({ id: s.id, person: s.person, embedding });
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
 * Threshold rule: the lowest threshold (0.01 steps) with at most 1% false accepts on the tuning impostors.
 * (Zero tuning false accepts would reject most genuine pairs with this descriptor: see the report.)
 */
export function pickThreshold(impostor: number[], maxFar = 0.01): number {
  for (let t = 0; t <= 100; t++) {
    if (rate(impostor, (s) => s >= t / 100) <= maxFar) return t / 100;
  }
  return 1;
}

function rate(scores: number[], pred: (s: number) => boolean): number {
  return scores.filter(pred).length / scores.length;
}

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
    genuine: [...pairs(aTune, null, true), ...pairs(dTune, null, true)],
    impostor: [...pairs(aTune, [...oTune, ...dTune], false), ...pairs(dTune, null, false)],
  };
  const report = {
    genuine: pairs(aReport, null, true),
    impostor: [...pairs(aReport, [...oReport, ...dReport], false), ...pairs(dReport, null, false)],
  };
  const threshold = pickThreshold(tune.impostor);
  const onDocument = await documentPairs(personA.filter((_, i) => i % 2 === 0), aReport, dReport);
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
    onDocument: {
      genuine: distribution(onDocument.genuine),
      impostor: distribution(onDocument.impostor),
      far: rate(onDocument.impostor, (s) => s >= threshold),
      frr: rate(onDocument.genuine, (s) => s < threshold),
      documentsWithoutPortrait: onDocument.missed,
    },
    // Held-out FAR/FRR at other thresholds, for the decision owner.
    sweep: [0.5, 0.55, 0.6, 0.65, 0.7].map((t) => ({
      threshold: t,
      far: rate(report.impostor, (s) => s >= t),
      frr: rate(report.genuine, (s) => s < t),
      documentFar: rate(onDocument.impostor, (s) => s >= t),
      documentFrr: rate(onDocument.genuine, (s) => s < t),
    })),
    allImpostorMax: Math.max(...tune.impostor, ...report.impostor),
  };
}

function portraitOf(s: Sample): Portrait {
  const c = s.source.crop;
  const crop = { left: Math.round(c.left), top: Math.round(c.top), width: Math.round(c.width), height: Math.round(c.height) };
  return { person: 'A', path: s.source.path, crop, note: s.id };
}

/**
 * Person A's held-out photos printed in the portrait box of generated ID cards (TD1, 1000 px wide) and passports
 * (TD3, 1500 px), compared with his OTHER held-out photos as selfies; impostors: the same documents vs the
 * held-out demo women, and documents of the demo women vs person A's photos.
 */
async function documentPairs(samples: Sample[], aReport: Embedded[], dReport: Embedded[]) {
  const genuine: number[] = [];
  const impostor: number[] = [];
  let missed = 0;
  const docs: Array<{ id: string; person: string; embedding: Float32Array }> = [];
  const sources = [...samples, ...[4, 5, 6].flatMap(demoSamples)];
  for (const [n, s] of sources.entries()) {
    const portrait = portraitOf(s);
    const image = n % 2 === 0 ? (await generateIdCard({ portrait, seed: n })).front : (await generatePassport({ portrait, seed: n })).image;
    const embedding = await embed(image);
    if (!embedding) missed++;
    else docs.push({ id: s.id, person: s.person, embedding });
  }
  for (const d of docs) {
    for (const e of [...aReport, ...dReport]) {
      if (e.id === d.id) continue; // never the same photo on both sides
      (e.person === d.person ? genuine : impostor).push(cosine(d.embedding, e.embedding));
    }
  }
  return { genuine, impostor, missed };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await calibrate();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
