// Engine worker entry for the pool tests: the production tasks plus two only tests need, so a production worker
// cannot be told to crash. Start it with createEnginePool({ worker: <URL of this file> }); elsewhere import only
// its types (importing the module runs the worker).
import { engineTasks, serveTasks, type TaskHandlers } from '../../../../src/verification/engine/thread.js';
import type { EngineTask, TaskResultMap } from '../../../../src/verification/engine/tasks.js';

/** Kills the worker thread (crash handling). */
export interface CrashTask {
  kind: 'crash';
}

/**
 * The thread counts itself in at `cell[0]` and waits (up to timeoutMs) until `parties` threads have, then answers
 * how many it saw. Threads that really run at the same time all see `parties`.
 */
export interface RendezvousTask {
  kind: 'rendezvous';
  cell: Int32Array;
  parties: number;
  timeoutMs: number;
}

export type TestTask = EngineTask | CrashTask | RendezvousTask;

export interface TestTaskResults extends TaskResultMap {
  crash: never;
  rendezvous: number;
}

function rendezvous({ cell, parties, timeoutMs }: RendezvousTask): number {
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

const tasks: TaskHandlers<TestTask> = {
  ...engineTasks,
  crash: () => process.exit(3),
  rendezvous,
};

serveTasks(tasks);
