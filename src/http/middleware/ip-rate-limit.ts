// General per-IP rate limit for everything except health checks and static assets.
import type Koa from 'koa';
import type { Deps } from '../../deps.js';
import { RateLimitedError } from '../errors.js';

export function ipRateLimit(deps: Deps): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path.startsWith('/health/') || ctx.path.startsWith('/static/')) return next();
    const result = await deps.limiter.hit([
      { key: `ip:${ctx.ip}`, limit: deps.config.rateLimit.ipPerMinute, windowSeconds: 60 },
    ]);
    if (!result.allowed) throw new RateLimitedError(result.retryAfter);
    await next();
  };
}
