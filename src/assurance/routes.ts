// GET /api/v1/kyc/{person_id}/status — a tenant reads a person's reusable assurance.
import Router from '@koa/router';
import { z } from 'zod';
import type Koa from 'koa';
import { parse } from '../http/validate.js';
import { andThen } from '../maybe-promise.js';
import type { AssuranceService } from './service.js';

const params = z.object({ person_id: z.string().min(1).max(100).regex(/^[\w-]+$/, 'invalid person id') });

export function assuranceRoutes(assurance: AssuranceService, requireApiKey: Koa.Middleware): Router {
  const router = new Router({ prefix: '/api/v1/kyc' });
  // Not async: a warm lookup answers without creating a promise (see tenants/api-key-auth.ts).
  router.get('/:person_id/status', requireApiKey, (ctx) => {
    const { person_id } = parse(params, ctx.params, 'path');
    return andThen(assurance.statusForTenant(ctx.state.tenantId, person_id), (status) => {
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
