// Verification sessions API (tenant API key): create or resume, read (with a fresh link), list, cancel.
import Router from '@koa/router';
import type Koa from 'koa';
import { jsonOnly, noStore } from '../../http/body.js';
import { contracts, type Errors } from '../../http/contract.js';
import * as ex from './examples.js';
import type { TenantState } from '../../tenants/api-key-auth.js';
import { presentSession } from './model.js';
import * as s from './schemas.js';
import type { SessionService } from './service.js';

// A route with a session id answers 404 for another tenant's session.
const byId: Errors = { 404: ['not_found'] };

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
      description:
        "Creates a hosted verification session and answers its single-use `url`: send the person's browser there. They sign in (or sign up), capture their document and selfie on KYCPort's pages, and come back to `redirect_uri` with `session_id` and `status`. While a session for the same `external_user_id` and level is open, that one is answered (200) instead of a new one (201). An `Idempotency-Key` makes retries safe.",
      headers: s.createSessionHeaders,
      body: s.createSessionBody,
      responses: { 200: s.sessionResponse, 201: s.sessionResponse },
      errors: { 400: ['invalid_redirect_uri'], 404: ['not_found'], 422: ['idempotency_key_reused'] },
      examples: ex.createSessionExample,
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
    {
      method: 'get',
      scope: 'sessions:write',
      path: '/',
      summary: "List the tenant's sessions, newest first",
      description: 'Pages through your sessions, optionally by status or `external_user_id`. Listed sessions carry no `url`; read one to get a fresh link.',
      query: s.listSessionsQuery,
      responses: { 200: s.sessionListResponse },
      examples: ex.listSessionsExample,
      use: [noStore],
    },
    async (ctx, { query: q }) => {
      const { rows, nextCursor } = await sessions.list({ tenantId: ctx.state.tenantId, status: q.status, externalUserId: q.external_user_id, limit: q.limit, cursor: q.cursor, livemode: ctx.state.livemode });
      ctx.body = { data: rows.map((r) => presentSession(r)), next_cursor: nextCursor };
    },
  );

  api.route(
    {
      method: 'get',
      scope: 'sessions:write',
      path: '/:id',
      summary: 'Read a session; while the person can still act it carries a fresh single-use url',
      description: 'The session with its outcome and reason codes once decided. While the person can still act (created, in_progress, resubmission_requested) each read issues a fresh single-use `url`, so you can send them back.',
      params: s.sessionParams,
      responses: { 200: s.sessionResponse },
      errors: byId,
      examples: ex.getSessionExample,
      use: [noStore],
    },
    async (ctx, { params }) => {
      const r = await sessions.get(ctx.state.tenantId, params.id, ctx.state.livemode);
      ctx.body = presentSession(r.row, r.url);
    },
  );

  api.route(
    {
      method: 'post',
      scope: 'sessions:write',
      path: '/:id/cancel',
      summary: 'Cancel a session the person has not finished',
      description: 'Cancels a session that is still open: its link stops working and `verification.session.canceled` is sent. Canceling a canceled session answers it again; a finished one is a 409. No body is needed.',
      params: s.sessionParams,
      responses: { 200: s.sessionResponse },
      errors: { ...byId, 400: ['invalid_json', 'json_too_deep', 'bad_request'], 409: ['session_closed'], 413: ['payload_too_large'], 415: ['unsupported_media_type'] },
      examples: ex.cancelSessionExample,
      use: [noStore, ...jsonOnly()],
    },
    async (ctx, { params }) => {
      ctx.body = presentSession(await sessions.cancel(ctx.state.tenantId, params.id, ctx.state.livemode));
    },
  );

  return router;
}
