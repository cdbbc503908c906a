// Route contracts: each API route declares its request schemas (params, query, headers, body) and one response
// schema per status, next to the route. Requests are parsed into typed input (a failure is the error family's
// 400); outside production the response is checked against its declared schema (a mismatch is a 500, so tests
// catch it). Each router keeps its contracts in a registry: the source of the OpenAPI document.
import type Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { ErrorCode } from './error-codes.js';
import { InsufficientScopeError } from './errors.js';
import type { ApiScope } from './scopes.js';
import { parse } from './validate.js';

/** The error family's one JSON shape ({error, message, details?}, see middleware/errors.ts), declared once. */
export const errorResponse = z
  .object({
    error: z.string().describe('Stable machine-readable code, e.g. validation_failed, not_found.'),
    message: z.string().describe('A sentence for the developer reading the response.'),
    details: z.array(z.unknown()).optional().describe('Per-field problems for validation errors.'),
  })
  .meta({ id: 'Error' });

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Status → body schema. `null` declares a response without a body (204). Error statuses map to
 * `errorResponse`; they are thrown as ApiErrors and shaped by the error middleware, so only the success
 * responses a handler writes itself are checked.
 */
export type Responses = Readonly<Record<number, z.ZodType | null>>;

/** Status → the `error` codes a response of that status can carry; each such status answers `errorResponse`. */
export type Errors = Readonly<Partial<Record<number, readonly ErrorCode[]>>>;

/** What the documentation shows: a request body and a body per success status (test/http/openapi.test.ts checks them). */
export interface Examples {
  request?: unknown;
  responses: Readonly<Record<number, unknown>>;
}

type HeaderSchema = z.ZodObject<Record<string, z.ZodType<string | undefined, string | undefined>>>;

export interface RouteSpec<P = undefined, Q = undefined, H = undefined, B = undefined> {
  method: Method;
  /** Relative to the router's prefix, in @koa/router syntax (`/:id`). */
  path: string;
  summary: string;
  description?: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** Keys are header names as documented (`Idempotency-Key`); matched case-insensitively. */
  headers?: HeaderSchema & z.ZodType<H>;
  body?: z.ZodType<B>;
  /**
   * How the body arrives. 'json' (default) is validated here from the parsed body. 'multipart' is streamed by
   * the route itself, which applies `body` to the text fields; the schema is declared here for the document.
   */
  bodyType?: 'json' | 'multipart';
  responses: Responses;
  /** The error statuses the handler (or its services) can answer and their codes; the implied ones are added. */
  errors?: Errors;
  examples?: Examples;
  /** The API-key scope the route needs; required on api_key routers (checked after `use`, before the handler). */
  scope?: ApiScope;
  /** Route middleware run before validation (body parsers, guards). Not part of the contract. */
  use?: Koa.Middleware[];
}

export interface Input<P, Q, H, B> {
  params: P;
  query: Q;
  headers: H;
  body: B;
}

/** What the registry holds for each route: everything a generator needs, nothing Koa-specific. */
export interface RouteContract {
  method: Method;
  /** Full path including the router prefix, in @koa/router syntax. */
  path: string;
  summary: string;
  description?: string;
  auth: Auth;
  /** For api_key routes: the scope a key needs (a key without it gets 403 insufficient_scope). */
  scope?: ApiScope;
  params?: z.ZodType;
  query?: z.ZodType;
  headers?: HeaderSchema;
  body?: z.ZodType;
  bodyType: 'json' | 'multipart';
  /** Success bodies as declared, and `errorResponse` at every status of `errors`. */
  responses: Responses;
  /** Declared and implied error codes per status. */
  errors: Errors;
  examples?: Examples;
}

/** How callers authenticate: a tenant API key (Bearer kp_…), an OAuth access token, or nothing. */
export type Auth = 'api_key' | 'access_token' | 'none';

/** What the API-key guard leaves in Koa state for the scope check: the key's scopes (from its cached state). */
export interface ScopedState {
  scopes?: readonly ApiScope[];
  /** The key's mode (test keys: false), written into every success body (withLivemode). */
  livemode?: boolean;
}

/** Every API-key success object says which mode answered it (issue 14 §6; Stripe's `livemode`). */
export const livemodeField = z.boolean().describe('false when a test key (kp_test_…) made the request: test-mode data, never live assurance.');

/** The declared success object schemas of an API-key route, with `livemode` (unless they already declare it). */
function withLivemode(responses: Responses): Responses {
  const out: Record<number, z.ZodType | null> = {};
  for (const [status, schema] of Object.entries(responses)) {
    const object = Number(status) < 300 && schema instanceof z.ZodObject && !('livemode' in schema.shape) ? schema : undefined;
    out[Number(status)] = object ? object.extend({ livemode: livemodeField }) : schema;
  }
  return out;
}

