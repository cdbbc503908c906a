// The decoders' pixel cap inside the engine threads, matched to the upload route's (UPLOAD_IMAGE_MAX_PIXELS): the
// pool hands it to each thread as workerData. Anywhere else (tests calling an engine directly) the default holds.
import { workerData } from 'node:worker_threads';

export const DEFAULT_MAX_INPUT_PIXELS = 40_000_000;

export interface EngineThreadData {
  maxInputPixels?: number;
  /** The face descriptor setting (face/descriptors/setting.ts), validated again in the thread. */
  faceDescriptor?: unknown;
}

function fromWorkerData(): number {
  const v = (workerData as Partial<EngineThreadData> | null | undefined)?.maxInputPixels;
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : DEFAULT_MAX_INPUT_PIXELS;
}

/** sharp's `limitInputPixels` for every decode of an untrusted image in this thread. */
export const MAX_INPUT_PIXELS = fromWorkerData();
