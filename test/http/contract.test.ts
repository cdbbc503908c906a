// Route contracts (src/http/contract.ts): requests are validated into the error family's 400, responses are checked
// against their declared schema outside production, and every tenant API route is in the registry.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { assuranceRoutes } from '../../src/assurance/routes.js';
import { compose, type Services } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { jsonBody } from '../../src/http/body.js';
import { contracts, errorResponse, routeContracts, setResponseChecks, type RouteContract } from '../../src/http/contract.js';
import { healthRoutes } from '../../src/http/health.js';
import { errorHandler } from '../../src/http/middleware/errors.js';
import { loadKeyMaterial } from '../../src/oidc/keys.js';
import { verificationRoutes } from '../../src/verification/cases/routes.js';
import { sessionRoutes } from '../../src/verification/sessions/routes.js';
import { webhookRoutes } from '../../src/webhooks/routes.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';

const item = z.strictObject({ id: z.string(), n: z.number().int() });

/** A small API on the real error middleware: one route per behaviour under test. */
function exampleRouter(checkResponses?: boolean): Router {
  const router = new Router({ prefix: '/things' });
  const api = contracts(router, { auth: 'none', ...(checkResponses === undefined ? {} : { checkResponses }) });
  const errors = { 400: errorResponse, 404: errorResponse };
  api.route(
    {
      method: 'post',
      path: '/:id',
      summary: 'Echo what the contract parsed',
      params: z.object({ id: z.string().regex(/^t_\w+$/, 'invalid thing id') }),
      query: z.object({ n: z.coerce.number().int().min(1).default(1) }),
      headers: z.object({ 'Idempotency-Key': z.string().regex(/^[\x21-\x7e]+$/, 'printable ASCII').optional() }),
      body: z.strictObject({ note: z.string().max(5).optional() }),
      responses: { 200: z.strictObject({ id: z.string(), n: z.number(), key: z.string().nullable(), note: z.string().nullable() }), ...errors },
      use: [jsonBody()],
    },
    (ctx, { params, query, headers, body }) => {
      ctx.body = { id: params.id, n: query.n, key: headers['Idempotency-Key'] ?? null, note: body.note ?? null };
    },
  );
  // Answers whatever shape the query asks for, valid or not, synchronously (the status route's style).
  api.route(
    { method: 'get', path: '/item', summary: 'A body that may break its contract', query: z.object({ shape: z.enum(['good', 'bad', 'extra', 'teapot']) }), responses: { 200: item, ...errors } },
    (ctx, { query }) => {
      if (query.shape === 'teapot') ctx.status = 418;
      ctx.body = query.shape === 'good' ? { id: 'a', n: 1 } : query.shape === 'bad' ? { id: 'a', n: 'one' } : { id: 'a', n: 1, secret: 's3cret' };
    },
  );
  api.route({ method: 'delete', path: '/item', summary: 'No content', query: z.object({ body: z.enum(['yes', 'no']) }), responses: { 204: null } }, async (ctx, { query }) => {
    await Promise.resolve();
    ctx.status = 204;
    if (query.body === 'yes') ctx.body = { deleted: true };
  });
  return router;
}

async function serve(router: Router): Promise<{ url: string; close(): Promise<void> }> {
  const koa = new Koa();
  koa.use(errorHandler());
  koa.use(router.routes());
  const server = http.createServer(koa.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });

describe('request validation', () => {
  let api: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    api = await serve(exampleRouter());
  });
  afterAll(() => api?.close());
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('hands the handler typed, parsed input (coerced query, declared headers, an empty body as {})', async () => {
    expect(await json(await post('/things/t_1?n=3', { note: 'hi' }, { 'idempotency-key': 'k-1' }))).toEqual({
      status: 200,
      body: { id: 't_1', n: 3, key: 'k-1', note: 'hi' },
    });
    const empty = await fetch(`${api.url}/things/t_2`, { method: 'POST' });
    expect(await json(empty)).toEqual({ status: 200, body: { id: 't_2', n: 1, key: null, note: null } });
  });

  it('answers a bad path parameter, query, body or header with the error family 400, naming the field', async () => {
    const cases: [Promise<Response>, RegExp, string][] = [
      [post('/things/nope', {}), /^Invalid path: id: invalid thing id$/, 'id'],
      [post('/things/t_1?n=0', {}), /^Invalid query: n: /, 'n'],
      [post('/things/t_1', { note: 'far too long' }), /^Invalid body: note: /, 'note'],
      [post('/things/t_1', { extra: 1 }), /^Invalid body: .*extra/, ''],
      [post('/things/t_1', {}, { 'Idempotency-Key': 'has space' }), /^Invalid Idempotency-Key header: printable ASCII$/, ''],
    ];
    for (const [res, message, path] of cases) {
      const { status, body } = await json(await res);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'validation_failed', message: expect.stringMatching(message) });
      expect(errorResponse.safeParse(body).success).toBe(true);
      expect(body.details).toContainEqual(expect.objectContaining({ path }));
    }
  });
});

