// A pool of worker threads that run the verification engines (face models, OCR) off the HTTP event loop.
// Each worker loads its models once; tasks queue until a worker is free. A worker that dies is replaced and the
// task it was running is rejected with EngineWorkerCrashedError. A task over its time budget is rejected with
// EngineTaskTimeoutError and its worker is retired at once (terminated, and a replacement started without waiting
// for the old thread to exit), so one hostile image cannot hold the pool.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { log } from '../../log.js';
import { useBundledFonts } from './document/fonts.js';
import type { EngineThreadData } from './limits.js';
import { Pacer, type TaskPacer } from './pacing.js';
import { prepareTransfer, type EngineTask, type TaskResultMap, type WorkerReply } from './tasks.js';

export type { EngineTask } from './tasks.js';

export class EngineWorkerCrashedError extends Error {
  override name = 'EngineWorkerCrashedError';
}
export class EngineTaskTimeoutError extends Error {
  override name = 'EngineTaskTimeoutError';
  constructor(
    readonly kind: string,
    readonly timeoutMs: number,
  ) {
    super(`verification "${kind}" task ran over its ${timeoutMs} ms budget; its worker was replaced`);
  }
}
export class EngineTaskError extends Error {
  override name = 'EngineTaskError';
  constructor(
    message: string,
    readonly code?: string,
    readonly causeName?: string,
  ) {
    super(message);
  }
}

export interface EnginePoolOptions {
  /** Number of worker threads (config `verification.workers`); at least 1. */
  size: number;
  /** A task running longer than this kills and replaces its worker (default 120 s; the server passes VERIFICATION_TASK_TIMEOUT_MS). */
  taskTimeoutMs?: number;
  /** Handed to every thread as workerData (the decoders' pixel cap, limits.ts). */
  threadData?: EngineThreadData;
  /**
   * The worker thread's entry module (default: worker.ts beside this file, the production tasks). Tests pass one
   * that serves extra test-only tasks; the pool's type parameters then name those tasks and their results.
   */
  worker?: URL;
  /** Share of wall time workers may run while the HTTP event loop is busy (pacing.ts); default 1 = unpaced. */
  busyShare?: number;
  /** Decides the rest after each task (default: a Pacer at busyShare); tests pass a scripted one. */
  pacer?: TaskPacer;
}

export interface TaskRun<T> {
  result: T;
  threadId: number;
  startedAt: number;
  finishedAt: number;
  /** How long (ms) the worker rested after this task before taking another (pacing; 0 = none). */
  restMs: number;
}

type AnyTask = { kind: string };

export interface EnginePool<T extends AnyTask = EngineTask, R = TaskResultMap> {
  /** Resolves when every worker has loaded its models; rejects if a worker cannot start. */
  ready: Promise<void>;
  run<K extends T['kind'] & keyof R>(task: Extract<T, { kind: K }>): Promise<R[K]>;
  /** Same as run, plus which thread ran it and when (for tests and metrics). */
  runDetailed<K extends T['kind'] & keyof R>(task: Extract<T, { kind: K }>): Promise<TaskRun<R[K]>>;
  close(): Promise<void>;
}

interface Pending {
  id: number;
  task: AnyTask;
  resolve(run: TaskRun<unknown>): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  busy: Pending | null;
  timer?: NodeJS.Timeout;
  /** The pacer's mark for the running task. */
  started?: unknown;
  /** Set while the worker rests after a task (pacing). */
  rest?: NodeJS.Timeout;
}

// Under tsx/vitest this file is .ts and the worker needs the tsx loader; compiled, both are plain .js.
const defaultWorker = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
// Resolved here, not in the worker, so the bootstrap works whatever the process's working directory is.
// (The ESM build, per tsx's exports map "./esm/api" → import; require.resolve would pick the CJS build.)
let tsxApi: string | undefined;
const tsxApiUrl = (): string =>
  (tsxApi ??= pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href);

/** Consecutive start-up failures after which the pool gives up instead of respawning forever. */
const MAX_START_FAILURES = 3;

