// POST …/upload: validate every file first (nothing is stored unless all pass), read the document in the engine
// pool, then seal the images to disk and record the upload in one transaction. The route parses the multipart
// body (after openForUpload, so a closed or foreign case is refused before the body is read).
import { documentFingerprint } from '../../crypto/hash.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../http/errors.js';
import { parse } from '../../http/validate.js';
import { newId } from '../../ids.js';
import { emitEvent } from '../../webhooks/outbox.js';
import type { ApplicantData } from '../engine/document/analyze.js';
import type { CaseContext } from './context.js';
import { caseEvent } from './events.js';
import { publicExtraction } from './extraction.js';
import { inspectImage, type ImageInfo } from './images.js';
import { sealPrivate, type PrivateCaseData } from './sealed.js';
import { specimenCheck } from './specimen.js';
import { moveAssurance } from './mode.js';
import { uploadFields, type UploadFields } from './schemas.js';
import { UPLOADABLE } from './model.js';
import { caseStore, fileStore, type CaseRow, type FileRow } from './store.js';

/** The parsed multipart body: files by field name (in arrival order) and text fields. */
export interface UploadBody {
  files: Map<string, Buffer[]>;
  fields: Map<string, string>;
}

interface ValidFile {
  kind: FileRow['kind'];
  seq: number;
  bytes: Buffer;
  info: ImageInfo;
}

function one(files: Map<string, Buffer[]>, name: string, required: boolean, why = ''): Buffer | undefined {
  const list = files.get(name) ?? [];
  if (list.length > 1) throw new UnprocessableError('duplicate_file', `Send one ${name} file, not ${list.length}.`);
  if (required && !list[0]) throw new UnprocessableError('missing_file', `${name} is required${why}.`);
  return list[0];
}

function applicantOf(f: UploadFields): ApplicantData | undefined {
  const a: ApplicantData = {
    ...(f.applicant_given_name ? { givenName: f.applicant_given_name } : {}),
    ...(f.applicant_family_name ? { familyName: f.applicant_family_name } : {}),
    ...(f.applicant_birthdate ? { birthdate: f.applicant_birthdate } : {}),
    ...(f.applicant_nationality ? { nationality: f.applicant_nationality.toUpperCase() } : {}),
    ...(f.applicant_document_number ? { documentNumber: f.applicant_document_number.toUpperCase() } : {}),
  };
  return Object.keys(a).length ? a : undefined;
}

/** The case an upload is for; refused (404/409) before the route reads the body. */
export async function openForUpload(ctx: CaseContext, tenantId: string, id: string, livemode: boolean): Promise<CaseRow> {
  const row = await caseStore.find(ctx.db, tenantId, id, livemode);
  if (!row) throw new NotFoundError('Verification case');
  if (!UPLOADABLE.includes(row.status)) throw new ConflictError('case_closed', `The case is ${row.status}; uploads are closed.`);
  return row;
}

/**
 * A retake (the case is resubmission_requested) may send only the captures that failed: every image kind it does
 * not send is taken from the stored attempt, so the new attempt is judged on one complete set of photos.
 */
async function withStoredCaptures(ctx: CaseContext, row: CaseRow, files: Map<string, Buffer[]>): Promise<Map<string, Buffer[]>> {
  if (row.status !== 'resubmission_requested') return files;
  const stored = await fileStore.forCase(ctx.db, row.id);
  const out = new Map(files);
  for (const [field, kind] of [['document', 'document'], ['document_back', 'document_back'], ['selfie', 'selfie'], ['frames', 'frame']] as const) {
    if (out.get(field)?.length) continue;
    const kept = stored.filter((f) => f.kind === kind);
    if (kept.length) out.set(field, await Promise.all(kept.map((f) => ctx.uploads.read(f.storage_path))));
  }
  return out;
}