describe('response checks', () => {
  const stderr: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    stderr.length = 0;
  });
  const captureErrorLog = () =>
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });

  it('in test mode, a body that breaks its declared schema is a logged 500, not sent', async () => {
    const api = await serve(exampleRouter());
    try {
      expect(await json(await fetch(`${api.url}/things/item?shape=good`))).toEqual({ status: 200, body: { id: 'a', n: 1 } });
      captureErrorLog();
      for (const shape of ['bad', 'extra', 'teapot']) {
        const res = await json(await fetch(`${api.url}/things/item?shape=${shape}`));
        expect(res).toEqual({ status: 500, body: { error: 'internal_error', message: 'Internal server error.' } });
      }
      const noContent = await fetch(`${api.url}/things/item?body=yes`, { method: 'DELETE' });
      expect(noContent.status).toBe(500);
      expect((await fetch(`${api.url}/things/item?body=no`, { method: 'DELETE' })).status).toBe(204);
    } finally {
      await api.close();
    }
    const logged = stderr.join('');
    expect(logged).toContain('ResponseContractError: GET /things/item 200 response does not match its contract: n: ');
    expect(logged).toContain('Unrecognized key: \\"secret\\"');
    expect(logged).toContain('GET /things/item answered 418, which its contract does not declare');
    expect(logged).toContain('DELETE /things/item answered 204 with a body');
    // Paths and messages only: the offending value never reaches the log.
    expect(logged).not.toContain('s3cret');
  });

  it('in production mode, responses are not checked (the body goes out as the handler set it)', async () => {
    const api = await serve(exampleRouter(false));
    try {
      expect(await json(await fetch(`${api.url}/things/item?shape=bad`))).toEqual({ status: 200, body: { id: 'a', n: 'one' } });
      // Request validation stays on.
      expect((await fetch(`${api.url}/things/item?shape=nope`)).status).toBe(400);
    } finally {
      await api.close();
    }
  });

  it('follows the config: off by default in production, on elsewhere, RESPONSE_CHECKS overrides', async () => {
    const prod = { NODE_ENV: 'production', PUBLIC_URL: 'https://id.example', SECRET_KEY: 'x'.repeat(32) };
    expect(loadConfig(prod).checkResponses).toBe(false);
    expect(loadConfig({ ...prod, RESPONSE_CHECKS: 'true' }).checkResponses).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).checkResponses).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).checkResponses).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', RESPONSE_CHECKS: 'false' }).checkResponses).toBe(false);

    // Routers built after setResponseChecks(false) (what buildApp does with a production config) skip the check.
    setResponseChecks(false);
    const api = await serve(exampleRouter());
    try {
      expect((await fetch(`${api.url}/things/item?shape=bad`)).status).toBe(200);
    } finally {
      setResponseChecks(true);
      await api.close();
    }
  });
});

