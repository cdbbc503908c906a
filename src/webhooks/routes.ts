// Tenant API for webhook endpoints, their attempt log and redelivery. Trailing slashes are optional.
import Router from '@koa/router';
import type Koa from 'koa';
import { jsonBody } from '../http/body.js';
import { contracts, type Errors } from '../http/contract.js';
import * as ex from './examples.js';
import * as s from './schema.js';
import type { WebhookService } from './service.js';

// A route with an endpoint id answers 404 for another tenant's endpoint.
const byId: Errors = { 404: ['not_found'] };

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
      description:
        'Registers a public https URL for the listed event types (`*` for all). Deliveries are signed the Standard Webhooks way with the `secret` answered here, once: store it. Failing deliveries are retried with backoff; an endpoint failing for days is disabled (`webhook.endpoint.disabled`).',
      body: s.createBody,
      responses: { 201: s.createdEndpointResponse },
      errors: { 400: ['invalid_url'], 409: ['limit_reached'] },
      examples: ex.createEndpointExample,
      use: [jsonBody()],
    },
    async (ctx, { body }) => {
      ctx.status = 201;
      ctx.body = await webhooks.createEndpoint(tenant(ctx), body, byKey(ctx));
    },
  );
  api.route(
    {
      method: 'get',
      scope: 'webhooks:manage',
      path: '/endpoints',
      summary: "List the tenant's webhook endpoints",
      description: 'All your endpoints, without their secrets.',
      responses: { 200: s.endpointListResponse },
      examples: ex.listEndpointsExample,
    },
    async (ctx) => {
      ctx.body = { data: await webhooks.listEndpoints(tenant(ctx)) };
    },
  );
  api.route(
    {
      method: 'get',
      scope: 'webhooks:manage',
      path: '/endpoints/:id',
      summary: 'Read a webhook endpoint',
      description: 'The endpoint without its secret, with why it was disabled, if it was.',
      params: s.endpointParams,
      responses: { 200: s.endpointResponse },
      errors: byId,
      examples: ex.getEndpointExample,
    },
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
      description: 'Changes only the fields sent. Enabling a disabled endpoint clears its failure state; deliveries resume with new events.',
      params: s.endpointParams,
      body: s.patchBody,
      responses: { 200: s.endpointResponse },
      errors: { ...byId, 400: ['invalid_url'] },
      examples: ex.patchEndpointExample,
      use: [jsonBody()],
    },
    async (ctx, { params, body }) => {
      ctx.body = await webhooks.updateEndpoint(tenant(ctx), params.id, body, byKey(ctx));
    },
  );
  api.route(
    {
      method: 'delete',
      scope: 'webhooks:manage',
      path: '/endpoints/:id',
      summary: 'Delete a webhook endpoint',
      description: 'Deletes the endpoint; pending deliveries to it are dropped. The answer has no body.',
      params: s.endpointParams,
      responses: { 204: null },
      errors: byId,
    },
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
      description: 'Answers the new secret, once. During the overlap each delivery carries two signatures, so your listener can switch without dropping events.',
      params: s.endpointParams,
      body: s.rotateBody,
      responses: { 200: s.rotatedSecretResponse },
      errors: byId,
      examples: ex.rotateSecretExample,
      use: [jsonBody()],
    },
    async (ctx, { params, body }) => {
      ctx.body = await webhooks.rotateSecret(tenant(ctx), params.id, byKey(ctx), body.overlap_seconds * 1000);
    },
  );
  api.route(
    {
      method: 'post',
      scope: 'webhooks:manage',
      path: '/endpoints/:id/test',
      summary: 'Send a webhook.test event to the endpoint',
      description: 'Queues a signed `webhook.test` event for this endpoint only; follow it in the delivery log.',
      params: s.endpointParams,
      responses: { 202: s.testEventResponse },
      errors: { ...byId, 409: ['endpoint_disabled'] },
      examples: ex.testEventExample,
    },
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
      description: 'Each attempt with its HTTP status, latency, error and next retry. Pass `next_cursor` as `cursor` for older attempts.',
      params: s.endpointParams,
      query: s.listQuery,
      responses: { 200: s.attemptListResponse },
      errors: byId,
      examples: ex.deliveriesExample,
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
      description: 'Queues the stored event again with its original id, so a listener that deduplicates by id stays correct.',
      params: s.eventParams,
      body: s.redeliverBody,
      responses: { 202: s.redeliverResponse },
      errors: { 404: ['not_found'], 409: ['endpoint_disabled'] },
      examples: ex.redeliverExample,
      use: [jsonBody()],
    },
    async (ctx, { params, body }) => {
      ctx.status = 202;
      ctx.body = await webhooks.redeliverEvent(tenant(ctx), params.event_id, { endpointId: body.endpoint_id });
    },
  );
  return router;
}
