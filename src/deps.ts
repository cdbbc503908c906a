// What the app is built from. Created once in main (or a test), passed down explicitly.
import type { Redis } from 'ioredis';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/index.js';
import type { RateLimiter } from './http/rate-limit.js';

export interface Deps {
  config: Config;
  db: Database;
  redis: Redis | undefined;
  clock: Clock;
  limiter: RateLimiter;
}

/** Koa state set by the tenant API-key middleware. */
export interface TenantState {
  tenantId: string;
  apiKeyId: string;
  requestId: string;
}
