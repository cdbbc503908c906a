// Tenant API-key authentication (Authorization: Bearer kp_live_…) plus the per-key and per-IP rate limits,
// counted together. Warm requests (key cached, limits counted in process) stay synchronous: every promise on
// this path costs more once oidc-provider's AsyncLocalStorage has turned on Node's promise hooks.
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { Invalidations } from '../db/invalidations.js';
import { addressKey } from '../http/client-ip.js';
import { RateLimitedError, UnauthorizedError } from '../http/errors.js';
import type { LimitResult, RateLimiter } from '../http/rate-limit.js';
import { andThen } from '../maybe-promise.js';
import { ApiKeyCache } from './api-key-cache.js';
import type { ApiKeyRow } from './store.js';

/** Koa state set by the tenant API-key middleware. */
export interface TenantState {
  tenantId: string;
  apiKeyId: string;
  requestId: string;
}

export interface ApiKeyAuthDeps {
  db: Knex;
  invalidations: Invalidations;
  /** The batched limiter (per IP and per key, per minute). */
  limiter: RateLimiter;
  limits: { ipPerMinute: number; apiPerMinute: number };
}

/** One middleware (and one key cache) per app: compose.ts builds it and hands it to every tenant API router. */
export function createApiKeyAuth(d: ApiKeyAuthDeps): Koa.Middleware {
  const keys = new ApiKeyCache(d.db, d.invalidations);
  const { ipPerMinute, apiPerMinute } = d.limits;
  return (ctx, next) => {
    const presented = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'))?.[1];
    const ipLimit = { key: `ip:${addressKey(ctx.ip)}`, limit: ipPerMinute, windowSeconds: 60 };
    const admit = (key: ApiKeyRow | undefined, result: LimitResult): Promise<void> => {
      if (!result.allowed) throw new RateLimitedError(result.retryAfter);
      if (!presented) throw new UnauthorizedError();
      if (!key) throw new UnauthorizedError('The API key is invalid or revoked.');
      ctx.state.tenantId = key.tenant_id;
      ctx.state.apiKeyId = key.id;
      return next();
    };
    return andThen(presented ? keys.authenticate(presented) : undefined, (key) =>
      andThen(
        d.limiter.hit(key ? [ipLimit, { key: `api:${key.id}`, limit: apiPerMinute, windowSeconds: 60 }] : [ipLimit]),
        (result) => admit(key, result),
      ),
    );
  };
}
