// GET /api/v1/postman-collection: a Postman Collection v2.1 generated from the OpenAPI document, valid against
// Postman's own v2.1.0 schema (test/fixtures/postman), with the base URL and API key pre-wired as variables.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draft07Validator } from '../support/ajv.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SCHEMA = path.resolve(import.meta.dirname, '..', 'fixtures', 'postman', 'collection-v2.1.0.json');

interface Request {
  method: string;
  header: { key: string; value: string; disabled?: boolean }[];
  url: { raw: string; host: string[]; path: string[]; query?: { key: string }[]; variable?: { key: string }[] };
  body?: { mode: string; raw?: string; formdata?: { key: string; type: string }[] };
  auth?: { type: string };
  description?: string;
}
interface Item {
  name: string;
  request: Request;
  response: { code: number; body: string }[];
}
interface Collection {
  info: { name: string; schema: string };
  auth: { type: string; bearer: { key: string; value: string }[] };
  variable: { key: string; value: string }[];
  item: { name: string; item: Item[] }[];
}

describe('GET /api/v1/postman-collection', () => {
  let server: TestServer;
  let collection: Collection;
  let doc: { paths: Record<string, Record<string, unknown>> };

  beforeAll(async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/api/v1/postman-collection`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    collection = (await res.json()) as Collection;
    doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as typeof doc;
  });
  afterAll(() => server?.close());

  const requests = () => collection.item.flatMap((folder) => folder.item.map((i) => ({ folder: folder.name, ...i })));
  const find = (method: string, raw: string) => requests().find((r) => r.request.method === method && r.request.url.raw.split('?')[0] === raw)!;

  it("validates against Postman's Collection Format v2.1.0 schema", () => {
    const validate = draft07Validator({ allErrors: true }).compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as object);
    const ok = validate(collection);
    expect(validate.errors ?? [], 'schema errors').toEqual([]);
    expect(ok).toBe(true);
    expect(collection.info.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
    // The schema can fail: a request without its `request` is refused.
    expect(validate({ ...collection, item: [{ name: 'broken' }] })).toBe(false);
  });

  it('has baseUrl (this server) and apiKey as variables and bearer auth reading {{apiKey}}', () => {
    expect(collection.variable).toEqual([expect.objectContaining({ key: 'baseUrl', value: server.deps.config.publicUrl }), expect.objectContaining({ key: 'apiKey', value: '' })]);
    expect(collection.auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{apiKey}}', type: 'string' }] });
  });

  it('has one request per documented operation, in a folder per tag, with path variables, query, headers and example bodies', () => {
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(requests().map((r) => `${r.request.method} /${r.request.url.path.map((s) => s.replace(/^:(\w+)$/, '{$1}')).join('/')}`).sort()).toEqual(operations.sort());
    expect(collection.item.map((f) => f.name).sort()).toEqual(['kyc', 'reference', 'verification', 'webhooks']);

    const status = find('GET', '{{baseUrl}}/api/v1/kyc/:person_id/status');
    expect(status.folder).toBe('kyc');
    expect(status.request.url.host).toEqual(['{{baseUrl}}']);
    expect(status.request.url.variable).toEqual([expect.objectContaining({ key: 'person_id' })]);
    expect(status.request.auth).toBeUndefined(); // the collection's bearer auth
    expect(status.request.description).toContain('`status:read` scope');
    expect(JSON.parse(status.response[0]!.body)).toMatchObject({ kyc_status: 'verified' });

    const create = find('POST', '{{baseUrl}}/api/v1/verification/cases');
    expect(create.request.header).toEqual(expect.arrayContaining([{ key: 'Content-Type', value: 'application/json' }, expect.objectContaining({ key: 'Idempotency-Key', disabled: true })]));
    expect(create.request.body!.mode).toBe('raw');
    expect(JSON.parse(create.request.body!.raw!)).toEqual({ person_id: expect.any(String), level: 't2' });

    const upload = find('POST', '{{baseUrl}}/api/v1/verification/cases/:id/upload');
    expect(upload.request.body!.mode).toBe('formdata');
    expect(upload.request.body!.formdata).toEqual(expect.arrayContaining([{ key: 'document', type: 'file', src: null }, expect.objectContaining({ key: 'liveness_mode', type: 'text', value: 'passive' })]));

    const list = find('GET', '{{baseUrl}}/api/v1/verification/sessions');
    expect(list.request.url.query!.map((q) => q.key)).toEqual(expect.arrayContaining(['status', 'external_user_id', 'limit', 'cursor']));

    // The documents themselves are public: no key sent.
    expect(find('GET', '{{baseUrl}}/api/v1/openapi.json').request.auth).toEqual({ type: 'noauth' });
  });

  it('answers a request built from the collection: the status lookup with the key filled in', async () => {
    const tenant = await server.tenant();
    const { api_key } = await server.apiKey(tenant);
    const status = find('GET', '{{baseUrl}}/api/v1/kyc/:person_id/status');
    const url = status.request.url.raw.replace('{{baseUrl}}', collection.variable[0]!.value).replace(':person_id', 'unknown-person');
    const res = await fetch(url, { headers: { authorization: `Bearer ${api_key}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe('not_found');
  });
});
