// The request rules of OpenID Connect for Identity Assurance 1.0 for `verified_claims` (claims parameter),
// applied to the one verified_claims object a person has. Pure: no I/O, the time comes in.
// - `verification`: only the elements asked for come back (trust_framework always, it is required). An element
//   asked for with null, or {essential, purpose}, is returned when available. `value` / `values` must match and
//   `max_age` (seconds) bounds a time; a constraint that is not met leaves the whole verified_claims out (no error).
//   `evidence` is asked for as a list of evidence requests; each must match some evidence (its `type` is always
//   returned), and inside it the same rules apply to `check_details` and `document_details`.
// - `claims`: only the claims asked for (null or an object) come back; none available → verified_claims left out.
// - A list of requests gives a list of results (those that matched).
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface VerifiedClaimsValue {
  verification: JsonObject;
  claims: JsonObject;
}

const FAIL = Symbol('constraint not met');
const SKIP = Symbol('not available');
type Picked = Json | typeof FAIL | typeof SKIP;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const CONSTRAINTS = ['value', 'values', 'max_age'] as const;
const constrains = (rq: unknown): boolean => isObject(rq) && CONSTRAINTS.some((k) => k in rq);

/** `value` / `values` / `max_age` of one requested element against what we hold. */
function meets(have: Json, rq: Json | undefined, now: Date): boolean {
  if (!isObject(rq)) return true;
  if ('value' in rq && have !== rq.value) return false;
  if ('values' in rq && !(Array.isArray(rq.values) && rq.values.some((v) => v === have))) return false;
  if ('max_age' in rq) {
    const at = typeof have === 'string' ? Date.parse(have) : Number.NaN;
    if (typeof rq.max_age !== 'number' || Number.isNaN(at) || now.getTime() - at > rq.max_age * 1000) return false;
  }
  return true;
}

/** A list (evidence, check_details): each request element must match some entry; the matches are returned. */
function pickList(have: Json[], rq: Json[], now: Date, always: readonly string[]): Picked {
  const out: Json[] = [];
  for (const element of rq) {
    let matched = false;
    for (const entry of have) {
      const picked = pick(entry, element, now, always);
      if (picked === FAIL || picked === SKIP) continue;
      matched = true;
      if (!out.some((o) => JSON.stringify(o) === JSON.stringify(picked))) out.push(picked);
    }
    if (!matched && (constrains(element) || (isObject(element) && hasNestedConstraint(element)))) return FAIL;
  }
  return out.length ? out : SKIP;
}

const hasNestedConstraint = (rq: JsonObject): boolean =>
  Object.values(rq).some((v) => constrains(v) || (isObject(v) && hasNestedConstraint(v)) || (Array.isArray(v) && v.some((e) => isObject(e) && (constrains(e) || hasNestedConstraint(e)))));

/**
 * What of `have` the request element `rq` asks for. Objects are filtered member by member; a leaf (or a whole
 * object or list asked for with null) is returned when it meets its constraints. `always`: members returned
 * whenever the object is (a discriminator like evidence `type`).
 */
function pick(have: Json | undefined, rq: Json | undefined, now: Date, always: readonly string[] = []): Picked {
  if (have === undefined) return constrains(rq) || (isObject(rq) && hasNestedConstraint(rq)) ? FAIL : SKIP;
  if (Array.isArray(have)) {
    if (Array.isArray(rq)) return pickList(have, rq, now, always);
    return meets(have, rq ?? null, now) ? have : FAIL;
  }
  if (isObject(have)) {
    // Asked for as a whole (null or {essential, purpose}): returned whole.
    if (!isObject(rq) || Object.keys(rq).every((k) => k === 'essential' || k === 'purpose')) return have;
    const out: JsonObject = {};
    for (const k of always) if (k in have) out[k] = have[k]!;
    for (const [k, sub] of Object.entries(rq)) {
      if (k === 'essential' || k === 'purpose') continue;
      const r = pick(have[k], sub, now, k === 'evidence' ? ['type'] : []);
      if (r === FAIL) return FAIL;
      if (r !== SKIP) out[k] = r;
    }
    return out;
  }
  return meets(have, rq ?? null, now) ? have : FAIL;
}

/** One verified_claims request against the available object; undefined when it is to be left out. */
function one(available: VerifiedClaimsValue, rq: Json, now: Date): VerifiedClaimsValue | undefined {
  if (!isObject(rq) || !isObject(rq.verification) || !isObject(rq.claims)) return undefined;
  const verification = pick(available.verification, rq.verification, now, ['trust_framework']);
  if (verification === FAIL || verification === SKIP || !isObject(verification)) return undefined;
  const claims: JsonObject = {};
  for (const [name, ask] of Object.entries(rq.claims)) {
    if (ask !== null && !isObject(ask)) continue;
    const value = available.claims[name];
    if (value !== undefined) claims[name] = value;
  }
  if (!Object.keys(claims).length) return undefined;
  return { verification, claims };
}

/** The verified_claims to release for `request` (an object or a list of objects); undefined: leave it out. */
export function filterVerifiedClaims(available: VerifiedClaimsValue, request: unknown, now: Date): VerifiedClaimsValue | VerifiedClaimsValue[] | undefined {
  if (Array.isArray(request)) {
    const out = request.map((r) => one(available, r as Json, now)).filter((r): r is VerifiedClaimsValue => r !== undefined);
    return out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
  }
  return one(available, request as Json, now);
}

/** Why a verified_claims request is malformed (the authorization answers invalid_request), or null when it is fine. */
export function verifiedClaimsRequestProblem(request: unknown): string | null {
  const elements = Array.isArray(request) ? request : [request];
  if (elements.length === 0) return 'verified_claims must not be an empty list';
  for (const r of elements) {
    if (!isObject(r)) return 'verified_claims must be an object or a list of objects';
    if (!isObject(r.verification)) return 'verified_claims.verification must be an object';
    if (!('trust_framework' in r.verification)) return 'verified_claims.verification must ask for trust_framework';
    if (!isObject(r.claims) || Object.keys(r.claims).length === 0) return 'verified_claims.claims must be an object naming at least one claim';
  }
  return null;
}