/**
 * Writes the key's mode into the success body the handler left: the object itself and the objects of a list's
 * `data` (each is an object of that mode); a body serialized ahead (sendJson) gets it spliced in as text.
 */
function stampLivemode(ctx: Koa.ParameterizedContext<ScopedState>): void {
  const mode = ctx.state.livemode ?? true;
  const body: unknown = ctx.body;
  if (ctx.status >= 300 || body == null) return;
  if (typeof body === 'string') {
    // A body serialized with its mode already (the status API's memoized bodies) is left as it is.
    if (!body.startsWith('{"livemode":') && body.startsWith('{') && ctx.response.is('json')) ctx.body = `{"livemode":${mode}${body === '{}' ? '' : ','}${body.slice(1)}`;
    return;
  }
  // Plain JSON objects only: not arrays, buffers or streams.
  if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body) || typeof (body as { pipe?: unknown }).pipe === 'function') return;
  // Copies, never writes into the handler's objects (they may be shared or frozen).
  const obj = body as Record<string, unknown>;
  const data = Array.isArray(obj.data)
    ? (obj.data as unknown[]).map((item) => (item && typeof item === 'object' && !Array.isArray(item) ? { ...item, livemode: mode } : item))
    : obj.data;
  ctx.body = { ...obj, ...(data === undefined ? {} : { data }), livemode: mode };
}

/** Refuses a key without `scope`: an array lookup over at most four entries, no await, no extra middleware layer. */
function checkScope(state: ScopedState, scope: ApiScope): void {
  const granted = state.scopes ?? [];
  if (!granted.includes(scope)) throw new InsufficientScopeError(scope, granted);
}

/** `S` is the Koa state the router's guards set (e.g. the tenant of an API key). */
export type Handler<P, Q, H, B, S = Koa.DefaultState> = (ctx: Koa.ParameterizedContext<S>, input: Input<P, Q, H, B>) => unknown;

export interface ContractRouter<S = Koa.DefaultState> {
  route<P = undefined, Q = undefined, H = undefined, B = undefined>(spec: RouteSpec<P, Q, H, B>, handler: Handler<P, Q, H, B, S>): void;
}

// Off in production unless configured (see setResponseChecks); read when a router is built, never per request.
let checksByDefault = process.env.NODE_ENV !== 'production';

/** Sets whether routers built from now on check their responses (config RESPONSE_CHECKS; default: not in production). */
export function setResponseChecks(on: boolean): void {
  checksByDefault = on;
}

const registry = new WeakMap<Router, RouteContract[]>();

/** The contracts declared on a router, in registration order. */
export function routeContracts(router: Router): readonly RouteContract[] {
  return registry.get(router) ?? [];
}

/** Declares routes on `router` through contracts. Everything is prepared here, once per route. */
export function contracts<S = Koa.DefaultState>(router: Router, opts: { auth: Auth; checkResponses?: boolean }): ContractRouter<S> {
  const list = registry.get(router) ?? [];
  registry.set(router, list);
  const prefix = (router.opts as { prefix?: string }).prefix ?? '';
  const check = opts.checkResponses ?? checksByDefault;
  return {
    route(spec, handler) {
      if (opts.auth === 'api_key' && !spec.scope) throw new Error(`${spec.method.toUpperCase()} ${prefix}${spec.path}: an API-key route must declare its scope`);
      const implied = withImplied(spec, opts.auth);
      const contract: RouteContract = {
        method: spec.method,
        // As the router joins them: a prefix's '/' route is the prefix itself.
        path: prefix && spec.path === '/' ? prefix : prefix + spec.path,
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        auth: opts.auth,
        ...(spec.scope ? { scope: spec.scope } : {}),
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.headers ? { headers: spec.headers } : {}),
        ...(spec.body ? { body: spec.body } : {}),
        bodyType: spec.bodyType ?? 'json',
        responses: opts.auth === 'api_key' ? withLivemode(implied.responses) : implied.responses,
        errors: implied.errors,
        ...(spec.examples ? { examples: spec.examples } : {}),
      };
      list.push(contract);
      const read = reader(spec);
      // The scope is checked in the endpoint itself, after the route's own middleware (which may hold the API-key
      // guard, as the status route does) and before the input is validated; a multipart body is not read yet.
      const { scope } = spec;
      const plain: Koa.Middleware = scope
        ? (ctx) => {
            checkScope(ctx.state, scope);
            return handler(ctx, read(ctx)) as Promise<unknown>;
          }
        : (ctx) => handler(ctx, read(ctx)) as Promise<unknown>;
      // API-key routes: the body says its mode. Synchronous handlers stay synchronous (the status hot path).
      const run: Koa.Middleware =
        opts.auth === 'api_key'
          ? (ctx, next) => {
              const out = plain(ctx, next) as unknown;
              if (out instanceof Promise) return out.then(() => stampLivemode(ctx));
              stampLivemode(ctx);
              return out as Promise<void>;
            }
          : plain;
      const endpoint = check ? checked(run, contract) : run;
      router[spec.method](spec.path, ...(spec.use ?? []), endpoint);
    },
  };
}

