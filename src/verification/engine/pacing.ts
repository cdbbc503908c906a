// Interactive requests first: when the HTTP event loop was busy while a task ran, its worker rests before taking
// the next one, so engine work gets at most `busyShare` of the wall time. Thread priority alone (SCHED_IDLE, see
// worker.ts) was not enough on 2 cores: a busy low-priority thread still cost status lookups a third of their
// throughput, one running 25% of the time cost under a tenth (bench/RESULTS.md). With the loop idle there is no
// pause, so decide latency without load is unchanged.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface PacingOptions {
  /** Share of wall time a worker may run while the loop is busy, 0 < share ≤ 1 (1 = never rest). */
  busyShare: number;
  /** Event-loop utilisation over a task's run above which the loop counts as busy. */
  busyUtilization?: number;
}

export class Pacer {
  private readonly busyUtilization: number;

  constructor(private readonly opts: PacingOptions) {
    this.busyUtilization = opts.busyUtilization ?? 0.75;
  }

  /** Call when a task starts; pass the result to restAfter when it ends. */
  mark(): { elu: EventLoopUtilization; at: number } {
    return { elu: performance.eventLoopUtilization(), at: performance.now() };
  }

  /** How long (ms) the worker should rest after the task that started at `start`. */
  restAfter(start: { elu: EventLoopUtilization; at: number }): number {
    const share = this.opts.busyShare;
    if (share >= 1) return 0;
    const { utilization } = performance.eventLoopUtilization(start.elu);
    if (utilization < this.busyUtilization) return 0;
    return (performance.now() - start.at) * (1 / share - 1);
  }
}
