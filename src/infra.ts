// Opens what every process (server, worker, CLI) needs from config: database (migrated), Redis, limiters, cache
// invalidation. Only entry points, compose.ts and jobs.ts see this whole set; domain services get the parts they use.
import type { Redis } from 'ioredis';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/index.js';
import { migrateLatest } from './db/migrate.js';
import { openRedis } from './db/redis.js';
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

export async function openInfra(config: Config, opts: { migrate?: boolean; inMemory?: boolean; clock?: Clock } = {}): Promise<Infra> {
  const db = await openDatabase(config, { inMemory: opts.inMemory });
  const migrations = opts.migrate === false ? [] : await migrateLatest(db);
  const redis = config.redisUrl ? openRedis(config.redisUrl) : undefined;
  if (redis) await redis.ping();
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
