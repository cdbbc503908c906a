// POST …/decide: gather every check server-side — the stored document analysis, face match and liveness (in the
// engine pool), sanctions screening, the one-document-one-person registry and 1:N face dedup — combine them with
// the decision model, and apply the outcome (case, assurance, registry, dedup enrollment, events) in one
// transaction.
import { ConflictError, NotFoundError } from '../../http/errors.js';
import { screenPerson } from '../../screening/index.js';
import type { CheckResult } from '../engine/types.js';
import { dedupCheck } from '../dedup/index.js';
import { thresholds } from '../thresholds.js';
import type { CaseContext } from './context.js';
import { decide } from './decision.js';
import { screeningSubject } from './extraction.js';
import { finishCase } from './finish.js';
import type { Decision, FaceTemplate } from './model.js';
import { screeningCheck } from './screening-check.js';
import { retakeOutcome } from './retake.js';
import { openPrivate } from './sealed.js';
import { caseStore, documentRegistry, fileStore, type CaseRow } from './store.js';

async function loadInputs(ctx: CaseContext, row: CaseRow) {
  const files = await fileStore.forCase(ctx.db, row.id);
  const read = (kind: string) => Promise.all(files.filter((f) => f.kind === kind).map((f) => ctx.uploads.read(f.storage_path)));
  const [[document], [selfie], frames] = await Promise.all([read('document'), read('selfie'), read('frame')]);
  if (!document) throw new ConflictError('uploads_missing', 'The case has no stored document (not uploaded, or purged).');
  const priv = row.private_enc ? openPrivate(ctx.keys.encryption, row.id, row.private_enc) : null;
  return { document, selfie, frames, priv };
}

async function registryCheck(ctx: CaseContext, row: CaseRow): Promise<CheckResult | null> {
  if (!row.document_fingerprint) return null;
  const claimed = await documentRegistry.find(ctx.db, row.document_fingerprint);
  const name = 'document.registry';
  if (claimed && claimed.person_id !== row.person_id) {
    return {
      name, passed: false, score: null, threshold: null, code: 'document_already_verified',
      reason: 'This document (same type, issuing country and number) already backs another verified person; one document can back only one identity.',
    };
  }
  return { name, passed: true, score: null, threshold: null, reason: claimed ? 'The document already backs this same person.' : 'The document backs no other verified person.' };
}

/** The shared dedup check, plus which verified case the duplicate is when the calling tenant may see it. */
async function faceDedupCheck(ctx: CaseContext, row: CaseRow, face: FaceTemplate): Promise<CheckResult> {
  const matches = await ctx.dedup.search(face.descriptor, face.embedding, thresholds.dedup.searchK);
  const check = dedupCheck(matches, row.person_id, face.reviewThreshold);
  const best = matches.find((m) => m.personId !== row.person_id);
  if (check.passed || !best) return check;
  const other = (best.caseId ? await caseStore.findById(ctx.db, best.caseId) : undefined) ?? (await caseStore.latestApproved(ctx.db, best.personId));
  const sameTenant = other !== undefined && other.tenant_id === row.tenant_id;
  return {
    ...check,
    reason: `${check.reason} ${sameTenant ? `That person's verified case is ${other.id}.` : 'That person was verified through another tenant.'}`,
    details: { ...check.details, ...(sameTenant ? { case_id: other.id } : { other_tenant: true }) },
  };
}

/**
 * The face models work on ~100–250 px face crops, so the face step works on copies no larger than this: larger
 * pages cost analysis time without changing the similarity (docs/measurements.md).
 * The engine does the resizing, off the HTTP thread.
 */
const FIT = { face: 1024, frames: 640 };

export async function decideCase(ctx: CaseContext, tenantId: string, id: string, livemode: boolean) {
  const row = await caseStore.find(ctx.db, tenantId, id, livemode);
  if (!row) throw new NotFoundError('Verification case');
  if (row.status === 'resubmission_requested') throw new ConflictError('retake_required', 'A resubmission was requested: upload the new captures before deciding again.');
  if (row.status !== 'open') throw new ConflictError('case_closed', `The case is already ${row.status}.`);
  if (!row.uploaded_at) throw new ConflictError('not_uploaded', 'Upload the document (and selfie) before deciding.');
  const { document, selfie, frames, priv } = await loadInputs(ctx, row);

  const checks: CheckResult[] = [...(row.extraction?.checks ?? [])];
  let face: FaceTemplate | null = null;
  if (row.level !== 't1' && selfie) {
    const active = priv?.livenessMode === 'active' && row.challenge;
    const faces = await ctx.engines.analyzeFaces({
      documentImage: document,
      selfie,
      ...(active ? { frames, challenge: row.challenge! } : {}),
      fit: FIT,
    });
    checks.push(...faces.checks);
    face = faces.embedding && faces.descriptor && faces.reviewThreshold !== null ? { descriptor: faces.descriptor, embedding: faces.embedding, reviewThreshold: faces.reviewThreshold } : null;
  }

  // Screening: required from t2; at t1 it runs when lists are loaded and counts only if it was performed.
  let amlClear: boolean | null = null;
  const subject = screeningSubject(row.extraction);
  if (subject) {
    // Test-mode cases: the bundled sample list, never the imported ones (and live cases never the sample).
    const index = row.livemode ? await ctx.screening.currentIndex() : await ctx.screening.sampleIndex();
    const result = screenPerson(index, subject, ctx.clock);
    if (result.performed || row.level !== 't1') checks.push(screeningCheck(result));
    amlClear = result.performed ? result.clear : null;
  }
  // The registry and 1:N dedup hold live identities: a test case neither reads nor joins them (finish.ts).
  const registry = row.livemode ? await registryCheck(ctx, row) : null;
  if (registry) checks.push(registry);
  if (face && row.livemode) checks.push(await faceDedupCheck(ctx, row, face));

  // Capture problems only: a resubmission while attempts are left (this decision is attempt row.attempts + 1).
  const decision: Decision = retakeOutcome(decide(row.level, checks), row.attempts + 1);
  return finishCase(ctx, row, { decision, amlClear, face });
}
