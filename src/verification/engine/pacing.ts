// Interactive requests first: when the HTTP event loop was busy while a task ran, its worker rests before taking
// the next one, so engine work gets at most `busyShare` of the wall time. Thread priority alone (SCHED_IDLE, see
// thread.ts) is not enough on a small machine: a busy low-priority thread still slows status lookups markedly, one
// that rests most of the time barely does (bench/RESULTS.md, Notes). With the loop idle there is no pause, so
// decide latency without load is unchanged.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** What pacing reads: this thread's event-loop utilisation and a clock (perf_hooks' `performance`). */
export interface LoopMeter {
  now(): number;
  eventLoopUtilization(since?: EventLoopUtilization): EventLoopUtilization;
}

export interface PacingOptions {
  /** Share of wall time a worker may run while the loop is busy, 0 < share ≤ 1 (1 = never rest). */
  busyShare: number;
  /** Event-loop utilisation over a task's run above which the loop counts as busy. */
  busyUtilization?: number;
  /** Defaults to `performance`; tests pass a scripted one. */
  meter?: LoopMeter;
}

/** Decides how long a worker rests after each task; the pool takes any object of this shape. */
export interface TaskPacer<M = unknown> {
  /** Call when a task starts; pass the result to restAfter when it ends. */
  mark(): M;
  /** How long (ms) the worker should rest after the task that started at `start`. */
  restAfter(start: M): number;
}

type Mark = { elu: EventLoopUtilization; at: number };

export class Pacer implements TaskPacer<Mark> {
  private readonly busyUtilization: number;
  private readonly meter: LoopMeter;

  constructor(private readonly opts: PacingOptions) {
    this.busyUtilization = opts.busyUtilization ?? 0.75;
    this.meter = opts.meter ?? performance;
  }

  mark(): Mark {
    return { elu: this.meter.eventLoopUtilization(), at: this.meter.now() };
  }

  restAfter(start: Mark): number {
    const share = this.opts.busyShare;
    if (share >= 1) return 0;
    const { utilization } = this.meter.eventLoopUtilization(start.elu);
    if (utilization < this.busyUtilization) return 0;
    return (this.meter.now() - start.at) * (1 / share - 1);
  }
}
