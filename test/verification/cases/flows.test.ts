// Whole verifications over HTTP with the real engines (one warmed worker pool for the file): generated ICAO
// documents, real face photos, the fixture sanctions list. Order matters: later tests build on enrolled faces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importListFile } from '../../../src/screening/index.js';
import { FTM_FIXTURE, SANCTIONED_APPLICANT } from '../../fixtures/screening/index.js';
import { generateIdCard, generatePassport, PORTRAITS } from '../../support/documents/index.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { demoSamples, personA } from '../engine/face/samples.js';
import { api, form, newCase, passportMaker, setupTenant, signIn, subject, type Api, type TenantCtx } from './support.js';

let server: TestServer;
let t: TenantCtx;
let a: Api;
const selfies: Record<string, Buffer> = {};

beforeAll(async () => {
  server = await startTestServer();
  t = await setupTenant(server, 'Acme Bank');
  a = api(server, t);
  await importListFile(server.deps.db, FTM_FIXTURE);
  const load = (id: string) => personA.find((s) => s.id === id)!.load();
  // Person A: the document portrait is the webcam photo, selfies are DIFFERENT photos of him, ones the face
  // descriptor approves against it (cosine ≥ face.match.approve on the generated passport and ID card).
  [selfies.a, selfies.a2, selfies.fresh, selfies.again, selfies.group] = await Promise.all([
    load('grid-0-15'),
    load('grid-0-2'),
    load('grid-0-9'),
    load('grid-0-8'),
    import('sharp').then(({ default: sharp }) => sharp(demoSamples(1)[0]!.source.path).resize({ width: 1280 }).jpeg().toBuffer()),
  ]);
  await server.services.warmup();
}, 240_000);
afterAll(async () => {
  await server?.services.close();
  await server?.close();
});

const passportOf = passportMaker('X');

interface Run {
  sub: string;
  caseId: string;
  decision: Record<string, any>;
}

async function run(level: 't1' | 't2' | 't3', document: Buffer, selfie: Buffer | undefined, who?: { sub: string }): Promise<Run> {
  const sub = who?.sub ?? (await subject(server, t)).sub;
  const caseId = await newCase(a, sub, level);
  const up = await a.upload(caseId, form({ document, ...(selfie ? { selfie } : {}) }));
  expect(up.status, await up.clone().text()).toBe(200);
  const res = await a.decide(caseId);
  expect(res.status, await res.clone().text()).toBe(200);
  return { sub, caseId, decision: await res.json() };
}

/** The operator's reviewer number n (a staff account with the reviewer role), made on first use. */
const reviewers = new Map<number, { personId: string }>();
async function reviewer(n: number): Promise<{ personId: string }> {
  if (!reviewers.has(n)) reviewers.set(n, { personId: (await server.services.staff.create({ email: `reviewer${n}@example.test`, role: 'reviewer' })).person_id });
  return reviewers.get(n)!;
}

const codes = (d: Record<string, any>) => d.reasons.map((r: { code: string }) => r.code);
const kyc = async (sub: string) => (await a.status(sub)).json();

