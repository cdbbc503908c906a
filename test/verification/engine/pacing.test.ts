// Pacing of engine work against a busy HTTP event loop (src/verification/engine/pacing.ts).
import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/verification/engine/pacing.js';

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* keep the event loop busy, as a flood of status lookups does */
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Pacer', () => {
  it('asks for a rest proportional to the task time when the loop was busy', () => {
    const pacer = new Pacer({ busyShare: 0.4 });
    const start = pacer.mark();
    spin(60);
    // 60 ms of work at a 40% share → rest 90 ms.
    const rest = pacer.restAfter(start);
    expect(rest).toBeGreaterThanOrEqual(85);
    expect(rest).toBeLessThan(150);
  });

  it('does not pause when the loop was idle, or when the share is 1', async () => {
    const pacer = new Pacer({ busyShare: 0.4 });
    const start = pacer.mark();
    await sleep(60);
    expect(pacer.restAfter(start)).toBe(0);
    const unpaced = new Pacer({ busyShare: 1 });
    const s2 = unpaced.mark();
    spin(30);
    expect(unpaced.restAfter(s2)).toBe(0);
  });
});
