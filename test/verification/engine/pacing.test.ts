// Pacing of engine work against a busy HTTP event loop (src/verification/engine/pacing.ts).
import { describe, expect, it } from 'vitest';
import { Pacer, type LoopMeter } from '../../../src/verification/engine/pacing.js';

/** A scripted loop: the test sets the clock and what share of the time since a mark the loop was busy. */
function scriptedLoop() {
  const loop = { t: 0, busy: 0 };
  const meter: LoopMeter = {
    now: () => loop.t,
    eventLoopUtilization: (since) => ({ idle: 0, active: 0, utilization: since ? loop.busy : 0 }),
  };
  return { loop, meter };
}

describe('Pacer', () => {
  it('asks for a rest that keeps the worker to its share of wall time when the loop was busy', () => {
    const { loop, meter } = scriptedLoop();
    const pacer = new Pacer({ busyShare: 0.4, meter });
    const start = pacer.mark();
    loop.t += 60;
    loop.busy = 0.9;
    // 60 ms of work at a 40% share → rest 90 ms (60 / (60 + 90) = 0.4).
    expect(pacer.restAfter(start)).toBeCloseTo(90, 9);
    loop.busy = 0.75; // the threshold itself counts as busy
    expect(pacer.restAfter(start)).toBeCloseTo(90, 9);
  });

  it('does not pause when the loop was mostly idle, or when the share is 1', () => {
    const { loop, meter } = scriptedLoop();
    const start = new Pacer({ busyShare: 0.4, meter }).mark();
    loop.t += 60;
    loop.busy = 0.74;
    expect(new Pacer({ busyShare: 0.4, meter }).restAfter(start)).toBe(0);
    loop.busy = 1;
    expect(new Pacer({ busyShare: 1, meter }).restAfter(start)).toBe(0);
  });

  it('reads the real event loop by default: a spinning loop is busy, a sleeping one is not', async () => {
    const pacer = new Pacer({ busyShare: 0.4 });
    const busy = pacer.mark();
    const end = performance.now() + 60;
    while (performance.now() < end) {
      /* keep the event loop busy, as a flood of status lookups does */
    }
    // Lower bound only: a descheduled process measures more elapsed time, never less.
    expect(pacer.restAfter(busy)).toBeGreaterThanOrEqual(89);
    const idle = pacer.mark();
    await new Promise((r) => setTimeout(r, 60));
    expect(pacer.restAfter(idle)).toBe(0);
  });
});
