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
const faceApiRoot = path.dirname(require.resolve('@vladmandic/face-api/package.json'));
export const faceApiModels = path.join(faceApiRoot, 'model');
const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');

type Resolve = (this: unknown, request: string, ...rest: unknown[]) => string;

function requireFaceApi(): FaceApi {
  require('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops');
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
    return require(path.join(faceApiRoot, 'dist', 'face-api.node-wasm.js')) as FaceApi;
  } finally {
    Reflect.set(Module, '_resolveFilename', original);
  }
}

let loading: Promise<FaceApi> | undefined;

/** face-api with its landmark and recognition nets loaded (plus the SSD detector when asked, for benches). */
export function loadFaceApi(withDetector = false): Promise<FaceApi> {
  loading ??= (async () => {
    const api = requireFaceApi();
    // face-api runs on this tfjs-core instance (the umbrella above), so the backend is set here.
    setWasmPaths(`${wasmDir}${path.sep}`);
    await tf.setBackend('wasm');
    await tf.ready();
    await api.nets.faceLandmark68Net.loadFromDisk(faceApiModels);
    await api.nets.faceRecognitionNet.loadFromDisk(faceApiModels);
    return api;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return withDetector
    ? loading.then(async (api) => {
        if (!api.nets.ssdMobilenetv1.isLoaded) await api.nets.ssdMobilenetv1.loadFromDisk(faceApiModels);
        return api;
      })
    : loading;
}
