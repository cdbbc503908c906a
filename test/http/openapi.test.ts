// The OpenAPI document: generated from the route contracts the running server mounts, valid JSON Schema 2020-12
// throughout, and in step with what the API answers.
import { jsonSchemaValidator } from '../support/ajv.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

interface Operation {
  operationId: string;
  summary: string;
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; required: boolean; schema: object }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
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