describe('rejections and reviews', () => {
  it('TD1 ID card: both sides → approved t1; the front alone → a retake (mrz_missing_back); one decide wins a race', async () => {
    const card = await generateIdCard({ portrait: 'personA_webcam', fields: { documentNumber: 'IDC123456' } });
    const sub = (await subject(server, t)).sub;
    const frontOnly = await newCase(a, sub, 't1');
    expect((await a.upload(frontOnly, form({ document: card.front }))).status).toBe(200);
    const retake = await (await a.decide(frontOnly)).json();
    expect(retake.outcome).toBe('resubmission_requested');
    expect(codes(retake)).toContain('mrz_missing_back');

    const both = await newCase(a, sub, 't1');
    const up = await a.upload(both, form({ document: card.front, documentBack: card.back }));
    expect(up.status).toBe(200);
    expect((await up.json()).document).toMatchObject({ type: 'id_card', mrz: { format: 'TD1', document_number_masked: '•••••3456' } });
    const [r1, r2] = await Promise.all([a.decide(both), a.decide(both)]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const winner = await (r1.status === 200 ? r1 : r2).json();
    expect(winner).toMatchObject({ outcome: 'approved', automation_tier: 't1' });
    // No list loaded would mean no screening at t1; here the fixture list is loaded, so it ran and was clear.
    expect(await kyc(sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't1', aml_clear: true });
    // A closed case takes no more uploads or decisions.
    expect((await a.upload(both, form({ document: card.front }))).status).toBe(409);
    expect((await a.decide(both)).status).toBe(409);
  });

  it('tampered check digit → rejected (check_digit_mismatch)', async () => {
    const doc = await passportOf({ tamper: { birthDate: '1980-01-01' } });
    const { sub, decision } = await run('t2', doc.image, selfies.a);
    expect(decision).toMatchObject({ outcome: 'rejected', status: 'rejected', risk_level: 'high', human_verified: false });
    expect(codes(decision)).toContain('check_digit_mismatch');
    expect(await kyc(sub)).toMatchObject({ kyc_status: 'rejected', kyc_tier: 't0' });
  });

  it('printed date of birth altered, MRZ valid → not approved (manual_review, viz_mrz_mismatch)', async () => {
    const doc = await passportOf({ printed: { birthDate: '1969-03-21' } });
    const { sub, decision } = await run('t1', doc.image, undefined);
    expect(decision).toMatchObject({ outcome: 'manual_review', risk_level: 'high' });
    expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'viz_mrz_mismatch', check: 'document.viz_mrz' }));
    expect(await kyc(sub)).not.toMatchObject({ kyc_status: 'verified' });
  });

  it('expired document → rejected (document_expired)', async () => {
    const doc = await passportOf({ fields: { issueDate: '2014-01-10', expiryDate: '2024-01-09' } });
    const { decision } = await run('t1', doc.image, undefined);
    expect(decision.outcome).toBe('rejected');
    expect(codes(decision)).toEqual(['document_expired']);
  });

  it('impostor selfie → rejected (face_mismatch)', async () => {
    const doc = await passportOf({ portrait: PORTRAITS.personC });
    const { decision } = await run('t2', doc.image, selfies.a);
    expect(decision.outcome).toBe('rejected');
    expect(codes(decision)[0]).toBe('face_mismatch');
    expect(decision.checks.find((c: { name: string }) => c.name === 'face.match')).toMatchObject({ passed: false });
  });

  it('two faces in the selfie → a retake (multiple_faces), not a rejection', async () => {
    const doc = await passportOf();
    const { decision } = await run('t2', doc.image, selfies.group);
    expect(decision.outcome).toBe('resubmission_requested');
    expect(codes(decision)).toContain('multiple_faces');
  });

  it('sanctioned applicant → manual_review (sanctions_match); a reviewer rejects', async () => {
    const s = SANCTIONED_APPLICANT;
    const doc = await passportOf({ fields: { surname: s.familyName, givenNames: s.givenName, birthDate: s.birthDate, nationality: s.nationality, issuingState: s.nationality, sex: 'M' } });
    const { sub, caseId, decision } = await run('t2', doc.image, selfies.a2);
    expect(decision).toMatchObject({ outcome: 'manual_review', status: 'manual_review', risk_level: 'high' });
    expect(codes(decision)).toContain('sanctions_match');
    expect(await kyc(sub)).toMatchObject({ kyc_status: 'pending' });
    // The operator's reviewer decides (review/); the tenant sees the outcome and the public reason code.
    await server.services.review.decide(await reviewer(1), caseId, { outcome: 'rejected', reasonCode: 'screening_confirmed_match', note: 'Confirmed match on the sanctions list.' });
    expect(await (await a.get(caseId)).json()).toMatchObject({ status: 'rejected', decision: { outcome: 'rejected', human_verified: true }, review: { outcome: 'rejected', reason: 'screening_confirmed_match' } });
    expect(await kyc(sub)).toMatchObject({ kyc_status: 'rejected', kyc_tier: 't0' });
  });
});

