// GET /api/v1/kyc/{person_id}/status — a tenant reads a person's reusable assurance.
import Router from '@koa/router';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { requireApiKey } from '../http/middleware/api-key-auth.js';
import { parse } from '../http/validate.js';
import { statusForTenant } from './service.js';
import { StatusCache } from './cache.js';
import { andThen } from '../sync.js';

const params = z.object({ person_id: z.string().min(1).max(100).regex(/^[\w-]+$/, 'invalid person id') });

export function assuranceRoutes(deps: Deps): Router {
  const router = new Router({ prefix: '/api/v1/kyc' });
  const cache = new StatusCache(deps.db.knex, deps.invalidations);
  // Not async: a warm lookup answers without creating a promise (see api-key-auth.ts).
  router.get('/:person_id/status', requireApiKey(deps), (ctx) => {
    const { person_id } = parse(params, ctx.params, 'path');
    return andThen(statusForTenant(cache, deps.clock, ctx.state.tenantId, person_id), (status) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        person_id: status.person_id,
        kyc_status: status.kyc_status,
        kyc_tier: status.kyc_tier,
        aml_clear: status.aml_clear,
        verified_at: status.verified_at,
        expires_at: status.expires_at,
      };
    });
  });
  return router;
}
