// Issue 10 item 2: upload bodies in flight. 40 stalled multipart uploads of 54 MB used to take the server from
// 454 MB to 2.6 GB, kept after the clients aborted. Bodies now stream into sealed temporary files (deleted on
// abort or once read), the process reserves each body's size from a budget (503 past it), a tenant has a few
// upload slots (429 past them), and a body that stalls is answered 408.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePassport } from '../support/documents/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { api, form, newCase, setupTenant, subject, type TenantCtx } from '../verification/cases/support.js';
import { stalledUpload, type StalledUpload } from './bombs.js';

const MB = 1_048_576;

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const tempDir = (s: TestServer) => path.join(s.deps.config.dataDir, 'upload-tmp');
const tempFiles = (s: TestServer) => (fs.existsSync(tempDir(s)) ? fs.readdirSync(tempDir(s)) : []);
const tempBytes = (s: TestServer) => tempFiles(s).reduce((n, f) => n + fs.statSync(path.join(tempDir(s), f)).size, 0);

describe('stalled uploads', () => {
  let server: TestServer;
  let t: TenantCtx;
  let other: TenantCtx;
  let sub: string;
  let passport: Buffer;
  const uploadUrl = (s: TestServer, id: string) => `${s.url}/api/v1/verification/cases/${id}/upload/`;

  beforeAll(async () => {
    // Room for 8 bodies of 31 MB per tenant and 300 MB in flight: the caps are tested on their own below.
    server = await startTestServer({ env: { UPLOAD_CONCURRENCY_PER_TENANT: '8', UPLOAD_INFLIGHT_MAX_MB: '300' } });
    t = await setupTenant(server);
    other = await setupTenant(server);
    sub = (await subject(server, t)).sub;
    passport = (await generatePassport({ portrait: 'personA_webcam' })).image;
  }, 180_000);
  afterAll(async () => {
    await server?.services.close();
    await server?.close();
  });

  it('hold disk, not memory: 8 × 30 MB in flight grow RSS far less than 240 MB, sealed, and removed on abort', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, () => newCase(api(server, t), sub, 't1')));
    (globalThis as { gc?: () => void }).gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    const uploads = ids.map((id) => stalledUpload(uploadUrl(server, id), { authorization: `Bearer ${t.apiKey}` }, 30 * MB));
    try {
      await until('all bodies on disk', () => tempBytes(server) >= 8 * 29 * MB);
      clearInterval(sampler);
      // The old parser held every byte in memory (≥ 240 MB here); streaming to disk keeps it to buffers.
      expect(peak - rss0).toBeLessThan(120 * MB);
      // On disk the parts are ciphertext: the client's filler bytes ("AAAA…") are nowhere.
      const sample = fs.readFileSync(path.join(tempDir(server), tempFiles(server)[0]!)).subarray(0, 1 << 20);
      expect(sample.includes(Buffer.alloc(64, 0x41))).toBe(false);
    } finally {
      clearInterval(sampler);
      for (const u of uploads) u.abort();
    }
    await until('temporary files removed after the abort', () => tempFiles(server).length === 0, 15_000);
    // The reservations were released: a normal upload is admitted and accepted.
    const id = await newCase(api(server, t), sub, 't1');
    expect((await api(server, t).upload(id, form({ document: passport }))).status).toBe(200);
  }, 180_000);

  it('a tenant over its upload slots gets 429; past the process budget everyone gets 503; both with Retry-After', async () => {
    const a = api(server, t);
    const ids = await Promise.all(Array.from({ length: 9 }, () => newCase(a, sub, 't1')));
    const held: StalledUpload[] = [];
    try {
      // 8 slots of 30 MB (+1 MB declared) each: the ninth from the same tenant is refused before its body is read.
      for (const id of ids.slice(0, 8)) held.push(stalledUpload(uploadUrl(server, id), { authorization: `Bearer ${t.apiKey}` }, MB));
      await until('8 uploads admitted', () => tempFiles(server).length >= 8);
      const ninth = stalledUpload(uploadUrl(server, ids[8]!), { authorization: `Bearer ${t.apiKey}` }, MB);
      held.push(ninth);
      const r429 = await ninth.answered;
      expect({ status: r429.status, error: JSON.parse(r429.body).error, retry: r429.headers['retry-after'] }).toEqual({ status: 429, error: 'too_many_uploads', retry: '2' });
      // Another tenant: 8 × 2 MB are reserved of the 300 MB; four bodies declaring 64 MB fit, the fifth does not.
      const otherSub = (await subject(server, other)).sub;
      const oids = await Promise.all(Array.from({ length: 5 }, () => newCase(api(server, other), otherSub, 't1')));
      const big = oids.map((id) => stalledUpload(uploadUrl(server, id), { authorization: `Bearer ${other.apiKey}` }, MB, 64 * MB));
      held.push(...big);
      const r503 = await Promise.race(big.map((u) => u.answered));
      expect({ status: r503.status, error: JSON.parse(r503.body).error, retry: r503.headers['retry-after'] }).toEqual({ status: 503, error: 'upload_capacity', retry: '5' });
    } finally {
      for (const u of held) u.abort();
    }
    await until('temporary files removed', () => tempFiles(server).length === 0, 15_000);
  }, 180_000);
  it('a restart sweeps the temporary files a crash left behind, not a sibling process\'s fresh ones', async () => {
    fs.mkdirSync(tempDir(server), { recursive: true });
    const crashed = path.join(tempDir(server), 'crashed.part');
    fs.writeFileSync(crashed, 'sealed bytes nobody can open');
    const past = new Date(Date.now() - 3 * 3_600_000);
    fs.utimesSync(crashed, past, past);
    fs.writeFileSync(path.join(tempDir(server), 'sibling.part'), 'in flight elsewhere');
    await server.restart();
    expect(tempFiles(server)).toEqual(['sibling.part']);
    fs.rmSync(path.join(tempDir(server), 'sibling.part'));
  });
});

