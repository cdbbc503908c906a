// Face-match thresholds from labelled pairs.
//
// Built-in (no arguments): the engine's descriptor (FACE_DESCRIPTOR, default in descriptors/setting.ts) on the
// calibration set of bench/face-descriptors.ts (sample photos + generated documents, tuning/held-out split):
//   approve = the lowest 0.01 step with FAR ≤ 0.1% on each held-out impostor set (photo pairs, document pairs);
//   review  = the highest 0.01 step with FRR ≤ 5% on each held-out genuine set.
// Prints JSON; the figures go into src/verification/thresholds.ts and docs/face-checks.md.
//
// Operator (--operator DIR --out FILE): the configured descriptor (FACE_* variables, e.g. an ONNX model) on the
// operator's own photos: DIR/<identity>/<image>, one sub-folder per person; files whose name starts with
// "document" are document images (or crops of the printed portrait). Genuine pairs = two different images of one
// identity (document vs photo and photo vs photo), impostor pairs = images of two identities. Writes the threshold
// file the engine reads (FACE_ONNX_THRESHOLDS), with the ROC it came from.
// Run: nice -n 19 npx tsx bench/calibrate-face.ts [--operator DIR --out FILE]
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config.js';
import { buildThresholdFile, DEFAULT_RULE, approveThreshold, reviewThreshold } from '../src/verification/engine/face/descriptors/calibrate.js';
import { createDescriptor } from '../src/verification/engine/face/descriptors/index.js';
import { detectFaces } from '../src/verification/engine/face/detect.js';
import { decodeRgb } from '../src/verification/engine/face/image.js';
import { cosine } from '../src/verification/engine/face/match.js';
import { evaluate } from './face-descriptors.js';
import { frrAtFar, rocAt } from './lib/roc.js';

const BENCH_NAME: Record<string, string> = { 'human-faceres': 'faceres', 'faceapi-resnet34': 'faceapi' };

export async function calibrateBuiltIn() {
  const setting = loadConfig(process.env).verification.faceDescriptor;
  const model = BENCH_NAME[setting.kind];
  if (!model) throw new Error(`built-in calibration covers the built-in descriptors; for ${setting.kind} use --operator`);
  const { result, scores } = await evaluate([model]);
  const s = scores[model]!;
  // Each held-out set (photo pairs, document pairs) must meet the rule on its own; 0.01 steps.
  const sets = [s.photoHeldOut!, s.documentHeldOut!];
  const approve = Math.max(...sets.map((x) => Math.ceil(approveThreshold(x.impostor, DEFAULT_RULE.maxFar) * 100 - 1e-9) / 100));
  const review = Math.min(approve, ...sets.map((x) => Math.floor(reviewThreshold(x.genuine, DEFAULT_RULE.maxFrr) * 100 + 1e-9) / 100));
  const genuine = sets.flatMap((x) => x.genuine);
  const impostor = sets.flatMap((x) => x.impostor);
  const at = (set: { genuine: number[]; impostor: number[] }, t: number) => {
    const r = rocAt(set.genuine, set.impostor, t);
    return { far: r.far, frr: r.frr, genuine: set.genuine.length, impostor: set.impostor.length };
  };
  return {
    descriptor: setting.kind,
    approve,
    review,
    heldOut: { genuine: genuine.length, impostor: impostor.length, frrAtFar01: frrAtFar({ genuine, impostor }, 0.001) },
    atApprove: { photo: at(s.photoHeldOut!, approve), document: at(s.documentHeldOut!, approve) },
    atReview: { photo: at(s.photoHeldOut!, review), document: at(s.documentHeldOut!, review) },
    bench: result[model],
  };
}

async function operatorScores(dir: string) {
  const setting = loadConfig(process.env).verification.faceDescriptor;
  // An ONNX descriptor needs a threshold file to start; calibration is what writes it, so use a placeholder.
  const descriptor =
    setting.kind === 'onnx'
      ? await createDescriptor({ ...setting, thresholdsPath: await placeholderThresholds(`onnx:${setting.name}`) })
      : await createDescriptor(setting);
  const items: Array<{ person: string; file: string; document: boolean; e: Float32Array }> = [];
  const skipped: string[] = [];
  for (const person of (await fs.readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const file of (await fs.readdir(path.join(dir, person))).sort()) {
      if (!/\.(jpe?g|png|webp)$/i.test(file)) continue;
      const img = await decodeRgb(await fs.readFile(path.join(dir, person, file)));
      const face = (await detectFaces(img)).faces[0];
      const e = face ? await descriptor.embed(img, face) : null;
      if (e) items.push({ person, file, document: file.toLowerCase().startsWith('document'), e });
      else skipped.push(`${person}/${file}`);
    }
  }
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i]!;
      const b = items[j]!;
      if (a.document && b.document) continue; // KYC compares a document with a live photo
      (a.person === b.person ? genuine : impostor).push(cosine(a.e, b.e));
    }
  }
  return { descriptor: descriptor.id, genuine, impostor, identities: new Set(items.map((i) => i.person)).size, skipped };
}

async function placeholderThresholds(id: string): Promise<string> {
  const file = path.join(await fs.mkdtemp(path.join((await import('node:os')).tmpdir(), 'kp-cal-')), 'placeholder.json');
  await fs.writeFile(file, JSON.stringify(buildThresholdFile(id, { genuine: [1], impostor: [-1], identities: 0 })));
  return file;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (flag: string) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const dir = arg('--operator');
  if (dir) {
    const out = arg('--out');
    if (!out) throw new Error('--operator needs --out <threshold file>');
    const s = await operatorScores(dir);
    const file = buildThresholdFile(s.descriptor, s);
    await fs.writeFile(out, `${JSON.stringify(file, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify({ out, approve: file.approve, review: file.review, rule: file.rule, skipped: s.skipped }, null, 2)}\n`);
  } else {
    process.stdout.write(`${JSON.stringify(await calibrateBuiltIn(), null, 2)}\n`);
  }
}
