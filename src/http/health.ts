// Liveness says the process runs; readiness checks the database and Redis when configured, each within a
// deadline, so an orchestrator gets its answer in under a second even when a dependency hangs.
import Router from '@koa/router';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { outageOf, outages } from '../db/outage.js';
import { errorReporter } from '../log.js';
import { contracts } from './contract.js';

/** Each check's deadline: both run in parallel, so readiness answers within about this long. */
export const READY_CHECK_MS = 700;

const check = z.enum(['ok', 'fail']);
const live = z.strictObject({ status: z.literal('ok') });
export const readyBody = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  checks: z.strictObject({ database: check, redis: check.optional().describe('Present when Redis is configured.') }),
});

function withinDeadline(p: Promise<unknown>, dependency: 'database' | 'redis'): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${READY_CHECK_MS} ms`), { dependency })), READY_CHECK_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export function healthRoutes(deps: { db: Knex; redis: Redis | undefined }): Router {
  const router = new Router();
  const api = contracts(router, { auth: 'none' });
  // A failed probe answers 503. An outage is logged once (db/outage.ts); anything else rate-limited, since
  // probes repeat every few seconds.
  const failed = errorReporter('readiness check failed');
  const probe = (p: () => Promise<unknown>, dependency: 'database' | 'redis') =>
    withinDeadline(p(), dependency).then(
      () => 'ok' as const,
      (err: unknown) => {
        if (outageOf(err)) outages.down(dependency, err);
        else failed(err);
        return 'fail' as const;
      },
    );
  api.route({ method: 'get', path: '/health/live', summary: 'Liveness: the process answers', responses: { 200: live } }, (ctx) => {
    ctx.body = { status: 'ok' };
  });
  api.route(
    { method: 'get', path: '/health/ready', summary: 'Readiness: the database (and Redis, when configured) answer within a second', responses: { 200: readyBody, 503: readyBody } },
    async (ctx) => {
      const redis = deps.redis;
      const [database, redisCheck] = await Promise.all([
        probe(() => deps.db.raw('select 1'), 'database'),
        redis ? probe(() => redis.ping(), 'redis') : undefined,
      ]);
      const checks = redisCheck ? { database, redis: redisCheck } : { database };
      const ok = database === 'ok' && (redisCheck ?? 'ok') === 'ok';
      ctx.status = ok ? 200 : 503;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: ok ? 'ok' : 'unavailable', checks };
    },
  );
  return router;
}
