// Liveness says the process runs; readiness checks the database and Redis when configured.
import Router from '@koa/router';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { errorReporter } from '../log.js';

export function healthRoutes(deps: { db: Knex; redis: Redis | undefined }): Router {
  const router = new Router();
  // A failed probe answers 503; why it failed goes to the log (rate-limited: probes repeat every few seconds).
  const dbFailed = errorReporter('readiness: database check failed');
  const redisFailed = errorReporter('readiness: redis check failed');
  router.get('/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/ready', async (ctx) => {
    const checks: Record<string, 'ok' | 'fail'> = {};
    checks.database = await deps.db
      .raw('select 1')
      .then(() => 'ok' as const)
      .catch((err: unknown) => (dbFailed(err), 'fail' as const));
    if (deps.redis) {
      checks.redis = await deps.redis
        .ping()
        .then(() => 'ok' as const)
        .catch((err: unknown) => (redisFailed(err), 'fail' as const));
    }
    const ok = Object.values(checks).every((v) => v === 'ok');
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? 'ok' : 'unavailable', checks };
  });
  return router;
}
