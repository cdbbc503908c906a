// Presentation attacks through the whole verification over HTTP: a valid passport of person A and, as the selfie,
// a generated print / screen replay / recapture of another photo of him (test/support/attacks.ts). Passive
// liveness is advisory: whatever the models score, it can hold an approval back but never reject a case and
// never approve one on its own. What the models score on such attacks is measured in bench/liveness-attacks.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACK_KINDS, presentationAttack } from '../../support/attacks.js';
import { generatePassport } from '../../support/documents/index.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { thresholds } from '../../../src/verification/thresholds.js';
import { gridCell } from '../engine/face/samples.js';
import { api, form, newCase, setupTenant, subject, type Api, type TenantCtx } from './support.js';

let server: TestServer;
let t: TenantCtx;
let a: Api;
let selfie: Buffer;

beforeAll(async () => {
  server = await startTestServer();
  t = await setupTenant(server, 'Attack Bank');
  a = api(server, t);
  selfie = await gridCell(0, 1)();
  await server.services.warmup();
}, 240_000);
afterAll(async () => {
  await server?.services.close();
  await server?.close();
});

interface Check {
  name: string;
  passed: boolean;
  advisory?: boolean;
  code?: string;
  reason: string;
}

const codes = thresholds.decision.codes as Record<string, { severity: 'reject' | 'review' }>;

let docNo = 0;
describe.each(ATTACK_KINDS)('a %s attack as the selfie', (kind) => {
  it('is never rejected or approved because of passive liveness, which reports itself as advisory', async () => {
    const { sub } = await subject(server, t);
    const caseId = await newCase(a, sub, 't2');
    const passport = await generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: `PA${String(++docNo).padStart(6, '0')}4` } });
    const attack = await presentationAttack(selfie, { kind, severity: 0.5, seed: 7 });
    const up = await a.upload(caseId, form({ document: passport.image, selfie: attack }));
    expect(up.status, await up.clone().text()).toBe(200);
    const res = await a.decide(caseId);
    expect(res.status, await res.clone().text()).toBe(200);
    const decision = (await res.json()) as { outcome: string; checks: Check[]; reasons: Array<{ code: string; check: string; message: string }> };

    expect(decision.checks.find((c) => c.name === 'face.selfie_single_face')?.passed).toBe(true);
    const passive = decision.checks.find((c) => c.name === 'liveness.passive')!;
    expect(passive).toMatchObject({ advisory: true });
    expect(passive.reason).toMatch(/advisory/i);

    // A rejection always has a non-advisory check with a rejecting code behind it.
    const hardFails = decision.checks.filter((c) => !c.passed && !c.advisory && codes[c.code ?? '']?.severity === 'reject');
    if (decision.outcome === 'rejected') expect(hardFails.map((c) => c.name)).not.toEqual([]);
    else expect(decision.outcome).toMatch(/^(approved|manual_review)$/);
    // An approval needs every check passed; a failed liveness check stops it and is named in the reasons.
    if (decision.outcome === 'approved') expect(decision.checks.filter((c) => !c.passed)).toEqual([]);
    if (!passive.passed) {
      expect(decision.outcome).not.toBe('approved');
      expect(decision.reasons).toContainEqual(expect.objectContaining({ check: 'liveness.passive', code: 'possible_spoof' }));
    }
  });
});
