// The OpenAPI 3.1 document of the tenant API, generated from the route contracts (contract.ts) and nothing else:
// the zod schemas that validate requests and check responses are the schemas the document shows, through zod's
// own JSON Schema output (draft 2020-12, which OpenAPI 3.1 uses as is). Built once per process and served as is.
import Router from '@koa/router';
import { z } from 'zod';
import { contracts, routeContracts, sendJson, type RouteContract } from './contract.js';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import type { OpenApiDocument } from './openapi-types.js';
import { POSTMAN_SCHEMA, postmanCollection } from './postman.js';
import { SCOPE_DESCRIPTIONS } from './scopes.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const POSTMAN_PATH = '/api/v1/postman-collection';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

interface DocumentInfo {
  publicUrl: string;
  version: string;
}

const COMPONENTS = '#/components/schemas/';
const SHARED = `${COMPONENTS}__shared#/$defs/`;

/**
 * Request bodies (input) and response bodies (output) as named components. zod converts a registry in one pass;
 * schemas named elsewhere with `.meta({ id })` land in its `__shared` defs and are hoisted beside the others. An
 * input schema whose id an output schema also uses, with another shape (defaults, transforms), gets `Input`.
 */
class Components {
  private readonly registries = { input: z.registry<{ id: string }>(), output: z.registry<{ id: string }>() };
  private readonly named = { input: new Map<z.ZodType, string>(), output: new Map<z.ZodType, string>() };

  /** A $ref to `schema` as seen from `io`, named `id` unless it already has a name. */
  ref(schema: z.ZodType, io: Io, id: string): JsonSchema {
    let name = this.named[io].get(schema) ?? (z.globalRegistry.get(schema)?.id);
    if (!name) name = id;
    if (!this.registries[io].has(schema)) this.registries[io].add(schema, { id: name });
    this.named[io].set(schema, name);
    return { $ref: `${COMPONENTS}${name}` };
  }

  /** All components, and the renames the input side needed (applied to the paths by the caller). */
  build(): { schemas: Record<string, JsonSchema>; renames: Map<string, string> } {
    const convert = (io: Io): Record<string, JsonSchema> => {
      const { schemas } = z.toJSONSchema(this.registries[io], { io, target: 'draft-2020-12', unrepresentable: 'any', uri: (id) => `${COMPONENTS}${id}` });
      const all: Record<string, JsonSchema> = {};
      for (const [id, schema] of Object.entries(schemas as Record<string, JsonSchema>)) {
        if (id === '__shared') Object.assign(all, (schema.$defs ?? {}) as Record<string, JsonSchema>);
        else {
          const { $schema: _s, $id: _i, ...rest } = schema;
          all[id] = rest;
        }
      }
      return JSON.parse(JSON.stringify(all).replaceAll(SHARED, COMPONENTS)) as Record<string, JsonSchema>;
    };
    const output = convert('output');
    const input = convert('input');
    const renames = new Map<string, string>();
    for (const [id, schema] of Object.entries(input)) if (output[id] && JSON.stringify(output[id]) !== JSON.stringify(schema)) renames.set(id, `${id}Input`);
    const renamed = rename(input, renames);
    return { schemas: { ...output, ...Object.fromEntries(Object.entries(renamed).map(([id, v]) => [renames.get(id) ?? id, v])) }, renames };
  }
}

/** Rewrites $refs to renamed components. */
function rename<T>(value: T, renames: Map<string, string>): T {
  if (!renames.size) return value;
  let text = JSON.stringify(value);
  for (const [from, to] of renames) text = text.replaceAll(`"${COMPONENTS}${from}"`, `"${COMPONENTS}${to}"`);
  return JSON.parse(text) as T;
}

/** A small schema inline (parameters), with nothing extracted. */
function inline(schema: z.ZodType): JsonSchema {
  const { $schema: _s, ...out } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
  return out;
}