describe('registry', () => {
  let deps: TestDeps;
  let services: Services;
  beforeAll(async () => {
    deps = await createTestDeps();
    services = compose(deps, await loadKeyMaterial(deps.config));
  });
  afterAll(async () => {
    await services?.close();
    await deps?.cleanup();
  });

  const key = (c: { method: string; path: string }) => `${c.method.toUpperCase()} ${c.path}`;

  it('lists every tenant API route, each with a summary, its request schemas and a schema per status', () => {
    const routers = [assuranceRoutes(services.assurance, services.requireApiKey), webhookRoutes(services.webhooks, services.requireApiKey), verificationRoutes(services.cases, services.requireApiKey), sessionRoutes(services.sessions, services.requireApiKey)];
    const all: RouteContract[] = routers.flatMap((r) => [...routeContracts(r)]);
    expect(all.map(key).sort()).toEqual(
      [
        'GET /api/v1/kyc/:person_id/status',
        'POST /api/v1/webhooks/endpoints',
        'GET /api/v1/webhooks/endpoints',
        'GET /api/v1/webhooks/endpoints/:id',
        'PATCH /api/v1/webhooks/endpoints/:id',
        'DELETE /api/v1/webhooks/endpoints/:id',
        'POST /api/v1/webhooks/endpoints/:id/rotate-secret',
        'POST /api/v1/webhooks/endpoints/:id/test',
        'GET /api/v1/webhooks/endpoints/:id/deliveries',
        'POST /api/v1/webhooks/events/:event_id/redeliver',
        'POST /api/v1/verification/cases',
        'GET /api/v1/verification/cases',
        'GET /api/v1/verification/cases/:id',
        'POST /api/v1/verification/cases/:id/upload',
        'GET /api/v1/verification/cases/:id/liveness/challenge',
        'POST /api/v1/verification/cases/:id/decide',
        'POST /api/v1/verification/cases/:id/review',
        'POST /api/v1/verification/sessions',
        'GET /api/v1/verification/sessions',
        'GET /api/v1/verification/sessions/:id',
        'POST /api/v1/verification/sessions/:id/cancel',
      ].sort(),
    );

    // Nothing is routed around the contracts: every method route the routers hold has one.
    for (const router of routers) {
      const routed = router.stack.filter((l) => l.methods.length).flatMap((l) => l.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${l.path}`));
      expect(routed.sort()).toEqual(routeContracts(router).map(key).sort());
    }

    const scopeOf = (path: string) =>
      path.startsWith('/api/v1/kyc/') ? 'status:read' : path.startsWith('/api/v1/webhooks/') ? 'webhooks:manage' : path.startsWith('/api/v1/verification/sessions') ? 'sessions:write' : 'cases:write';
    for (const c of all) {
      expect(c.auth).toBe('api_key');
      // Every tenant route names the scope a key needs, and documents the 403 a key without it gets.
      expect(c.scope).toBe(scopeOf(c.path));
      expect(c.responses[403]).toBe(errorResponse);
      expect(c.summary.length).toBeGreaterThan(10);
      const statuses = Object.keys(c.responses).map(Number);
      // The tenant review route stays declared only to refuse (403 review_forbidden): no success response.
      const refusesOnly = key(c) === 'POST /api/v1/verification/cases/:id/review';
      expect(statuses.some((s) => s >= 200 && s < 300)).toBe(!refusesOnly);
      for (const s of statuses.filter((s) => s >= 400)) expect(c.responses[s]).toBe(errorResponse);
      for (const s of [401, 429]) expect(c.responses[s]).toBe(errorResponse);
      // Path parameters are declared exactly.
      const names = [...c.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      const declared = c.params instanceof z.ZodObject ? Object.keys(c.params.shape) : [];
      expect(declared.sort()).toEqual(names.sort());
    }
    // The other JSON routes declare theirs too.
    expect(routeContracts(healthRoutes({ db: deps.db.knex, redis: deps.redis })).map((c) => `${key(c)} ${c.auth}`)).toEqual(['GET /health/live none', 'GET /health/ready none']);
    expect(all.find((c) => key(c) === 'POST /api/v1/verification/cases')?.headers?.shape).toHaveProperty('Idempotency-Key');
    expect(all.find((c) => key(c) === 'POST /api/v1/verification/cases/:id/upload')?.bodyType).toBe('multipart');
  });

  it('holds plain zod schemas a generator can walk into JSON Schema (named ones become $defs)', () => {
    // A schema with a meta id comes out as a $ref to its $defs entry, the future OpenAPI component.
    const walk = (schema: z.ZodType, io: 'input' | 'output') => {
      const js = z.toJSONSchema(schema, { io, unrepresentable: 'throw' }) as { $ref?: string; $defs?: Record<string, object> };
      return js.$ref ? js.$defs![js.$ref.replace('#/$defs/', '')]! : js;
    };
    const all = [assuranceRoutes(services.assurance, services.requireApiKey), webhookRoutes(services.webhooks, services.requireApiKey), verificationRoutes(services.cases, services.requireApiKey)].flatMap((r) => [...routeContracts(r)]);
    for (const c of all) {
      for (const schema of [c.params, c.query, c.headers, c.body]) {
        if (schema) expect(walk(schema, 'input')).toHaveProperty('type', 'object');
      }
      for (const schema of Object.values(c.responses)) {
        if (schema) expect(walk(schema, 'output')).toHaveProperty('type', 'object');
      }
    }
    const status = all.find((c) => c.path === '/api/v1/kyc/:person_id/status')!;
    expect(z.toJSONSchema(errorResponse)).toMatchObject({ $ref: '#/$defs/Error' });
    expect(walk(status.responses[200]!, 'output')).toMatchObject({
      type: 'object',
      required: ['person_id', 'kyc_status', 'kyc_tier', 'aml_clear', 'verified_at', 'expires_at', 'verification_method', 'human_verified', 'screened_at', 'livemode'],
      properties: { kyc_status: { enum: ['verified', 'pending', 'rejected', 'unverified', 'expired'] }, human_verified: { type: 'boolean' } },
    });
  });
});
