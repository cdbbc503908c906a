// Verification case API (tenant API key). Every route first refuses client-supplied verdicts (guard.ts).
import Router from '@koa/router';
import type Koa from 'koa';
import { koaBody } from 'koa-body';
import type { Deps } from '../../deps.js';
import { UnsupportedMediaTypeError } from '../../http/errors.js';
import { requireApiKey } from '../../http/middleware/api-key-auth.js';
import { parse } from '../../http/validate.js';
import type { VerificationRuntime } from '../runtime.js';
import { decideCase } from './decide.js';
import { finishReview } from './finish.js';
import { assertNoVerdict } from './guard.js';
import { presentCase } from './model.js';
import { caseParams, createCaseBody, decideBody, idempotencyKey, listQuery, reviewBody } from './schemas.js';
import { createCase, getCase, issueChallenge, listCases } from './service.js';
import { lingerThenClose } from './multipart.js';
import { uploadToCase } from './upload.js';

const noVerdictInQuery: Koa.Middleware = async (ctx, next) => {
  assertNoVerdict(ctx.query);
  await next();
};

/** JSON (or an empty body) only; form-encoded bodies are parsed just far enough to guard them, then refused. */
function jsonOnly(allow: readonly string[] = []): Koa.Middleware[] {
  const parser = koaBody({ json: true, urlencoded: true, multipart: false, text: false, jsonLimit: '64kb', formLimit: '64kb', jsonStrict: true });
  return [
    parser,
    async (ctx, next) => {
      assertNoVerdict(ctx.request.body ?? {}, allow);
      const hasBody = Number(ctx.get('Content-Length') || 0) > 0 || Boolean(ctx.get('Transfer-Encoding'));
      if (hasBody && !ctx.is('application/json')) throw new UnsupportedMediaTypeError('Send a JSON body (Content-Type: application/json).');
      await next();
    },
  ];
}

export function verificationRoutes(deps: Deps, rt: VerificationRuntime): Router {
  const router = new Router({ prefix: '/api/v1/verification/cases' });
  router.use(requireApiKey(deps), noVerdictInQuery);
  const noStore: Koa.Middleware = async (ctx, next) => {
    await next();
    ctx.set('Cache-Control', 'no-store');
  };

  router.post('/', noStore, ...jsonOnly(), async (ctx) => {
    const body = parse(createCaseBody, ctx.request.body ?? {}, 'body');
    const key = ctx.get('Idempotency-Key') ? parse(idempotencyKey, ctx.get('Idempotency-Key'), 'Idempotency-Key header') : undefined;
    const { row, replayed } = await createCase(deps, { tenantId: ctx.state.tenantId, personId: body.person_id, level: body.level, idempotencyKey: key });
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = 201;
    ctx.body = presentCase(row);
  });

  router.get('/', noStore, async (ctx) => {
    const q = parse(listQuery, ctx.query, 'query');
    const { rows, nextCursor } = await listCases(deps, { tenantId: ctx.state.tenantId, status: q.status, personId: q.person_id, limit: q.limit, cursor: q.cursor });
    ctx.body = { data: rows.map((r) => presentCase(r)), next_cursor: nextCursor };
  });

  router.get('/:id', noStore, async (ctx) => {
    const { id } = parse(caseParams, ctx.params, 'path');
    const { row, files } = await getCase(deps, ctx.state.tenantId, id);
    ctx.body = presentCase(row, files);
  });

  router.post('/:id/upload', noStore, async (ctx) => {
    try {
      const { id } = parse(caseParams, ctx.params, 'path');
      ctx.body = await uploadToCase(deps, rt, ctx.state.tenantId, id, ctx.req);
    } catch (err) {
      // Refused before (or while) reading the body: don't let Node drain an arbitrarily large rest of it.
      lingerThenClose(ctx.req);
      throw err;
    }
  });

  router.get('/:id/liveness/challenge', noStore, async (ctx) => {
    const { id } = parse(caseParams, ctx.params, 'path');
    ctx.body = await issueChallenge(deps, ctx.state.tenantId, id);
  });

  router.post('/:id/decide', noStore, ...jsonOnly(), async (ctx) => {
    const { id } = parse(caseParams, ctx.params, 'path');
    parse(decideBody, ctx.request.body ?? {}, 'body');
    const row = await decideCase(deps, rt, ctx.state.tenantId, id);
    const d = presentCase(row).decision as Record<string, unknown>;
    ctx.body = { case_id: row.id, status: row.status, ...d };
  });

  // The reviewer's own decision is the one place an `outcome` may come from the client.
  router.post('/:id/review', noStore, ...jsonOnly(['outcome']), async (ctx) => {
    const { id } = parse(caseParams, ctx.params, 'path');
    const body = parse(reviewBody, ctx.request.body ?? {}, 'body');
    const { row } = await getCase(deps, ctx.state.tenantId, id);
    const reviewed = await finishReview(deps, rt, ctx.state.tenantId, row.id, body);
    ctx.body = presentCase(reviewed);
  });

  return router;
}