export function createEnginePool<T extends AnyTask = EngineTask, R = TaskResultMap>(
  opts: EnginePoolOptions,
): EnginePool<T, R> {
  const workerUrl = opts.worker ?? defaultWorker;
  const isTs = workerUrl.pathname.endsWith('.ts');
  const size = Math.max(1, Math.floor(opts.size) || 1);
  const timeoutMs = opts.taskTimeoutMs ?? 120_000;
  const workerData = opts.threadData;
  const pacer: TaskPacer = opts.pacer ?? new Pacer({ busyShare: opts.busyShare ?? 1 });
  const slots = new Set<Slot>();
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;
  let startFailures = 0;
  let readyCount = 0;
  let resolveReady!: () => void;
  let rejectReady!: (err: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => undefined); // callers observe it via `ready` or via run() rejections

  function fatal(err: Error): void {
    rejectReady(err);
    for (const p of queue.splice(0)) p.reject(err);
  }

  function spawn(): void {
    // tsx's loader hooks are not applied to a worker's entry module, so from .ts sources a tiny
    // eval bootstrap registers tsx in the thread first and then imports the entry.
    const worker = isTs
      ? new Worker(`import(${JSON.stringify(tsxApiUrl())}).then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); })`, {
          eval: true,
          workerData,
        })
      : new Worker(workerUrl, { workerData });
    const slot: Slot = { worker, ready: false, busy: null };
    slots.add(slot);
    worker.on('message', (msg: WorkerReply) => onMessage(slot, msg));
    worker.on('error', (err) => onExit(slot, err));
    worker.on('exit', (code) => onExit(slot, new Error(`exit code ${code}`)));
  }

  function onMessage(slot: Slot, msg: WorkerReply): void {
    if ('type' in msg) {
      if (msg.type === 'ready') {
        slot.ready = true;
        startFailures = 0;
        if (++readyCount === size) resolveReady();
        dispatch();
      } else {
        // Counted as a start failure when the thread exits (onExit).
        log.error('verification worker failed to start', { error: msg.message });
        void slot.worker.terminate();
      }
      return;
    }
    const pending = slot.busy;
    if (!pending || pending.id !== msg.id) return;
    clearTimeout(slot.timer);
    slot.busy = null;
    const rest = pacer.restAfter(slot.started);
    if (rest > 0 && !closed) {
      slot.rest = setTimeout(() => {
        slot.rest = undefined;
        dispatch();
      }, rest);
    }
    if (msg.ok) pending.resolve({ result: msg.result, threadId: slot.worker.threadId, startedAt: msg.startedAt, finishedAt: msg.finishedAt, restMs: rest });
    else pending.reject(new EngineTaskError(msg.error.message, msg.error.code, msg.error.name));
    dispatch();
  }

  function onExit(slot: Slot, err: Error): void {
    if (!slots.delete(slot)) return; // 'error' is followed by 'exit'; handle once
    clearTimeout(slot.timer);
    clearTimeout(slot.rest);
    if (slot.ready) readyCount--;
    else startFailures++;
    const pending = slot.busy;
    if (closed) {
      pending?.reject(new Error('engine pool is closed'));
      return;
    }
    pending?.reject(new EngineWorkerCrashedError(`verification worker crashed while running a "${pending.task.kind}" task: ${err.message}`));
    log.warn('verification worker died; starting a replacement', { error: err.message, hadTask: Boolean(pending) });
    if (startFailures >= MAX_START_FAILURES) {
      fatal(new EngineWorkerCrashedError(`verification workers failed to start ${startFailures} times in a row: ${err.message}`));
      return;
    }
    spawn();
  }

  /** Over budget: reject the task now and replace the worker without waiting for the old thread to stop. */
  function retire(slot: Slot): void {
    if (!slots.delete(slot)) return;
    clearTimeout(slot.rest);
    if (slot.ready) readyCount--;
    const pending = slot.busy;
    slot.busy = null;
    log.warn('verification task over its time budget; replacing its worker', { kind: pending?.task.kind, timeoutMs });
    void slot.worker.terminate();
    if (pending) pending.reject(new EngineTaskTimeoutError(pending.task.kind, timeoutMs));
    if (!closed) spawn();
  }

  function dispatch(): void {
    for (const slot of slots) {
      if (!slot.ready || slot.busy || slot.rest) continue;
      const pending = queue.shift();
      if (!pending) return;
      slot.busy = pending;
      const transfer: ArrayBuffer[] = [];
      const task = prepareTransfer(pending.task, transfer);
      slot.timer = setTimeout(() => retire(slot), timeoutMs);
      slot.started = pacer.mark();
      slot.worker.postMessage({ id: pending.id, task }, transfer);
    }
  }

  function runDetailed(task: AnyTask): Promise<TaskRun<unknown>> {
    if (closed) return Promise.reject(new Error('engine pool is closed'));
    if (startFailures >= MAX_START_FAILURES) return Promise.reject(new EngineWorkerCrashedError('verification workers cannot start'));
    return new Promise((resolve, reject) => {
      queue.push({ id: nextId++, task, resolve, reject });
      dispatch();
    });
  }

  useBundledFonts(); // before any thread renders text (fonts.ts)
  for (let i = 0; i < size; i++) spawn();

  return {
    ready,
    runDetailed: runDetailed as EnginePool<T, R>['runDetailed'],
    run: (async (task: AnyTask) => (await runDetailed(task)).result) as EnginePool<T, R>['run'],
    async close() {
      closed = true;
      for (const s of slots) {
        clearTimeout(s.rest);
        clearTimeout(s.timer);
      }
      for (const p of queue.splice(0)) p.reject(new Error('engine pool is closed'));
      await Promise.all([...slots].map((s) => s.worker.terminate()));
    },
  };
}