describe('the self-review attack of issue 12 is closed', () => {
  it('a tenant cannot approve its own manual_review case (403), and every tenant still sees the person unverified', async () => {
    const other = await setupTenant(server, 'Other Bank');
    const b = api(server, other);
    const person = await server.person();
    const subA = (await signIn(server, t, person)).sub;
    const subB = (await signIn(server, other, person)).sub;
    // t3 with still-photo "liveness" frames: manual_review, the state the attack needs.
    const caseId = await newCase(a, subA, 't3');
    const { challenge } = await (await a.challenge(caseId)).json();
    const frames = Array.from({ length: challenge.length + 1 }, () => selfies.a2!);
    const up = await a.upload(caseId, form({ document: (await passportOf()).image, selfie: selfies.a2, frames, fields: { liveness_mode: 'active' } }));
    expect(up.status, await up.clone().text()).toBe(200);
    expect(await (await a.decide(caseId)).json()).toMatchObject({ outcome: 'manual_review' });

    const review = await a.review(caseId, { outcome: 'approved', reason: 'Looks fine to us.' });
    expect(review.status).toBe(403);
    expect(await review.json()).toMatchObject({ error: 'review_forbidden' });
    expect(await (await a.get(caseId)).json()).toMatchObject({ status: 'manual_review', review: null });
    for (const [client, sub] of [[a, subA], [b, subB]] as const) {
      expect(await (await client.status(sub)).json()).toMatchObject({ kyc_status: 'pending', kyc_tier: 't0', verified_at: null });
    }
  });

  it("the attack's specimen passport (UTO, or an ICAO specimen number) is refused outside sandbox mode: rejected, specimen_document", async () => {
    const sub = (await subject(server, t)).sub;
    for (const doc of [await passportOf({ specimen: true }), await generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: 'L898902C3' } })]) {
      const caseId = await newCase(a, sub, 't1');
      const up = await a.upload(caseId, form({ document: doc.image }));
      expect(up.status).toBe(200);
      expect((await up.json()).document.checks).toContainEqual(expect.objectContaining({ name: 'document.specimen', passed: false, code: 'specimen_document' }));
      const d = await (await a.decide(caseId)).json();
      expect(d).toMatchObject({ outcome: 'rejected', risk_level: 'high' });
      expect(codes(d)).toContain('specimen_document');
    }
    expect(await kyc(sub)).toMatchObject({ kyc_status: 'rejected', kyc_tier: 't0' });
  });
});

