// The engine thread's face descriptor, chosen by the FACE_DESCRIPTOR setting (src/config.ts → workerData).
import { workerData } from 'node:worker_threads';
import { faceApiResnet34 } from './faceapi.js';
import { humanFaceres } from './faceres.js';
import { onnxDescriptor } from './onnx.js';
import { DEFAULT_DESCRIPTOR, descriptorSettingSchema, type DescriptorSetting } from './setting.js';
import { MAX_DIMENSIONS, type FaceDescriptor } from './types.js';

export type { FaceDescriptor, MatchThresholds } from './types.js';

export async function createDescriptor(setting: DescriptorSetting): Promise<FaceDescriptor> {
  const d =
    setting.kind === 'faceapi-resnet34' ? await faceApiResnet34()
    : setting.kind === 'human-faceres' ? humanFaceres()
    : await onnxDescriptor(setting);
  if (d.dimensions > MAX_DIMENSIONS) throw new Error(`descriptor ${d.id} has ${d.dimensions} dimensions, more than ${MAX_DIMENSIONS}`);
  return d;
}

/** The setting handed to this thread by the pool, else the default (tests and benches calling the engine directly). */
function threadSetting(): DescriptorSetting {
  const raw: unknown = (workerData as { faceDescriptor?: unknown } | null | undefined)?.faceDescriptor;
  return raw === undefined ? DEFAULT_DESCRIPTOR : descriptorSettingSchema.parse(raw);
}

let current: Promise<FaceDescriptor> | undefined;

export function activeDescriptor(): Promise<FaceDescriptor> {
  current ??= createDescriptor(threadSetting());
  current.catch(() => {
    current = undefined;
  });
  return current;
}
