// GET /api/v1/kyc/{person_id}/status — a tenant reads a person's reusable assurance.
import Router from '@koa/router';
import type Koa from 'koa';
import { contracts, sendJson } from '../http/contract.js';
import { statusExample } from './examples.js';
import type { TenantState } from '../tenants/api-key-auth.js';
import { andThen } from '../maybe-promise.js';
import type { AssuranceService, TenantStatus } from './service.js';
import { statusParams, statusResponse } from './schema.js';
import type { LookupCounter } from '../usage/lookups.js';

export function assuranceRoutes(assurance: AssuranceService, requireApiKey: Koa.Middleware, lookups?: Pick<LookupCounter, 'count'>): Router {
  const router = new Router({ prefix: '/api/v1/kyc' });
  const api = contracts<TenantState>(router, { auth: 'api_key' });
  // The service hands out one frozen status per cached row, so its body is serialized once, not per lookup; with
  // its `livemode` (a status object belongs to one mode), which the contract layer then leaves as it is.
  const bodies = new WeakMap<TenantStatus, string>();
  const bodyOf = (status: TenantStatus, livemode: boolean): string => {
    let body = bodies.get(status);
    if (body === undefined) {
      body = JSON.stringify({
        livemode,
        person_id: status.person_id,
        kyc_status: status.kyc_status,
        kyc_tier: status.kyc_tier,
        aml_clear: status.aml_clear,
        verified_at: status.verified_at,
        expires_at: status.expires_at,
        verification_method: status.verification_method,
        human_verified: status.human_verified,
        screened_at: status.screened_at,
      });
      bodies.set(status, body);
    }
    return body;
  };
  // Not async: a warm lookup answers without creating a promise (see tenants/api-key-auth.ts).
  api.route(
    {
      method: 'get',
      scope: 'status:read',
      path: '/:person_id/status',
      summary: "Read a person's KYC status and tier",
      description:
        "The person's reusable assurance as this tenant sees it: status, tier, screening result and how it was reached. `person_id` is your pairwise subject for the person (the `sub` of their ID token); a person who never signed in to you is unknown here (404). Each lookup is counted for usage reporting.",
      params: statusParams,
      responses: { 200: statusResponse },
      errors: { 404: ['not_found'] },
      examples: statusExample,
      use: [requireApiKey],
    },
    (ctx, { params }) =>
      andThen(assurance.statusForTenant(ctx.state.tenantId, params.person_id, ctx.state.livemode), (status) => {
        ctx.set('Cache-Control', 'no-store');
        if (ctx.state.livemode) lookups?.count(ctx.state.tenantId); // live only; in memory, the jobs flush it (usage/lookups.ts)
        sendJson(ctx, bodyOf(status, ctx.state.livemode));
      }),
  );
  return router;
}
