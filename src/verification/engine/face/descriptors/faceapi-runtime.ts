// Loads @vladmandic/face-api (node-wasm build) once per thread on the TensorFlow.js WASM backend, fully offline.
// That build requires the umbrella package "@tensorflow/tfjs", which we do not install (it drags in WebGL, layers
// and data); face-api only needs tfjs-core (with chained ops) and the converter, which are dependencies already.
// For the duration of that one require, the umbrella name resolves to an in-memory module built from those two.
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type * as FaceApiTypes from '@vladmandic/face-api';

export type FaceApi = typeof FaceApiTypes;

const require = createRequire(import.meta.url);
const UMBRELLA = path.join(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'kycport-tfjs-umbrella.js');

/** Resolved only when this descriptor is chosen: the default engine never loads face-api. */
function faceApiRoot(): string {
  try {
    return path.dirname(require.resolve('@vladmandic/face-api/package.json'));
  } catch {
    throw new Error('FACE_DESCRIPTOR=faceapi-resnet34 needs the @vladmandic/face-api package (npm install @vladmandic/face-api)');
  }
}
const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');

type Resolve = (this: unknown, request: string, ...rest: unknown[]) => string;

async function requireFaceApi(): Promise<FaceApi> {
  // Chained tensor methods (t.as3D() …) are registered on tfjs-core's global Tensor class by this module, as the
  // umbrella would. It is an ES module with extensionless and directory imports: tsx's require loads it, Node's
  // plain import does not; under vite (the tests) only import does.
  const chained = '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
  try {
    require(chained);
  } catch {
    await import(chained);
  }
  const umbrella = new Module(UMBRELLA);
  umbrella.filename = UMBRELLA;
  umbrella.loaded = true;
  umbrella.exports = { ...(require('@tensorflow/tfjs-core') as object), ...(require('@tensorflow/tfjs-converter') as object) };
  require.cache[UMBRELLA] = umbrella;
  const original = Reflect.get(Module, '_resolveFilename') as Resolve;
  const redirect: Resolve = function (request, ...rest) {
    return request === '@tensorflow/tfjs' ? UMBRELLA : original.call(this, request, ...rest);
  };
  Reflect.set(Module, '_resolveFilename', redirect);
  try {
    return require(path.join(faceApiRoot(), 'dist', 'face-api.node-wasm.js')) as FaceApi;
  } finally {
    Reflect.set(Module, '_resolveFilename', original);
  }
}

let loading: Promise<FaceApi> | undefined;

/** face-api with its landmark and recognition nets loaded (plus the SSD detector when asked, for benches). */
export function loadFaceApi(withDetector = false): Promise<FaceApi> {
  loading ??= (async () => {
    const api = await requireFaceApi();
    // face-api runs on this tfjs-core instance (the umbrella above), so the backend is set here.
    setWasmPaths(`${wasmDir}${path.sep}`);
    await tf.setBackend('wasm');
    await tf.ready();
    const models = path.join(faceApiRoot(), 'model');
    await api.nets.faceLandmark68Net.loadFromDisk(models);
    await api.nets.faceRecognitionNet.loadFromDisk(models);
    return api;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return withDetector
    ? loading.then(async (api) => {
        if (!api.nets.ssdMobilenetv1.isLoaded) await api.nets.ssdMobilenetv1.loadFromDisk(path.join(faceApiRoot(), 'model'));
        return api;
      })
    : loading;
}
