// Engine worker entry for the pool tests: the production tasks plus two only tests need, so a production worker
// cannot be told to crash. Start it with createEnginePool({ worker: <URL of this file> }); elsewhere import only
// its types (importing the module runs the worker).
import { engineTasks, serveTasks, type TaskHandlers } from '../../../../src/verification/engine/thread.js';
import type { EngineTask, TaskResultMap } from '../../../../src/verification/engine/tasks.js';
import { MAX_INPUT_PIXELS } from '../../../../src/verification/engine/limits.js';

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

/** Keeps the thread busy for `ms` (a task that never finishes in time). */
export interface SpinTask {
  kind: 'spin';
  ms: number;
}

/** Answers the decoders' pixel cap this thread was given (pool option threadData). */
export interface LimitsTask {
  kind: 'limits';
}

export type TestTask = EngineTask | CrashTask | RendezvousTask | SpinTask | LimitsTask;

export interface TestTaskResults extends TaskResultMap {
  crash: never;
  rendezvous: number;
  spin: number;
  limits: number;
}

function spin({ ms }: SpinTask): number {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
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
  spin,
  limits: () => MAX_INPUT_PIXELS,
};

serveTasks(tasks);
