// Tenant API for webhook endpoints, their attempt log and redelivery. Trailing slashes are optional.
import Router from '@koa/router';
import type Koa from 'koa';
import { jsonBody } from '../http/body.js';
import { contracts, errorResponse } from '../http/contract.js';
import * as s from './schema.js';
import type { WebhookService } from './service.js';

// Every route answers these through the error middleware; 400 covers invalid params, query and body.
const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse, 429: errorResponse } as const;

export function webhookRoutes(webhooks: WebhookService, requireApiKey: Koa.Middleware): Router {
  const router = new Router({ prefix: '/api/v1/webhooks', strict: false });
  router.use(requireApiKey);
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  // The tenant in the key's mode: a test key sees and makes test endpoints only.
  const tenant = (ctx: { state: { tenantId: string; livemode?: boolean } }) => ({ tenantId: ctx.state.tenantId, livemode: ctx.state.livemode ?? true });
  // Who changed an endpoint, for the tenant's audit trail: the API key the request came with.
  const byKey = (ctx: { state: { apiKeyId: string } }) => ({ type: 'api_key' as const, id: ctx.state.apiKeyId });
  const api = contracts(router, { auth: 'api_key' });

  api.route(
    {
      method: 'post',
      scope: 'webhooks:manage',
      path: '/endpoints',
      summary: 'Create a webhook endpoint (the response is the only time its signing secret is shown)',
      body: s.createBody,
      responses: { 201: s.createdEndpointResponse, ...errors, 409: errorResponse },
      use: [jsonBody()],
    },
    async (ctx, { body }) => {
      ctx.status = 201;
      ctx.body = await webhooks.createEndpoint(tenant(ctx), body, byKey(ctx));
    },
  );
  api.route(
    { method: 'get', scope: 'webhooks:manage', path: '/endpoints', summary: "List the tenant's webhook endpoints", responses: { 200: s.endpointListResponse, ...errors } },
    async (ctx) => {
      ctx.body = { data: await webhooks.listEndpoints(tenant(ctx)) };
    },
  );
  api.route(
    { method: 'get', scope: 'webhooks:manage', path: '/endpoints/:id', summary: 'Read a webhook endpoint', params: s.endpointParams, responses: { 200: s.endpointResponse, ...errors } },
    async (ctx, { params }) => {
      ctx.body = await webhooks.getEndpoint(tenant(ctx), params.id);
    },
  );
  api.route(
    {
      method: 'patch',
      scope: 'webhooks:manage',
      path: '/endpoints/:id',
      summary: 'Change, enable or disable a webhook endpoint',
      params: s.endpointParams,
      body: s.patchBody,
      responses: { 200: s.endpointResponse, ...errors },
      use: [jsonBody()],
    },
    async (ctx, { params, body }) => {
      ctx.body = await webhooks.updateEndpoint(tenant(ctx), params.id, body, byKey(ctx));
    },
  );
  api.route(
    { method: 'delete', scope: 'webhooks:manage', path: '/endpoints/:id', summary: 'Delete a webhook endpoint', params: s.endpointParams, responses: { 204: null, ...errors } },
    async (ctx, { params }) => {
      await webhooks.deleteEndpoint(tenant(ctx), params.id, byKey(ctx));
      ctx.status = 204;
    },
  );
  api.route(
    {
      method: 'post',
      scope: 'webhooks:manage',
      path: '/endpoints/:id/rotate-secret',
      summary: 'Issue a new signing secret; the previous one keeps signing for overlap_seconds (default 24 hours, 0 = expire it now)',
      params: s.endpointParams,
      body: s.rotateBody,
      responses: { 200: s.rotatedSecretResponse, ...errors },
      use: [jsonBody()],
    },
    async (ctx, { params, body }) => {
      ctx.body = await webhooks.rotateSecret(tenant(ctx), params.id, byKey(ctx), body.overlap_seconds * 1000);
    },
  );
  api.route(
    { method: 'post', scope: 'webhooks:manage', path: '/endpoints/:id/test', summary: 'Send a webhook.test event to the endpoint', params: s.endpointParams, responses: { 202: s.testEventResponse, ...errors } },
    async (ctx, { params }) => {
      ctx.status = 202;
      ctx.body = await webhooks.sendTestEvent(tenant(ctx), params.id);
    },
  );
  api.route(
    {
      method: 'get',
      scope: 'webhooks:manage',
      path: '/endpoints/:id/deliveries',
      summary: "The endpoint's delivery attempt log, newest first",
      params: s.endpointParams,
      query: s.listQuery,
      responses: { 200: s.attemptListResponse, ...errors },
    },
    async (ctx, { params, query }) => {
      ctx.body = await webhooks.listAttempts(tenant(ctx), params.id, { limit: query.limit, before: query.cursor });
    },
  );
  api.route(
    {
      method: 'post',
      scope: 'webhooks:manage',
      path: '/events/:event_id/redeliver',
      summary: 'Send an event again, to one endpoint or to every endpoint that had it or subscribes to it',
      params: s.eventParams,
      body: s.redeliverBody,
      responses: { 202: s.redeliverResponse, ...errors, 409: errorResponse },
      use: [jsonBody()],
    },
    async (ctx, { params, body }) => {
      ctx.status = 202;
      ctx.body = await webhooks.redeliverEvent(tenant(ctx), params.event_id, { endpointId: body.endpoint_id });
    },
  );
  return router;
}
