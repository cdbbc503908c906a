// The engine worker pool: real worker threads running the face engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnginePool, EngineTaskError, EngineTaskTimeoutError, EngineWorkerCrashedError, type EnginePool } from '../../../../src/verification/engine/pool.js';
import { generateIdCard, type Portrait } from '../../../support/documents/index.js';
import type { TestTask, TestTaskResults } from '../support/test-worker.js';
import { gridCell, gridSource } from './samples.js';

// Production tasks plus the test-only `crash` and `rendezvous` (support/test-worker.ts).
const TEST_WORKER = new URL('../support/test-worker.ts', import.meta.url);

describe('engine pool', () => {
  let pool: EnginePool<TestTask, TestTaskResults>;
  let documentImage: Buffer;
  let selfie: Buffer;
  beforeAll(async () => {
    pool = createEnginePool<TestTask, TestTaskResults>({ size: 2, worker: TEST_WORKER });
    const portrait: Portrait = { person: 'A', ...gridSource(0, 3), note: 'grid cell (0,3)' };
    documentImage = (await generateIdCard({ portrait })).front;
    selfie = await gridCell(0, 1)();
    await pool.ready;
  }, 120_000);
  afterAll(() => pool.close());

  it('runs tasks on two threads at the same time', async () => {
    // Each thread waits at a shared counter for the other: both see 2 only if they run at once (no clock involved).
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const meet = () => pool.runDetailed({ kind: 'rendezvous', cell, parties: 2, timeoutMs: 60_000 });
    const [a, b] = await Promise.all([meet(), meet()]);
    expect([a.result, b.result]).toEqual([2, 2]);
    expect(a.threadId).not.toBe(b.threadId);
  }, 90_000);

  it('runs face tasks on both threads and leaves the caller buffers intact', async () => {
    const before = Buffer.from(selfie);
    const [a, b] = await Promise.all([
      pool.runDetailed({ kind: 'faces', input: { documentImage, selfie } }),
      pool.runDetailed({ kind: 'faces', input: { documentImage, selfie } }),
    ]);
    expect(a.threadId).not.toBe(b.threadId);
    expect(a.result.portraitFound).toBe(true);
    expect(a.result.similarity).toBe(b.result.similarity);
    expect(a.result.embedding).toHaveLength(1024);
    expect(selfie.equals(before)).toBe(true);
  });

  it('rejects a crashed task with a clear error and keeps serving with a replacement worker', async () => {
    const crashed = pool.run({ kind: 'crash' });
    await expect(crashed).rejects.toBeInstanceOf(EngineWorkerCrashedError);
    await expect(crashed).rejects.toThrow(/crashed while running a "crash" task/);
    const results = await Promise.all([1, 2, 3].map(() => pool.run({ kind: 'faces', input: { documentImage } })));
    expect(results.every((r) => r.portraitFound)).toBe(true);
  });

  it('turns an engine error into a rejected task without killing the worker', async () => {
    const bad = pool.run({ kind: 'faces', input: { documentImage: Buffer.from('not an image') } });
    await expect(bad).rejects.toBeInstanceOf(EngineTaskError);
    await expect(bad).rejects.toThrow(/could not be decoded/);
    expect((await pool.run({ kind: 'faces', input: { documentImage } })).portraitFound).toBe(true);
  });
});

describe('engine pool time budget', () => {
  // One worker, a 1 s budget, the decoders' pixel cap handed to the thread (issue 10 item 1).
  let pool: EnginePool<TestTask, TestTaskResults>;
  beforeAll(async () => {
    pool = createEnginePool<TestTask, TestTaskResults>({ size: 1, worker: TEST_WORKER, taskTimeoutMs: 1000, threadData: { maxInputPixels: 12_345_678 } });
    await pool.ready;
  }, 120_000);
  afterAll(() => pool.close());

  it('gives the thread its pixel cap', async () => {
    expect(await pool.run({ kind: 'limits' })).toBe(12_345_678);
  });

  it('rejects a task over its budget with EngineTaskTimeoutError and serves the queue on a fresh worker', async () => {
    const first = await pool.runDetailed({ kind: 'limits' });
    const stuck = pool.run({ kind: 'spin', ms: 120_000 });
    const queued = pool.runDetailed({ kind: 'limits' });
    const t0 = Date.now();
    await expect(stuck).rejects.toBeInstanceOf(EngineTaskTimeoutError);
    // Rejected at the budget, not when the 120 s task would have ended.
    expect(Date.now() - t0).toBeLessThan(60_000);
    const next = await queued;
    expect(next.result).toBe(12_345_678);
    expect(next.threadId).not.toBe(first.threadId);
  }, 90_000);
});

describe('engine pool pacing', () => {
  // Whether the loop counts as busy is the Pacer's call (test/verification/engine/pacing.test.ts); here a scripted
  // pacer checks that the pool keeps the worker resting exactly as asked. Only lower bounds on delay are asserted:
  // a loaded machine can make tasks later, never earlier.
  it('rests a worker after a task for as long as the pacer asks, and not when it asks for no rest', async () => {
    const rests = [0, 700, 0];
    let marks = 0;
    const pool = createEnginePool({ size: 1, pacer: { mark: () => ++marks, restAfter: () => rests.shift() ?? 0 } });
    try {
      const documentImage = (await generateIdCard({ portrait: { person: 'A', ...gridSource(0, 3), note: 'grid cell (0,3)' } })).front;
      await pool.ready;
      const run = () => pool.runDetailed({ kind: 'faces', input: { documentImage } });
      const [a, b, c] = await Promise.all([run(), run(), run()]);
      expect([a.restMs, b.restMs, c.restMs]).toEqual([0, 700, 0]);
      expect(marks).toBe(3);
      expect(b.startedAt).toBeGreaterThanOrEqual(a.finishedAt);
      expect(c.startedAt - b.finishedAt).toBeGreaterThanOrEqual(690);
    } finally {
      await pool.close();
    }
  }, 120_000);
});

describe('production engine worker', () => {
  it('has no test-only tasks: a crash task is refused as an unknown kind and the worker lives on', async () => {
    const pool = createEnginePool({ size: 1 });
    try {
      await pool.ready;
      const crash = pool.run({ kind: 'crash' } as never);
      await expect(crash).rejects.toBeInstanceOf(EngineTaskError);
      await expect(crash).rejects.toThrow('unknown task kind crash');
      const cell = new Int32Array(new SharedArrayBuffer(4));
      const meet = pool.run({ kind: 'rendezvous', cell, parties: 1, timeoutMs: 1000 } as never);
      await expect(meet).rejects.toThrow('unknown task kind rendezvous');
      expect(Atomics.load(cell, 0)).toBe(0);
    } finally {
      await pool.close();
    }
  }, 120_000);
});
