// General per-IP rate limit for pages and the OIDC surface. The tenant API (/api/v1/, its own branch in app.ts)
// counts the IP together with its API key in tenants/api-key-auth.ts; health checks and static assets are not limited.
import type Koa from 'koa';
import { addressKey } from '../client-ip.js';
import { RateLimitedError } from '../errors.js';
import type { RateLimiter } from '../rate-limit.js';

export function ipRateLimit(limiter: RateLimiter, ipPerMinute: number): Koa.Middleware {
  return async (ctx, next) => {
    const p = ctx.path;
    if (p.startsWith('/health/') || p.startsWith('/static/')) {
      await next();
      return;
    }
    const result = await limiter.hit([{ key: `ip:${addressKey(ctx.ip)}`, limit: ipPerMinute, windowSeconds: 60 }]);
    if (!result.allowed) throw new RateLimitedError(result.retryAfter);
    await next();
  };
}
