// Worker-thread entry: loads the face models and the document OCR once, then runs tasks from the pool.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeDocument, initDocumentEngine } from './document/analyze.js';
import { analyzeFaces } from './face/analyze.js';
import { initFaceEngine } from './face/detect.js';
import { restoreBuffers, type EngineTask, type WorkerReply, type WorkerRequest } from './tasks.js';

// Analysis is batch work: on Linux scheduling is per thread, so this thread gives way to HTTP requests on the
// main thread. SCHED_IDLE (via util-linux chrt) runs it only on otherwise idle CPU time; measured on 2 cores, a
// busy thread at nice 19 still halved status throughput, at SCHED_IDLE it cost a third. Threads started from
// here (tesseract's) inherit the policy.
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

const port = parentPort;
if (!port) throw new Error('engine worker must run in a worker thread');
const { testHooks } = (workerData ?? {}) as { testHooks?: boolean };

async function init(): Promise<void> {
  await Promise.all([initFaceEngine(), initDocumentEngine()]);
}

async function run(task: EngineTask): Promise<unknown> {
  switch (task.kind) {
    case 'faces':
      return analyzeFaces(task.input);
    case 'document':
      return analyzeDocument(task.input);
    case 'crash':
      if (testHooks) process.exit(3);
      throw new Error('crash tasks are only allowed with testHooks');
    case 'rendezvous':
      if (testHooks) return rendezvous(task.cell, task.parties, task.timeoutMs);
      throw new Error('rendezvous tasks are only allowed with testHooks');
    default:
      throw new Error(`unknown task kind ${(task as { kind: string }).kind}`);
  }
}

function rendezvous(cell: Int32Array, parties: number, timeoutMs: number): number {
  Atomics.add(cell, 0, 1);
  Atomics.notify(cell, 0);
  const end = Date.now() + timeoutMs;
  let seen = Atomics.load(cell, 0);
  while (seen < parties && Date.now() < end) {
    Atomics.wait(cell, 0, seen, end - Date.now());
    seen = Atomics.load(cell, 0);
  }
  return seen;
}

function post(reply: WorkerReply): void {
  (port as NonNullable<typeof port>).postMessage(reply);
}

init().then(
  () => {
    port.on('message', async ({ id, task }: WorkerRequest) => {
      const startedAt = Date.now();
      try {
        const result = await run(restoreBuffers(task));
        post({ id, ok: true, result, startedAt, finishedAt: Date.now() });
      } catch (err) {
        const e = err as Error & { code?: string };
        const error = { name: e.name ?? 'Error', message: e.message ?? String(err), ...(typeof e.code === 'string' ? { code: e.code } : {}) };
        post({ id, ok: false, error, startedAt, finishedAt: Date.now() });
      }
    });
    post({ type: 'ready' });
  },
  (err: Error) => post({ type: 'init_error', message: err.message }),
);
