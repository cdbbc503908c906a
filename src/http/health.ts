// Liveness says the process runs; readiness checks the database and Redis when configured.
import Router from '@koa/router';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';

export function healthRoutes(deps: { db: Knex; redis: Redis | undefined }): Router {
  const router = new Router();
  router.get('/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/ready', async (ctx) => {
    const checks: Record<string, 'ok' | 'fail'> = {};
    checks.database = await deps.db
      .raw('select 1')
      .then(() => 'ok' as const)
      .catch(() => 'fail' as const);
    if (deps.redis) {
      checks.redis = await deps.redis
        .ping()
        .then(() => 'ok' as const)
        .catch(() => 'fail' as const);
    }
    const ok = Object.values(checks).every((v) => v === 'ok');
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? 'ok' : 'unavailable', checks };
  });
  return router;
}
