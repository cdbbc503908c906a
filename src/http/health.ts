// Liveness says the process runs; readiness checks the database and Redis when configured.
import Router from '@koa/router';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { errorReporter } from '../log.js';
import { contracts } from './contract.js';

const check = z.enum(['ok', 'fail']);
const live = z.strictObject({ status: z.literal('ok') });
const ready = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  checks: z.strictObject({ database: check, redis: check.optional().describe('Present when Redis is configured.') }),
});

export function healthRoutes(deps: { db: Knex; redis: Redis | undefined }): Router {
  const router = new Router();
  const api = contracts(router, { auth: 'none' });
  // A failed probe answers 503; why it failed goes to the log (rate-limited: probes repeat every few seconds).
  const dbFailed = errorReporter('readiness: database check failed');
  const redisFailed = errorReporter('readiness: redis check failed');
  api.route({ method: 'get', path: '/health/live', summary: 'Liveness: the process answers', responses: { 200: live } }, (ctx) => {
    ctx.body = { status: 'ok' };
  });
  api.route(
    { method: 'get', path: '/health/ready', summary: 'Readiness: the database (and Redis, when configured) answer', responses: { 200: ready, 503: ready } },
    async (ctx) => {
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
    },
  );
  return router;
}
