// The decision model and the assurance transition rules, as pure functions.
import { describe, expect, it } from 'vitest';
import type { AssuranceRow } from '../../../src/assurance/model.js';
import type { CheckResult } from '../../../src/verification/engine/types.js';
import { nextAssurance } from '../../../src/assurance/lifecycle.js';
import { decide, requiredChecks } from '../../../src/verification/cases/decision.js';
import { approvalExpiry } from '../../../src/verification/cases/finish.js';
import { retakeOutcome } from '../../../src/verification/cases/retake.js';
import { assertNoVerdict, isVerdictKey } from '../../../src/verification/cases/guard.js';

const pass = (name: string, extra: Partial<CheckResult> = {}): CheckResult => ({ name, passed: true, score: 1, threshold: 1, reason: 'ok', ...extra });
const fail = (name: string, code: string, extra: Partial<CheckResult> = {}): CheckResult => ({ name, passed: false, score: 0, threshold: 1, reason: code, code, ...extra });
const allPassing = (level: 't1' | 't2' | 't3') => requiredChecks(level).map((n) => pass(n, n.startsWith('liveness.') ? { advisory: true } : {}));
const replace = (checks: CheckResult[], c: CheckResult) => checks.map((x) => (x.name === c.name ? c : x));

describe('retakeOutcome', () => {
  const t1 = (...failed: CheckResult[]) => failed.reduce((c, f) => replace(c, f), allPassing('t1'));
  const outcome = (d: ReturnType<typeof decide>, attempt = 1) => retakeOutcome(d, attempt).outcome;

  it('capture problems alone ask for a retake with an instruction, until the last attempt', () => {
    const blur = decide('t1', t1(fail('document.quality_blur', 'blurred')));
    expect(retakeOutcome(blur, 1)).toMatchObject({ outcome: 'resubmission_requested', reasons: [{ code: 'blurred', instruction: expect.any(String) }] });
    expect(outcome(blur, 2)).toBe('resubmission_requested');
    expect(retakeOutcome(blur, 3)).toMatchObject({ outcome: 'rejected', reasons: [{ code: 'blurred' }] });
    // No MRZ: the steps after it could not run; they follow the capture problem.
    const noMrz = decide('t1', t1(fail('document.mrz_read', 'mrz_not_found'), fail('document.expiry', 'not_performed'), fail('document.mrz_check_digits', 'not_performed')));
    expect(noMrz.outcome).toBe('rejected');
    expect(outcome(noMrz)).toBe('resubmission_requested');
    const selfie = decide('t2', replace(allPassing('t2'), fail('face.selfie_single_face', 'no_face')));
    expect(retakeOutcome(selfie, 1).reasons.find((r) => r.code === 'no_face')!.instruction).toMatch(/selfie/);
    const portrait = decide('t2', replace(allPassing('t2'), fail('face.document_portrait', 'no_face')));
    expect(retakeOutcome(portrait, 1).reasons.find((r) => r.code === 'no_face')!.instruction).toMatch(/portrait/);
  });

  it('a misread MRZ follows a poor photo, and is a fraud signal on a good one', () => {
    const misread = [fail('document.mrz_check_digits', 'check_digit_mismatch'), fail('document.expiry', 'expiry_unreadable')];
    expect(outcome(decide('t1', t1(fail('document.quality_blur', 'blurred'), ...misread)))).toBe('resubmission_requested');
    expect(outcome(decide('t1', t1(...misread)))).toBe('rejected');
  });

  it('fraud signals and facts about the person are never a retake', () => {
    for (const [name, code] of [['face.match', 'face_mismatch'], ['document.expiry', 'document_expired'], ['screening.sanctions_pep', 'sanctions_match']] as const) {
      const d = decide('t2', replace(replace(allPassing('t2'), fail('document.quality_glare', 'glare')), fail(name, code)));
      expect(outcome(d)).toBe(d.outcome);
      expect(outcome(d)).not.toBe('resubmission_requested');
    }
    const dup = decide('t2', [...replace(allPassing('t2'), fail('document.quality_glare', 'glare')), fail('face.dedup', 'possible_duplicate')]);
    expect(outcome(dup)).toBe('manual_review');
    expect(outcome(decide('t1', allPassing('t1')))).toBe('approved');
  });
});

