// Cases waiting for a reviewer, written the way a decision leaves them (status manual_review, the automated
// decision with its checks, sealed images on disk, the person's assurance in progress) without running the face
// engines: the review tests are about the reviewer's side, and a real engine run costs a minute a case. The
// engines' own path to manual_review is covered by test/verification/cases/flows.test.ts.
import sharp from 'sharp';
import type { Level, StoredDecision } from '../../src/verification/cases/model.js';
import { caseStore, fileStore } from '../../src/verification/cases/store.js';
import { newId } from '../../src/ids.js';
import { generatePassport, PORTRAITS } from './documents/index.js';
import type { TestServer } from './server.js';

export interface SeededCase {
  caseId: string;
  personId: string;
  /** The tenant's pairwise subject (its person_id in the status API). */
  sub: string;
}

let n = 0;

/** `amlClear`: true = screened clear, false = a screening hit, null = screening did not run. */
export async function seedReviewCase(server: TestServer, o: { tenantId: string; level: Level; amlClear: boolean | null; personId?: string }): Promise<SeededCase> {
  const s = server.services;
  const db = server.deps.db.knex;
  const personId = o.personId ?? (await server.person()).id;
  await s.persons.recordSubject(o.tenantId, personId);
  const sub = s.persons.pairwise(o.tenantId, personId);
  const { row } = await s.cases.create({ tenantId: o.tenantId, personId: sub, level: o.level });
  const doc = await generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: `RV${String(++n).padStart(7, '0')}`, issuingState: 'D', nationality: 'D', expiryDate: '2036-01-31' } });
  const face = PORTRAITS.personA_webcam;
  const selfie = await sharp(face.path).extract(face.crop).resize({ width: 320 }).jpeg().toBuffer();
  const now = server.deps.clock.now();
  const files = [];
  for (const [kind, bytes] of [['document', doc.image], ['selfie', selfie]] as const) {
    const id = newId('vf');
    const meta = await sharp(bytes).metadata();
    const storage = await s.uploads.write(row.id, id, bytes);
    files.push({ id, case_id: row.id, kind, seq: 0, storage_path: storage, content_type: meta.format === 'png' ? 'image/png' : 'image/jpeg', bytes: bytes.length, width: meta.width!, height: meta.height!, created_at: now });
  }
  await fileStore.insert(db, files);
  const hit = o.amlClear === false;
  const screening = o.amlClear === null
    ? { name: 'screening.sanctions_pep', passed: false, score: null, threshold: 0.85, reason: 'Screening was not performed.', code: 'screening_unavailable', details: { lists: [] } }
    : {
        name: 'screening.sanctions_pep',
        passed: !hit,
        score: hit ? 0.91 : 0,
        threshold: 0.85,
        reason: hit ? '1 possible match(es).' : 'No match.',
        ...(hit ? { code: 'pep_match' } : {}),
        details: { lists: [{ name: 'fixture', version: '1', imported_at: now.toISOString() }], hits: hit ? [{ list: 'fixture', source_id: 'Q1', matched_name: 'Erika Mustermann', score: 0.91, birth_date: '1964-08-12', nationality: 'DE', topics: ['role.pep'] }] : 0 },
      };
  const decision: StoredDecision = {
    outcome: 'manual_review',
    risk_level: 'medium',
    human_verified: false,
    automation_tier: o.level === 't1' ? 't1' : 't2',
    checks: [{ name: 'face.match', passed: true, score: 0.71, threshold: 0.5, reason: 'The selfie matches the document portrait.' }, screening],
    reasons: [{ code: hit ? 'pep_match' : 'human_review_required', message: 'A reviewer must look at this case.' }],
    decided_at: now.toISOString(),
    aml_clear: o.amlClear,
  };
  const f = doc.fields;
  await db.transaction(async (trx) => {
    await caseStore.update(trx, row.id, {
      status: 'manual_review',
      outcome: 'manual_review',
      risk_level: 'medium',
      decision,
      decided_at: now,
      attempts: 1,
      uploaded_at: now,
      extraction: {
        type: 'passport',
        mrz: { format: 'TD3', document_code: 'P', issuing_country: 'D', document_number_masked: 'RV•••••', expiry_date: f.expiryDate ?? null, expired: false, surname: f.surname, given_names: f.givenNames, nationality: 'D', birth_date: f.birthDate ?? null, sex: 'F' },
        check_digits: [{ field: 'document_number', valid: true }],
        quality: {},
        checks: [],
      },
      updated_at: now,
    });
    await s.assurance.apply(trx, personId, { kind: 'in_progress' }, now, 'verification_manual_review');
  });
  return { caseId: row.id, personId, sub };
}
