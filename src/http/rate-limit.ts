// Fixed-window rate limits over a counter store: Redis when configured (shared by all processes), else
// Postgres when several processes may share the database, else in process (PGlite: one process only).
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/index.js';
import { errorReporter } from '../log.js';

export interface Limit {
  key: string;
  limit: number;
  windowSeconds: number;
}

export interface LimitResult {
  allowed: boolean;
  /** Seconds until the most restrictive exhausted window resets (0 when allowed). */
  retryAfter: number;
}

export interface RateLimiter {
  /** Counts one hit against every limit; refused if any is over. Limiters that count in process answer at once. */
  hit(limits: Limit[]): LimitResult | Promise<LimitResult>;
  /** Forgets a key (e.g. after a successful login). */
  reset(key: string): Promise<void>;
}

/** Adds to windowed counters; returns each counter's total and the time left in its window. */
export interface CounterStore {
  incr(items: { key: string; by: number; windowSeconds: number }[]): Promise<{ count: number; ttlMs: number }[]>;
  reset(key: string): Promise<void>;
}

/** Every admitted hit answers this one frozen result: the hot path allocates no verdict. */
const ALLOWED: LimitResult = Object.freeze({ allowed: true, retryAfter: 0 });
const verdict = (retryAfter: number): LimitResult => (retryAfter === 0 ? ALLOWED : { allowed: false, retryAfter });

/** Seconds until a counter's window resets when it is over its limit, else 0. */
const over = (count: number, limit: number, ttlMs: number) => (count > limit ? Math.max(1, Math.ceil(ttlMs / 1000)) : 0);

/** Every hit goes to the store: exact, for low limits such as logins (10 per hour). */
export class ExactRateLimiter implements RateLimiter {
  constructor(private readonly store: CounterStore) {}
  async hit(limits: Limit[]): Promise<LimitResult> {
    const res = await this.store.incr(limits.map((l) => ({ key: l.key, by: 1, windowSeconds: l.windowSeconds })));
    let retryAfter = 0;
    limits.forEach((l, i) => (retryAfter = Math.max(retryAfter, over(res[i]!.count, l.limit, res[i]!.ttlMs))));
    return verdict(retryAfter);
  }
  reset(key: string): Promise<void> {
    return this.store.reset(key);
  }
}

/**
 * For high-rate limits (per IP and per API key per minute): count in process and reconcile with the shared
 * store every `intervalMs`, so the hot path does no I/O. Across N processes a window can overshoot by at most
 * what N processes admit in one interval.
 */
export class BatchingRateLimiter implements RateLimiter {
  private readonly entries = new Map<string, { windowSeconds: number; known: number; pending: number; resetAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly reportStoreError = errorReporter('rate-limit store unreachable; counting in process until it answers');

  constructor(private readonly store: CounterStore, private readonly clock: Clock, private readonly intervalMs = 100) {}

  hit(limits: Limit[]): LimitResult {
    const now = this.clock.now().getTime();
    let retryAfter = 0;
    for (const l of limits) {
      let e = this.entries.get(l.key);
      if (!e || e.resetAt <= now) {
        e = { windowSeconds: l.windowSeconds, known: 0, pending: 0, resetAt: now + l.windowSeconds * 1000 };
        this.entries.set(l.key, e);
      }
      e.pending += 1;
      retryAfter = Math.max(retryAfter, over(e.known + e.pending, l.limit, e.resetAt - now));
    }
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs).unref?.();
    return verdict(retryAfter);
  }

  async reset(key: string): Promise<void> {
    this.entries.delete(key);
    await this.store.reset(key);
  }

  /** Sends pending counts to the store and learns the totals every process has added. */
  async flush(): Promise<void> {
    this.timer = undefined;
    await this.flushing;
    const batch = [...this.entries].filter(([, e]) => e.pending > 0);
    if (batch.length === 0) return;
    const sent = batch.map(([key, e]) => ({ key, by: e.pending, windowSeconds: e.windowSeconds }));
    for (const [, e] of batch) e.pending = 0;
    this.flushing = this.store
      .incr(sent)
      .then((res) => {
        const now = this.clock.now().getTime();
        batch.forEach(([key, e], i) => {
          const r = res[i]!;
          e.known = r.count;
          e.resetAt = now + r.ttlMs;
          if (e.resetAt <= now && e.pending === 0) this.entries.delete(key);
        });
      })
      .catch((err: unknown) => {
        // Store unreachable: keep counting locally; the next flush carries these hits again.
        this.reportStoreError(err);
        batch.forEach(([, e], i) => (e.pending += sent[i]!.by));
      });
    await this.flushing;
    if (this.entries.size > 100_000) {
      const now = this.clock.now().getTime();
      for (const [k, e] of this.entries) if (e.resetAt <= now && e.pending === 0) this.entries.delete(k);
    }
  }
}