describe('decide', () => {
  it('approves t1 and t2 when every required check passes, with low risk', () => {
    for (const level of ['t1', 't2'] as const) {
      const d = decide(level, allPassing(level));
      expect(d).toMatchObject({ outcome: 'approved', risk_level: 'low', human_verified: false, automation_tier: level, reasons: [] });
    }
  });

  it('never auto-approves t3: all checks passing still goes to manual review', () => {
    const d = decide('t3', allPassing('t3'));
    expect(d.outcome).toBe('manual_review');
    expect(d.automation_tier).toBe('t2');
    expect(d.reasons.map((r) => r.code)).toEqual(['human_review_required']);
  });

  it('hard fails reject with high risk', () => {
    for (const [name, code] of [
      ['document.mrz_check_digits', 'check_digit_mismatch'],
      ['face.match', 'face_mismatch'],
      ['document.registry', 'document_already_verified'],
    ]) {
      const d = decide('t2', [...replace(allPassing('t2'), fail(name!, code!)), ...(name === 'document.registry' ? [fail(name, code!)] : [])]);
      expect(d.outcome).toBe('rejected');
      expect(d.risk_level).toBe('high');
      expect(d.reasons[0]!.code).toBe(code);
    }
    const expired = decide('t1', replace(allPassing('t1'), fail('document.expiry', 'document_expired')));
    expect(expired).toMatchObject({ outcome: 'rejected', risk_level: 'medium', automation_tier: 't0' });
  });

  it('soft issues and screening hits go to manual review', () => {
    const sanctions = decide('t2', replace(allPassing('t2'), fail('screening.sanctions_pep', 'sanctions_match')));
    expect(sanctions).toMatchObject({ outcome: 'manual_review', risk_level: 'high', automation_tier: 't1' });
    const uncertainFace = decide('t2', replace(allPassing('t2'), fail('face.match', 'face_uncertain')));
    expect(uncertainFace).toMatchObject({ outcome: 'manual_review', risk_level: 'medium', automation_tier: 't1' });
    const blur = decide('t1', replace(allPassing('t1'), fail('document.quality_blur', 'blurred')));
    expect(blur).toMatchObject({ outcome: 'manual_review', risk_level: 'medium' });
    const dup = decide('t2', [...allPassing('t2'), fail('face.dedup', 'possible_duplicate', { details: { case_id: 'vc_other' } })]);
    expect(dup.outcome).toBe('manual_review');
    expect(dup.reasons[0]).toMatchObject({ code: 'possible_duplicate', case_id: 'vc_other' });
    // A hard fail wins over soft ones, and reasons list the worst first.
    const both = decide('t2', replace(replace(allPassing('t2'), fail('document.quality_glare', 'glare')), fail('face.match', 'face_mismatch')));
    expect(both.outcome).toBe('rejected');
    expect(both.reasons.map((r) => r.code)).toEqual(['face_mismatch', 'glare']);
  });

  it('liveness is advisory: it can hold an approval back, never reject, never approve', () => {
    const spoof = decide('t2', replace(allPassing('t2'), fail('liveness.passive', 'not_performed', { advisory: true })));
    expect(spoof.outcome).toBe('manual_review');
    const anyCode = decide('t2', replace(allPassing('t2'), fail('liveness.passive', 'face_mismatch', { advisory: true })));
    expect(anyCode.outcome).toBe('manual_review');
    // Passing liveness does not make up for a missing face match.
    const noMatch = decide('t2', allPassing('t2').filter((c) => c.name !== 'face.match'));
    expect(noMatch.outcome).toBe('rejected');
    expect(noMatch.checks.find((c) => c.name === 'face.match')).toMatchObject({ passed: false, code: 'not_performed' });
  });

  it('a missing required check is not_performed; an empty input rejects', () => {
    const d = decide('t1', []);
    expect(d.outcome).toBe('rejected');
    expect(d.checks.map((c) => c.name).sort()).toEqual(requiredChecks('t1').sort());
  });
});

