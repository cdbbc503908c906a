// Tenant API-key authentication (Authorization: Bearer kp_live_…) plus the per-key and per-IP rate limits,
// counted together. Warm requests (key cached, limits counted in process) stay synchronous: every promise on
// this path costs more once oidc-provider's AsyncLocalStorage has turned on Node's promise hooks.
import type Koa from 'koa';
import type { Deps } from '../../deps.js';
import { ApiKeyCache } from '../../tenants/api-key-cache.js';
import type { ApiKeyRow } from '../../tenants/store.js';
import { RateLimitedError, UnauthorizedError } from '../errors.js';
import type { LimitResult } from '../rate-limit.js';
import { andThen } from '../../sync.js';

const caches = new WeakMap<Deps, ApiKeyCache>();

export function requireApiKey(deps: Deps): Koa.Middleware {
  let cache = caches.get(deps);
  if (!cache) caches.set(deps, (cache = new ApiKeyCache(deps.db.knex, deps.invalidations)));
  const keys = cache;
  const { ipPerMinute, apiPerMinute } = deps.config.rateLimit;
  return (ctx, next) => {
    const presented = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'))?.[1];
    const ipLimit = { key: `ip:${ctx.ip}`, limit: ipPerMinute, windowSeconds: 60 };
    const admit = (key: ApiKeyRow | undefined, result: LimitResult) => {
      if (!result.allowed) throw new RateLimitedError(result.retryAfter);
      if (!presented) throw new UnauthorizedError();
      if (!key) throw new UnauthorizedError('The API key is invalid or revoked.');
      ctx.state.tenantId = key.tenant_id;
      ctx.state.apiKeyId = key.id;
      return next();
    };
    return andThen(presented ? keys.authenticate(presented) : undefined, (key) =>
      andThen(
        deps.apiLimiter.hit(key ? [ipLimit, { key: `api:${key.id}`, limit: apiPerMinute, windowSeconds: 60 }] : [ipLimit]),
        (result) => admit(key, result),
      ),
    );
  };
}
