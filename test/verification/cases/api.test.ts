// Case API without the engines: create, idempotency, read, list with cursors, tenant isolation, the verdict guard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.js';
import { api, form, newCase, setupTenant, subject, type Api, type TenantCtx } from './support.js';

let server: TestServer;
let a: TenantCtx;
let b: TenantCtx;
let apiA: Api;
let apiB: Api;
let sub: string;

beforeAll(async () => {
  server = await startTestServer();
  a = await setupTenant(server, 'Bank A');
  b = await setupTenant(server, 'Bank B');
  apiA = api(server, a);
  apiB = api(server, b);
  sub = (await subject(server, a)).sub;
});
afterAll(async () => {
  await server?.services.close();
  await server?.close();
});

describe('create', () => {
  it('creates an open case for a subject of the tenant, with or without trailing slash', async () => {
    const res = await apiA.create({ person_id: sub, level: 't2' });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ person_id: sub, level: 't2', status: 'open', decision: null, document: null });
    expect(body.id).toMatch(/^vc_/);
    expect(new Date(body.created_at).toString()).not.toBe('Invalid Date');
    const noSlash = await fetch(`${server.url}/api/v1/verification/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ person_id: sub, level: 't1' }),
    });
    expect(noSlash.status).toBe(201);
    // The event is in the outbox with the pairwise sub, never the internal id.
    const events = await server.deps.db.knex('webhook_events').where({ tenant_id: a.tenantId, type: 'verification.case.created' });
    const ev = events.find((e) => e.data.case_id === body.id);
    expect(ev.data).toEqual({ case_id: body.id, person_id: sub, level: 't2', status: 'open' });
  });

  it('404s for a person the tenant does not know, even one another tenant knows', async () => {
    expect((await apiB.create({ person_id: sub, level: 't1' })).status).toBe(404);
    expect((await apiA.create({ person_id: 'psn_nobody', level: 't1' })).status).toBe(404);
  });

  it('validates level and body shape', async () => {
    for (const body of [{ person_id: sub, level: 't4' }, { person_id: sub }, { person_id: sub, level: 't1', extra: 1 }, []]) {
      const res = await apiA.create(body);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe('validation_failed');
    }
    expect((await fetch(`${server.url}/api/v1/verification/cases/`, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('replays the same case for the same Idempotency-Key and body; refuses a different body', async () => {
    const key = { 'Idempotency-Key': `k-${Date.now()}` };
    const first = await apiA.create({ person_id: sub, level: 't1' }, key);
    const again = await apiA.create({ person_id: sub, level: 't1' }, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const [c1, c2] = [await first.json(), await again.json()];
    expect(c2.id).toBe(c1.id);
    const other = await apiA.create({ person_id: sub, level: 't2' }, key);
    expect(other.status).toBe(422);
    expect((await other.json()).error).toBe('idempotency_key_reused');
    // Keys are per tenant: B's same key is unrelated (and B does not know the person).
    expect((await apiB.create({ person_id: sub, level: 't1' }, key)).status).toBe(404);
    // Concurrent requests with one fresh key end with exactly one case.
    const k2 = { 'Idempotency-Key': `race-${Date.now()}` };
    const all = await Promise.all([1, 2, 3, 4].map(() => apiA.create({ person_id: sub, level: 't3' }, k2)));
    const ids = new Set(await Promise.all(all.map(async (r) => (await r.json()).id)));
    expect(all.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(ids.size).toBe(1);
  });
});

describe('read and list', () => {
  it('gets a case; another tenant gets 404', async () => {
    const id = await newCase(apiA, sub, 't1');
    const res = await apiA.get(id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, person_id: sub, status: 'open', files: { document: false, selfie: false, frames: 0 } });
    expect((await apiB.get(id)).status).toBe(404);
    expect((await apiB.decide(id)).status).toBe(404);
    expect((await apiB.challenge(id)).status).toBe(404);
    expect((await apiB.upload(id, form({ document: Buffer.from('x') }))).status).toBe(404);
    expect((await apiA.get('vc_doesnotexist')).status).toBe(404);
    expect((await apiA.get('not-a-case')).status).toBe(400);
  });

  it('pages with an opaque cursor in stable order, filtered by status and person', async () => {
    const other = (await subject(server, a)).sub;
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push(await newCase(apiA, other, i % 2 ? 't1' : 't2'));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `?person_id=${other}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await apiA.list(q);
      expect(res.status).toBe(200);
      const page = await res.json();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((c: { id: string }) => c.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...mine].reverse());
    const open = await (await apiA.list(`?status=open&person_id=${other}&limit=100`)).json();
    expect(open.data).toHaveLength(5);
    expect((await (await apiA.list('?status=approved&limit=100')).json()).data.every((c: { status: string }) => c.status === 'approved')).toBe(true);
    // Tenant-scoped: B sees none of A's cases.
    expect((await (await apiB.list('?limit=100')).json()).data).toEqual([]);
    expect((await apiA.list('?cursor=garbage')).status).toBe(400);
    expect((await apiA.list('?limit=0')).status).toBe(400);
    expect((await apiA.list('?status=done')).status).toBe(400);
  });
});