describe('approval and what it unlocks', () => {
  let x: { sub: string; email: string; password: string; caseId: string; doc: Buffer };

  it('end to end: valid passport + a different photo of the same person → approved t2, visible in the status API and a fresh ID token', async () => {
    const person = await server.person();
    const first = await signIn(server, t, person);
    expect(first.claims).toMatchObject({ kyc_status: 'unverified', kyc_tier: 't0' });
    const doc = (await passportOf()).image;
    const r = await run('t2', doc, selfies.a, first);
    x = { ...person, sub: first.sub, caseId: r.caseId, doc };
    expect(r.decision).toMatchObject({ outcome: 'approved', status: 'approved', risk_level: 'low', human_verified: false, automation_tier: 't2', reasons: [] });
    const names = r.decision.checks.map((c: { name: string }) => c.name);
    for (const n of ['document.mrz_check_digits', 'document.expiry', 'face.match', 'liveness.passive', 'screening.sanctions_pep', 'face.dedup']) expect(names).toContain(n);
    for (const c of r.decision.checks) expect(Object.keys(c)).toEqual(expect.arrayContaining(['name', 'passed', 'score', 'threshold', 'reason']));

    const status = await kyc(x.sub);
    expect(status).toMatchObject({ person_id: x.sub, kyc_status: 'verified', kyc_tier: 't2', aml_clear: true });
    expect(new Date(status.expires_at).getTime()).toBeLessThanOrEqual(Date.now() + 366 * 86_400_000);
    const fresh = await signIn(server, t, person);
    expect(fresh.sub).toBe(x.sub);
    expect(fresh.claims).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2', aml_clear: true });

    // Events were written with the state change: decided + assurance changed, with the tenant's sub only.
    const events = await server.deps.db.knex('webhook_events').where({ tenant_id: t.tenantId }).orderBy('created_at');
    const mine = events.filter((e) => e.data.person_id === x.sub).map((e) => e.type);
    expect(mine).toEqual(expect.arrayContaining(['verification.case.created', 'verification.case.uploaded', 'verification.case.decided', 'person.assurance.changed']));
    const changed = events.filter((e) => e.type === 'person.assurance.changed' && e.data.person_id === x.sub).map((e) => e.data.current);
    expect(changed).toContainEqual({ status: 'verified', tier: 't2' });
    // Never the internal person id or a raw document number.
    const payloads = JSON.stringify(events.map((e) => e.data));
    expect(payloads).not.toMatch(/per_[\w-]{10,}/);
    expect(payloads).not.toMatch(/X\d{7}1/);
  });

  it('the same face for a different person → manual_review (possible_duplicate) naming the other case', async () => {
    const doc = (await passportOf({ fields: { surname: 'Other', givenNames: 'Person' } })).image;
    const { decision } = await run('t2', doc, selfies.a);
    expect(decision.outcome).toBe('manual_review');
    const dup = decision.reasons.find((r: { code: string }) => r.code === 'possible_duplicate');
    expect(dup).toMatchObject({ code: 'possible_duplicate', case_id: x.caseId });
    const check = decision.checks.find((c: { name: string }) => c.name === 'face.dedup');
    expect(check).toMatchObject({ passed: false, code: 'possible_duplicate', details: { case_id: x.caseId } });
    expect(check.details.candidates).toBeGreaterThanOrEqual(1);
    expect(check.reason).toContain(`verified case is ${x.caseId}`);
  });

  // The scenario of issue 13: a verified person opens a second identity with a second document (other name, other
  // number, a portrait photo of them never enrolled) and a fresh selfie (also never enrolled).
  it('a returning face with a second document and fresh photos, on a second account → manual_review (possible_duplicate) naming the first case', async () => {
    const second = await passportOf({ portrait: 'personA_closeup', fields: { surname: 'Novak', givenNames: 'Petr', birthDate: '1979-04-02' } });
    const { sub, decision } = await run('t2', second.image, selfies.fresh);
    expect(sub).not.toBe(x.sub);
    expect(decision.outcome).toBe('manual_review');
    expect(decision.reasons.find((r: { code: string }) => r.code === 'possible_duplicate')).toMatchObject({ case_id: x.caseId });
    expect(codes(decision)).not.toContain('face_mismatch');
    expect(await kyc(sub)).toMatchObject({ kyc_status: 'pending' });
  });

  it('the same person re-verifying with a two-sided ID card and a different photo → approved, not flagged against their own enrolment', async () => {
    const card = await generateIdCard({ portrait: 'personA_closeup', fields: { documentNumber: 'IDX778899' } });
    const caseId = await newCase(a, x.sub, 't2');
    const up = await a.upload(caseId, form({ document: card.front, documentBack: card.back, selfie: selfies.again }));
    expect(up.status, await up.clone().text()).toBe(200);
    const d = await (await a.decide(caseId)).json();
    expect(d.outcome, JSON.stringify(d.reasons)).toBe('approved');
    const dedup = d.checks.find((c: { name: string }) => c.name === 'face.dedup');
    expect(dedup).toMatchObject({ name: 'face.dedup', passed: true });
    expect(await kyc(x.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2' });
  });

  it('the same document for another person → rejected (document_already_verified), never a second identity', async () => {
    const { sub, decision } = await run('t2', x.doc, selfies.a2);
    expect(decision.outcome).toBe('rejected');
    expect(codes(decision)).toContain('document_already_verified');
    expect(await kyc(sub)).toMatchObject({ kyc_status: 'rejected' });
  });

  it('t3 is never automatic and a failed attempt keeps the held tier; a reviewer approves t3', async () => {
    // A failed higher-level attempt (impostor) leaves verified t2 alone.
    const impostorDoc = (await generatePassport({ portrait: PORTRAITS.personC, fields: { documentNumber: 'X9999999' } })).image;
    const failed = await run('t2', impostorDoc, selfies.a, x);
    expect(failed.decision.outcome).toBe('rejected');
    expect(await kyc(x.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2' });

    const caseId = await newCase(a, x.sub, 't3');
    const { challenge } = await (await a.challenge(caseId)).json();
    // Frames that don't follow the challenge (the same still photo): active liveness fails, advisory only.
    const frames = Array.from({ length: challenge.length + 1 }, () => selfies.a!);
    const up = await a.upload(caseId, form({ document: x.doc, selfie: selfies.a, frames, fields: { liveness_mode: 'active' } }));
    expect(up.status, await up.clone().text()).toBe(200);
    const d = await (await a.decide(caseId)).json();
    expect(d).toMatchObject({ outcome: 'manual_review', human_verified: false, automation_tier: 't2' });
    expect(codes(d)).toContain('human_review_required');
    expect(d.checks.find((c: { name: string }) => c.name === 'liveness.active')).toMatchObject({ advisory: true, passed: false });
    expect(await kyc(x.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2' });

    // Not by the tenant (403); the operator's reviewers decide.
    expect((await a.review(caseId, { outcome: 'approved', reason: 'Checked it ourselves.' })).status).toBe(403);
    // Four eyes: the first reviewer's approval waits for a second, different reviewer.
    const note = 'Checked the document and the video call.';
    expect(await server.services.review.decide(await reviewer(1), caseId, { outcome: 'approved', reasonCode: 'documents_verified', note })).toMatchObject({ awaitingSecondReviewer: true });
    expect(await kyc(x.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2' });
    await server.services.review.decide(await reviewer(2), caseId, { outcome: 'approved', reasonCode: 'documents_verified', note });
    expect(await (await a.get(caseId)).json()).toMatchObject({ status: 'approved', decision: { outcome: 'approved', human_verified: true } });
    expect(await kyc(x.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't3', aml_clear: true });
    // Reviewing twice is a conflict.
    await expect(server.services.review.decide(await reviewer(2), caseId, { outcome: 'rejected', reasonCode: 'policy', note: 'changed my mind' })).rejects.toMatchObject({ status: 409 });
  });
});
