// The operator's review service (review/): queue, claims, decisions with reason codes and sealed notes, four eyes
// for t3, screening required for a human t2+ approval, and what the tenant's status API shows afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { addRedirectUri } from '../../src/tenants/redirect-uris.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { seedReviewCase } from '../support/review.js';

let server: TestServer;
let clock: ManualClock;
let tenantId: string;
let apiKey: string;
let r1: { personId: string };
let r2: { personId: string };

const status = async (sub: string) => (await fetch(`${server.url}/api/v1/kyc/${sub}/status`, { headers: { authorization: `Bearer ${apiKey}` } })).json();
const caseJson = async (id: string) => (await fetch(`${server.url}/api/v1/verification/cases/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json();

beforeAll(async () => {
  clock = new ManualClock(new Date());
  server = await startTestServer({ clock, env: { REVIEW_SLA_HOURS: '4', REVIEW_CLAIM_MINUTES: '30' } });
  tenantId = await server.tenant('Review Bank');
  apiKey = (await server.apiKey(tenantId)).api_key;
  r1 = { personId: (await server.services.staff.create({ email: 'r1@example.test', role: 'reviewer' })).person_id };
  r2 = { personId: (await server.services.staff.create({ email: 'r2@example.test', role: 'reviewer' })).person_id };
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('review service', () => {
  it('lists manual_review cases oldest first with their age against the SLA; a claim is held by one reviewer and lapses', async () => {
    const review = server.services.review;
    const older = await seedReviewCase(server, { tenantId, level: 't2', amlClear: true });
    clock.advance(5 * 3_600_000);
    const newer = await seedReviewCase(server, { tenantId, level: 't1', amlClear: null });
    const q = await review.queue(r1);
    const ids = q.map((i) => i.id);
    expect(ids.indexOf(older.caseId)).toBeLessThan(ids.indexOf(newer.caseId));
    expect(q.find((i) => i.id === older.caseId)).toMatchObject({ overdue: true, level: 't2', claimedBy: null });
    expect(q.find((i) => i.id === newer.caseId)).toMatchObject({ overdue: false });

    await review.claim(r1, older.caseId);
    await expect(review.claim(r2, older.caseId)).rejects.toMatchObject({ status: 409, code: 'claimed_by_other' });
    expect((await review.queue(r2)).find((i) => i.id === older.caseId)).toMatchObject({ claimedBy: r1.personId, claimedByMe: false });
    await expect(review.decide(r2, older.caseId, { outcome: 'rejected', reasonCode: 'face_mismatch', note: 'no' })).rejects.toMatchObject({ code: 'claimed_by_other' });
    clock.advance(31 * 60_000);
    await review.claim(r2, older.caseId); // the claim lapsed
    await review.release(r2, older.caseId);
    expect((await review.queue(r1)).find((i) => i.id === older.caseId)).toMatchObject({ claimedBy: null });
  });

  it('a decision needs a reason code of its outcome and a note; the note is sealed and never reaches the tenant', async () => {
    const review = server.services.review;
    const c = await seedReviewCase(server, { tenantId, level: 't2', amlClear: true });
    await expect(review.decide(r1, c.caseId, { outcome: 'approved', reasonCode: 'face_mismatch', note: 'x' })).rejects.toMatchObject({ status: 400 });
    await expect(review.decide(r1, c.caseId, { outcome: 'approved', reasonCode: 'documents_verified', note: '   ' })).rejects.toMatchObject({ status: 400 });
    expect(await status(c.sub)).toMatchObject({ kyc_status: 'pending' });
    const note = 'Portrait matches; birth place checked by phone with the applicant.';
    const r = await review.decide(r1, c.caseId, { outcome: 'approved', reasonCode: 'documents_verified', note });
    expect(r).toMatchObject({ awaitingSecondReviewer: false, row: { status: 'approved', human_verified: true } });
    expect(await status(c.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2', aml_clear: true });
    const tenantView = await caseJson(c.caseId);
    expect(tenantView).toMatchObject({ status: 'approved', review: { outcome: 'approved', reason: 'documents_verified' } });
    expect(JSON.stringify(tenantView)).not.toContain('birth place');
    const stored = await server.deps.db.knex('review_decisions').where({ case_id: c.caseId });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ reviewer_id: r1.personId, outcome: 'approved', reason_code: 'documents_verified', final: true });
    expect(stored[0].note_enc).not.toContain('birth place');
    expect((await review.view(r2, c.caseId)).decisions[0]).toMatchObject({ note, reviewerEmail: 'r1@example.test' });
    await expect(review.decide(r2, c.caseId, { outcome: 'rejected', reasonCode: 'policy', note: 'again' })).rejects.toMatchObject({ status: 409, code: 'not_in_review' });
  });

  it('a t2 approval is refused when screening did not run (409 screening_required); a screening hit can be cleared', async () => {
    const review = server.services.review;
    const unscreened = await seedReviewCase(server, { tenantId, level: 't2', amlClear: null });
    await expect(review.decide(r1, unscreened.caseId, { outcome: 'approved', reasonCode: 'documents_verified', note: 'looks fine' })).rejects.toMatchObject({ status: 409, code: 'screening_required' });
    expect(await status(unscreened.sub)).toMatchObject({ kyc_status: 'pending' });
    await review.decide(r1, unscreened.caseId, { outcome: 'rejected', reasonCode: 'policy', note: 'No screening: cannot verify at t2.' });
    expect(await status(unscreened.sub)).toMatchObject({ kyc_status: 'rejected' });

    const hit = await seedReviewCase(server, { tenantId, level: 't2', amlClear: false });
    await review.decide(r1, hit.caseId, { outcome: 'approved', reasonCode: 'screening_false_positive', note: 'Different birth date and nationality.' });
    expect(await status(hit.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2', aml_clear: true });
  });

  it('t3 needs two different reviewers: the first approval waits, the same reviewer cannot approve twice, the second approves', async () => {
    const review = server.services.review;
    const c = await seedReviewCase(server, { tenantId, level: 't3', amlClear: true });
    const first = await review.decide(r1, c.caseId, { outcome: 'approved', reasonCode: 'documents_verified', note: 'Video call done.' });
    expect(first).toMatchObject({ awaitingSecondReviewer: true, row: { status: 'manual_review' } });
    expect(await status(c.sub)).toMatchObject({ kyc_status: 'pending' });
    expect((await review.queue(r2)).find((i) => i.id === c.caseId)).toMatchObject({ awaitingSecondReviewer: true, claimedBy: null });
    await expect(review.decide(r1, c.caseId, { outcome: 'approved', reasonCode: 'documents_verified', note: 'me again' })).rejects.toMatchObject({ status: 409, code: 'second_reviewer_required' });
    const second = await review.decide(r2, c.caseId, { outcome: 'approved', reasonCode: 'documents_verified', note: 'Agree.' });
    expect(second).toMatchObject({ awaitingSecondReviewer: false, row: { status: 'approved' } });
    expect(await status(c.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't3' });
    const rows = await server.deps.db.knex('review_decisions').where({ case_id: c.caseId }).orderBy('decided_at');
    expect(rows.map((r) => [r.reviewer_id, r.final])).toEqual([[r1.personId, false], [r2.personId, true]]);
  });

  it('a second reviewer can reject a t3 held for four eyes; a resubmission reopens the case for a retake with its instruction', async () => {
    const review = server.services.review;
    const c = await seedReviewCase(server, { tenantId, level: 't3', amlClear: true });
    await review.decide(r1, c.caseId, { outcome: 'approved', reasonCode: 'documents_verified', note: 'ok' });
    await review.decide(r2, c.caseId, { outcome: 'rejected', reasonCode: 'liveness_spoof', note: 'Frames are a replayed video.' });
    expect(await status(c.sub)).toMatchObject({ kyc_status: 'rejected' });

    const again = await seedReviewCase(server, { tenantId, level: 't2', amlClear: true });
    await expect(review.decide(r1, again.caseId, { outcome: 'resubmission_requested', reasonCode: 'face_mismatch', note: 'x' })).rejects.toMatchObject({ status: 400 });
    const r = await review.decide(r1, again.caseId, { outcome: 'resubmission_requested', reasonCode: 'glare', note: 'Glare over the MRZ.' });
    expect(r.row).toMatchObject({ status: 'resubmission_requested', outcome: 'resubmission_requested', review: { outcome: 'resubmission_requested', reason: 'glare' } });
    expect(await caseJson(again.caseId)).toMatchObject({
      status: 'resubmission_requested',
      attempts_left: 2,
      review: { outcome: 'resubmission_requested', reason: 'glare', instruction: expect.stringMatching(/without glare/) },
    });
    // The person's status stays as the review left it (in progress) until the new attempt is decided.
    expect(await status(again.sub)).toMatchObject({ kyc_status: 'pending' });
    const events = await server.deps.db.knex('webhook_events').where({ tenant_id: tenantId }).whereLike('type', 'verification.case.%');
    const mine = events.filter((e: { data: { case_id: string } }) => e.data.case_id === again.caseId);
    expect(mine.map((e: { type: string }) => e.type)).toContain('verification.case.resubmission_requested');
  });

  it('a resubmission on the last attempt is a rejection; an approval held before a resubmission does not count for the retake', async () => {
    const review = server.services.review;
    const last = await seedReviewCase(server, { tenantId, level: 't2', amlClear: true });
    await server.deps.db.knex('verification_cases').where({ id: last.caseId }).update({ attempts: 3 });
    const r = await review.decide(r1, last.caseId, { outcome: 'resubmission_requested', reasonCode: 'blurred', note: 'Still blurred.' });
    expect(r.row).toMatchObject({ status: 'rejected', review: { outcome: 'resubmission_requested' } });
    expect(await status(last.sub)).toMatchObject({ kyc_status: 'rejected' });

    const c = await seedReviewCase(server, { tenantId, level: 't3', amlClear: true });
    await review.decide(r1, c.caseId, { outcome: 'approved', reasonCode: 'documents_verified', note: 'ok' });
    await review.decide(r2, c.caseId, { outcome: 'resubmission_requested', reasonCode: 'glare', note: 'Glare over the portrait.' });
    // The retake reaches review again (as a decided attempt leaves it): four eyes start over on the new captures.
    await server.deps.db.knex('verification_cases').where({ id: c.caseId }).update({ status: 'manual_review', outcome: 'manual_review' });
    expect(await review.decide(r1, c.caseId, { outcome: 'approved', reasonCode: 'documents_verified', note: 'New photos fine.' })).toMatchObject({ awaitingSecondReviewer: true });
  });

  it('a resubmission request sends the hosted session back to the person with what to retake', async () => {
    const uri = 'https://rp.example/back';
    await addRedirectUri(server.deps.db.knex, server.deps.config, tenantId, uri);
    const person = await server.person();
    const { row: session } = await server.services.sessions.create({ tenantId, level: 't2', redirectUri: uri });
    await server.services.sessions.start(session.id, person.id);
    const c = await seedReviewCase(server, { tenantId, level: 't2', amlClear: true, personId: person.id });
    // What a submitted attempt that went to review leaves on the session (its case, one attempt used).
    await server.deps.db.knex('verification_sessions').where({ id: session.id }).update({ status: 'manual_review', case_id: c.caseId, attempts: 1 });
    await server.services.review.decide(r1, c.caseId, { outcome: 'resubmission_requested', reasonCode: 'glare', note: 'Glare over the MRZ.' });
    expect(await server.services.sessions.byId(session.id)).toMatchObject({ status: 'resubmission_requested', reasons: ['glare'] });
  });

  it('only staff with the reviewer or admin role may use the queue', async () => {
    const stranger = { personId: (await server.person()).id };
    await expect(server.services.review.queue(stranger)).rejects.toMatchObject({ status: 403 });
    const viewer = await server.services.staff.create({ email: 'viewer@example.test', role: 'viewer', tenantId });
    await expect(server.services.review.queue({ personId: viewer.person_id })).rejects.toMatchObject({ status: 403 });
    const admin = await server.services.staff.create({ email: 'admin@example.test', role: 'admin' });
    expect(Array.isArray(await server.services.review.queue({ personId: admin.person_id }))).toBe(true);
  });
});

describe('REVIEW_T3_REVIEWERS=1 (an operator without a second reviewer)', () => {
  it('one reviewer approves t3', async () => {
    const solo = await startTestServer({ env: { REVIEW_T3_REVIEWERS: '1' } });
    try {
      const t = await solo.tenant('Solo Bank');
      const key = (await solo.apiKey(t)).api_key;
      const only = { personId: (await solo.services.staff.create({ email: 'only@example.test', role: 'reviewer' })).person_id };
      const c = await seedReviewCase(solo, { tenantId: t, level: 't3', amlClear: true });
      expect(await solo.services.review.decide(only, c.caseId, { outcome: 'approved', reasonCode: 'documents_verified', note: 'ok' })).toMatchObject({ awaitingSecondReviewer: false });
      const s = await (await fetch(`${solo.url}/api/v1/kyc/${c.sub}/status`, { headers: { authorization: `Bearer ${key}` } })).json();
      expect(s).toMatchObject({ kyc_status: 'verified', kyc_tier: 't3' });
    } finally {
      await solo.close();
    }
  }, 60_000);
});
