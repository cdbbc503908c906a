// Health endpoints and HTTP conventions shared by every route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onRealServices } from '../support/deps.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { RATE_LIMIT_IP_PER_MINUTE: '30' } });
});
afterAll(() => server?.close());

describe('health and conventions', () => {
  it('reports live and ready, checking the database (and Redis when configured)', async () => {
    expect(await (await fetch(`${server.url}/health/live`)).json()).toEqual({ status: 'ok' });
    const ready = await (await fetch(`${server.url}/health/ready`)).json();
    expect(ready).toEqual({ status: 'ok', checks: onRealServices ? { database: 'ok', redis: 'ok' } : { database: 'ok' } });
  });

  it('answers unknown API paths and wrong methods in the JSON error shape, never with a page', async () => {
    const unknown = await fetch(`${server.url}/api/v1/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not_found' });
    const wrongMethod = await fetch(`${server.url}/api/v1/kyc/x/status`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('GET');
  });

  it('gives every response a request id, unique per request, and keeps a caller\'s own', async () => {
    const [a, b] = await Promise.all([fetch(`${server.url}/health/live`), fetch(`${server.url}/health/live`)]);
    const ids = [a.headers.get('x-request-id'), b.headers.get('x-request-id')];
    expect(ids[0]).toMatch(/^[\w-]{8,64}$/);
    expect(ids[0]).not.toBe(ids[1]);
    const own = await fetch(`${server.url}/health/live`, { headers: { 'x-request-id': 'rp-trace-12345' } });
    expect(own.headers.get('x-request-id')).toBe('rp-trace-12345');
  });

  it('limits requests per IP with 429 + Retry-After in the JSON error shape', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 31; i++) last = await fetch(`${server.url}/api/v1/kyc/x/status`);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last!.json()).toMatchObject({ error: 'rate_limited', message: expect.any(String) });
    // Health checks stay reachable for the orchestrator.
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
  });
});
