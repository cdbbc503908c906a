// General per-IP rate limit. The tenant API (/api/v1/) counts the IP together with its API key in
// requireApiKey (one round trip); health checks and static assets are not limited.
import type Koa from 'koa';
import type { Deps } from '../../deps.js';
import { RateLimitedError } from '../errors.js';

export function ipRateLimit(deps: Deps): Koa.Middleware {
  return async (ctx, next) => {
    const p = ctx.path;
    if (p.startsWith('/health/') || p.startsWith('/static/') || p.startsWith('/api/v1/')) return next();
    const result = await deps.apiLimiter.hit([{ key: `ip:${ctx.ip}`, limit: deps.config.rateLimit.ipPerMinute, windowSeconds: 60 }]);
    if (!result.allowed) throw new RateLimitedError(result.retryAfter);
    await next();
  };
}
