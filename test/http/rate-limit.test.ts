// Rate limiting: exact for logins, batched for API traffic, in process on the embedded database, with time from a
// clock the test moves.
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { BatchingRateLimiter, createLimiters, ExactRateLimiter, InProcessRateLimiter, MemoryCounterStore, RedisCounterStore } from '../../src/http/rate-limit.js';

const limit = (key: string, n: number) => ({ key, limit: n, windowSeconds: 60 });

describe('ExactRateLimiter', () => {
  it('refuses the hit past the limit with the seconds left in the window, then resets with the window', async () => {
    const clock = new ManualClock();
    const rl = new ExactRateLimiter(new MemoryCounterStore(clock));
    for (let i = 0; i < 3; i++) expect((await rl.hit([limit('a', 3)])).allowed).toBe(true);
    clock.advance(20_000);
    expect(await rl.hit([limit('a', 3)])).toEqual({ allowed: false, retryAfter: 40 });
    expect((await rl.hit([limit('b', 3)])).allowed).toBe(true);
    clock.advance(40_000);
    expect((await rl.hit([limit('a', 3)])).allowed).toBe(true);
  });

  it('refuses when any of several limits is exhausted', async () => {
    const rl = new ExactRateLimiter(new MemoryCounterStore(new ManualClock()));
    await rl.hit([limit('ip', 1)]);
    expect((await rl.hit([limit('acct', 5), limit('ip', 1)])).allowed).toBe(false);
  });
});

describe('InProcessRateLimiter', () => {
  it('counts like the exact limiter and answers without a promise', () => {
    const clock = new ManualClock();
    const rl = new InProcessRateLimiter(new MemoryCounterStore(clock));
    for (let i = 0; i < 3; i++) expect(rl.hit([limit('a', 3)])).toEqual({ allowed: true, retryAfter: 0 });
    clock.advance(20_000);
    expect(rl.hit([limit('a', 3)])).toEqual({ allowed: false, retryAfter: 40 });
    expect(rl.hit([limit('acct', 5), limit('a', 3)]).allowed).toBe(false);
    clock.advance(40_000);
    expect(rl.hit([limit('a', 3)]).allowed).toBe(true);
  });

  it('is what a process with an in-process counter store uses for logins and API traffic', async () => {
    const store = new MemoryCounterStore(new ManualClock());
    const { limiter, apiLimiter } = createLimiters(store, new ManualClock());
    expect(limiter).toBeInstanceOf(InProcessRateLimiter);
    expect(apiLimiter).toBe(limiter);
    limiter.hit([limit('k', 1)]);
    await limiter.reset('k');
    expect(apiLimiter.hit([limit('k', 1)])).toEqual({ allowed: true, retryAfter: 0 });
  });
});

describe('BatchingRateLimiter', () => {
  it('is exact within one process and shares counts across processes through the store', async () => {
    const clock = new ManualClock();
    const store = new MemoryCounterStore(clock);
    const a = new BatchingRateLimiter(store, clock, 1_000_000);
    const b = new BatchingRateLimiter(store, clock, 1_000_000);
    for (let i = 0; i < 6; i++) expect((await a.hit([limit('k', 10)])).allowed).toBe(true);
    await a.flush();
    for (let i = 0; i < 3; i++) expect((await b.hit([limit('k', 10)])).allowed).toBe(true);
    await b.flush(); // b learns a's 6: total 9
    expect((await b.hit([limit('k', 10)])).allowed).toBe(true);
    expect((await b.hit([limit('k', 10)])).allowed).toBe(false);
    // Until it reconciles, a only knows its own 6, so it may admit what b already counted: the documented bound.
    expect((await a.hit([limit('k', 10)])).allowed).toBe(true);
    await a.flush();
    expect((await a.hit([limit('k', 10)])).allowed).toBe(false);
    clock.advance(61_000);
    expect((await a.hit([limit('k', 10)])).allowed).toBe(true);
  });
});

describe('BatchingRateLimiter with its store down', () => {
  it('keeps counting in process and logs the store failure instead of swallowing it', async () => {
    // A real Redis client with nothing listening: every command fails at once (no offline queue).
    const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const clock = new ManualClock();
      const rl = new BatchingRateLimiter(new RedisCounterStore(redis, 'kpt:down:'), clock, 60_000);
      expect(rl.hit([limit('k', 2)]).allowed).toBe(true);
      await rl.flush();
      expect(rl.hit([limit('k', 2)]).allowed).toBe(true);
      expect(rl.hit([limit('k', 2)]).allowed).toBe(false);
      const lines = stderr.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('rate-limit store unreachable'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn' });
    } finally {
      stderr.mockRestore();
      redis.disconnect();
    }
  });
});
