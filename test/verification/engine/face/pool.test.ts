// The engine worker pool: real worker threads running the face engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnginePool, EngineTaskError, EngineWorkerCrashedError, type EnginePool } from '../../../../src/verification/engine/pool.js';
import { generateIdCard, type Portrait } from '../../../support/documents/index.js';
import { gridCell, gridSource } from './samples.js';

describe('engine pool', () => {
  let pool: EnginePool;
  let documentImage: Buffer;
  let selfie: Buffer;
  beforeAll(async () => {
    pool = createEnginePool({ size: 2, testHooks: true });
    const portrait: Portrait = { person: 'A', ...gridSource(0, 3), note: 'grid cell (0,3)' };
    documentImage = (await generateIdCard({ portrait })).front;
    selfie = await gridCell(0, 1)();
    await pool.ready;
  }, 120_000);
  afterAll(() => pool.close());

  it('runs face tasks on two threads at the same time and leaves the caller buffers intact', async () => {
    const before = Buffer.from(selfie);
    const [a, b] = await Promise.all([
      pool.runDetailed({ kind: 'faces', input: { documentImage, selfie } }),
      pool.runDetailed({ kind: 'faces', input: { documentImage, selfie } }),
    ]);
    expect(a.threadId).not.toBe(b.threadId);
    expect(a.startedAt).toBeLessThan(b.finishedAt);
    expect(b.startedAt).toBeLessThan(a.finishedAt);
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

describe('engine pool pacing', () => {
  it('rests a worker after a task that ran while the event loop was busy, and not after an idle one', async () => {
    const pool = createEnginePool({ size: 1, busyShare: 0.5 });
    try {
      const documentImage = (await generateIdCard({ portrait: { person: 'A', ...gridSource(0, 3), note: 'grid cell (0,3)' } })).front;
      await pool.ready;
      const input = { documentImage };
      // Idle loop: the second task starts as soon as the first is answered.
      const [i1, i2] = await Promise.all([pool.runDetailed({ kind: 'faces', input }), pool.runDetailed({ kind: 'faces', input })]);
      expect(i2.startedAt - i1.finishedAt).toBeLessThan(100);
      // Busy loop while the first task runs: its answer is read only when the loop frees up, ~1.5 s after it was
      // sent; at share 0.5 the worker then rests as long again before the second task starts.
      const first = pool.runDetailed({ kind: 'faces', input });
      const second = pool.runDetailed({ kind: 'faces', input });
      const end = performance.now() + 1500;
      while (performance.now() < end) {
        /* a flood of HTTP work */
      }
      const loopFree = Date.now();
      const [, b2] = await Promise.all([first, second]);
      expect(b2.startedAt - loopFree).toBeGreaterThanOrEqual(1200);
    } finally {
      await pool.close();
    }
  }, 120_000);
});
