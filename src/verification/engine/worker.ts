// Worker-thread entry: loads the face models and the document OCR once, then runs tasks from the pool.
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeDocument, initDocumentEngine } from './document/analyze.js';
import { analyzeFaces } from './face/analyze.js';
import { initFaceEngine } from './face/detect.js';
import { restoreBuffers, type EngineTask, type WorkerReply, type WorkerRequest } from './tasks.js';

// Analysis is batch work: on Linux nice is per thread, so lower this thread's priority and let HTTP requests on
// the main thread win the CPU while cases are analysed. Threads started from here (tesseract's) inherit it.
try {
  os.setPriority(Number(fs.readlinkSync('/proc/thread-self').split('/').pop()), 15);
} catch {
  // Not Linux, or not permitted: run at normal priority.
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
    default:
      throw new Error(`unknown task kind ${(task as { kind: string }).kind}`);
  }
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
