// Opens what every process (server, worker, CLI) needs from config: database (migrated), Redis, limiters, cache
// invalidation. Only entry points, compose.ts and jobs.ts see this whole set; domain services get the parts they use.
import type { Redis } from 'ioredis';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/index.js';
import { migrateLatest } from './db/migrate.js';
import { openRedis, redisReady } from './db/redis.js';
import { outageOf, outages } from './db/outage.js';
import { databaseInvalidations, type Invalidations } from './db/invalidations.js';
import { counterStore, createLimiters, type CounterStore, type RateLimiter } from './http/rate-limit.js';

export interface Infra {
  config: Config;
  db: Database;
  redis: Redis | undefined;
  clock: Clock;
  /** The windowed counters under both limiters (sign-in limits count and take back attempts on it directly). */
  counters: CounterStore;
  /** Exact limits (logins). */
  limiter: RateLimiter;
  /** High-rate limits (per IP, per API key): batched against the shared store. */
  apiLimiter: RateLimiter;
  /** Change notifications for in-process caches (database NOTIFY, so every process hears every commit). */
  invalidations: Invalidations;
  /** Migrations applied on open. */
  migrations: string[];
  close(): Promise<void>;
}

export interface OpenOptions {
  migrate?: boolean;
  inMemory?: boolean;
  clock?: Clock;
  /** How long to wait for Redis to accept commands before giving up (an outage error). */
  redisWaitMs?: number;
  /** Told as each dependency turns out reachable (start-up readiness). */
  reachable?: (dep: 'database' | 'redis') => void;
}

export async function openInfra(config: Config, opts: OpenOptions = {}): Promise<Infra> {
  const db = await openDatabase(config, { inMemory: opts.inMemory });
  let redis: Redis | undefined;
  let migrations: string[];
  try {
    opts.reachable?.('database');
    migrations = opts.migrate === false ? [] : await migrateLatest(db);
    redis = config.redisUrl ? openRedis(config.redisUrl, { commandTimeoutMs: config.redisCommandTimeoutMs }) : undefined;
    if (redis) await redisReady(redis, opts.redisWaitMs ?? 10_000);
    if (redis) opts.reachable?.('redis');
  } catch (err) {
    redis?.disconnect();
    await db.close();
    throw err;
  }
  const clock = opts.clock ?? systemClock;
  const counters = counterStore({ redis, redisPrefix: config.redisPrefix, db: db.knex, dbKind: db.kind, clock });
  const { limiter, apiLimiter } = createLimiters(counters, clock);
  const invalidations = databaseInvalidations(db);
  return {
    config,
    db,
    redis,
    clock,
    counters,
    limiter,
    apiLimiter,
    invalidations,
    migrations,
    async close() {
      await invalidations.close();
      redis?.disconnect();
      await db.close();
    },
  };
}

/**
 * openInfra, retried with backoff (1 s doubling to 10 s) while the database or Redis is unreachable, so a process
 * started during an outage waits for it (reporting not ready) instead of exiting. Any other error is thrown.
 */
export async function openInfraWhenReachable(config: Config, opts: OpenOptions = {}): Promise<Infra> {
  for (let delay = 1_000; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      const infra = await openInfra(config, opts);
      outages.up('database');
      outages.up('redis');
      return infra;
    } catch (err) {
      const dep = outageOf(err);
      if (!dep) throw err;
      outages.down(dep, err);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