export async function uploadToCase(ctx: CaseContext, row: CaseRow, body: UploadBody) {
  const tenantId = row.tenant_id;
  const fields = parse(uploadFields, Object.fromEntries(body.fields), 'upload fields');
  const files = await withStoredCaptures(ctx, row, body.files);

  const needsSelfie = row.level !== 't1';
  const document = one(files, 'document', true)!;
  const back = one(files, 'document_back', false);
  const selfie = one(files, 'selfie', needsSelfie, ` for level ${row.level}`);
  const frames = files.get('frames') ?? [];
  if (row.level === 't3' && fields.liveness_mode !== 'active') {
    throw new UnprocessableError('active_liveness_required', 'Level t3 needs liveness_mode=active with frames.');
  }
  if (fields.liveness_mode === 'active') {
    if (!row.challenge) throw new UnprocessableError('challenge_required', 'Get a challenge from …/liveness/challenge/ before sending active liveness frames.');
    if (frames.length < row.challenge.length + 1) {
      throw new UnprocessableError('missing_file', `Active liveness needs at least ${row.challenge.length + 1} frames.`);
    }
  } else if (frames.length) {
    throw new UnprocessableError('unexpected_file', 'frames are only accepted with liveness_mode=active.');
  }

  const named: { name: string; kind: FileRow['kind']; seq: number; bytes: Buffer }[] = [
    { name: 'document', kind: 'document', seq: 0, bytes: document },
    ...(back ? [{ name: 'document_back', kind: 'document_back' as const, seq: 0, bytes: back }] : []),
    ...(selfie ? [{ name: 'selfie', kind: 'selfie' as const, seq: 0, bytes: selfie }] : []),
    ...frames.map((bytes, i) => ({ name: `frames[${i}]`, kind: 'frame' as const, seq: i, bytes })),
  ];
  const valid: ValidFile[] = [];
  for (const f of named) valid.push({ kind: f.kind, seq: f.seq, bytes: f.bytes, info: await inspectImage(f.name, f.bytes, ctx.uploadLimits.image) });

  const now = ctx.clock.now();
  const applicant = applicantOf(fields);
  const analysis = await ctx.engines.analyzeDocument({ front: document, ...(back ? { back } : {}), ...(applicant ? { applicant } : {}), now });
  // Outside sandbox mode a specimen fails here, with the document's other checks, and the decision rejects it.
  // Test-mode cases accept specimens on any server; a live case only on a SANDBOX_MODE server.
  const specimen = ctx.sandbox || !row.livemode ? null : specimenCheck(analysis);
  const extraction = publicExtraction(specimen ? { ...analysis, checks: [...analysis.checks, specimen] } : analysis);
  const fingerprint = analysis.documentKey ? documentFingerprint(ctx.keys.fingerprint, analysis.documentKey) : null;
  const sealed: PrivateCaseData = { livenessMode: fields.liveness_mode, ...(applicant ? { applicant } : {}) };

  // Seal to disk, then record; on any failure remove what was written so nothing half-stored remains.
  const rows: FileRow[] = [];
  try {
    for (const f of valid) {
      const fileId = newId('vf');
      const storage_path = await ctx.uploads.write(row.id, fileId, f.bytes);
      rows.push({ id: fileId, case_id: row.id, kind: f.kind, seq: f.seq, storage_path, content_type: f.info.contentType, bytes: f.bytes.length, width: f.info.width, height: f.info.height, created_at: now });
    }
    const replaced = await ctx.db.transaction(async (trx) => {
      const locked = await caseStore.findForUpdate(trx, tenantId, row.id);
      if (!locked || !UPLOADABLE.includes(locked.status)) throw new ConflictError('case_closed', 'The case was decided while the upload was processed.');
      if (locked.status !== row.status) throw new ConflictError('case_changed', 'The case changed while the upload was processed; upload again.');
      const old = await fileStore.forCase(trx, row.id);
      await fileStore.deleteForCase(trx, row.id);
      await fileStore.insert(trx, rows);
      await caseStore.update(trx, row.id, {
        extraction,
        private_enc: sealPrivate(ctx.keys.encryption, row.id, sealed),
        document_fingerprint: fingerprint,
        uploaded_at: now,
        updated_at: now,
        // A retake opens the next attempt: the previous attempt's decision went out in its webhook; the case now
        // waits for a new one.
        ...(locked.status === 'resubmission_requested'
          ? { status: 'open' as const, decision: null, outcome: null, risk_level: null, human_verified: false, decided_at: null, review: null, reviewed_at: null }
          : {}),
      });
      await moveAssurance(trx, ctx, row, { kind: 'in_progress' }, now, 'verification_in_progress');
      await emitEvent(trx, {
        tenantId,
        type: 'verification.case.uploaded',
        data: caseEvent(locked, { document_type: analysis.documentType, files: rows.length }),
        at: now,
        livemode: row.livemode,
      });
      return old;
    });
    await ctx.uploads.remove(replaced.map((f) => f.storage_path));
  } catch (err) {
    await ctx.uploads.remove(rows.map((r) => r.storage_path));
    throw err;
  }
  return { case_id: row.id, document: extraction, files: { document: true, document_back: Boolean(back), selfie: Boolean(selfie), frames: frames.length } };
}
