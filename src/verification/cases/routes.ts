// Verification case API (tenant API key). Every route first refuses client-supplied verdicts (guard.ts).
import Router from '@koa/router';
import type Koa from 'koa';
import { koaBody } from 'koa-body';
import { UnsupportedMediaTypeError } from '../../http/errors.js';
import { parse } from '../../http/validate.js';
import { assertNoVerdict, assertNoVerdictName } from './guard.js';
import { presentCase } from './model.js';
import { caseParams, createCaseBody, decideBody, idempotencyKey, listQuery, reviewBody, UPLOAD_FILE_FIELDS, UPLOAD_LIMITS, UPLOAD_TEXT_FIELDS } from './schemas.js';
import type { CaseService } from './service.js';
import { lingerThenClose, parseMultipart } from './multipart.js';

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

export function verificationRoutes(cases: CaseService, requireApiKey: Koa.Middleware): Router {
  const router = new Router({ prefix: '/api/v1/verification/cases' });
  router.use(requireApiKey, noVerdictInQuery);
  const noStore: Koa.Middleware = async (ctx, next) => {
    await next();
    ctx.set('Cache-Control', 'no-store');
  };

  router.post('/', noStore, ...jsonOnly(), async (ctx) => {
    const body = parse(createCaseBody, ctx.request.body ?? {}, 'body');
    const key = ctx.get('Idempotency-Key') ? parse(idempotencyKey, ctx.get('Idempotency-Key'), 'Idempotency-Key header') : undefined;
    const { row, replayed } = await cases.create({ tenantId: ctx.state.tenantId, personId: body.person_id, level: body.level, idempotencyKey: key });
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = 201;
    ctx.body = presentCase(row);
  });

  router.get('/', noStore, async (ctx) => {
    const q = parse(listQuery, ctx.query, 'query');
    const { rows, nextCursor } = await cases.list({ tenantId: ctx.state.tenantId, status: q.status, personId: q.person_id, limit: q.limit, cursor: q.cursor });
    ctx.body = { data: rows.map((r) => presentCase(r)), next_cursor: nextCursor };
  });

  router.get('/:id', noStore, async (ctx) => {
    const { id } = parse(caseParams, ctx.params, 'path');
    const { row, files } = await cases.get(ctx.state.tenantId, id);
    ctx.body = presentCase(row, files);
  });

  router.post('/:id/upload', noStore, async (ctx) => {
    try {
      const { id } = parse(caseParams, ctx.params, 'path');
      const row = await cases.openForUpload(ctx.state.tenantId, id);
      const body = await parseMultipart(ctx.req, UPLOAD_LIMITS, { fileFields: UPLOAD_FILE_FIELDS, textFields: UPLOAD_TEXT_FIELDS, checkName: assertNoVerdictName });
      ctx.body = await cases.upload(row, body);
    } catch (err) {
      // Refused before (or while) reading the body: don't let Node drain an arbitrarily large rest of it.
      lingerThenClose(ctx.req);
      throw err;
    }
  });

  router.get('/:id/liveness/challenge', noStore, async (ctx) => {
    const { id } = parse(caseParams, ctx.params, 'path');
    ctx.body = await cases.challenge(ctx.state.tenantId, id);
  });

  router.post('/:id/decide', noStore, ...jsonOnly(), async (ctx) => {
    const { id } = parse(caseParams, ctx.params, 'path');
    parse(decideBody, ctx.request.body ?? {}, 'body');
    const row = await cases.decide(ctx.state.tenantId, id);
    const d = presentCase(row).decision as Record<string, unknown>;
    ctx.body = { case_id: row.id, status: row.status, ...d };
  });

  // The reviewer's own decision is the one place an `outcome` may come from the client.
  router.post('/:id/review', noStore, ...jsonOnly(['outcome']), async (ctx) => {
    const { id } = parse(caseParams, ctx.params, 'path');
    const body = parse(reviewBody, ctx.request.body ?? {}, 'body');
    const reviewed = await cases.review(ctx.state.tenantId, id, body);
    ctx.body = presentCase(reviewed);
  });

  return router;
}
