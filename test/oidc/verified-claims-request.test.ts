// The OIDC4IDA request rules for verified_claims (src/oidc/verified-claims-request.ts) and the claim built from an
// assurance's provenance (src/oidc/verified-claims.ts), without a server: value / values / max_age inside
// verification, null vs object requests inside claims, malformed requests, and the OIDF schema on every output.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { VerifiedRecord } from '../../src/assurance/claims.js';
import { filterVerifiedClaims, verifiedClaimsRequestProblem, type VerifiedClaimsValue } from '../../src/oidc/verified-claims-request.js';
import { sharedItems } from '../../src/oidc/interactions/views.js';
import { countryCode, documentType, releaseVerifiedClaims, verifiedClaimsOf } from '../../src/oidc/verified-claims.js';
import { idaSchemas, schemaErrors } from '../support/ida-schema.js';

const TF = 'https://kyc.example/trust-framework';
const now = new Date('2026-12-03T12:00:00Z');
const verifiedAt = new Date('2026-12-03T11:00:00Z'); // one hour before now
const schemas = idaSchemas();

const record = (over: Partial<VerifiedRecord> = {}): VerifiedRecord => ({
  tier: 't2',
  verifiedAt,
  method: 'auto',
  screenedAt: verifiedAt,
  checks: [
    { name: 'document.mrz_read', passed: true },
    { name: 'face.match', passed: true },
    { name: 'screening.sanctions_pep', passed: true },
  ],
  document: { type: 'passport', code: 'P', country: 'D', expiry: '2031-05-01' },
  claims: () => ({ given_name: 'ERIKA', family_name: 'MUSTERMANN', birthdate: '1983-08-12', nationalities: ['D'] }),
  ...over,
});

const full = verifiedClaimsOf(record(), TF)!;
const filter = (req: unknown) => filterVerifiedClaims(full, req, now) as VerifiedClaimsValue | undefined;
const claimsOnly = { given_name: null, family_name: null };
const valid = (value: unknown) => {
  const ok = schemas.response({ verified_claims: value });
  expect(ok, schemaErrors(schemas.response)).toBe(true);
};

describe('the verified_claims built from an assurance', () => {
  it('holds the trust framework, the tier, the time, the document evidence and the document claims, and validates against the OIDF schema', () => {
    expect(full).toEqual({
      verification: {
        trust_framework: TF,
        assurance_level: 't2',
        time: '2026-12-03T11:00:00.000Z',
        evidence: [
          {
            type: 'document',
            check_details: [{ check_method: 'vri' }, { check_method: 'bvr' }],
            document_details: { type: 'passport', issuer: { country_code: 'DEU' }, date_of_expiry: '2031-05-01' },
          },
        ],
      },
      claims: { given_name: 'ERIKA', family_name: 'MUSTERMANN', birthdate: '1983-08-12', nationalities: ['DEU'] },
    });
    valid(full);
  });

  it('the schema is not a rubber stamp: raw ICAO "D", a missing trust_framework or an empty claims object fail it', () => {
    expect(schemas.response({ verified_claims: { ...full, claims: { nationalities: ['D'] } } })).toBe(false);
    expect(schemas.response({ verified_claims: { verification: { time: full.verification.time }, claims: full.claims } })).toBe(false);
    expect(schemas.response({ verified_claims: { verification: full.verification, claims: full.claims, txn: 'x' } })).toBe(false);
    expect(schemas.response({ verified_claims: { ...full, verification: { ...full.verification, time: 'yesterday' } } })).toBe(false);
  });

  it('a reviewer decision adds a human check (pvr); a failed check adds nothing', () => {
    const human = verifiedClaimsOf(record({ method: 'human', checks: [{ name: 'document.mrz_read', passed: true }, { name: 'face.match', passed: false }] }), TF)!;
    expect((human.verification.evidence as { check_details: unknown }[])[0]!.check_details).toEqual([{ check_method: 'vri' }, { check_method: 'pvr' }]);
    valid(human);
  });

  it('no document claims kept (an assurance from before provenance, or cleared): nothing to attest', () => {
    expect(verifiedClaimsOf(record({ claims: () => null }), TF)).toBeUndefined();
  });

  it('ICAO codes become IDA country codes; engine document types become IDA document types', () => {
    expect([countryCode('D'), countryCode('D<<'), countryCode('UTO'), countryCode('gbr'), countryCode(''), countryCode('X1')]).toEqual(['DEU', 'DEU', 'UTO', 'GBR', undefined, undefined]);
    expect([documentType('passport', 'P'), documentType('id_card', 'ID'), documentType('td2', 'I'), documentType('td2', 'V'), documentType(null, null)]).toEqual([
      'passport',
      'idcard',
      'idcard',
      'visa',
      undefined,
    ]);
  });

  it('the claim never carries a case id, a tenant id or a transaction id', () => {
    const text = JSON.stringify(full);
    for (const key of ['case', 'tenant', 'txn', 'verification_process', 'check_id']) expect(text).not.toContain(key);
  });
});

