// General per-IP rate limit for pages and the OIDC surface. The tenant API (/api/v1/, its own branch in app.ts)
// counts the IP together with its API key in requireApiKey; health checks and static assets are not limited.
import type Koa from 'koa';
import type { Deps } from '../../deps.js';
import { RateLimitedError } from '../errors.js';

export function ipRateLimit(deps: Deps): Koa.Middleware {
  return async (ctx, next) => {
    const p = ctx.path;
    if (p.startsWith('/health/') || p.startsWith('/static/')) return next();
    const result = await deps.apiLimiter.hit([{ key: `ip:${ctx.ip}`, limit: deps.config.rateLimit.ipPerMinute, windowSeconds: 60 }]);
    if (!result.allowed) throw new RateLimitedError(result.retryAfter);
    await next();
  };
}
