// The thread side of the engine pool: lowers the thread's priority, loads the engines once, then answers each task
// with the handler for its kind. worker.ts serves the production table; tests serve it plus their own test tasks.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { analyzeDocument, initDocumentEngine } from './document/analyze.js';
import { analyzeFaces } from './face/analyze.js';
import { initFaceEngine } from './face/detect.js';
import { restoreBuffers, type EngineTask, type WorkerReply, type WorkerRequest } from './tasks.js';

export type TaskHandlers<T extends { kind: string }> = { [K in T['kind']]: (task: Extract<T, { kind: K }>) => unknown };

/** The tasks production workers run. */
export const engineTasks: TaskHandlers<EngineTask> = {
  faces: (task) => analyzeFaces(task.input),
  document: (task) => analyzeDocument(task.input),
};

export async function initEngines(): Promise<void> {
  await Promise.all([initFaceEngine(), initDocumentEngine()]);
}

// Analysis is batch work: on Linux scheduling is per thread, so this thread gives way to HTTP requests on the
// main thread. SCHED_IDLE (via util-linux chrt) runs it only on otherwise idle CPU time (a busy thread at nice 19
// still takes a large share of a small machine). Threads started from here (tesseract's) inherit the policy.
function lowerPriority(): void {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    try {
      execFileSync('chrt', ['--idle', '-p', '0', String(tid)], { stdio: 'ignore', timeout: 5000 });
    } catch {
      os.setPriority(tid, 19); // no chrt: the weakest nice level instead
    }
  } catch {
    // Not Linux: run at normal priority.
  }
}

/** Runs this worker thread: tasks from the pool go to `handlers` by kind, once `init` has loaded the engines. */
export function serveTasks<T extends { kind: string }>(handlers: TaskHandlers<T>, init: () => Promise<void> = initEngines): void {
  const port = parentPort;
  if (!port) throw new Error('engine worker must run in a worker thread');
  const post = (reply: WorkerReply): void => port.postMessage(reply);
  const table: Record<string, (task: never) => unknown> = handlers;

  async function run({ id, task }: WorkerRequest<T>): Promise<void> {
    const startedAt = Date.now();
    try {
      if (!Object.hasOwn(table, task.kind)) throw new Error(`unknown task kind ${task.kind}`);
      const handler = table[task.kind] as (task: T) => unknown;
      const result = await handler(restoreBuffers(task));
      post({ id, ok: true, result, startedAt, finishedAt: Date.now() });
    } catch (err) {
      const e = err as Error & { code?: string };
      const error = { name: e.name ?? 'Error', message: e.message ?? String(err), ...(typeof e.code === 'string' ? { code: e.code } : {}) };
      post({ id, ok: false, error, startedAt, finishedAt: Date.now() });
    }
  }

  lowerPriority();
  init().then(
    () => {
      // run() answers every task itself, failures included.
      port.on('message', (request: WorkerRequest<T>) => void run(request));
      post({ type: 'ready' });
    },
    (err: Error) => post({ type: 'init_error', message: err.message }),
  );
}
