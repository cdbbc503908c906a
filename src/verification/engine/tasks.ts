// What the engine worker threads can run. Shared by pool.ts (caller side) and thread.ts (thread side).
import type { AnalyzeInput, DocumentAnalysis } from './document/analyze.js';
import type { FaceAnalysis, FaceAnalysisInput } from './face/analyze.js';

export interface FacesTask {
  kind: 'faces';
  input: FaceAnalysisInput;
}

export interface DocumentTask {
  kind: 'document';
  input: AnalyzeInput;
}

export type EngineTask = FacesTask | DocumentTask;

export interface TaskResultMap {
  faces: FaceAnalysis;
  document: DocumentAnalysis;
}

export type WorkerRequest<T extends { kind: string } = EngineTask> = { id: number; task: T };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'init_error'; message: string }
  | { id: number; ok: true; result: unknown; startedAt: number; finishedAt: number }
  | { id: number; ok: false; error: { name: string; message: string; code?: string }; startedAt: number; finishedAt: number };

/**
 * Buffers inside a task are copied into fresh ArrayBuffers which are then transferred (moved, not cloned) to the
 * worker. Copying first keeps the caller's Buffers usable and never detaches Node's shared small-Buffer pool.
 */
export function prepareTransfer<T>(value: T, transfer: ArrayBuffer[]): T {
  if (value instanceof Uint8Array) {
    const copy = new Uint8Array(value.byteLength);
    copy.set(value);
    transfer.push(copy.buffer);
    return copy as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => prepareTransfer(v, transfer)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prepareTransfer(v, transfer)])) as T;
  }
  return value;
}

/** Structured clone turns Buffers into plain Uint8Arrays; the engines expect Buffers again. */
export function restoreBuffers<T>(value: T): T {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength) as T;
  if (Array.isArray(value)) return value.map(restoreBuffers) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreBuffers(v)])) as T;
  }
  return value;
}
