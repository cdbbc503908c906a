// Verification case API (tenant API key). Every route first refuses client-supplied verdicts (guard.ts).
import Router from '@koa/router';
import type Koa from 'koa';
import { jsonOnly as jsonBodyOnly, noStore } from '../../http/body.js';
import { contracts, errorResponse } from '../../http/contract.js';
import { ForbiddenError } from '../../http/errors.js';
import type { TenantState } from '../../tenants/api-key-auth.js';
import { assertNoVerdict, assertNoVerdictName } from './guard.js';
import { presentCase } from './model.js';
import * as s from './schemas.js';
import type { CaseService } from './service.js';
import { lingerThenClose } from './multipart.js';

const noVerdictInQuery: Koa.Middleware = async (ctx, next) => {
  assertNoVerdict(ctx.query);
  await next();
};

/** JSON (or an empty body) only, with client-supplied verdicts refused first. */
const jsonOnly = () => jsonBodyOnly((body) => assertNoVerdict(body));

/** Refused before (or while) reading an upload: don't let Node drain an arbitrarily large rest of the body. */
const refuseUnreadBody: Koa.Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    lingerThenClose(ctx.req);
    throw err;
  }
};

// Thrown by the error middleware on every route: invalid input, missing key, unknown case, rate limit.
const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse, 429: errorResponse } as const;
// JSON-body routes also refuse other media types.
const jsonErrors = { ...errors, 415: errorResponse } as const;

export function verificationRoutes(cases: CaseService, requireApiKey: Koa.Middleware): Router {
  const router = new Router({ prefix: '/api/v1/verification/cases' });
  router.use(requireApiKey, noVerdictInQuery);
  const api = contracts<TenantState>(router, { auth: 'api_key' });

  api.route(
    {
      method: 'post',
      scope: 'cases:write',
      path: '/',
      summary: 'Open a verification case for a person at a level',
      headers: s.createCaseHeaders,
      body: s.createCaseBody,
      responses: { 201: s.caseResponse, ...jsonErrors, 422: errorResponse },
      use: [noStore, ...jsonOnly()],
    },
    async (ctx, { body, headers }) => {
      const { row, replayed } = await cases.create({ tenantId: ctx.state.tenantId, personId: body.person_id, level: body.level, idempotencyKey: headers['Idempotency-Key'], livemode: ctx.state.livemode });
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.status = 201;
      ctx.body = presentCase(row);
    },
  );

  api.route(
    { method: 'get', scope: 'cases:write', path: '/', summary: "List the tenant's cases, newest first", query: s.listQuery, responses: { 200: s.caseListResponse, ...errors }, use: [noStore] },
    async (ctx, { query: q }) => {
      const { rows, nextCursor } = await cases.list({ tenantId: ctx.state.tenantId, status: q.status, personId: q.person_id, limit: q.limit, cursor: q.cursor, livemode: ctx.state.livemode });
      ctx.body = { data: rows.map((r) => presentCase(r)), next_cursor: nextCursor };
    },
  );

  api.route(
    { method: 'get', scope: 'cases:write', path: '/:id', summary: 'Read a case with its uploads summary', params: s.caseParams, responses: { 200: s.caseResponse, ...errors }, use: [noStore] },
    async (ctx, { params }) => {
      const { row, files } = await cases.get(ctx.state.tenantId, params.id, ctx.state.livemode);
      ctx.body = presentCase(row, files);
    },
  );

  // The handler reads the multipart stream itself (images are never buffered by a generic body parser).
  api.route(
    {
      method: 'post',
      scope: 'cases:write',
      path: '/:id/upload',
      summary: 'Upload the document, selfie and liveness frames; the document is analysed before the answer',
      params: s.caseParams,
      body: s.uploadBody,
      bodyType: 'multipart',
      responses: { 200: s.uploadResponse, ...errors, 408: errorResponse, 409: errorResponse, 413: errorResponse, 415: errorResponse, 422: errorResponse, 503: errorResponse },
      use: [noStore, refuseUnreadBody],
    },
    async (ctx, { params }) => {
      // The case is checked first, so a closed or foreign case is refused before its body is read.
      const row = await cases.openForUpload(ctx.state.tenantId, params.id, ctx.state.livemode);
      // Held until answered: the tenant's upload slot and the body's share of the process's in-flight budget.
      const admission = cases.admitUpload(ctx.state.tenantId, ctx.req);
      try {
        const body = await cases.receiveUpload(ctx.req, { fileFields: s.UPLOAD_FILE_FIELDS, textFields: s.UPLOAD_TEXT_FIELDS, checkName: assertNoVerdictName });
        ctx.body = await cases.upload(row, body);
      } finally {
        admission.release();
      }
    },
  );

  api.route(
    {
      method: 'get',
      scope: 'cases:write',
      path: '/:id/liveness/challenge',
      summary: 'Issue the head-turn sequence for active liveness',
      params: s.caseParams,
      responses: { 200: s.challengeResponse, ...errors, 409: errorResponse },
      use: [noStore],
    },
    async (ctx, { params }) => {
      ctx.body = await cases.challenge(ctx.state.tenantId, params.id, ctx.state.livemode);
    },
  );

  api.route(
    {
      method: 'post',
      scope: 'cases:write',
      path: '/:id/decide',
      summary: 'Run the checks on the uploads and decide (approve, reject or send to manual review)',
      params: s.caseParams,
      body: s.decideBody,
      responses: { 200: s.decisionResponse, ...jsonErrors, 409: errorResponse, 422: errorResponse },
      use: [noStore, ...jsonOnly()],
    },
    async (ctx, { params }) => {
      const row = await cases.decide(ctx.state.tenantId, params.id, ctx.state.livemode);
      const d = presentCase(row).decision as Record<string, unknown>;
      ctx.body = { case_id: row.id, status: row.status, ...d };
    },
  );

  // Tenants see outcomes; they never decide them. A tenant that could review its own case could mint assurance
  // every other tenant inherits (issue 12), so the route stays declared (clients get a clear answer, and the API
  // document shows it) but always refuses: manual review is done by the operator's reviewers in the console.
  api.route(
    {
      method: 'post',
      scope: 'cases:write',
      path: '/:id/review',
      summary: 'Refused: manual review is done by the operator\'s reviewers in the console, not by tenants',
      description: 'Always answers 403 review_forbidden. Cases in manual_review are decided by the operator\'s reviewers; the tenant learns the outcome from the case, the status API and the verification.case.reviewed webhook.',
      params: s.caseParams,
      responses: { ...errors, 403: errorResponse },
      use: [noStore],
    },
    () => {
      throw new ForbiddenError(
        "Tenant API keys cannot review cases. Cases in manual_review are decided by the operator's reviewers in the KYCPort console; you receive the outcome (case, status API, verification.case.reviewed webhook).",
        'review_forbidden',
      );
    },
  );

  return router;
}