describe('slow bodies (slowloris)', () => {
  let server: TestServer;
  let t: TenantCtx;
  let sub: string;
  beforeAll(async () => {
    server = await startTestServer({ env: { UPLOAD_IDLE_TIMEOUT_MS: '500', UPLOAD_BODY_TIMEOUT_MS: '2000' } });
    t = await setupTenant(server);
    sub = (await subject(server, t)).sub;
  }, 180_000);
  afterAll(async () => {
    await server?.services.close();
    await server?.close();
  });

  it('a body that stops sending → 408 request_timeout, its temporary file removed, its slot released', async () => {
    const a = api(server, t);
    for (let i = 0; i < 5; i++) {
      // Five in a row with the default 4 slots per tenant: each 408 released its slot.
      const id = await newCase(a, sub, 't1');
      const u = stalledUpload(`${server.url}/api/v1/verification/cases/${id}/upload/`, { authorization: `Bearer ${t.apiKey}` }, 2 * MB);
      const res = await u.answered;
      u.abort();
      expect({ status: res.status, error: JSON.parse(res.body).error }).toEqual({ status: 408, error: 'request_timeout' });
      expect(JSON.parse(res.body).message).toMatch(/sent nothing for/);
    }
    await until('temporary files removed', () => tempFiles(server).length === 0, 15_000);
  }, 120_000);

  it('a body that trickles past UPLOAD_BODY_TIMEOUT_MS → 408', async () => {
    const id = await newCase(api(server, t), sub, 't1');
    const req = http.request(`${server.url}/api/v1/verification/cases/${id}/upload/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'multipart/form-data; boundary=B', 'content-length': String(MB) },
    });
    req.on('error', () => undefined);
    req.write('--B\r\nContent-Disposition: form-data; name="document"; filename="a.jpg"\r\n\r\n\xff\xd8\xff', 'latin1');
    const drip = setInterval(() => req.write(Buffer.alloc(16)), 200);
    try {
      const res = await new Promise<{ status: number; body: string }>((resolve) =>
        req.on('response', (r) => {
          let body = '';
          r.on('data', (d: Buffer) => (body += d.toString()));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        }),
      );
      expect(res.status).toBe(408);
      expect(JSON.parse(res.body).message).toMatch(/took longer than 2 s/);
    } finally {
      clearInterval(drip);
      req.destroy();
    }
  }, 60_000);
});
