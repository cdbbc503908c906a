// The SDK's behaviour that needs no KYCPort: the retry policy against a tiny local HTTP server that misbehaves on
// purpose (429 with Retry-After, 503, a dropped connection), Standard Webhooks edge cases signed with the server's
// own signing module, and the portability rule (no Node-only module in the package's source).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KycPort, KycPortError, verifyWebhook } from '../../packages/sdk/src/index.js';
import { backoff } from '../../packages/sdk/src/http.js';
import { signedHeaders } from '../../src/webhooks/signing.js';

type Answer = { status: number; headers?: Record<string, string>; body?: unknown } | 'drop';
interface Seen {
  method: string;
  url: string;
  at: number;
  headers: http.IncomingHttpHeaders;
}

let server: http.Server;
let base: string;
let answers: Answer[] = [];
let seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    // The suite's contract check (test/support/openapi-contract.ts) asks every origin for its document: none here.
    if (req.url === '/api/v1/openapi.json') return res.writeHead(404).end();
    seen.push({ method: req.method!, url: req.url!, at: Date.now(), headers: req.headers });
    req.resume();
    req.on('end', () => {
      const a = answers.shift() ?? { status: 500 };
      if (a === 'drop') return req.socket.destroy();
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = (retry = {}) => new KycPort({ baseUrl: base, apiKey: 'kp_test', retry: { baseDelayMs: 20, ...retry } });
const reset = (...a: Answer[]) => {
  answers = a;
  seen = [];
};
const status = { person_id: 'psn_1', kyc_status: 'verified', kyc_tier: 't2', verified_at: null, expires_at: null, aml_clear: true };

describe('retries', () => {
  it('a GET answered 429 with Retry-After: 1 is retried after that second, then succeeds', async () => {
    reset({ status: 429, headers: { 'retry-after': '1' }, body: { error: 'rate_limited', message: 'slow down' } }, { status: 200, body: status });
    await expect(client().status.get('psn_1')).resolves.toEqual(status);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
    expect(seen[0]!.headers.authorization).toBe('Bearer kp_test');
  });

  it('a create is retried on 503 and a dropped connection with the same Idempotency-Key', async () => {
    const session = { id: 'vs_1' };
    reset({ status: 503, body: { error: 'unavailable', message: 'x' } }, 'drop', { status: 201, body: session });
    await expect(client().sessions.create({ level: 't1', redirect_uri: 'https://app.example/cb' })).resolves.toEqual(session);
    expect(seen.map((s) => s.method)).toEqual(['POST', 'POST', 'POST']);
    const keys = new Set(seen.map((s) => s.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a call without an Idempotency-Key (decide, upload, cancel, endpoint create) is sent once', async () => {
    reset({ status: 503, headers: { 'retry-after': '0' }, body: { error: 'engine_unavailable', message: 'retry' } });
    const err = (await client().cases.decide('vc_1').catch((e: unknown) => e)) as KycPortError;
    expect(err).toBeInstanceOf(KycPortError);
    expect(err).toMatchObject({ status: 503, error: 'engine_unavailable', retryAfter: 0 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it('gives up after maxRetries, and never on a 4xx other than 429', async () => {
    reset({ status: 500 }, { status: 502 }, { status: 503 }, { status: 200, body: status });
    await expect(client({ maxRetries: 2 }).status.get('psn_1')).rejects.toMatchObject({ status: 503, error: 'http_error' });
    expect(seen).toHaveLength(3);
    reset({ status: 404, body: { error: 'not_found', message: 'No such person' } });
    await expect(client().status.get('psn_1')).rejects.toMatchObject({ status: 404, error: 'not_found', message: 'No such person' });
    expect(seen).toHaveLength(1);
  });

  it('does not wait out a Retry-After longer than maxDelayMs: the error says how long', async () => {
    reset({ status: 429, headers: { 'retry-after': '3600' }, body: { error: 'rate_limited', message: 'later' } });
    await expect(client().status.get('psn_1')).rejects.toMatchObject({ status: 429, retryAfter: 3600 });
    expect(seen).toHaveLength(1);
  });

  it('backs off exponentially with jitter, capped', () => {
    const r = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4].map((n) => backoff(n, r, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([0, 1, 2, 3, 4].map((n) => backoff(n, r, () => 0.999999))).toEqual([100, 200, 400, 800, 1000].map((x) => expect.closeTo(x, 2)));
  });
});

describe('verifyWebhook', () => {
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const rotated = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
  const body = JSON.stringify({ id: 'evt_1', type: 'webhook.test', created_at: new Date().toISOString(), tenant_id: 'ten_1', data: {} });
  const now = Math.floor(Date.now() / 1000);

  it('accepts any one of several signatures (a rotation), as string, bytes or Headers', async () => {
    const headers = signedHeaders([rotated, secret], 'evt_1', now, body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    await expect(verifyWebhook(body, headers, secret)).resolves.toMatchObject({ id: 'evt_1' });
    await expect(verifyWebhook(new TextEncoder().encode(body), new Headers(headers), rotated)).resolves.toMatchObject({ type: 'webhook.test' });
    await expect(verifyWebhook(Buffer.from(body), { ...headers, 'Webhook-Id': headers['webhook-id'] }, secret)).resolves.toMatchObject({ id: 'evt_1' });
  });

  it('refuses a timestamp more than 5 minutes off, missing headers, another id, or a non-v1 signature', async () => {
    await expect(verifyWebhook(body, signedHeaders([secret], 'evt_1', now - 310, body), secret)).rejects.toThrow(/timestamp/);
    await expect(verifyWebhook(body, signedHeaders([secret], 'evt_1', now + 310, body), secret)).rejects.toThrow(/timestamp/);
    await expect(verifyWebhook(body, signedHeaders([secret], 'evt_1', now - 290, body), secret)).resolves.toBeTruthy();
    await expect(verifyWebhook(body, {}, secret)).rejects.toThrow(/missing/);
    const h = signedHeaders([secret], 'evt_1', now, body);
    await expect(verifyWebhook(body, { ...h, 'webhook-id': 'evt_2' }, secret)).rejects.toThrow(/signature/);
    await expect(verifyWebhook(body, { ...h, 'webhook-signature': h['webhook-signature']!.replace('v1,', 'v2,') }, secret)).rejects.toThrow(/signature/);
  });
});

describe('portability', () => {
  it("the package's source imports no Node-only module and uses no Node global", () => {
    const dir = path.resolve(import.meta.dirname, '../../packages/sdk/src');
    const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('index.ts');
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      expect(text, f).not.toMatch(/from\s+['"]node:|import\(\s*['"]node:|require\(/);
      expect(text, f).not.toMatch(/\b(Buffer|process)\./);
    }
  });
});
