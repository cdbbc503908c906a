// Retakes are not rejections (issue 13 §6), over HTTP with the real engines: every capture problem gives
// `resubmission_requested` with the exact instruction, the case takes the retake (only the failed captures) and
// the next decide approves; the third attempt with capture problems is rejected; fraud signals stay rejections.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importListFile } from '../../../src/screening/index.js';
import { FTM_FIXTURE } from '../../fixtures/screening/index.js';
import { generateIdCard, PORTRAITS } from '../../support/documents/index.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { demoSamples, personA } from '../engine/face/samples.js';
import { api, form, newCase, passportMaker, setupTenant, subject, type Api, type TenantCtx, type UploadParts } from './support.js';

let server: TestServer;
let t: TenantCtx;
let a: Api;
const selfies: Record<string, Buffer> = {};

beforeAll(async () => {
  server = await startTestServer();
  t = await setupTenant(server, 'Retake Bank');
  a = api(server, t);
  await importListFile(server.deps.db, FTM_FIXTURE); // t2 needs sanctions screening
  [selfies.a, selfies.group, selfies.empty] = await Promise.all([
    personA.find((s) => s.id === 'grid-0-15')!.load(), // a photo the descriptor approves against the webcam portrait
    sharp(demoSamples(1)[0]!.source.path).resize({ width: 1280 }).jpeg().toBuffer(),
    // A wall, no one in the picture.
    sharp({ create: { width: 640, height: 480, channels: 3, background: '#8a8f94' } }).jpeg().toBuffer(),
  ]);
  await server.services.warmup();
}, 240_000);
afterAll(async () => {
  await server?.services.close();
  await server?.close();
});

const passportOf = passportMaker('R');

type Json = Record<string, any>;
const codes = (d: Json) => d.reasons.map((r: { code: string }) => r.code) as string[];
const kyc = async (sub: string) => (await a.status(sub)).json();

async function upload(caseId: string, parts: UploadParts): Promise<void> {
  const up = await a.upload(caseId, form(parts));
  expect(up.status, await up.clone().text()).toBe(200);
}
async function decide(caseId: string): Promise<Json> {
  const res = await a.decide(caseId);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}
/** A new person's case with one upload, decided. */
async function attempt(level: 't1' | 't2', parts: UploadParts): Promise<{ sub: string; caseId: string; decision: Json }> {
  const { sub } = await subject(server, t);
  const caseId = await newCase(a, sub, level);
  await upload(caseId, parts);
  return { sub, caseId, decision: await decide(caseId) };
}
const caseEvents = async (caseId: string) =>
  (await server.deps.db.knex('webhook_events').where({ tenant_id: t.tenantId }).whereLike('type', 'verification.case.%').orderBy([{ column: 'created_at' }, { column: 'id' }]))
    .filter((e: { data: { case_id: string } }) => e.data.case_id === caseId)
    .map((e: { type: string; data: Json }) => ({ type: e.type.replace('verification.case.', ''), data: e.data }));

/** The outcome every capture problem must give: a retake with the instruction, the case open, the person pending. */
async function expectRetake(r: { sub: string; caseId: string; decision: Json }, code: string, instruction: RegExp): Promise<void> {
  expect(r.decision, JSON.stringify(codes(r.decision))).toMatchObject({ outcome: 'resubmission_requested', status: 'resubmission_requested' });
  const reason = r.decision.reasons.find((x: { code: string }) => x.code === code);
  expect(reason, JSON.stringify(r.decision.reasons)).toBeDefined();
  expect(reason.instruction).toMatch(instruction);
  expect(await (await a.get(r.caseId)).json()).toMatchObject({ status: 'resubmission_requested', attempts: 1, attempts_left: 2 });
  expect(await kyc(r.sub)).toMatchObject({ kyc_status: 'pending', kyc_tier: 't0' });
}

