// Verification sessions over the tenant API with a fake clock: create / resume, idempotency, redirect_uri
// registration, listing, cancel, expiry, single-use links, tenant isolation, and a whole session driven through
// the service the hosted pages use (sign-in, a capture problem → resubmission_requested, the retake approved)
// with the real engines and generated ID cards; session webhooks in lifecycle order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { addRedirectUri } from '../../../src/tenants/redirect-uris.js';
import type { UploadBody } from '../../../src/verification/cases/upload.js';
import { importListFile } from '../../../src/screening/index.js';
import { FTM_FIXTURE, SANCTIONED_APPLICANT } from '../../fixtures/screening/index.js';
import { generateIdCard, generatePassport } from '../../support/documents/index.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { setupTenant, type TenantCtx } from '../cases/support.js';

const clock = new ManualClock(new Date('2026-12-02T10:00:00Z'));
const HOUR = 3_600_000;
let server: TestServer;
let t: TenantCtx;
let other: TenantCtx;

beforeAll(async () => {
  server = await startTestServer({ clock });
  [t, other] = [await setupTenant(server, 'Acme Bank'), await setupTenant(server, 'Other Shop')];
}, 120_000);
afterAll(async () => {
  await server?.services.close();
  await server?.close();
});

function sessionsApi(tc: TenantCtx) {
  const call = (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
    fetch(`${server.url}/api/v1/verification/sessions${path}`, {
      method,
      headers: { authorization: `Bearer ${tc.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    create: (body: Record<string, unknown>, extra?: Record<string, string>) => call('POST', '/', { redirect_uri: tc.client.redirect_uri, ...body }, extra),
    get: (id: string) => call('GET', `/${id}/`),
    list: (q = '') => call('GET', `/${q}`),
    cancel: (id: string) => call('POST', `/${id}/cancel/`),
  };
}

type Session = { id: string; status: string; url: string | null; expires_at: string; person_id: string | null; reasons: string[]; outcome: string | null; attempts: number };
const body = async (res: Response): Promise<Session> => (await res.json()) as Session;
const events = async (sessionId: string) =>
  (await server.deps.db.knex('webhook_events').where({ tenant_id: t.tenantId }).whereLike('type', 'verification.session.%').orderBy('created_at'))
    .filter((e: { data: { session_id: string } }) => e.data.session_id === sessionId)
    .map((e: { type: string; data: Record<string, unknown> }) => ({ type: e.type.replace('verification.session.', ''), data: e.data }));
const tokenOf = (url: string) => new URL(url).pathname.split('/').pop()!;

describe('sessions API', () => {
  it('creates a session (201) with a single-use 24 h link; creating again for the same user and level returns the open one (200)', async () => {
    const a = sessionsApi(t);
    const res = await a.create({ level: 't1', external_user_id: 'user-1', metadata: { plan: 'gold' } });
    expect(res.status, await res.clone().text()).toBe(201);
    const s = await body(res);
    expect(s).toMatchObject({ status: 'created', level: 't1', external_user_id: 'user-1', person_id: null, case_id: null, outcome: null, reasons: [], metadata: { plan: 'gold' } });
    expect(s.id).toMatch(/^vs_/);
    expect(s.url).toMatch(new RegExp(`^${server.url}/verify/l/[\\w-]{43}$`));
    expect(Date.parse(s.expires_at) - clock.now().getTime()).toBe(24 * HOUR);
    // Only a keyed hash of the token is stored.
    const links = await server.deps.db.knex('verification_session_links').where({ session_id: s.id });
    expect(links).toHaveLength(1);
    expect(JSON.stringify(links)).not.toContain(tokenOf(s.url!));

    const again = await a.create({ level: 't1', external_user_id: 'user-1' });
    expect(again.status).toBe(200);
    const resumed = await body(again);
    expect(resumed.id).toBe(s.id);
    expect(resumed.url).not.toBe(s.url);
    // Another level is another session; so is another user.
    expect((await a.create({ level: 't2', external_user_id: 'user-1' })).status).toBe(201);
    expect((await a.create({ level: 't1', external_user_id: 'user-2' })).status).toBe(201);
    expect((await events(s.id)).map((e) => e.type)).toEqual(['created']);
  });

  it('honours Idempotency-Key (replay, and 422 for another body); refuses an unregistered redirect_uri until the CLI list has it', async () => {
    const a = sessionsApi(t);
    const first = await a.create({ level: 't2' }, { 'Idempotency-Key': 'k-1' });
    expect(first.status).toBe(201);
    const replay = await a.create({ level: 't2' }, { 'Idempotency-Key': 'k-1' });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await body(replay)).id).toBe((await body(first)).id);
    const reused = await a.create({ level: 't3' }, { 'Idempotency-Key': 'k-1' });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ error: 'idempotency_key_reused' });

    const elsewhere = 'https://shop.example.com/kyc/done';
    const refused = await a.create({ level: 't1', redirect_uri: elsewhere });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_redirect_uri' });
    await addRedirectUri(server.deps.db.knex, server.deps.config, t.tenantId, elsewhere);
    expect((await a.create({ level: 't1', redirect_uri: elsewhere })).status).toBe(201);
    // Another tenant's list does not count.
    expect((await sessionsApi(other).create({ level: 't1', redirect_uri: elsewhere })).status).toBe(400);
    // Bad input is a 400 with the field named.
    const bad = await a.create({ level: 't9', extra: 1 });
    expect(bad.status).toBe(400);
  });

  it("lists with filters and cursor pagination; another tenant's session is a 404 like an unknown one", async () => {
    const a = sessionsApi(t);
    for (const u of ['p-1', 'p-2', 'p-3']) expect((await a.create({ level: 't1', external_user_id: u })).status).toBe(201);
    const page1 = (await (await a.list('?limit=2')).json()) as { data: Session[]; next_cursor: string };
    expect(page1.data).toHaveLength(2);
    expect(page1.data.every((s) => s.url === null)).toBe(true);
    const seen = new Set(page1.data.map((s) => s.id));
    let cursor: string | null = page1.next_cursor;
    while (cursor) {
      const page = (await (await a.list(`?limit=2&cursor=${cursor}`)).json()) as { data: Session[]; next_cursor: string | null };
      for (const s of page.data) {
        expect(seen.has(s.id)).toBe(false);
        seen.add(s.id);
      }
      cursor = page.next_cursor;
    }
    const all = (await server.deps.db.knex('verification_sessions').where({ tenant_id: t.tenantId }).count<{ n: number }[]>('* as n'))[0]!;
    expect(seen.size).toBe(Number(all.n));
    const filtered = (await (await a.list('?external_user_id=p-2&status=created')).json()) as { data: Session[] };
    expect(filtered.data.map((s) => s.id)).toHaveLength(1);
    expect((await a.list('?cursor=nonsense')).status).toBe(400);

    const mine = filtered.data[0]!.id;
    const foreign = await sessionsApi(other).get(mine);
    const unknown = await sessionsApi(other).get('vs_doesnotexist000');
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual(await unknown.json());
    expect((await sessionsApi(other).cancel(mine)).status).toBe(404);
    const otherList = (await (await sessionsApi(other).list()).json()) as { data: Session[] };
    expect(otherList.data.some((s) => s.id === mine)).toBe(false);
  });

  it('cancels an unfinished session (idempotent), its links then open nothing; a link works once', async () => {
    const a = sessionsApi(t);
    const s = await body(await a.create({ level: 't1', external_user_id: 'cancel-me' }));
    const opened = await server.services.sessions.openLink(tokenOf(s.url!));
    expect('browserSecret' in opened).toBe(true);
    const twice = await server.services.sessions.openLink(tokenOf(s.url!));
    expect(twice).toMatchObject({ problem: 'used' });
    expect(await server.services.sessions.openLink('x'.repeat(43))).toEqual({ problem: 'unknown' });

    const fresh = await body(await a.get(s.id));
    const canceled = await a.cancel(s.id);
    expect(canceled.status).toBe(200);
    expect(await body(canceled)).toMatchObject({ status: 'canceled', url: null });
    expect((await a.cancel(s.id)).status).toBe(200);
    expect(await server.services.sessions.openLink(tokenOf(fresh.url!))).toMatchObject({ problem: 'finished' });
    expect((await body(await a.get(s.id))).url).toBeNull();
    // A canceled session no longer blocks a new one for the user.
    expect((await a.create({ level: 't1', external_user_id: 'cancel-me' })).status).toBe(201);
    expect((await events(s.id)).map((e) => e.type)).toEqual(['created', 'canceled']);
  });

  it('expires a session whose newest link ran out (fake clock, the expiry job); a read before that renews it', async () => {
    const a = sessionsApi(t);
    const s = await body(await a.create({ level: 't1', external_user_id: 'slow' }));
    const kept = await body(await a.create({ level: 't1', external_user_id: 'renewed' }));
    clock.advance(20 * HOUR);
    const renewed = await body(await a.get(kept.id));
    expect(Date.parse(renewed.expires_at)).toBe(clock.now().getTime() + 24 * HOUR);
    clock.advance(4 * HOUR);
    await server.services.sessions.expireDue();
    expect((await body(await a.get(s.id))).status).toBe('expired');
    expect((await body(await a.get(kept.id))).status).toBe('created');
    expect(await server.services.sessions.openLink(tokenOf(s.url!))).toMatchObject({ problem: 'expired' });
    expect((await a.cancel(s.id)).status).toBe(409);
    expect((await events(s.id)).map((e) => e.type)).toEqual(['created', 'expired']);
    // The expired one frees the user for a new session.
    expect((await a.create({ level: 't1', external_user_id: 'slow' })).status).toBe(201);
  });
});

const upload = (files: Record<string, Buffer>): UploadBody => ({ files: new Map(Object.entries(files).map(([k, v]) => [k, [v]])), fields: new Map() });

describe('a session through the hosted flow service', () => {
  it('capture problem → resubmission_requested; the retake in the same session is approved; webhooks in lifecycle order', async () => {
    const a = sessionsApi(t);
    const sessions = server.services.sessions;
    const card = await generateIdCard({ portrait: 'personA_webcam', fields: { documentNumber: 'SES123456' } });
    const s = await body(await a.create({ level: 't1', external_user_id: 'retaker' }));
    const opened = await sessions.openLink(tokenOf(s.url!));
    if (!('browserSecret' in opened)) throw new Error('link did not open');
    expect(await sessions.forBrowser(s.id, opened.browserSecret)).toMatchObject({ id: s.id });
    expect(await sessions.forBrowser(s.id, 'another-browser')).toBeUndefined();

    const person = await server.person();
    clock.advance(1000);
    await sessions.start(s.id, person.id);
    const started = await body(await a.get(s.id));
    expect(started).toMatchObject({ status: 'in_progress' });
    expect(started.person_id).toMatch(/^psn_/);

    // Front only: the MRZ is on the back → a retake fixes it.
    clock.advance(1000);
    await sessions.submit(s.id, upload({ document: card.front }));
    expect((await body(await a.get(s.id))).status).toBe('processing');
    clock.advance(1000);
    await sessions.processSubmitted(s.id);
    const retake = await body(await a.get(s.id));
    expect(retake).toMatchObject({ status: 'resubmission_requested', outcome: null, attempts: 1 });
    expect(retake.reasons).toContain('mrz_missing_back');
    const firstCase = (await server.deps.db.knex('verification_sessions').where({ id: s.id }).first()).case_id as string;
    // While the retake is open the person is in progress, never rejected; the case waits for new captures.
    const pending = await fetch(`${server.url}/api/v1/kyc/${retake.person_id}/status`, { headers: { authorization: `Bearer ${t.apiKey}` } });
    expect(await pending.json()).toMatchObject({ kyc_status: 'pending' });
    expect(await server.deps.db.knex('verification_cases').where({ id: firstCase }).first()).toMatchObject({ status: 'resubmission_requested', attempts: 1 });

    clock.advance(1000);
    await sessions.submit(s.id, upload({ document: card.front, document_back: card.back }));
    clock.advance(1000);
    await sessions.processSubmitted(s.id);
    const done = await body(await a.get(s.id));
    expect(done).toMatchObject({ status: 'verified', outcome: 'approved', attempts: 2, url: null });
    // One case per attempt: the first keeps its own decision.
    const cases = await server.deps.db.knex('verification_cases').where({ sub: done.person_id }).orderBy('created_at');
    expect(cases.map((c: { id: string; status: string }) => [c.id === firstCase, c.status])).toEqual([[true, 'rejected'], [false, 'approved']]);
    // The first attempt's case was closed by the retake's case, which continued the attempt count.
    expect(cases[0].decision.reasons.at(-1)).toMatchObject({ code: 'retaken', case_id: cases[1].id });
    expect(cases[1].attempts).toBe(2);
    const status = await fetch(`${server.url}/api/v1/kyc/${done.person_id}/status`, { headers: { authorization: `Bearer ${t.apiKey}` } });
    expect(await status.json()).toMatchObject({ kyc_status: 'verified', kyc_tier: 't1' });

    const evs = await events(s.id);
    expect(evs.map((e) => e.type)).toEqual(['created', 'started', 'submitted', 'resubmission_requested', 'submitted', 'completed']);
    expect(evs[3]!.data).toMatchObject({ reasons: ['mrz_missing_back'], attempts_left: 2 });
    expect(evs[5]!.data).toMatchObject({ outcome: 'approved', status: 'verified', person_id: done.person_id });
    expect(JSON.stringify(evs)).not.toContain(person.id);
  }, 120_000);

  it('fraud signals stay terminal: an expired document is rejected at once; capture problems end in rejected after 3 attempts', async () => {
    const a = sessionsApi(t);
    const sessions = server.services.sessions;
    const run = async (user: string, tries: Buffer[][]) => {
      const s = await body(await a.create({ level: 't1', external_user_id: user }));
      await sessions.start(s.id, (await server.person()).id);
      for (const [front, back] of tries) {
        await sessions.submit(s.id, upload({ document: front!, ...(back ? { document_back: back } : {}) }));
        await sessions.processSubmitted(s.id);
      }
      return body(await a.get(s.id));
    };
    const expired = await generateIdCard({ portrait: 'personA_webcam', fields: { documentNumber: 'EXP123456', expiryDate: '2020-01-01' } });
    const r1 = await run('expired-doc', [[expired.front, expired.back]]);
    expect(r1).toMatchObject({ status: 'rejected', outcome: 'rejected', attempts: 1 });
    expect(r1.reasons).toContain('document_expired');

    const card = await generateIdCard({ portrait: 'personA_webcam', fields: { documentNumber: 'TRY123456' } });
    const r2 = await run('three-tries', [[card.front], [card.front], [card.front]]);
    expect(r2).toMatchObject({ status: 'rejected', outcome: 'rejected', attempts: 3 });
    await expect(sessions.submit(r2.id, upload({ document: card.front }))).rejects.toMatchObject({ status: 409 });
  }, 120_000);

  it('manual_review waits for the reviewer; the review ends the session verified or rejected (inside the review transaction)', async () => {
    await importListFile(server.deps.db, FTM_FIXTURE);
    const a = sessionsApi(t);
    const sessions = server.services.sessions;
    const x = SANCTIONED_APPLICANT;
    const doc = await generatePassport({
      portrait: 'personA_webcam',
      fields: { documentNumber: 'REV1234561', surname: x.familyName, givenNames: x.givenName, birthDate: x.birthDate, nationality: x.nationality, issuingState: x.nationality, sex: 'M' },
    });
    const s = await body(await a.create({ level: 't1', external_user_id: 'reviewed' }));
    await sessions.start(s.id, (await server.person()).id);
    await sessions.submit(s.id, upload({ document: doc.image }));
    await sessions.processSubmitted(s.id);
    const waiting = await body(await a.get(s.id));
    expect(waiting).toMatchObject({ status: 'manual_review', outcome: 'manual_review', url: null });
    expect(waiting.reasons).toContain('sanctions_match');
    // The person has finished: a session waiting for its review can't be canceled.
    expect((await a.cancel(s.id)).status).toBe(409);
    const caseId = (await server.services.sessions.byId(s.id))!.case_id!;
    const reviewer = await server.services.staff.create({ email: 'session-reviewer@example.test', role: 'reviewer' });
    await server.services.review.decide({ personId: reviewer.person_id }, caseId, { outcome: 'approved', reasonCode: 'screening_false_positive', note: 'Different person: birth place differs.' });
    expect(await body(await a.get(s.id))).toMatchObject({ status: 'verified', outcome: 'approved' });
    const evs = await events(s.id);
    expect(evs.map((e) => e.type)).toEqual(['created', 'started', 'submitted', 'completed', 'completed']);
    expect(evs.map((e) => e.data.outcome ?? null)).toEqual([null, null, null, 'manual_review', 'approved']);
  }, 120_000);

  it('an attempt left in processing (its process stopped before deciding) is decided by the periodic job', async () => {
    const a = sessionsApi(t);
    const sessions = server.services.sessions;
    const card = await generateIdCard({ portrait: 'personA_webcam', fields: { documentNumber: 'STK123456' } });
    const s = await body(await a.create({ level: 't1', external_user_id: 'stuck' }));
    await sessions.start(s.id, (await server.person()).id);
    await sessions.submit(s.id, upload({ document: card.front, document_back: card.back }));
    expect(await sessions.resumeStuck()).toEqual({ resumed: 0 }); // still fresh: its own request may be deciding
    clock.advance(11 * 60_000);
    expect(await sessions.resumeStuck()).toEqual({ resumed: 1 });
    expect(await body(await a.get(s.id))).toMatchObject({ status: 'verified', outcome: 'approved' });
  }, 120_000);
});