describe('request rules (claims parameter)', () => {
  it('claims: only the claims asked for (null or an object) come back; unknown claims are skipped', () => {
    const out = filter({ verification: { trust_framework: null }, claims: { given_name: null, birthdate: { essential: true, purpose: 'age check' }, address: null } });
    expect(out).toEqual({ verification: { trust_framework: TF }, claims: { given_name: 'ERIKA', birthdate: '1983-08-12' } });
    valid(out);
  });

  it('claims: nothing available among those asked for → left out', () => {
    expect(filter({ verification: { trust_framework: null }, claims: { address: null, email: null } })).toBeUndefined();
  });

  it('verification: only the elements asked for, trust_framework always', () => {
    expect(filter({ verification: { trust_framework: null, assurance_level: null }, claims: claimsOnly })!.verification).toEqual({ trust_framework: TF, assurance_level: 't2' });
    expect(filter({ verification: { time: null }, claims: claimsOnly })!.verification).toEqual({ trust_framework: TF, time: '2026-12-03T11:00:00.000Z' });
  });

  it('value / values on trust_framework and assurance_level: a mismatch leaves verified_claims out, no error', () => {
    expect(filter({ verification: { trust_framework: { value: TF } }, claims: claimsOnly })).toBeDefined();
    expect(filter({ verification: { trust_framework: { value: 'eidas' } }, claims: claimsOnly })).toBeUndefined();
    expect(filter({ verification: { trust_framework: { values: ['eidas', TF] } }, claims: claimsOnly })).toBeDefined();
    expect(filter({ verification: { trust_framework: null, assurance_level: { values: ['t2', 't3'] } }, claims: claimsOnly })!.verification.assurance_level).toBe('t2');
    expect(filter({ verification: { trust_framework: null, assurance_level: { value: 't3' } }, claims: claimsOnly })).toBeUndefined();
  });

  it('max_age on time: verified within it → returned; older → left out', () => {
    expect(filter({ verification: { trust_framework: null, time: { max_age: 7200 } }, claims: claimsOnly })!.verification.time).toBe('2026-12-03T11:00:00.000Z');
    expect(filter({ verification: { trust_framework: null, time: { max_age: 3600 } }, claims: claimsOnly })).toBeDefined();
    expect(filter({ verification: { trust_framework: null, time: { max_age: 3599 } }, claims: claimsOnly })).toBeUndefined();
    expect(filter({ verification: { trust_framework: null, time: { max_age: 0 } }, claims: claimsOnly })).toBeUndefined();
  });

  it('a constraint on an element we do not have is not met; a plain ask for it is skipped', () => {
    expect(filter({ verification: { trust_framework: null, verification_process: { value: 'x' } }, claims: claimsOnly })).toBeUndefined();
    expect(filter({ verification: { trust_framework: null, verification_process: null }, claims: claimsOnly })!.verification).toEqual({ trust_framework: TF });
  });

  it('evidence: asked for by type and document details; only what is asked for, type always', () => {
    const out = filter({
      verification: { trust_framework: null, evidence: [{ type: { value: 'document' }, document_details: { type: null, issuer: { country_code: null } } }] },
      claims: claimsOnly,
    })!;
    expect(out.verification.evidence).toEqual([{ type: 'document', document_details: { type: 'passport', issuer: { country_code: 'DEU' } } }]);
    valid(out);
    const checks = filter({ verification: { trust_framework: null, evidence: [{ type: null, check_details: null }] }, claims: claimsOnly })!;
    expect(checks.verification.evidence).toEqual([{ type: 'document', check_details: [{ check_method: 'vri' }, { check_method: 'bvr' }] }]);
  });

  it('evidence constraints: another evidence type or document type → left out', () => {
    expect(filter({ verification: { trust_framework: null, evidence: [{ type: { value: 'electronic_record' } }] }, claims: claimsOnly })).toBeUndefined();
    expect(filter({ verification: { trust_framework: null, evidence: [{ type: { value: 'document' }, document_details: { type: { values: ['idcard', 'driving_permit'] } } }] }, claims: claimsOnly })).toBeUndefined();
    expect(filter({ verification: { trust_framework: null, evidence: [{ type: { value: 'document' }, document_details: { type: { values: ['idcard', 'passport'] } } }] }, claims: claimsOnly })).toBeDefined();
  });

  it('a list of requests gives the matching results', () => {
    const both = filterVerifiedClaims(full, [{ verification: { trust_framework: { value: 'eidas' } }, claims: claimsOnly }, { verification: { trust_framework: null }, claims: { birthdate: null } }], now);
    expect(both).toEqual({ verification: { trust_framework: TF }, claims: { birthdate: '1983-08-12' } });
    const none = filterVerifiedClaims(full, [{ verification: { trust_framework: { value: 'eidas' } }, claims: claimsOnly }], now);
    expect(none).toBeUndefined();
  });

  it('malformed requests are named (invalid_request at authorization); well-formed ones pass the OIDF request schema', () => {
    expect(verifiedClaimsRequestProblem('x')).toMatch(/object/);
    expect(verifiedClaimsRequestProblem({ claims: claimsOnly })).toMatch(/verification/);
    expect(verifiedClaimsRequestProblem({ verification: {}, claims: claimsOnly })).toMatch(/trust_framework/);
    expect(verifiedClaimsRequestProblem({ verification: { trust_framework: null }, claims: {} })).toMatch(/claims/);
    expect(verifiedClaimsRequestProblem([])).toMatch(/empty/);
    const good = { verification: { trust_framework: null, time: { max_age: 3600 }, evidence: [{ type: { value: 'document' } }] }, claims: { given_name: null, nationalities: { essential: true } } };
    expect(verifiedClaimsRequestProblem(good)).toBeNull();
    expect(schemas.request({ id_token: { verified_claims: good } }), schemaErrors(schemas.request)).toBe(true);
  });
});