describe('capture problems ask for a retake, with the instruction', () => {
  it('a blurred document → resubmission_requested (blurred); the retake is approved; webhooks say so in order', async () => {
    const doc = await passportOf();
    const blurred = await passportOf({ fields: { documentNumber: doc.fields.documentNumber }, variant: { blurSigma: 4 } });
    const r = await attempt('t1', { document: blurred.image });
    await expectRetake(r, 'blurred', /holding the camera steady/);
    // Deciding again without new captures is refused; the retake is an upload.
    expect(await (await a.decide(r.caseId)).json()).toMatchObject({ error: 'retake_required' });

    await upload(r.caseId, { document: doc.image });
    expect(await (await a.get(r.caseId)).json()).toMatchObject({ status: 'open', attempts: 1, decision: null });
    const d = await decide(r.caseId);
    expect(d).toMatchObject({ outcome: 'approved', status: 'approved' });
    expect(await (await a.get(r.caseId)).json()).toMatchObject({ attempts: 2, attempts_left: 0 });
    expect(await kyc(r.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't1' });

    const evs = await caseEvents(r.caseId);
    expect(evs.map((e) => e.type)).toEqual(['created', 'uploaded', 'resubmission_requested', 'uploaded', 'decided']);
    expect(evs[2]!.data).toMatchObject({ status: 'resubmission_requested', attempts: 1, attempts_left: 2 });
    expect(evs[2]!.data.reasons).toContain('blurred');
    expect(evs[2]!.data.instructions).toContainEqual({ code: 'blurred', instruction: expect.stringMatching(/camera steady/) });
    // A decided approval stays as it is.
    expect((await a.upload(r.caseId, form({ document: doc.image }))).status).toBe(409);
  });

  it('glare on the document → resubmission_requested (glare)', async () => {
    const r = await attempt('t1', { document: (await passportOf({ variant: { glare: 0.2 } })).image });
    await expectRetake(r, 'glare', /in even light without glare/);
  });

  it('a low-resolution photo → resubmission_requested (low_resolution)', async () => {
    const r = await attempt('t1', { document: (await passportOf({ variant: { downscaleTo: 420 } })).image });
    await expectRetake(r, 'low_resolution', /fills the picture/);
  });

  it('a photo without the MRZ → resubmission_requested (mrz_not_found)', async () => {
    const doc = await passportOf();
    const meta = await sharp(doc.image).metadata();
    const top = await sharp(doc.image).extract({ left: 0, top: 0, width: meta.width!, height: Math.round(meta.height! * 0.7) }).jpeg().toBuffer();
    const r = await attempt('t1', { document: top });
    await expectRetake(r, 'mrz_not_found', /machine-readable zone/);
    expect(codes(r.decision)).not.toContain('check_digit_mismatch');
  });

  it('a TD1 card with the front only → resubmission_requested (mrz_missing_back); the retake sends just the back', async () => {
    const card = await generateIdCard({ portrait: 'personA_webcam', fields: { documentNumber: 'RTK123456' } });
    const r = await attempt('t1', { document: card.front });
    await expectRetake(r, 'mrz_missing_back', /back of the ID card/);
    // Only the failed capture: the stored front is kept for the new attempt.
    await upload(r.caseId, { documentBack: card.back });
    expect(await (await a.get(r.caseId)).json()).toMatchObject({ files: { document: true, document_back: true } });
    expect(await decide(r.caseId)).toMatchObject({ outcome: 'approved' });
  });

  it('a selfie with no face → resubmission_requested (no_face, the selfie); a new selfie alone is approved at t2', async () => {
    const r = await attempt('t2', { document: (await passportOf()).image, selfie: selfies.empty });
    await expectRetake(r, 'no_face', /Retake the selfie/);
    expect(r.decision.reasons.find((x: Json) => x.code === 'no_face')).toMatchObject({ check: 'face.selfie_single_face' });
    await upload(r.caseId, { selfie: selfies.a });
    expect(await decide(r.caseId), 'retake').toMatchObject({ outcome: 'approved', automation_tier: 't2' });
    expect(await kyc(r.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2' });
  });

  it('a selfie with two faces → resubmission_requested (multiple_faces)', async () => {
    const r = await attempt('t2', { document: (await passportOf()).image, selfie: selfies.group });
    await expectRetake(r, 'multiple_faces', /only the person being verified/);
  });
});

describe('attempts and what is never a retake', () => {
  it('three attempts with capture problems: the third is rejected with its reasons; a fourth upload is refused', async () => {
    const blurred = (await passportOf({ variant: { blurSigma: 4 } })).image;
    const r = await attempt('t1', { document: blurred });
    expect(r.decision.outcome).toBe('resubmission_requested');
    await upload(r.caseId, { document: blurred });
    expect(await decide(r.caseId)).toMatchObject({ outcome: 'resubmission_requested' });
    expect(await (await a.get(r.caseId)).json()).toMatchObject({ attempts: 2, attempts_left: 1 });
    expect(await kyc(r.sub)).toMatchObject({ kyc_status: 'pending' });
    await upload(r.caseId, { document: blurred });
    const last = await decide(r.caseId);
    expect(last).toMatchObject({ outcome: 'rejected', status: 'rejected' });
    expect(codes(last)).toContain('blurred');
    expect(await (await a.get(r.caseId)).json()).toMatchObject({ status: 'rejected', attempts: 3, attempts_left: 0 });
    expect(await kyc(r.sub)).toMatchObject({ kyc_status: 'rejected' });
    const fourth = await a.upload(r.caseId, form({ document: blurred }));
    expect(fourth.status).toBe(409);
    expect(await fourth.json()).toMatchObject({ error: 'case_closed' });
    expect((await caseEvents(r.caseId)).map((e) => e.type).filter((x) => x !== 'uploaded')).toEqual(['created', 'resubmission_requested', 'resubmission_requested', 'decided']);
  });

  it('an expired document is rejected, even when it also has glare', async () => {
    const r = await attempt('t1', { document: (await passportOf({ fields: { issueDate: '2014-01-10', expiryDate: '2024-01-09' }, variant: { glare: 0.2 } })).image });
    expect(r.decision).toMatchObject({ outcome: 'rejected', status: 'rejected' });
    expect(codes(r.decision)).toContain('document_expired');
    expect(await kyc(r.sub)).toMatchObject({ kyc_status: 'rejected' });
    expect((await a.upload(r.caseId, form({ document: (await passportOf()).image }))).status).toBe(409);
  });

  it('a face mismatch is rejected, not a retake', async () => {
    const r = await attempt('t2', { document: (await passportOf({ portrait: PORTRAITS.personC })).image, selfie: selfies.a });
    expect(r.decision).toMatchObject({ outcome: 'rejected', status: 'rejected' });
    expect(codes(r.decision)[0]).toBe('face_mismatch');
    expect(r.decision.reasons.every((x: Json) => x.instruction === undefined)).toBe(true);
  });
});
