// What the app is built from. Created once in main (or a test), passed down explicitly.
import type { Redis } from 'ioredis';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Invalidations } from './db/invalidations.js';
import type { Database } from './db/index.js';
import type { RateLimiter } from './http/rate-limit.js';

export interface Deps {
  config: Config;
  db: Database;
  redis: Redis | undefined;
  clock: Clock;
  /** Exact limits (logins). */
  limiter: RateLimiter;
  /** High-rate limits (per IP, per API key): batched against the shared store. */
  apiLimiter: RateLimiter;
  /** Change notifications for in-process caches (database NOTIFY, so every process hears every commit). */
  invalidations: Invalidations;
}

/** Koa state set by the tenant API-key middleware. */
export interface TenantState {
  tenantId: string;
  apiKeyId: string;
  requestId: string;
}
