// Verification sessions API (tenant API key): create or resume, read (with a fresh link), list, cancel.
import Router from '@koa/router';
import type Koa from 'koa';
import { jsonOnly, noStore } from '../../http/body.js';
import { contracts, errorResponse } from '../../http/contract.js';
import type { TenantState } from '../../tenants/api-key-auth.js';
import { presentSession } from './model.js';
import * as s from './schemas.js';
import type { SessionService } from './service.js';

const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse, 429: errorResponse } as const;

export function sessionRoutes(sessions: SessionService, requireApiKey: Koa.Middleware): Router {
  const router = new Router({ prefix: '/api/v1/verification/sessions' });
  router.use(requireApiKey);
  const api = contracts<TenantState>(router, { auth: 'api_key' });

  api.route(
    {
      method: 'post',
      scope: 'sessions:write',
      path: '/',
      summary: 'Send a person through hosted verification: create a session (or get the open one for the same external_user_id and level)',
      headers: s.createSessionHeaders,
      body: s.createSessionBody,
      responses: { 200: s.sessionResponse, 201: s.sessionResponse, ...errors, 415: errorResponse, 422: errorResponse },
      use: [noStore, ...jsonOnly()],
    },
    async (ctx, { body, headers }) => {
      const r = await sessions.create({
        tenantId: ctx.state.tenantId,
        level: body.level,
        externalUserId: body.external_user_id,
        personId: body.person_id,
        redirectUri: body.redirect_uri,
        metadata: body.metadata,
        locale: body.locale,
        idempotencyKey: headers['Idempotency-Key'],
        livemode: ctx.state.livemode,
      });
      if (r.replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.status = r.created ? 201 : 200;
      ctx.body = presentSession(r.row, r.url);
    },
  );

  api.route(
    { method: 'get', scope: 'sessions:write', path: '/', summary: "List the tenant's sessions, newest first", query: s.listSessionsQuery, responses: { 200: s.sessionListResponse, ...errors }, use: [noStore] },
    async (ctx, { query: q }) => {
      const { rows, nextCursor } = await sessions.list({ tenantId: ctx.state.tenantId, status: q.status, externalUserId: q.external_user_id, limit: q.limit, cursor: q.cursor, livemode: ctx.state.livemode });
      ctx.body = { data: rows.map((r) => presentSession(r)), next_cursor: nextCursor };
    },
  );

  api.route(
    { method: 'get', scope: 'sessions:write', path: '/:id', summary: 'Read a session; while the person can still act it carries a fresh single-use url', params: s.sessionParams, responses: { 200: s.sessionResponse, ...errors }, use: [noStore] },
    async (ctx, { params }) => {
      const r = await sessions.get(ctx.state.tenantId, params.id, ctx.state.livemode);
      ctx.body = presentSession(r.row, r.url);
    },
  );

  api.route(
    { method: 'post', scope: 'sessions:write', path: '/:id/cancel', summary: 'Cancel a session the person has not finished', params: s.sessionParams, responses: { 200: s.sessionResponse, ...errors, 409: errorResponse, 415: errorResponse }, use: [noStore, ...jsonOnly()] },
    async (ctx, { params }) => {
      ctx.body = presentSession(await sessions.cancel(ctx.state.tenantId, params.id, ctx.state.livemode));
    },
  );

  return router;
}
