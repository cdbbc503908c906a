// Verification case API (tenant API key). Every route first refuses client-supplied verdicts (guard.ts).
import Router from '@koa/router';
import type Koa from 'koa';
import { jsonOnly as jsonBodyOnly, noStore } from '../../http/body.js';
import { contracts, type Errors } from '../../http/contract.js';
import * as ex from './examples.js';
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

// Every case route refuses verdict-like fields; a route with a case id answers 404 for another tenant's case.
const verdict = ['precomputed_verdict_rejected'] as const;
const errors: Errors = { 400: verdict, 404: ['not_found'] };
// JSON-body routes also refuse other media types (a form body is read only to look for verdicts).
const jsonErrors: Errors = { ...errors, 415: ['unsupported_media_type'] };

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
      description:
        'Opens a case in which you upload the person\'s document (and, from t2, a selfie) yourself, then ask for a decision. For a page the person uses themselves, create a verification session instead. Send an `Idempotency-Key` to make retries safe: the same key and body replay the case (header `Idempotent-Replayed: true`).',
      headers: s.createCaseHeaders,
      body: s.createCaseBody,
      responses: { 201: s.caseResponse },
      errors: { ...jsonErrors, 422: ['idempotency_key_reused'] },
      examples: ex.createCaseExample,
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
    {
      method: 'get',
      scope: 'cases:write',
      path: '/',
      summary: "List the tenant's cases, newest first",
      description: 'Pages through your cases, optionally by status or person. Pass `next_cursor` as `cursor` for the next page.',
      query: s.listQuery,
      responses: { 200: s.caseListResponse },
      errors: { 400: verdict },
      examples: ex.listCasesExample,
      use: [noStore],
    },
    async (ctx, { query: q }) => {
      const { rows, nextCursor } = await cases.list({ tenantId: ctx.state.tenantId, status: q.status, personId: q.person_id, limit: q.limit, cursor: q.cursor, livemode: ctx.state.livemode });
      ctx.body = { data: rows.map((r) => presentCase(r)), next_cursor: nextCursor };
    },
  );

  api.route(
    {
      method: 'get',
      scope: 'cases:write',
      path: '/:id',
      summary: 'Read a case with its uploads summary',
      description: 'The case with its document extraction (number masked), decision, review outcome and which uploads it holds. Images are never returned.',
      params: s.caseParams,
      responses: { 200: s.caseResponse },
      errors,
      examples: ex.getCaseExample,
      use: [noStore],
    },
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
      description:
        'A `multipart/form-data` body with the images (JPEG, PNG or WebP, checked by content; 10 MB each, 64 MB in all) and optional applicant fields the document is compared with. The answer holds the document extraction; call decide next. A t3 case needs active liveness: get a challenge first and send the frames with `liveness_mode=active`. A case in `resubmission_requested` takes the retake here: send the captures its reasons name (each reason\'s `instruction` says what to do); the images you leave out are kept from the previous attempt (send the text fields again), and the case is `open` again for the next decide.',
      params: s.caseParams,
      body: s.uploadBody,
      bodyType: 'multipart',
      responses: { 200: s.uploadResponse },
      errors: {
        ...errors,
        400: [...verdict, 'malformed_multipart', 'unknown_field', 'duplicate_field', 'field_too_long', 'too_many_fields', 'aborted', 'empty_file'],
        408: ['request_timeout'],
        409: ['case_closed', 'case_changed'],
        413: ['payload_too_large'],
        415: ['unsupported_media_type'],
        422: ['missing_file', 'duplicate_file', 'unexpected_file', 'active_liveness_required', 'challenge_required', 'corrupt_image', 'image_too_large', 'image_aspect_ratio', 'image_profile_too_large', 'image_too_complex'],
        429: ['too_many_uploads'],
        503: ['upload_capacity', 'engine_unavailable'],
      },
      examples: ex.uploadExample,
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
      description: 'A fresh random sequence of head turns for this case; record the liveness frames while the person follows it, then upload them with `liveness_mode=active`.',
      params: s.caseParams,
      responses: { 200: s.challengeResponse },
      errors: { ...errors, 409: ['case_closed'] },
      examples: ex.challengeExample,
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
      summary: 'Run the checks on the uploads and decide (approve, reject, ask for a retake or send to manual review)',
      description:
        "Runs the face, liveness, duplicate and screening checks on the uploads and decides. `approved` updates the person's assurance (every tenant they use sees the new tier); `manual_review` goes to the operator's reviewers and the outcome arrives later (case, status API, `verification.case.reviewed` webhook). `resubmission_requested` means the attempt failed only on capture problems (blur, glare, low resolution, no readable MRZ, the back of an ID card missing, no face or several faces on the selfie): each reason carries the `instruction` for the person, the case stays open for a new upload and the person's status stays in progress; the third attempt with capture problems is `rejected`. Fraud signals (a face mismatch, an expired document, bad check digits, screening hits, duplicates) are never a retake. The body is empty or `{}`.",
      params: s.caseParams,
      body: s.decideBody,
      responses: { 200: s.decisionResponse },
      errors: { ...jsonErrors, 409: ['case_closed', 'not_uploaded', 'retake_required', 'uploads_missing', 'screening_required', 'document_already_verified', 'case_changed'], 422: ['corrupt_image', 'image_too_complex'], 503: ['engine_unavailable'] },
      examples: ex.decideExample,
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
      responses: {},
      errors: { 400: verdict, 403: ['review_forbidden'] },
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
