// Tenant API for webhook endpoints, their attempt log and redelivery. Trailing slashes are optional.
import Router from '@koa/router';
import { z } from 'zod';
import type { SecretBox } from '../crypto/seal.js';
import type { Deps } from '../deps.js';
import { jsonBody } from '../http/body.js';
import { requireApiKey } from '../http/middleware/api-key-auth.js';
import { parse } from '../http/validate.js';
import { ALL_EVENTS, EVENT_TYPES } from './catalog.js';
import * as service from './service.js';

const id = (prefix: string) => z.string().max(100).regex(new RegExp(`^${prefix}_[\\w-]+$`), 'invalid id');
const endpointParams = z.object({ id: id('we') });
const eventParams = z.object({ event_id: id('evt') });
const eventName = z.enum([...EVENT_TYPES, ALL_EVENTS] as [string, ...string[]], { message: `must be one of: ${[...EVENT_TYPES, ALL_EVENTS].join(', ')}` });
const events = z.array(eventName).min(1).max(EVENT_TYPES.length + 1);
const url = z.string().max(2048);
const description = z.string().max(500).nullable();

const createBody = z.strictObject({ url, events, description: description.optional() });
const patchBody = z
  .strictObject({ url: url.optional(), events: events.optional(), enabled: z.boolean().optional(), description: description.optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.coerce.number().int().min(1).optional(),
});
const redeliverBody = z.strictObject({ endpoint_id: id('we').optional() });

export function webhookRoutes(app: Deps, webhookSecrets: SecretBox): Router {
  const deps: service.ServiceDeps = { config: app.config, db: app.db, redis: app.redis, clock: app.clock, webhookSecrets };
  const router = new Router({ prefix: '/api/v1/webhooks', strict: false });
  router.use(requireApiKey(app));
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  const tenant = (ctx: { state: { tenantId: string } }) => ctx.state.tenantId;

  router.post('/endpoints', jsonBody(), async (ctx) => {
    const body = parse(createBody, ctx.request.body, 'body');
    ctx.status = 201;
    ctx.body = await service.createEndpoint(deps, tenant(ctx), body);
  });
  router.get('/endpoints', async (ctx) => {
    ctx.body = { data: await service.listEndpoints(deps, tenant(ctx)) };
  });
  router.get('/endpoints/:id', async (ctx) => {
    const p = parse(endpointParams, ctx.params, 'path');
    ctx.body = await service.getEndpoint(deps, tenant(ctx), p.id);
  });
  router.patch('/endpoints/:id', jsonBody(), async (ctx) => {
    const p = parse(endpointParams, ctx.params, 'path');
    ctx.body = await service.updateEndpoint(deps, tenant(ctx), p.id, parse(patchBody, ctx.request.body, 'body'));
  });
  router.delete('/endpoints/:id', async (ctx) => {
    const p = parse(endpointParams, ctx.params, 'path');
    await service.deleteEndpoint(deps, tenant(ctx), p.id);
    ctx.status = 204;
  });
  router.post('/endpoints/:id/rotate-secret', async (ctx) => {
    const p = parse(endpointParams, ctx.params, 'path');
    ctx.body = await service.rotateSecret(deps, tenant(ctx), p.id);
  });
  router.post('/endpoints/:id/test', async (ctx) => {
    const p = parse(endpointParams, ctx.params, 'path');
    ctx.status = 202;
    ctx.body = await service.sendTestEvent(deps, tenant(ctx), p.id);
  });
  router.get('/endpoints/:id/deliveries', async (ctx) => {
    const p = parse(endpointParams, ctx.params, 'path');
    const q = parse(listQuery, ctx.query, 'query');
    ctx.body = await service.listAttempts(deps, tenant(ctx), p.id, { limit: q.limit, before: q.cursor });
  });
  router.post('/events/:event_id/redeliver', jsonBody(), async (ctx) => {
    const p = parse(eventParams, ctx.params, 'path');
    const b = parse(redeliverBody, ctx.request.body ?? {}, 'body');
    ctx.status = 202;
    ctx.body = await service.redeliverEvent(deps, tenant(ctx), p.event_id, { endpointId: b.endpoint_id });
  });
  return router;
}