describe('precomputed verdicts are refused', () => {
  const expectRefused = async (res: Response) => {
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('precomputed_verdict_rejected');
  };

  it('in JSON bodies at any depth, on every JSON route', async () => {
    const id = await newCase(apiA, sub, 't2');
    await expectRefused(await apiA.create({ person_id: sub, level: 't1', outcome: 'approved' }));
    await expectRefused(await apiA.create({ person_id: sub, level: 't1', meta: { nested: [{ liveness_score: 0.99 }] } }));
    await expectRefused(await apiA.decide(id, { outcome: 'approved' }));
    await expectRefused(await apiA.decide(id, { verdict: 'pass' }));
    await expectRefused(await apiA.decide(id, { checks: [{ name: 'face.match', passed: true }] }));
    await expectRefused(await apiA.decide(id, { data: { matchScore: 0.9 } }));
    await expectRefused(await apiA.decide(id, { human_verified: true }));
    await expectRefused(await apiA.decide(id, { risk_level: 'low' }));
    // Form-encoded bodies are guarded too, then refused as not JSON.
    const formRes = await fetch(`${server.url}/api/v1/verification/cases/${id}/decide/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'approved=true',
    });
    await expectRefused(formRes);
  });

  it('in the query string and in multipart field names', async () => {
    const id = await newCase(apiA, sub, 't1');
    await expectRefused(await apiA.list('?decision=approved'));
    await expectRefused(await fetch(`${server.url}/api/v1/verification/cases/${id}/decide/?score=1`, { method: 'POST', headers: { authorization: `Bearer ${a.apiKey}` } }));
    await expectRefused(await apiA.get(`${id}?passed=true`));
    const f = form({ document: Buffer.from('x'), fields: { face_match_score: '0.99' } });
    await expectRefused(await apiA.upload(id, f));
    const g = new FormData();
    g.append('approved', new Blob(['x']), 'a.jpg');
    await expectRefused(await apiA.upload(id, g));
    // Nothing about the case changed.
    expect(await (await apiA.get(id)).json()).toMatchObject({ status: 'open', decision: null, uploaded_at: null });
  });

  it('a tenant key cannot review: 403 review_forbidden whatever the body or the case state', async () => {
    const id = await newCase(apiA, sub, 't1');
    for (const body of [{ outcome: 'approved', reason: 'looks right' }, { outcome: 'maybe', reason: 'x' }, {}]) {
      const res = await apiA.review(id, body);
      expect(res.status).toBe(403);
      const err = await res.json();
      expect(err.error).toBe('review_forbidden');
      expect(err.message).toMatch(/operator's reviewers/);
    }
    expect(await (await apiA.get(id)).json()).toMatchObject({ status: 'open', decision: null });
  });
});

describe('decide and challenge preconditions', () => {
  it('decide before upload is a 409; a challenge is random and stored on the case', async () => {
    const id = await newCase(apiA, sub, 't3');
    const d = await apiA.decide(id);
    expect(d.status).toBe(409);
    expect((await d.json()).error).toBe('not_uploaded');
    const c = await apiA.challenge(id);
    expect(c.status).toBe(200);
    const { challenge } = await c.json();
    expect(challenge.length).toBeGreaterThan(0);
    expect(challenge.every((s: string) => ['turn_left', 'turn_right', 'center'].includes(s))).toBe(true);
    expect((await (await apiA.get(id)).json()).liveness_challenge).toEqual(challenge);
  });
});

describe('API-key scopes', () => {
  it('a status:read-only key reads status (200) but cannot open cases, sessions or webhooks (403 insufficient_scope)', async () => {
    const before = (await (await apiA.list(`?person_id=${sub}&limit=100`)).json()).data.length;
    const { api_key, scopes } = await server.apiKey(a.tenantId, ['status:read']);
    expect(scopes).toEqual(['status:read']);
    const readOnly = api(server, { ...a, apiKey: api_key });
    const status = await readOnly.status(sub);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ person_id: sub });

    const created = await readOnly.create({ person_id: sub, level: 't1' });
    expect(created.status).toBe(403);
    expect(created.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="cases:write"');
    expect(await created.json()).toMatchObject({ error: 'insufficient_scope', details: [{ required: 'cases:write', granted: ['status:read'] }] });
    // Refused before the body is read or validated, on reads of cases too.
    expect((await readOnly.create({ nonsense: true })).status).toBe(403);
    expect((await readOnly.list()).status).toBe(403);
    const auth = { authorization: `Bearer ${api_key}`, 'content-type': 'application/json' };
    const session = await fetch(`${server.url}/api/v1/verification/sessions`, { method: 'POST', headers: auth, body: '{}' });
    expect(await session.json()).toMatchObject({ error: 'insufficient_scope', details: [{ required: 'sessions:write' }] });
    const hooks = await fetch(`${server.url}/api/v1/webhooks/endpoints`, { headers: auth });
    expect(await hooks.json()).toMatchObject({ error: 'insufficient_scope', details: [{ required: 'webhooks:manage' }] });
    // Nothing was created on the way.
    expect((await (await apiA.list(`?person_id=${sub}&limit=100`)).json()).data.length).toBe(before);
  });

  it('a cases:write key without status:read cannot read status; an unknown key is still 401', async () => {
    const { api_key } = await server.apiKey(a.tenantId, ['cases:write']);
    const writer = api(server, { ...a, apiKey: api_key });
    expect((await writer.create({ person_id: sub, level: 't1' })).status).toBe(201);
    const status = await writer.status(sub);
    expect(status.status).toBe(403);
    expect((await status.json()).error).toBe('insufficient_scope');
    expect((await api(server, { ...a, apiKey: 'kp_live_unknown' }).status(sub)).status).toBe(401);
  });
});
