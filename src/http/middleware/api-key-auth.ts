// Tenant API-key authentication (Authorization: Bearer kp_live_…) plus the per-key rate limit.
import type Koa from 'koa';
import type { Deps } from '../../deps.js';
import { authenticateApiKey } from '../../tenants/service.js';
import { RateLimitedError, UnauthorizedError } from '../errors.js';

export function requireApiKey(deps: Deps): Koa.Middleware {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new UnauthorizedError();
    const key = await authenticateApiKey(deps.db.knex, match[1]);
    if (!key) throw new UnauthorizedError('The API key is invalid or revoked.');
    const result = await deps.limiter.hit([
      { key: `api:${key.id}`, limit: deps.config.rateLimit.apiPerMinute, windowSeconds: 60 },
    ]);
    if (!result.allowed) throw new RateLimitedError(result.retryAfter);
    ctx.state.tenantId = key.tenant_id;
    ctx.state.apiKeyId = key.id;
    await next();
  };
}
