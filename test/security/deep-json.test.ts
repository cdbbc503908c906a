// Issue 10 item 8: 64 KB of nested "[" sent to case creation was a 500 with a stack overflow in the log (the
// verdict guard recursed). Body parsers now refuse JSON nested deeper than 32 levels with a 400, and the guard walks
// without recursion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_MAX_DEPTH } from '../../src/http/body.js';
import { assertNoVerdict } from '../../src/verification/cases/guard.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { setupTenant, type TenantCtx } from '../verification/cases/support.js';
import { deepJson } from './bombs.js';

let server: TestServer;
let t: TenantCtx;
beforeAll(async () => {
  server = await startTestServer();
  t = await setupTenant(server);
}, 180_000);
afterAll(() => server?.close());

const post = (path: string, body: string) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' }, body });

describe('deeply nested JSON', () => {
  it('64 KB of nested arrays to case creation → 400 json_too_deep, not a 500', async () => {
    const res = await post('/api/v1/verification/cases/', deepJson(32 * 1024));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'json_too_deep', message: `The JSON body nests deeper than ${JSON_MAX_DEPTH} levels.` });
  });

  it('the same on the other JSON parser (webhook endpoints), and an object nest too', async () => {
    const res = await post('/api/v1/webhooks/endpoints', deepJson(20_000));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('json_too_deep');
    const objects = '{"a":'.repeat(1000) + '1' + '}'.repeat(1000);
    expect((await post('/api/v1/verification/cases/', objects)).status).toBe(400);
  });

  it('a body at the limit is parsed and judged on its content as before', async () => {
    const res = await post('/api/v1/verification/cases/', JSON.stringify({ person_id: 'x', level: 't1', extra: JSON.parse(deepJson(JSON_MAX_DEPTH - 1)) }));
    expect(res.status).toBe(400);
    expect((await res.json()).error).not.toBe('json_too_deep');
  });

  it('the verdict guard walks 100,000 levels without overflowing and still finds a nested verdict', () => {
    let nested: unknown = { score: 1 };
    for (let i = 0; i < 100_000; i++) nested = [nested];
    expect(() => assertNoVerdict(nested)).toThrow(/looks like a precomputed verdict/);
    let clean: unknown = 1;
    for (let i = 0; i < 100_000; i++) clean = { a: clean };
    expect(() => assertNoVerdict(clean)).not.toThrow();
  });
});