/** `/:person_id/status` → `/{person_id}/status`. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** A stable operationId from the method and path: `get /api/v1/kyc/:person_id/status` → `getKycPersonIdStatus`. */
function operationId(c: RouteContract): string {
  const words = c.path
    .replace(/^\/api\/v1\//, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return c.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** The first path segment (`kyc`, `verification`, `webhooks`); the two documents of the API are its `reference`. */
function tagOf(c: RouteContract): string {
  const first = c.path.replace(/^\/api\/v1\//, '').split('/')[0]!;
  return c.path === OPENAPI_PATH || c.path === POSTMAN_PATH ? 'reference' : first;
}

function parameters(c: RouteContract): JsonSchema[] {
  const out: JsonSchema[] = [];
  const add = (where: 'path' | 'query' | 'header', schema: z.ZodType | undefined) => {
    if (!schema) return;
    const object = inline(schema);
    const props = (object.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((object.required ?? []) as string[]);
    for (const [name, prop] of Object.entries(props)) {
      const { description, ...rest } = prop;
      out.push({ name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema: rest });
    }
  };
  add('path', c.params);
  add('query', c.query);
  add('header', c.headers);
  return out;
}

function requestBody(c: RouteContract, components: Components): JsonSchema | undefined {
  if (!c.body) return undefined;
  const type = c.bodyType === 'multipart' ? 'multipart/form-data' : 'application/json';
  const example = c.examples?.request;
  return { required: true, content: { [type]: { schema: components.ref(c.body, 'input', `${operationId(c)}Body`), ...(example !== undefined ? { example } : {}) } } };
}

const REASON: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
  400: 'The request is malformed or fails validation',
  401: 'Missing or unknown API key',
  403: 'The API key may not do this',
  404: 'Not found, or not this tenant’s',
  408: 'The request body arrived too slowly',
  409: 'Conflicts with the resource’s state',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Well-formed but unprocessable',
  429: 'Rate limited; retry after `Retry-After` seconds',
  500: 'A server error; the answer holds no internals, the log has the request id',
  503: 'Temporarily unavailable; retry after `Retry-After` seconds',
};

/** The reason, then one line per `error` code the status can carry. */
function describeStatus(status: number, codes: readonly ErrorCode[] | undefined): string {
  const reason = REASON[status] ?? `HTTP ${status}`;
  if (!codes?.length) return reason;
  return `${reason}. \`error\` is one of:\n\n${codes.map((code) => `- \`${code}\`: ${ERROR_CODES[code]}`).join('\n')}`;
}

/** One named example per error code, so a reader (and Postman) sees each body the status can carry. */
function errorExamples(codes: readonly ErrorCode[]): JsonSchema {
  return Object.fromEntries(codes.map((code) => [code, { summary: code, value: { error: code, message: ERROR_CODES[code] } }]));
}

function responses(c: RouteContract, components: Components): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, schema] of Object.entries(c.responses)) {
    const status = Number(key);
    const codes = c.errors[status];
    const description = describeStatus(status, codes);
    if (schema === null) {
      out[key] = { description };
      continue;
    }
    const example = c.examples?.responses[status];
    const media: JsonSchema = { schema: components.ref(schema, 'output', `${operationId(c)}${key}`) };
    if (codes?.length) media.examples = errorExamples(codes);
    else if (example !== undefined) media.example = example;
    // The codes as data too: the contract test (test/support/openapi-contract.ts) refuses any other.
    out[key] = { description, ...(codes?.length ? { 'x-error-codes': codes } : {}), content: { 'application/json': media } };
  }
  return out;
}

/** The contract's description, then the scope the key needs. */
function operationDescription(c: RouteContract): string | undefined {
  const scope = c.scope ? `Needs an API key with the \`${c.scope}\` scope (${SCOPE_DESCRIPTIONS[c.scope].replace(/\.$/, '').toLowerCase()}).` : undefined;
  return [c.description, scope].filter(Boolean).join('\n\n') || undefined;
}

function operation(c: RouteContract, components: Components): JsonSchema {
  const params = parameters(c);
  const body = requestBody(c, components);
  return {
    operationId: operationId(c),
    summary: c.summary,
    ...(operationDescription(c) ? { description: operationDescription(c) } : {}),
    tags: [tagOf(c)],
    // OpenAPI 3.1 lets a non-OAuth requirement list role names: the API-key scope the route needs.
    security: c.auth === 'api_key' ? [{ apiKey: c.scope ? [c.scope] : [] }] : [],
    ...(params.length ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: responses(c, components),
  };
}

/** The document for `routes`; pure, so a test can build it from the same routers the app mounts. */
export function openApiDocument(routes: readonly RouteContract[], info: DocumentInfo): JsonSchema {
  const components = new Components();
  const operations: Record<string, Record<string, JsonSchema>> = {};
  for (const c of routes) (operations[openApiPath(c.path)] ??= {})[c.method] = operation(c, components);
  const { schemas, renames } = components.build();
  const paths = rename(operations, renames);
  return {
    openapi: '3.1.0',
    info: {
      title: 'KYCPort tenant API',
      version: info.version,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description:
        'Read reusable KYC assurance, open verification sessions and cases, and manage webhook endpoints. Sign-in (OpenID Connect) is described by the discovery document, not here.',
    },
    externalDocs: { description: 'OpenID Connect discovery', url: `${info.publicUrl}/.well-known/openid-configuration` },
    servers: [{ url: info.publicUrl }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A tenant API key (`kp_…`), from `kycport apikey create`. Each operation lists the scope it needs (`status:read`, `cases:write`, `sessions:write`, `webhooks:manage`); a key without it gets 403 `insufficient_scope`.' } },
      schemas,
    },
    paths,
  };
}

/** The document and the collection, each built once when first asked for and served as is. */
export interface ApiDocuments {
  document(): JsonSchema;
  collection(): JsonSchema;
}

/**
 * GET /api/v1/openapi.json and GET /api/v1/postman-collection, built from the contracts of `routers` (and these two
 * routes). The documents are handed out too, for the reference page at /docs/api.
 */
export function openApiRoutes(routers: Router[], info: DocumentInfo): { router: Router; documents: ApiDocuments } {
  const router = new Router();
  const api = contracts(router, { auth: 'none' });
  let doc: { json: JsonSchema; text: string } | undefined;
  let collection: { json: JsonSchema; text: string } | undefined;
  const built = (json: JsonSchema) => ({ json, text: JSON.stringify(json) });
  const documents: ApiDocuments = {
    document: () => (doc ??= built(openApiDocument([...routers.flatMap((r) => routeContracts(r)), ...routeContracts(router)], info))).json,
    collection: () => (collection ??= built(postmanCollection(documents.document() as OpenApiDocument))).json,
  };
  api.route(
    {
      method: 'get',
      path: OPENAPI_PATH,
      summary: 'This document: the tenant API as OpenAPI 3.1',
      description: 'Generated from the route contracts the server runs; public. Rendered for people at `/docs/api`.',
      responses: { 200: z.looseObject({ openapi: z.literal('3.1.0') }) },
    },
    (ctx) => {
      documents.document();
      ctx.set('Cache-Control', 'public, max-age=300');
      sendJson(ctx, doc!.text);
    },
  );
  api.route(
    {
      method: 'get',
      path: POSTMAN_PATH,
      summary: 'The tenant API as a Postman collection (v2.1)',
      description: 'Generated from this document: a folder per tag, `{{baseUrl}}` set to this server, bearer auth reading `{{apiKey}}`. Import it in Postman or Insomnia; public.',
      responses: { 200: z.looseObject({ info: z.looseObject({ schema: z.literal(POSTMAN_SCHEMA) }), item: z.array(z.unknown()) }) },
    },
    (ctx) => {
      documents.collection();
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.set('Content-Disposition', 'inline; filename="kycport.postman_collection.json"');
      sendJson(ctx, collection!.text);
    },
  );
  return { router, documents };
}
