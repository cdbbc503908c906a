// Tenant API-key authentication (Authorization: Bearer kp_live_… or kp_test_…) plus the per-key and per-IP rate limits,
// counted together. Warm requests (key cached, limits counted in process) stay synchronous and allocate little:
// a promise or closure per request is paid again in garbage collection at every request.
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { Invalidations } from '../db/invalidations.js';
import { addressKey } from '../http/client-ip.js';
import { RateLimitedError, UnauthorizedError } from '../http/errors.js';
import type { Limit, LimitResult, RateLimiter } from '../http/rate-limit.js';
import type { ApiScope } from '../http/scopes.js';
import { ApiKeyCache } from './api-key-cache.js';
import type { ApiKeyRow } from './store.js';

/** Koa state set by the tenant API-key middleware. */
export interface TenantState {
  tenantId: string;
  apiKeyId: string;
  /** The key's scopes, from its cached row; each route's contract checks the one it needs (http/contract.ts). */
  scopes: readonly ApiScope[];
  /** The key's mode: false for a test key (kp_test_…); every response says it (http/contract.ts). */
  livemode: boolean;
  requestId: string;
}

export interface ApiKeyAuthDeps {
  db: Knex;
  invalidations: Invalidations;
  /** The batched limiter (per IP and per key, per minute). */
  limiter: RateLimiter;
  limits: { ipPerMinute: number; apiPerMinute: number };
}

const BEARER = /^Bearer\s+(\S+)$/i;

/** A key's per-minute limit, one counter wherever the key is used (the tenant API, /mcp, `kycport mcp`). */
export const apiKeyLimit = (keyId: string, perMinute: number): Limit => ({ key: `api:${keyId}`, limit: perMinute, windowSeconds: 60 });

/** One middleware (and one key cache) per app: compose.ts builds it and hands it to every tenant API router. */
export function createApiKeyAuth(d: ApiKeyAuthDeps): Koa.Middleware {
  const keys = new ApiKeyCache(d.db, d.invalidations);
  const { limiter } = d;
  const { ipPerMinute, apiPerMinute } = d.limits;
  // A key's limit, made once per cached row (a reloaded row gets its own).
  const keyLimits = new WeakMap<ApiKeyRow, Limit>();
  const keyLimit = (key: ApiKeyRow): Limit => {
    let limit = keyLimits.get(key);
    if (!limit) keyLimits.set(key, (limit = apiKeyLimit(key.id, apiPerMinute)));
    return limit;
  };

  function admit(ctx: Koa.Context, next: Koa.Next, presented: boolean, key: ApiKeyRow | undefined, result: LimitResult): Promise<void> {
    if (!result.allowed) throw new RateLimitedError(result.retryAfter);
    if (!presented) throw new UnauthorizedError();
    if (!key) throw new UnauthorizedError('The API key is invalid or revoked.');
    ctx.state.tenantId = key.tenant_id;
    ctx.state.apiKeyId = key.id;
    ctx.state.scopes = key.scopes;
    ctx.state.livemode = key.livemode;
    return next();
  }

  function count(ctx: Koa.Context, next: Koa.Next, presented: boolean, key: ApiKeyRow | undefined): Promise<void> {
    const ipLimit: Limit = { key: `ip:${addressKey(ctx.ip)}`, limit: ipPerMinute, windowSeconds: 60 };
    const result = limiter.hit(key ? [ipLimit, keyLimit(key)] : [ipLimit]);
    return result instanceof Promise ? result.then((r) => admit(ctx, next, presented, key, r)) : admit(ctx, next, presented, key, result);
  }

  return (ctx, next) => {
    const presented = BEARER.exec(ctx.get('Authorization'))?.[1];
    if (!presented) return count(ctx, next, false, undefined);
    const key = keys.authenticate(presented);
    return key instanceof Promise ? key.then((k) => count(ctx, next, true, k)) : count(ctx, next, true, key);
  };
}
