// Uploads: content-checked types, size and pixel limits that abort early, nothing stored on refusal, images
// encrypted at rest, and the retention sweeper deleting them on schedule.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { generatePassport } from '../../support/documents/index.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { compose } from '../../../src/compose.js';
import { personA } from '../engine/face/samples.js';
import { api, form, newCase, setupTenant, storedFor, subject, type Api, type TenantCtx } from './support.js';

let server: TestServer;
let t: TenantCtx;
let a: Api;
let sub: string;
let personId: string;
let passport: Buffer;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  server = await startTestServer({ clock, env: { DOCUMENT_RETENTION_DAYS: '30' } });
  t = await setupTenant(server);
  a = api(server, t);
  const s = await subject(server, t);
  sub = s.sub;
  personId = s.id;
  passport = (await generatePassport({ portrait: 'personA_webcam' })).image;
  await server.services.warmup();
}, 180_000);
afterAll(async () => {
  await server?.services.close();
  await server?.close();
});

async function expectRefused(caseId: string, res: Response, status: number, code: string) {
  const body = await res.json();
  expect({ status: res.status, code: body.error }).toEqual({ status, code });
  expect(body.message).toBeTruthy();
  expect(await storedFor(server, caseId)).toEqual({ rows: 0, files: [] });
  const c = await (await a.get(caseId)).json();
  expect(c).toMatchObject({ status: 'open', uploaded_at: null, document: null });
}

/** A multipart body whose `document` part never ends: JPEG magic, then zeros up to `total` bytes, made lazily. */
function endlessUpload(total: number): { stream: Readable; produced: () => number } {
  let produced = 0;
  const head = Buffer.from('--XBOUNDARY\r\nContent-Disposition: form-data; name="document"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0', 'latin1');
  const chunk = Buffer.alloc(64 * 1024);
  const stream = new Readable({
    read() {
      if (produced === 0) {
        produced += head.length;
        this.push(head);
      } else if (produced >= total) this.push(null);
      else {
        produced += chunk.length;
        this.push(chunk);
      }
    },
  });
  return { stream, produced: () => produced };
}

function rawPost(caseId: string, body: Readable, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${server.url}/api/v1/verification/cases/${caseId}/upload/`);
    const req = http.request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'multipart/form-data; boundary=XBOUNDARY', ...headers },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        body.destroy();
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: text });
      });
    });
    // Writing into a socket the server closed after answering is expected.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    body.pipe(req);
  });
}

describe('refused uploads store nothing', () => {
  it('a text file renamed .jpg → 415; a PNG header with garbage → 415/422', async () => {
    const id = await newCase(a, sub, 't1');
    await expectRefused(id, await a.upload(id, form({ document: Buffer.from('%PDF-1.7 definitely not a photo'), filename: 'passport.jpg' })), 415, 'unsupported_media_type');
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    await expectRefused(id, await a.upload(id, form({ document: gif, filename: 'passport.jpg' })), 415, 'unsupported_media_type');
  });

  it('a truncated JPEG → 422 corrupt_image', async () => {
    const id = await newCase(a, sub, 't1');
    await expectRefused(id, await a.upload(id, form({ document: passport.subarray(0, Math.floor(passport.length * 0.6)) })), 422, 'corrupt_image');
  });

  it('a 50-megapixel image (small file) → 422 image_too_large', async () => {
    const id = await newCase(a, sub, 't1');
    const huge = await sharp({ create: { width: 8000, height: 6250, channels: 3, background: '#ddd' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(huge.length).toBeLessThan(10 * 1024 * 1024);
    await expectRefused(id, await a.upload(id, form({ document: huge })), 422, 'image_too_large');
  });

  it('an empty file → 400 empty_file; a missing selfie at t2 → 422; not multipart → 415', async () => {
    const id = await newCase(a, sub, 't1');
    await expectRefused(id, await a.upload(id, form({ document: Buffer.alloc(0) })), 400, 'empty_file');
    const id2 = await newCase(a, sub, 't2');
    await expectRefused(id2, await a.upload(id2, form({ document: passport })), 422, 'missing_file');
    const res = await fetch(`${server.url}/api/v1/verification/cases/${id}/upload/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ document: passport.toString('base64') }),
    });
    await expectRefused(id, res, 415, 'unsupported_media_type');
    await expectRefused(id, await a.upload(id, form({ document: passport, fields: { colour: 'blue' } })), 400, 'unknown_field');
  });

  it('an 11 MB file → 413', async () => {
    const id = await newCase(a, sub, 't1');
    const big = Buffer.concat([passport, Buffer.alloc(11 * 1024 * 1024 - passport.length)]);
    await expectRefused(id, await a.upload(id, form({ document: big })), 413, 'payload_too_large');
  });

  it('a 1 GB stream is cut off after the per-file limit, without buffering, and the server stays up', async () => {
    const id = await newCase(a, sub, 't1');
    const GB = 1024 ** 3;
    const chunked = endlessUpload(GB);
    const rssBefore = process.memoryUsage().rss;
    const res = await rawPost(id, chunked.stream);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toBe('payload_too_large');
    // Refused after ~10 MB (plus socket buffers), nowhere near the gigabyte.
    expect(chunked.produced()).toBeLessThan(100 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
    // A declared 1 GB Content-Length is refused before reading a byte of it.
    const declared = endlessUpload(GB);
    const res2 = await rawPost(id, declared.stream, { 'content-length': String(GB) });
    expect(res2.status).toBe(413);
    expect(declared.produced()).toBeLessThan(100 * 1024 * 1024);
    expect(await storedFor(server, id)).toEqual({ rows: 0, files: [] });
    // The server still answers.
    expect((await a.get(id)).status).toBe(200);
  });
});

