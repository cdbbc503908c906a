// The OpenAPI document: generated from the route contracts the running server mounts, valid JSON Schema 2020-12
// throughout, and in step with what the API answers.
import { jsonSchemaValidator } from '../support/ajv.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tenantApi } from '../../src/app.js';
import { routeContracts } from '../../src/http/contract.js';
import { ERROR_CODES } from '../../src/http/error-codes.js';
import { startTestServer, type TestServer } from '../support/server.js';


interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; required: boolean; schema: object }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string; 'x-error-codes'?: string[]; content?: Record<string, { schema: object; example?: unknown; examples?: Record<string, { value: unknown }> }> }>;
}
interface Document {
  openapi: string;
  info: { version: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object>; securitySchemes: Record<string, object> };
}

describe('GET /api/v1/openapi.json', () => {
  let server: TestServer;
  let doc: Document;

  beforeAll(async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as Document;
  });
  afterAll(() => server?.close());

  const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));

  it('describes every tenant API route with its parameters, body, statuses and bearer-key security', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers[0]!.url).toBe(server.deps.config.publicUrl);
    const keys = operations().map((o) => o.key);
    for (const k of [
      'GET /api/v1/kyc/{person_id}/status',
      'POST /api/v1/verification/cases',
      'POST /api/v1/verification/cases/{id}/upload',
      'POST /api/v1/verification/sessions',
      'GET /api/v1/webhooks/endpoints/{id}/deliveries',
      'GET /api/v1/openapi.json',
    ])
      expect(keys).toContain(k);
    // No Koa syntax leaks into the document.
    expect(keys.join(' ')).not.toMatch(/:\w/);
    const ids = operations().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);

    const status = doc.paths['/api/v1/kyc/{person_id}/status']!.get!;
    // The route's API-key scope is its security requirement; a key without it gets the 403.
    expect(status.security).toEqual([{ apiKey: ['status:read'] }]);
    expect(status.parameters).toEqual([expect.objectContaining({ name: 'person_id', in: 'path', required: true })]);
    expect(Object.keys(status.responses).sort()).toEqual(['200', '400', '401', '403', '404', '429', '500', '503']);
    expect(status.responses['401']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(doc.paths['/api/v1/openapi.json']!.get!.security).toEqual([]);

    const create = doc.paths['/api/v1/verification/cases']!.post!;
    expect(create.security).toEqual([{ apiKey: ['cases:write'] }]);
    expect(create.parameters?.map((p) => `${p.in} ${p.name}`)).toContain('header Idempotency-Key');
    expect(Object.keys(create.requestBody!.content)).toEqual(['application/json']);
    expect(Object.keys(doc.paths['/api/v1/verification/cases/{id}/upload']!.post!.requestBody!.content)).toEqual(['multipart/form-data']);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('gives every tenant API operation a description naming its scope, error codes per error status, and examples', () => {
    const tenantOps = operations().filter((o) => o.op.security.length);
    expect(tenantOps.length).toBeGreaterThanOrEqual(21);
    for (const { key, op } of tenantOps) {
      const scope = Object.values(op.security[0]!)[0]![0]!;
      expect(op.description, key).toContain(`\`${scope}\` scope`);
      // More than the scope sentence: what the route does.
      expect(op.description!.split('\n\n').length, key).toBeGreaterThan(1);
      for (const [status, r] of Object.entries(op.responses)) {
        const media = r.content?.['application/json'];
        if (Number(status) >= 400) {
          const codes = r['x-error-codes']!;
          expect(codes?.length, `${key} ${status} lists its error codes`).toBeGreaterThan(0);
          for (const code of codes) {
            expect(ERROR_CODES, `${key} ${status}`).toHaveProperty(code);
            expect(r.description).toContain(`\`${code}\``);
            expect(media!.examples![code]!.value).toEqual({ error: code, message: ERROR_CODES[code as keyof typeof ERROR_CODES] });
          }
        } else if (media) {
          expect(media.example, `${key} ${status} has an example`).toBeDefined();
        }
      }
      if (op.requestBody) expect(Object.values(op.requestBody.content)[0], `${key} request example`).toHaveProperty('example');
    }
    const decide = doc.paths['/api/v1/verification/cases/{id}/decide']!.post!;
    expect(decide.responses['409']!['x-error-codes']).toEqual(expect.arrayContaining(['case_closed', 'not_uploaded', 'screening_required']));
    expect(decide.responses['403']!['x-error-codes']).toEqual(['insufficient_scope']);
    expect(decide.responses['401']!['x-error-codes']).toEqual(['unauthorized']);
  });

  it('has examples that the routes\' own schemas accept, as zod and as the published JSON Schema', () => {
    const ajv = jsonSchemaValidator();
    ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
    const contracts = tenantApi(server.services).flatMap((r) => routeContracts(r));
    let checked = 0;
    for (const c of contracts) {
      const name = `${c.method.toUpperCase()} ${c.path}`;
      // Every route with a body or a success body shows it (a 204 or the always-refused review have none).
      const shown = Boolean(c.body) || Object.entries(c.responses).some(([status, schema]) => Number(status) < 300 && schema);
      expect(c.examples !== undefined, `${name} has examples`).toBe(shown);
      if (!c.examples) continue;
      const op = doc.paths[c.path.replace(/:(\w+)/g, '{$1}')]![c.method]!;
      const { request, responses } = c.examples;
      if (c.body) {
        expect(request, `${name} request example`).toBeDefined();
        // A multipart example names its files; they are checked as the files the route reads.
        const files = c.bodyType === 'multipart' ? fileFields(c.body) : new Set<string>();
        const value = Object.fromEntries(Object.entries(request as Record<string, unknown>).map(([k, v]) => [k, files.has(k) ? new File(['x'], String(v)) : v]));
        const parsed = c.body.safeParse(value);
        expect(parsed.success, `${name} request example: ${parsed.error?.message}`).toBe(true);
        if (c.bodyType === 'json') {
          const validate = ajv.getSchema(`doc${(op.requestBody!.content['application/json']!.schema as { $ref: string }).$ref}`)!;
          expect(validate(request), `${name} request example against the document: ${ajv.errorsText(validate.errors)}`).toBe(true);
        }
        checked++;
      }
      for (const [status, example] of Object.entries(responses)) {
        const schema = c.responses[Number(status)];
        expect(schema, `${name} declares ${status}`).toBeTruthy();
        const parsed = schema!.safeParse(example);
        expect(parsed.success, `${name} ${status} example: ${parsed.error?.message}`).toBe(true);
        const ref = (op.responses[status]!.content!['application/json']!.schema as { $ref: string }).$ref;
        const validate = ajv.getSchema(`doc${ref}`)!;
        expect(validate(example), `${name} ${status} example against the document: ${ajv.errorsText(validate.errors)}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
    // The check can fail: a wrong example is refused.
    const status = contracts.find((c) => c.path.endsWith('/status'))!;
    expect(status.responses[200]!.safeParse({ ...(status.examples!.responses[200] as object), kyc_tier: 't9' }).success).toBe(false);
  });

  it('has every $ref resolving to a component, and every component compiling as JSON Schema 2020-12', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\/[\w-]+$/);
      expect(doc.components.schemas).toHaveProperty(ref.split('/').pop()!);
    }
    const ajv = jsonSchemaValidator();
    ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
    for (const name of Object.keys(doc.components.schemas)) expect(() => ajv.getSchema(`doc#/components/schemas/${name}`)).not.toThrow();
  });

  it('matches what the API answers: a status lookup and an error validate against their documented schemas', async () => {
    const tenant = await server.tenant();
    const { api_key } = await server.apiKey(tenant);
    const person = await server.person();
    const ajv = jsonSchemaValidator();
    ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
    const schemaOf = (path: string, status: number) => {
      const ref = (doc.paths[path]!.get!.responses[String(status)]!.content!['application/json']!.schema as { $ref: string }).$ref;
      return ajv.getSchema(`doc${ref}`)!;
    };
    const auth = { authorization: `Bearer ${api_key}` };
    const unknown = await fetch(`${server.url}/api/v1/kyc/${person.id}/status`, { headers: auth });
    // A person who never signed in to this tenant is unknown to it.
    expect(unknown.status).toBe(404);
    const validateError = schemaOf('/api/v1/kyc/{person_id}/status', 404);
    expect(validateError(await unknown.json())).toBe(true);
    const noKey = await fetch(`${server.url}/api/v1/kyc/${person.id}/status`);
    expect(noKey.status).toBe(401);
    expect(schemaOf('/api/v1/kyc/{person_id}/status', 401)(await noKey.json())).toBe(true);
    // A body that breaks the documented shape is refused by the same schema.
    expect(validateError({ message: 'no code' })).toBe(false);
  });
});

/** The fields of a multipart body schema that are files (z.file(), or arrays of them). */
function fileFields(schema: z.ZodType): Set<string> {
  const shape = (schema as z.ZodObject).shape as Record<string, z.ZodType>;
  const isFile = (t: z.ZodType): boolean => {
    const inner = t instanceof z.ZodOptional ? (t.unwrap() as z.ZodType) : t;
    return inner instanceof z.ZodFile || (inner instanceof z.ZodArray && isFile(inner.element as z.ZodType));
  };
  return new Set(Object.entries(shape).filter(([, t]) => isFile(t)).map(([k]) => k));
}
