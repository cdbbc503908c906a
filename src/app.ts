// Builds the Koa app: middleware order, routers, the mounted provider.
import Koa from 'koa';
import type { Deps } from './deps.js';
import { errorHandler } from './http/middleware/errors.js';
import { requestId } from './http/middleware/request-id.js';
import { securityHeaders } from './http/middleware/security-headers.js';
import { ipRateLimit } from './http/middleware/ip-rate-limit.js';
import { healthRoutes } from './http/health.js';

export interface App {
  koa: Koa;
}

export async function buildApp(deps: Deps): Promise<App> {
  const koa = new Koa({ proxy: deps.config.trustProxy });
  koa.use(requestId());
  koa.use(securityHeaders({ https: deps.config.publicUrl.startsWith('https://') }));
  koa.use(errorHandler());
  const health = healthRoutes(deps);
  koa.use(health.routes()).use(health.allowedMethods());
  koa.use(ipRateLimit(deps));

  // Domain API routers (tenant API key): each domain exports `xxxRoutes(deps)`.
  const apiRouters = [] as { routes(): Koa.Middleware; allowedMethods(): Koa.Middleware }[];
  for (const r of apiRouters) koa.use(r.routes()).use(r.allowedMethods());

  return { koa };
}
