// Every error a client can provoke on the tenant API answers in the one JSON shape {error, message}, says what
// to fix, and is never cached: router answers (404, 405), body parser failures (malformed JSON, 413) and 415.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let auth: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  const { api_key } = await server.apiKey(await server.tenant());
  auth = { authorization: `Bearer ${api_key}` };
});
afterAll(() => server?.close());

async function call(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(server.url + path, { method, headers: { ...auth, ...init.headers }, body: init.body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as { error: string; message: string }) : undefined };
}

const expectShape = (r: Awaited<ReturnType<typeof call>>, status: number, error: string) => {
  expect(r.status, r.text).toBe(status);
  expect(r.json, r.text).toMatchObject({ error, message: expect.any(String) });
  expect(r.headers.get('cache-control')).toBe('no-store');
};

describe('the error shape everywhere on the tenant API', () => {
  it('answers a wrong method with 405 in the JSON shape, with an Allow header and a message naming the methods', async () => {
    const r = await call('DELETE', '/api/v1/kyc/per_x/status');
    expectShape(r, 405, 'method_not_allowed');
    expect(r.headers.get('allow')).toContain('GET');
    expect(r.json!.message).toMatch(/DELETE is not allowed on \/api\/v1\/kyc\/per_x\/status; use .*GET/);
    const put = await call('PUT', '/api/v1/webhooks/endpoints');
    expectShape(put, 405, 'method_not_allowed');
    expect(put.headers.get('allow')).toMatch(/GET.*POST|POST.*GET/);
  });

  it('says what is wrong with malformed JSON, with the parser position', async () => {
    const r = await call('POST', '/api/v1/webhooks/endpoints', { headers: { 'content-type': 'application/json' }, body: '{"url": "https://x.example", }' });
    expectShape(r, 400, 'invalid_json');
    expect(r.json!.message).toMatch(/^The body is not valid JSON: .*position \d+/);
    const scalar = await call('POST', '/api/v1/verification/cases', { headers: { 'content-type': 'application/json' }, body: '"just a string"' });
    expectShape(scalar, 400, 'invalid_json');
    expect(scalar.json!.message).toMatch(/only supports object and array/);
  });

  it('answers an unknown API path, an oversized body and a wrong media type in the same shape', async () => {
    const unknown = await call('GET', '/api/v1/nope');
    expectShape(unknown, 404, 'not_found');
    expect(unknown.json!.message).toBe('No route for GET /api/v1/nope.');
    const big = await call('POST', '/api/v1/verification/cases', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reference: 'x'.repeat(70_000) }) });
    expectShape(big, 413, 'payload_too_large');
    expect(big.json!.message).toMatch(/larger than the limit of 65536 bytes/);
    const text = await call('POST', '/api/v1/verification/cases', { headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expectShape(text, 415, 'unsupported_media_type');
  });

  it('marks authentication and validation errors no-store too', async () => {
    const noKey = await fetch(`${server.url}/api/v1/webhooks/endpoints`);
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('cache-control')).toBe('no-store');
    const invalid = await call('POST', '/api/v1/webhooks/endpoints', { headers: { 'content-type': 'application/json' }, body: '{"url": 5}' });
    expectShape(invalid, 400, 'validation_failed');
  });
});
