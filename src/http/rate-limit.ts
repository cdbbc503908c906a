// Fixed-window rate limits. Redis when configured (shared by all processes), else Postgres when several
// processes may share the database, else in process (PGlite: only one process can exist).
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/index.js';

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
  /** Counts one hit against every limit; refused if any is over. */
  hit(limits: Limit[]): Promise<LimitResult>;
  /** Forgets a key (e.g. after a successful login). */
  reset(key: string): Promise<void>;
}

function combine(counts: { count: number; ttlMs: number; limit: number }[]): LimitResult {
  let retryAfter = 0;
  for (const c of counts) {
    if (c.count > c.limit) retryAfter = Math.max(retryAfter, Math.ceil(c.ttlMs / 1000));
  }
  return { allowed: retryAfter === 0, retryAfter: retryAfter === 0 ? 0 : Math.max(1, retryAfter) };
}

// INCR each key, set its expiry on first hit, return count and remaining ttl: one round trip for all keys.
const LUA = `
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ARGV[i]) end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then redis.call('PEXPIRE', key, ARGV[i]); ttl = tonumber(ARGV[i]) end
  out[#out + 1] = n
  out[#out + 1] = ttl
end
return out`;

export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly redis: Redis, private readonly prefix = 'kp:rl:') {}
  async hit(limits: Limit[]): Promise<LimitResult> {
    const keys = limits.map((l) => this.prefix + l.key);
    const res = (await this.redis.eval(LUA, keys.length, ...keys, ...limits.map((l) => l.windowSeconds * 1000))) as number[];
    return combine(limits.map((l, i) => ({ count: Number(res[2 * i]), ttlMs: Number(res[2 * i + 1]), limit: l.limit })));
  }
  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}

export class PostgresRateLimiter implements RateLimiter {
  constructor(private readonly db: Queryable, private readonly clock: Clock) {}
  async hit(limits: Limit[]): Promise<LimitResult> {
    const now = this.clock.now();
    const counts = [];
    for (const l of limits) {
      const reset = new Date(now.getTime() + l.windowSeconds * 1000);
      const { rows } = await this.db.raw(
        `insert into rate_limits (key, count, reset_at) values (?, 1, ?)
         on conflict (key) do update set
           count = case when rate_limits.reset_at <= ? then 1 else rate_limits.count + 1 end,
           reset_at = case when rate_limits.reset_at <= ? then excluded.reset_at else rate_limits.reset_at end
         returning count, reset_at`,
        [l.key, reset, now, now],
      );
      const row = rows[0] as { count: number; reset_at: Date | string };
      counts.push({ count: Number(row.count), ttlMs: new Date(row.reset_at).getTime() - now.getTime(), limit: l.limit });
    }
    return combine(counts);
  }
  async reset(key: string): Promise<void> {
    await this.db('rate_limits').where({ key }).delete();
  }
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(private readonly clock: Clock) {}
  async hit(limits: Limit[]): Promise<LimitResult> {
    const now = this.clock.now().getTime();
    if (this.windows.size > 100_000) this.sweep(now);
    return combine(
      limits.map((l) => {
        let w = this.windows.get(l.key);
        if (!w || w.resetAt <= now) {
          w = { count: 0, resetAt: now + l.windowSeconds * 1000 };
          this.windows.set(l.key, w);
        }
        w.count += 1;
        return { count: w.count, ttlMs: w.resetAt - now, limit: l.limit };
      }),
    );
  }
  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }
  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}