// INCRBY each key, start its window on first hit, return count and remaining ttl: one round trip for all keys.
const LUA = `
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCRBY', key, ARGV[2 * i - 1])
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then redis.call('PEXPIRE', key, ARGV[2 * i]); ttl = tonumber(ARGV[2 * i]) end
  out[#out + 1] = n
  out[#out + 1] = ttl
end
return out`;

type WithIncr = Redis & { kpRateIncr(numKeys: number, ...args: (string | number)[]): Promise<number[]> };

export class RedisCounterStore implements CounterStore {
  private readonly redis: WithIncr;
  constructor(redis: Redis, private readonly prefix: string) {
    // defineCommand sends EVALSHA (the script body only once per connection).
    if (!('kpRateIncr' in redis)) redis.defineCommand('kpRateIncr', { lua: LUA });
    this.redis = redis as WithIncr;
  }
  async incr(items: { key: string; by: number; windowSeconds: number }[]) {
    const res = await this.redis.kpRateIncr(items.length, ...items.map((i) => this.prefix + i.key), ...items.flatMap((i) => [i.by, i.windowSeconds * 1000]));
    return items.map((_, i) => ({ count: Number(res[2 * i]), ttlMs: Number(res[2 * i + 1]) }));
  }
  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}

export class PostgresCounterStore implements CounterStore {
  constructor(private readonly db: Queryable, private readonly clock: Clock) {}
  async incr(items: { key: string; by: number; windowSeconds: number }[]) {
    const now = this.clock.now();
    const out = [];
    for (const item of items) {
      const { rows } = await this.db.raw<{ rows: { count: number; reset_at: Date }[] }>(
        `insert into rate_limits (key, count, reset_at) values (?, ?, ?)
         on conflict (key) do update set
           count = case when rate_limits.reset_at <= ? then excluded.count else rate_limits.count + excluded.count end,
           reset_at = case when rate_limits.reset_at <= ? then excluded.reset_at else rate_limits.reset_at end
         returning count, reset_at`,
        [item.key, item.by, new Date(now.getTime() + item.windowSeconds * 1000), now, now],
      );
      const row = rows[0]!; // an upsert with RETURNING yields its row
      out.push({ count: row.count, ttlMs: row.reset_at.getTime() - now.getTime() });
    }
    return out;
  }
  async reset(key: string): Promise<void> {
    await this.db('rate_limits').where({ key }).delete();
  }
}

export class MemoryCounterStore implements CounterStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(private readonly clock: Clock) {}
  incr(items: { key: string; by: number; windowSeconds: number }[]) {
    return Promise.resolve(this.add(items));
  }
  /** incr without a promise: the counters live in this process. */
  add(items: { key: string; by: number; windowSeconds: number }[]): { count: number; ttlMs: number }[] {
    const now = this.clock.now().getTime();
    this.prune(now);
    return items.map((item) => {
      const w = this.window(item.key, item.windowSeconds, now);
      w.count += item.by;
      return { count: w.count, ttlMs: w.resetAt - now };
    });
  }
  /** One hit on each limit, without a promise or an object per limit: the seconds until the most restrictive exhausted window resets, 0 when none is. */
  hitLimits(limits: readonly Limit[]): number {
    const now = this.clock.now().getTime();
    this.prune(now);
    let retryAfter = 0;
    for (const l of limits) {
      const w = this.window(l.key, l.windowSeconds, now);
      w.count += 1;
      retryAfter = Math.max(retryAfter, over(w.count, l.limit, w.resetAt - now));
    }
    return retryAfter;
  }
  reset(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }
  private prune(now: number): void {
    if (this.windows.size > 100_000) for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
  private window(key: string, windowSeconds: number, now: number): { count: number; resetAt: number } {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) this.windows.set(key, (w = { count: 0, resetAt: now + windowSeconds * 1000 }));
    return w;
  }
}

/** Exact counting in process (the embedded database: one process only); answers at once. */
export class InProcessRateLimiter implements RateLimiter {
  constructor(private readonly store: MemoryCounterStore) {}
  hit(limits: Limit[]): LimitResult {
    return verdict(this.store.hitLimits(limits));
  }
  reset(key: string): Promise<void> {
    return this.store.reset(key);
  }
}

/** The limiters a process uses: exact for logins, batched (when the store is remote) for API traffic. */
export function createLimiters(store: CounterStore, clock: Clock): { limiter: RateLimiter; apiLimiter: RateLimiter } {
  if (store instanceof MemoryCounterStore) {
    const limiter = new InProcessRateLimiter(store);
    return { limiter, apiLimiter: limiter };
  }
  return { limiter: new ExactRateLimiter(store), apiLimiter: new BatchingRateLimiter(store, clock) };
}

export function counterStore(opts: { redis?: Redis; redisPrefix: string; db: Queryable; dbKind: 'postgres' | 'pglite'; clock: Clock }): CounterStore {
  if (opts.redis) return new RedisCounterStore(opts.redis, `${opts.redisPrefix}rl:`);
  return opts.dbKind === 'postgres' ? new PostgresCounterStore(opts.db, opts.clock) : new MemoryCounterStore(opts.clock);
}
