// An operator's own ArcFace-class face-recognition model (ONNX), run with onnxruntime-node on the five-point
// aligned crop. onnxruntime-node is not a dependency: the operator installs it (see docs/face-checks.md), so it
// is imported by name at run time and typed by the few members used here.
import { l2normalise } from '../detect.js';
import type { RgbImage } from '../image.js';
import { alignedCrop } from './align.js';
import { descriptorId, type OnnxSetting } from './setting.js';
import { readThresholdFile } from './threshold-file.js';
import { MAX_DIMENSIONS, type FaceDescriptor } from './types.js';

interface OrtTensor {
  data: ArrayLike<number>;
  dims: readonly number[];
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface Ort {
  InferenceSession: { create(path: string, options?: object): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
}

const ORT_PACKAGE = 'onnxruntime-node';

async function loadOrt(): Promise<Ort> {
  try {
    return (await import(ORT_PACKAGE)) as Ort;
  } catch (err) {
    throw new Error(`FACE_DESCRIPTOR=onnx needs the onnxruntime-node package (npm install onnxruntime-node): ${(err as Error).message}`);
  }
}

/** The aligned crop as the model's input tensor: (x − mean) / std per channel, in its channel order and layout. */
export function toInput(crop: RgbImage, s: Pick<OnnxSetting, 'mean' | 'std' | 'channelOrder' | 'layout'>): Float32Array {
  const n = crop.width * crop.height;
  const out = new Float32Array(n * 3);
  const order = s.channelOrder === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = (crop.data[i * 3 + order[c]!]! - s.mean[c]!) / s.std[c]!;
      out[s.layout === 'nchw' ? c * n + i : i * 3 + c] = v;
    }
  }
  return out;
}

export async function onnxDescriptor(setting: OnnxSetting): Promise<FaceDescriptor> {
  const [ort, file] = await Promise.all([loadOrt(), readThresholdFile(setting.thresholdsPath)]);
  const id = descriptorId(setting);
  if (file.descriptor !== id) throw new Error(`threshold file ${setting.thresholdsPath} is for ${file.descriptor}, not ${id}`);
  const session = await ort.InferenceSession.create(setting.modelPath, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  const input = session.inputNames[0];
  const output = session.outputNames[0];
  if (!input || !output) throw new Error(`${setting.modelPath}: the model has no input or output`);
  const size = setting.inputSize;
  const dims = setting.layout === 'nchw' ? [1, 3, size, size] : [1, size, size, 3];
  const run = async (crop: RgbImage) => {
    const result = await session.run({ [input]: new ort.Tensor('float32', toInput(crop, setting), dims) });
    const vector = result[output];
    if (!vector) throw new Error(`${setting.modelPath}: no output ${output}`);
    return vector.data;
  };
  // The output length is checked once on a blank crop, before any real face is embedded.
  const probe = await run({ data: new Uint8Array(size * size * 3), width: size, height: size });
  if (probe.length > MAX_DIMENSIONS) throw new Error(`${setting.modelPath}: ${probe.length}-d output, more than ${MAX_DIMENSIONS}`);
  return {
    id,
    dimensions: probe.length,
    match: { approve: file.approve, review: file.review },
    embed: async (img, face) => (face.landmarks5 ? l2normalise(await run(alignedCrop(img, face.landmarks5, size))) : null),
  };
}
