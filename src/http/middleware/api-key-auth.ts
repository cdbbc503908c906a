// Tenant API-key authentication (Authorization: Bearer kp_live_…) plus the per-key and per-IP rate limits,
// counted in one round trip.
import type Koa from 'koa';
import type { Deps } from '../../deps.js';
import { ApiKeyCache } from '../../tenants/api-key-cache.js';
import { RateLimitedError, UnauthorizedError } from '../errors.js';

const caches = new WeakMap<Deps, ApiKeyCache>();

export function requireApiKey(deps: Deps): Koa.Middleware {
  let cache = caches.get(deps);
  if (!cache) caches.set(deps, (cache = new ApiKeyCache(deps.db.knex, deps.invalidations)));
  const keys = cache;
  return async (ctx, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'));
    const ipLimit = { key: `ip:${ctx.ip}`, limit: deps.config.rateLimit.ipPerMinute, windowSeconds: 60 };
    const key = match?.[1] ? await keys.authenticate(match[1]) : undefined;
    const result = await deps.apiLimiter.hit(
      key ? [ipLimit, { key: `api:${key.id}`, limit: deps.config.rateLimit.apiPerMinute, windowSeconds: 60 }] : [ipLimit],
    );
    if (!result.allowed) throw new RateLimitedError(result.retryAfter);
    if (!match?.[1]) throw new UnauthorizedError();
    if (!key) throw new UnauthorizedError('The API key is invalid or revoked.');
    ctx.state.tenantId = key.tenant_id;
    ctx.state.apiKeyId = key.id;
    await next();
  };
}