/**
 * The errors any such route can answer without its handler saying so, added to what it declares: invalid input
 * (the contract's own 400), a JSON body too large, malformed or of the wrong media type (the body parsers), an
 * API-key route's key, rate limit, database and scope checks, and a server bug (500, without internals).
 */
function withImplied(spec: RouteSpec<unknown, unknown, unknown, unknown>, auth: Auth): { responses: Responses; errors: Errors } {
  const implied: Record<number, ErrorCode[]> = { 500: ['internal_error'] };
  const add = (status: number, ...codes: ErrorCode[]) => (implied[status] = [...new Set([...(implied[status] ?? []), ...codes])]);
  if (spec.params || spec.query || spec.headers || spec.body) add(400, 'validation_failed');
  if (spec.body && (spec.bodyType ?? 'json') === 'json') {
    add(400, 'invalid_json', 'json_too_deep', 'bad_request');
    add(413, 'payload_too_large');
    add(415, 'unsupported_media_type');
  }
  if (auth === 'api_key') {
    add(401, 'unauthorized');
    add(429, 'rate_limited');
    add(503, 'service_unavailable');
  }
  if (spec.scope) add(403, 'insufficient_scope');
  for (const [status, codes] of Object.entries(spec.errors ?? {})) add(Number(status), ...(codes ?? []));
  const errorStatuses = Object.fromEntries(Object.keys(implied).map((status) => [status, errorResponse]));
  return { responses: { ...errorStatuses, ...spec.responses }, errors: implied };
}

function reader<P, Q, H, B>(spec: RouteSpec<P, Q, H, B>): (ctx: Koa.ParameterizedContext) => Input<P, Q, H, B> {
  const { params, query, headers } = spec;
  const body = spec.bodyType === 'multipart' ? undefined : spec.body;
  const readHeaders = headers ? headerReader(headers) : undefined;
  // One object of one shape per request; parts a route does not declare stay undefined. Parts are checked in
  // this order, so with several wrong the first one named is the path, then query, body, headers.
  return (ctx) => ({
    params: (params ? parse(params, ctx.params, 'path') : undefined) as P,
    query: (query ? parse(query, ctx.query, 'query') : undefined) as Q,
    // Body parsers leave no body for an empty request: that reads as {} so an all-optional body accepts it.
    body: (body ? parse(body, (ctx.request as { body?: unknown }).body ?? {}, 'body') : undefined) as B,
    headers: (readHeaders ? readHeaders(ctx) : undefined) as H,
  });
}

/** Declared headers only, each checked on its own so the error names the header (`Invalid Idempotency-Key header: …`). */
function headerReader(schema: HeaderSchema): (ctx: Koa.ParameterizedContext) => unknown {
  const fields = Object.entries(schema.shape);
  return (ctx) => {
    const out: Record<string, unknown> = {};
    for (const [name, field] of fields) {
      const raw = ctx.get(name);
      const value = parse(field, raw === '' ? undefined : raw, `${name} header`);
      if (value !== undefined) out[name] = value;
    }
    return out;
  };
}

/**
 * Answers a body serialized by the caller (e.g. once per cached value instead of once per request), with the
 * headers Koa gives an object body.
 */
export function sendJson<S>(ctx: Koa.ParameterizedContext<S>, json: string): void {
  ctx.set('Content-Type', 'application/json; charset=utf-8');
  ctx.body = json;
}

/** Development and test: the handler's response must match the schema declared for its status. */
function checked(run: Koa.Middleware, contract: RouteContract): Koa.Middleware {
  const name = `${contract.method.toUpperCase()} ${contract.path}`;
  return async (ctx, next) => {
    await run(ctx, next);
    const schema = contract.responses[ctx.status];
    if (schema === undefined) throw new ResponseContractError(`${name} answered ${ctx.status}, which its contract does not declare`);
    if (schema === null) {
      if (ctx.body != null) throw new ResponseContractError(`${name} answered ${ctx.status} with a body; its contract declares none`);
      return;
    }
    // A body sent already serialized (sendJson) is checked as what the client parses.
    const body: unknown = typeof ctx.body === 'string' && ctx.response.is('json') ? JSON.parse(ctx.body) : ctx.body;
    const result = schema.safeParse(body);
    if (!result.success) {
      // Paths and messages only: the body itself may hold personal data or secrets.
      const issues = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      throw new ResponseContractError(`${name} ${ctx.status} response does not match its contract: ${issues}`);
    }
  };
}

/** A server bug, not a client error: the error middleware logs it and answers 500. */
export class ResponseContractError extends Error {
  override name = 'ResponseContractError';
}
