// verified_claims (OpenID Connect for Identity Assurance 1.0) from a person's verified assurance and its
// provenance (assurance/provenance.ts), released through node-oidc-provider's account claims() and our userinfo.
// It carries the trust framework, the tier, when it was verified, the document evidence (type, issuing country,
// expiry, which kinds of check passed) and the document's claims. Never a case id, tenant id or transaction id:
// another tenant's relying party must not learn which tenant opened the case.
import type { VerifiedRecord } from '../assurance/claims.js';
import type { DocumentClaims } from '../assurance/provenance.js';
import { filterVerifiedClaims, isObject, type JsonObject, type VerifiedClaimsValue } from './verified-claims-request.js';

export const EVIDENCE_SUPPORTED = ['document'] as const;
export const DOCUMENTS_SUPPORTED = ['passport', 'idcard', 'visa'] as const;
/** IDA check methods we report: remote review of the document image, remote biometric match, a human's remote review. */
export const CHECK_METHODS_SUPPORTED = ['vri', 'bvr', 'pvr'] as const;
export const CLAIMS_IN_VERIFIED_CLAIMS = ['given_name', 'family_name', 'birthdate', 'nationalities'] as const;

/** Discovery metadata (node-oidc-provider's `discovery` option). */
export function verifiedClaimsDiscovery(trustFramework: string): Record<string, unknown> {
  return {
    verified_claims_supported: true,
    trust_frameworks_supported: [trustFramework],
    evidence_supported: [...EVIDENCE_SUPPORTED],
    documents_supported: [...DOCUMENTS_SUPPORTED],
    documents_check_methods_supported: [...CHECK_METHODS_SUPPORTED],
    claims_in_verified_claims_supported: [...CLAIMS_IN_VERIFIED_CLAIMS],
  };
}

/** ICAO 9303 codes as IDA wants them (ISO 3166 / ICAO 3-letter): fillers dropped, Germany's "D" is DEU. */
export function countryCode(icao: string | null | undefined): string | undefined {
  const code = icao?.replace(/</g, '').trim().toUpperCase();
  if (!code) return undefined;
  return code === 'D' ? 'DEU' : /^[A-Z]{2,3}$/.test(code) ? code : undefined;
}

/** The engine's document type (and ICAO document code for TD2) in IDA's document type vocabulary. */
export function documentType(type: string | null, code: string | null): (typeof DOCUMENTS_SUPPORTED)[number] | undefined {
  if (type === 'passport') return 'passport';
  if (type === 'id_card') return 'idcard';
  const c = code?.charAt(0);
  if (c === 'P') return 'passport';
  if (c === 'V') return 'visa';
  if (c === 'I' || c === 'A' || c === 'C') return 'idcard';
  return undefined;
}

function checkDetails(r: VerifiedRecord): JsonObject[] {
  const passed = new Set(r.checks.filter((c) => c.passed).map((c) => c.name));
  const methods: string[] = [];
  if ([...passed].some((n) => n.startsWith('document.'))) methods.push('vri');
  if (passed.has('face.match')) methods.push('bvr');
  if (r.method === 'human') methods.push('pvr');
  return methods.map((check_method) => ({ check_method }));
}

function documentClaims(c: DocumentClaims | null): JsonObject {
  if (!c) return {};
  const nationalities = (c.nationalities ?? []).map(countryCode).filter((n): n is string => n !== undefined);
  return {
    ...(c.given_name ? { given_name: c.given_name } : {}),
    ...(c.family_name ? { family_name: c.family_name } : {}),
    ...(c.birthdate ? { birthdate: c.birthdate } : {}),
    ...(nationalities.length ? { nationalities: [...new Set(nationalities)] } : {}),
  };
}

/** The full verified_claims of a verified person; undefined when no document claims are kept (nothing to attest). */
export function verifiedClaimsOf(r: VerifiedRecord, trustFramework: string): VerifiedClaimsValue | undefined {
  const claims = documentClaims(r.claims());
  if (!Object.keys(claims).length) return undefined;
  const type = documentType(r.document.type, r.document.code);
  const country = countryCode(r.document.country);
  const checks = checkDetails(r);
  const evidence: JsonObject = {
    type: 'document',
    ...(checks.length ? { check_details: checks } : {}),
    ...(type
      ? {
          document_details: {
            type,
            ...(country ? { issuer: { country_code: country } } : {}),
            ...(r.document.expiry ? { date_of_expiry: r.document.expiry } : {}),
          },
        }
      : {}),
  };
  return {
    verification: { trust_framework: trustFramework, assurance_level: r.tier, time: r.verifiedAt.toISOString(), evidence: [evidence] },
    claims,
  };
}

export interface VerifiedClaimsAsk {
  /** The granted scopes: the `verified_claims` scope asks for the default set (everything). */
  scopes: ReadonlySet<string>;
  /** The claims parameter's verified_claims member for this use (id_token or userinfo), when granted. */
  request: unknown;
}

/**
 * `{ verified_claims }` to merge into the released claims, or {} (not asked for, not verified, or a constraint
 * not met). A request in the claims parameter wins over the scope's default set.
 */
export function releaseVerifiedClaims(r: VerifiedRecord | undefined, ask: VerifiedClaimsAsk, trustFramework: string, now: Date): { verified_claims?: unknown } {
  const requested = ask.request !== undefined && ask.request !== null && (isObject(ask.request) || Array.isArray(ask.request));
  if (!r || (!requested && !ask.scopes.has('verified_claims'))) return {};
  const available = verifiedClaimsOf(r, trustFramework);
  if (!available) return {};
  const out = requested ? filterVerifiedClaims(available, ask.request, now) : available;
  return out === undefined ? {} : { verified_claims: out };
}