describe('accepted uploads', () => {
  let caseId: string;
  let uploadDir: string;

  it('returns the extraction with the number masked, stores images encrypted, and marks the person pending', async () => {
    caseId = await newCase(a, sub, 't1');
    const res = await a.upload(caseId, form({ document: passport, filename: 'scan.bin', fields: { applicant_family_name: 'Eriksson' } }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.document.type).toBe('passport');
    expect(body.document.mrz).toMatchObject({ format: 'TD3', issuing_country: 'NLD', document_number_masked: '•••••2P71', surname: 'ERIKSSON' });
    expect(JSON.stringify(body)).not.toContain('NX4K82P71');
    expect(body.document.check_digits.every((d: { valid: boolean }) => d.valid)).toBe(true);
    expect(body.document.quality.front.width).toBeGreaterThan(0);
    expect(body.document.checks.find((c: { name: string }) => c.name === 'document.applicant_family_name')?.passed).toBe(true);

    const stored = await storedFor(server, caseId);
    expect(stored.rows).toBe(1);
    expect(stored.files).toHaveLength(1);
    uploadDir = path.join(server.deps.config.dataDir, 'uploads');
    const onDisk = fs.readFileSync(path.join(uploadDir, stored.files[0]!));
    expect(onDisk.includes(passport.subarray(0, 64))).toBe(false);
    expect(onDisk.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    const row = await server.deps.db.knex('verification_files').where({ case_id: caseId }).first();
    expect((await server.services.uploads.read(row.storage_path)).equals(passport)).toBe(true);
    // Tampering with the ciphertext is detected (GCM).
    const flipped = Buffer.from(onDisk);
    flipped[flipped.length - 1]! ^= 1;
    fs.writeFileSync(path.join(uploadDir, stored.files[0]!), flipped);
    await expect(server.services.uploads.read(row.storage_path)).rejects.toThrow();
    fs.writeFileSync(path.join(uploadDir, stored.files[0]!), onDisk);
    // The raw document number is nowhere in the case row.
    const caseRow = await server.deps.db.knex('verification_cases').where({ id: caseId }).first();
    expect(JSON.stringify(caseRow)).not.toContain('NX4K82P71');
    expect(caseRow.document_fingerprint).toMatch(/^docfp1_/);

    const status = await (await a.status(sub)).json();
    expect(status).toMatchObject({ kyc_status: 'pending', kyc_tier: 't0' });
    const ev = await server.deps.db.knex('webhook_events').where({ tenant_id: t.tenantId, type: 'person.assurance.changed' });
    expect(ev.map((e) => e.data)).toContainEqual({ person_id: sub, previous: { status: 'unverified', tier: 't0' }, current: { status: 'pending', tier: 't0' }, reason: 'verification_in_progress' });
    expect(JSON.stringify(ev.map((e) => e.data))).not.toContain(personId);
  });

  it('a re-upload replaces the files; the sweeper deletes them 30 days after the decision, not before', async () => {
    const res = await a.upload(caseId, form({ document: passport }));
    expect(res.status).toBe(200);
    const before = await storedFor(server, caseId);
    expect(before.rows).toBe(1);
    expect(before.files).toHaveLength(1);

    const decided = await a.decide(caseId);
    expect(decided.status).toBe(200);
    // The retention job's work (jobs.ts runs it hourly), called directly.
    const cases = server.services.cases;
    clock.advance(29 * 86_400_000);
    expect((await cases.purgeExpiredUploads()).purged).toBe(0);
    expect(await storedFor(server, caseId)).toEqual(before);
    clock.advance(2 * 86_400_000);
    expect((await cases.purgeExpiredUploads()).purged).toBeGreaterThanOrEqual(1);
    expect(await storedFor(server, caseId)).toEqual({ rows: 0, files: [] });
    const c = await (await a.get(caseId)).json();
    expect(c.files.purged_at).toBeTruthy();
    expect(c.decision.outcome).toBeTruthy();
    expect(c.document.mrz.surname).toBeUndefined();
    expect(c.document.mrz.document_number_masked).toBe('•••••2P71');
  });
});

const codesOf = (d: { reasons: { code: string }[] }) => d.reasons.map((r) => r.code);

describe('specimen documents and sandbox mode', () => {
  it('a UTO specimen is rejected (specimen_document) outside sandbox mode, and approved at t1 in sandbox mode', async () => {
    const specimen = (await generatePassport({ portrait: 'personA_webcam', specimen: true })).image;
    const refused = await newCase(a, (await subject(server, t)).sub, 't1');
    expect((await a.upload(refused, form({ document: specimen }))).status).toBe(200);
    const d = await (await a.decide(refused)).json();
    expect(d.outcome).toBe('rejected');
    expect(codesOf(d)).toEqual(['specimen_document']);

    // The same deployment's services composed with SANDBOX_MODE=true (same database, tenant and person); the
    // tenant then reads the outcome through the API as usual.
    const sandbox = compose({ ...server.deps, config: { ...server.deps.config, sandbox: true } }, server.keys);
    try {
      const who = (await subject(server, t)).sub;
      const { row } = await sandbox.cases.create({ tenantId: t.tenantId, personId: who, level: 't1' });
      const body = await sandbox.cases.upload(row, { files: new Map([['document', [specimen]]]), fields: new Map() });
      expect(body.document.mrz).toMatchObject({ issuing_country: 'UTO' });
      expect(body.document.checks.map((c) => c.name)).not.toContain('document.specimen');
      expect(await sandbox.cases.decide(t.tenantId, row.id)).toMatchObject({ status: 'approved' });
      expect(await (await a.status(who)).json()).toMatchObject({ kyc_status: 'verified', kyc_tier: 't1' });
    } finally {
      await sandbox.close();
    }
  }, 120_000);
});

describe('screening before t2', () => {
  it('with no sanctions list loaded a t2 case never approves, and no review makes it t2 with aml_clear null', async () => {
    const who = await subject(server, t);
    const id = await newCase(a, who.sub, 't2');
    const doc = (await generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: 'NS7318264' } })).image;
    const selfie = await personA.find((s) => s.id === 'grid-0-15')!.load();
    const up = await a.upload(id, form({ document: doc, selfie }));
    expect(up.status, await up.clone().text()).toBe(200);
    const d = await (await a.decide(id)).json();
    expect(d.outcome).toBe('manual_review');
    expect(codesOf(d)).toContain('screening_unavailable');
    // The operator's reviewers (the console's review service) cannot approve an absent screening either.
    const reviewer = { personId: (await server.services.staff.create({ email: 'upload.reviewer@example.test', role: 'reviewer' })).person_id };
    const approval = { outcome: 'approved' as const, reasonCode: 'documents_verified', note: 'Looks right.' };
    await expect(server.services.review.decide(reviewer, id, approval)).rejects.toMatchObject({ status: 409, code: 'screening_required' });
    expect(await (await a.get(id)).json()).toMatchObject({ status: 'manual_review', review: null });
    const status = await (await a.status(who.sub)).json();
    expect(status).toMatchObject({ kyc_status: 'pending', kyc_tier: 't0', aml_clear: null });
  }, 120_000);
});