describe('assurance transitions', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const row = (f: Partial<AssuranceRow>): AssuranceRow => ({
    person_id: 'p',
    status: 'unverified',
    tier: 't0',
    aml_clear: null,
    verified_at: null,
    expires_at: null,
    verification_method: null,
    screened_at: null,
    ...f,
  });
  const verified = (tier: AssuranceRow['tier'], expires = '2027-01-01T00:00:00Z') => row({ status: 'verified', tier, verified_at: new Date('2026-01-01T00:00:00Z'), expires_at: new Date(expires) });
  const provenance = { method: 'human' as const, caseId: 'c', checks: [], screenedAt: now, document: { type: 'passport', code: 'P', country: 'UTO', expiry: null } };
  const approve = (tier: AssuranceRow['tier']) => ({ kind: 'approved' as const, tier, amlClear: true, expiresAt: new Date('2027-06-01T00:00:00Z'), provenance, claims: null });

  it('in progress → pending, rejected → rejected, approved → verified', () => {
    expect(nextAssurance(row({}), { kind: 'in_progress' }, now)).toMatchObject({ status: 'pending', tier: 't0' });
    expect(nextAssurance(row({ status: 'pending' }), { kind: 'rejected' }, now)).toMatchObject({ status: 'rejected', tier: 't0' });
    expect(nextAssurance(row({ status: 'pending' }), approve('t2'), now)).toMatchObject({ status: 'verified', tier: 't2', aml_clear: true, verification_method: 'human', screened_at: now });
    // Falling back from a verified state clears how it had been reached.
    expect(nextAssurance(verified('t2', '2026-05-01T00:00:00Z'), { kind: 'in_progress' }, now)).toMatchObject({ verification_method: null, screened_at: null });
    expect(nextAssurance(row({ status: 'pending' }), { kind: 'in_progress' }, now)).toBeNull();
  });

  it('a failed or in-progress attempt never costs a held verified tier; a lower approval does not downgrade', () => {
    expect(nextAssurance(verified('t1'), { kind: 'rejected' }, now)).toBeNull();
    expect(nextAssurance(verified('t1'), { kind: 'in_progress' }, now)).toBeNull();
    expect(nextAssurance(verified('t2'), approve('t1'), now)).toBeNull();
    expect(nextAssurance(verified('t1'), approve('t2'), now)).toMatchObject({ status: 'verified', tier: 't2' });
    // An expired verification no longer protects: a new rejection shows.
    expect(nextAssurance(verified('t2', '2026-05-01T00:00:00Z'), { kind: 'rejected' }, now)).toMatchObject({ status: 'rejected', tier: 't0' });
  });

  it('an approval lasts a year at most, or until the document expires', () => {
    expect(approvalExpiry(now, '2030-01-01').toISOString()).toBe('2027-06-01T00:00:00.000Z');
    expect(approvalExpiry(now, '2026-09-30').toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(approvalExpiry(now, null).toISOString()).toBe('2027-06-01T00:00:00.000Z');
  });
});

describe('verdict guard', () => {
  it('recognises verdict-like keys in many spellings, and leaves ordinary fields alone', () => {
    for (const k of ['outcome', 'Verdict', 'livenessScore', 'match_score', 'risk-level', 'human_verified', 'checks[0][passed]', 'face.similarity', 'approved', 'decision']) {
      expect(isVerdictKey(k), k).toBe(true);
    }
    for (const k of ['person_id', 'level', 'status', 'limit', 'cursor', 'reason', 'document', 'selfie', 'frames', 'applicant_given_name', 'liveness_mode']) {
      expect(isVerdictKey(k), k).toBe(false);
    }
    expect(() => assertNoVerdict({ a: [{ b: { score: 1 } }] })).toThrow(/a\[0\]\.b\.score/);
    expect(() => assertNoVerdict({ outcome: 'approved', reason: 'x' }, ['outcome'])).not.toThrow();
    expect(() => assertNoVerdict({ x: { outcome: 'approved' } }, ['outcome'])).toThrow();
  });
});