describe('release', () => {
  it('the verified_claims scope gives the default set; a claims-parameter request wins; neither → nothing', () => {
    const r = record();
    expect(releaseVerifiedClaims(r, { scopes: new Set(['openid', 'verified_claims']), request: undefined }, TF, now)).toEqual({ verified_claims: full });
    expect(releaseVerifiedClaims(r, { scopes: new Set(['openid', 'verified_claims']), request: { verification: { trust_framework: null }, claims: { birthdate: null } } }, TF, now)).toEqual({
      verified_claims: { verification: { trust_framework: TF }, claims: { birthdate: '1983-08-12' } },
    });
    expect(releaseVerifiedClaims(r, { scopes: new Set(['openid', 'kyc']), request: undefined }, TF, now)).toEqual({});
    expect(releaseVerifiedClaims(undefined, { scopes: new Set(['openid', 'verified_claims']), request: undefined }, TF, now)).toEqual({});
  });

  it('the consent page says in plain words what verified_claims shares', () => {
    expect(sharedItems(new Set(['verified_claims']), new Set(['openid']))).toContainEqual(expect.stringMatching(/names, date of birth and nationality as your verified identity document/));
    expect(sharedItems(new Set(['kyc_status']), new Set(['openid', 'kyc'])).join(' ')).not.toMatch(/date of birth/);
  });

  it('the sealed claims are opened only when verified_claims is asked for', () => {
    let opened = 0;
    const r = record({ claims: () => (opened++, { given_name: 'ERIKA' }) });
    releaseVerifiedClaims(r, { scopes: new Set(['openid', 'kyc']), request: undefined }, TF, now);
    expect(opened).toBe(0);
    releaseVerifiedClaims(r, { scopes: new Set(['verified_claims']), request: undefined }, TF, now);
    expect(opened).toBe(1);
  });
});

describe('the documented examples', () => {
  /** The n-th ```json block after the heading `after`; a bare member (`"verified_claims": {…}`) is wrapped in braces. */
  const fence = (text: string, after: string, n: number): unknown => {
    const from = text.indexOf(after);
    expect(from, after).toBeGreaterThan(-1);
    const body = text.slice(from).split('```json').slice(1)[n]!.split('```')[0]!.trim();
    return JSON.parse(body.startsWith('"') ? `{${body}}` : body);
  };

  it("llms.txt's request passes the OIDF request schema and our own check; its answer and README's claim pass the response schema", () => {
    const llms = fs.readFileSync(new URL('../../llms.txt', import.meta.url), 'utf8');
    const request = fence(llms, '**Verified identity data', 0) as { id_token: { verified_claims: unknown }; userinfo: { verified_claims: unknown } };
    expect(schemas.request(request), schemaErrors(schemas.request)).toBe(true);
    expect(verifiedClaimsRequestProblem(request.id_token.verified_claims)).toBeNull();
    expect(verifiedClaimsRequestProblem(request.userinfo.verified_claims)).toBeNull();
    valid(fence(llms, '**Verified identity data', 1));
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const claim = fence(readme, '## Identity assurance claims', 0) as { verified_claims: unknown };
    valid(claim.verified_claims);
    expect(schemas.request(fence(readme, '## Identity assurance claims', 1)), schemaErrors(schemas.request)).toBe(true);
  });
});
