// Opens what every process (server, worker, CLI) needs from config: database (migrated), Redis, limiters,
// cache invalidation.
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/index.js';
import { migrateLatest } from './db/migrate.js';
import { openRedis } from './db/redis.js';
import { databaseInvalidations } from './db/invalidations.js';
import type { Deps } from './deps.js';
import { counterStore, createLimiters } from './http/rate-limit.js';

export interface Runtime extends Deps {
  migrations: string[];
  close(): Promise<void>;
}

export async function openRuntime(config: Config, opts: { migrate?: boolean; inMemory?: boolean; clock?: Clock } = {}): Promise<Runtime> {
  const db = await openDatabase(config, { inMemory: opts.inMemory });
  const migrations = opts.migrate === false ? [] : await migrateLatest(db);
  const redis = config.redisUrl ? openRedis(config.redisUrl) : undefined;
  if (redis) await redis.ping();
  return { ...assembleDeps(config, db, redis, opts.clock ?? systemClock), migrations };
}

function assembleDeps(config: Config, db: Database, redis: Deps['redis'], clock: Clock): Deps & { close(): Promise<void> } {
  const { limiter, apiLimiter } = createLimiters(counterStore({ redis, redisPrefix: config.redisPrefix, db: db.knex, dbKind: db.kind, clock }), clock);
  const invalidations = databaseInvalidations(db);
  return {
    config,
    db,
    redis,
    clock,
    limiter,
    apiLimiter,
    invalidations,
    async close() {
      await invalidations.close();
      redis?.disconnect();
      await db.close();
    },
  };
}
