// The verification engines as the case service sees them: document analysis and face analysis, run in the
// worker pool (created on first use, so processes that never verify don't load models). Engine failures become
// API errors here: a crashed worker is retryable (503), an image the engine cannot decode is the client's
// (422 corrupt_image), so is one that runs over the task's time budget (422 image_too_complex: the upload route
// refuses oversized images before, so what still takes this long is a hostile or pathological file), anything else
// is our bug (logged, 500).
import { ApiError, UnprocessableError } from '../../http/errors.js';
import { log } from '../../log.js';
import type { AnalyzeInput, DocumentAnalysis } from './document/analyze.js';
import type { FaceAnalysis, FaceAnalysisInput } from './face/analyze.js';
import type { DescriptorSetting } from './face/descriptors/setting.js';
import { createEnginePool, EngineTaskError, EngineTaskTimeoutError, EngineWorkerCrashedError, type EnginePool } from './pool.js';

export interface VerificationEngines {
  analyzeDocument(input: AnalyzeInput): Promise<DocumentAnalysis>;
  analyzeFaces(input: FaceAnalysisInput): Promise<FaceAnalysis>;
}

export interface EngineRuntime extends VerificationEngines {
  /** Starts the workers now instead of on the first request (no-op for injected engines). */
  warmup(): Promise<void>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Engine worker threads (at least 1). */
  workers: number;
  busyShare: number;
  /** Wall-time budget of one task (VERIFICATION_TASK_TIMEOUT_MS). */
  taskTimeoutMs?: number;
  /** The decoders' pixel cap in the threads (UPLOAD_IMAGE_MAX_PIXELS). */
  maxInputPixels?: number;
  /** The threads' face descriptor (FACE_DESCRIPTOR); default descriptors/setting.ts DEFAULT_DESCRIPTOR. */
  faceDescriptor?: DescriptorSetting;
  /** Replaces the worker pool (e.g. a pool shared by several test servers). Not closed by close(). */
  engines?: VerificationEngines;
}

export function createEngines(opts: EngineOptions): EngineRuntime {
  if (opts.engines) {
    const injected = opts.engines;
    return {
      analyzeDocument: (input) => engineCall('document', () => injected.analyzeDocument(input)),
      analyzeFaces: (input) => engineCall('faces', () => injected.analyzeFaces(input)),
      warmup: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  }
  let pool: EnginePool | undefined;
  const getPool = (): EnginePool =>
    (pool ??= createEnginePool({
      size: Math.max(1, opts.workers),
      busyShare: opts.busyShare,
      ...(opts.taskTimeoutMs ? { taskTimeoutMs: opts.taskTimeoutMs } : {}),
      threadData: {
        ...(opts.maxInputPixels ? { maxInputPixels: opts.maxInputPixels } : {}),
        ...(opts.faceDescriptor ? { faceDescriptor: opts.faceDescriptor } : {}),
      },
    }));
  return {
    analyzeDocument: (input) => engineCall('document', async () => await getPool().run({ kind: 'document', input })),
    analyzeFaces: (input) => engineCall('faces', () => getPool().run({ kind: 'faces', input })),
    async warmup() {
      await getPool().ready;
    },
    async close() {
      const p = pool;
      pool = undefined;
      await p?.close().catch((err: unknown) => log.warn('engine pool close failed', { err: String(err) }));
    },
  };
}

/** Codes of the engines' typed image errors (document/analyze.ts DocumentImageError, face/image.ts FaceImageError). */
const IMAGE_ERROR_CODES = new Set(['document_image_invalid', 'unreadable_image']);

export async function engineCall<T>(task: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EngineWorkerCrashedError) throw new ApiError(503, 'engine_unavailable', 'The verification engine restarted; retry the request.', undefined, { 'Retry-After': '5' });
    if (err instanceof EngineTaskTimeoutError) {
      throw new UnprocessableError('image_too_complex', `The verification engine could not analyse the images within ${Math.round(err.timeoutMs / 1000)} s; send an ordinary photo or scan.`);
    }
    if (err instanceof EngineTaskError && err.code && IMAGE_ERROR_CODES.has(err.code)) {
      throw new UnprocessableError('corrupt_image', 'An image could not be decoded by the verification engine.');
    }
    // Not the client's fault: a bug or a resource failure in the engine. The message is the engine's own
    // (never image bytes); the error middleware answers 500.
    log.error('verification engine task failed', {
      task,
      error: err instanceof EngineTaskError ? err.causeName : (err as Error)?.name,
      code: err instanceof EngineTaskError ? err.code : undefined,
      message: err instanceof Error ? err.message : String(err),
    });
    throw err;
  }
}
