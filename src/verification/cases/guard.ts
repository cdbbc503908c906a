// Refuses client-supplied verdicts: a request that carries anything shaped like an outcome, score or decision —
// in the query, in a JSON body at any depth, or as a multipart field name — is rejected whole. Every result is
// computed on the server; a client must not even be able to suggest one.
import { BadRequestError } from '../../http/errors.js';

const EXACT = new Set([
  'outcome', 'verdict', 'decision', 'decisions', 'result', 'results', 'score', 'scores', 'risk', 'risk_level',
  'risk_score', 'passed', 'pass', 'approved', 'approve', 'rejected', 'reject', 'human_verified', 'automation_tier',
  'checks', 'liveness', 'is_live', 'live', 'real', 'spoof', 'similarity', 'confidence', 'match', 'matched',
  'is_match', 'threshold', 'aml_clear', 'kyc_status', 'kyc_tier', 'verified', 'tier',
]);
const SUFFIX = /_(score|scores|verdict|outcome|decision|result|passed|confidence|similarity|risk|match|matched|threshold)$/;
const PREFIX = /^(score|verdict|outcome|decision|is_verified|is_live|is_match|precomputed)_/;

/** "livenessScore", "Liveness-Score", "liveness[score]" → "liveness_score". */
export function normaliseKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export function isVerdictKey(key: string): boolean {
  const k = normaliseKey(key);
  if (EXACT.has(k) || SUFFIX.test(k) || PREFIX.test(k)) return true;
  // Bracketed or dotted names ("checks[0][score]", "a.outcome"): any segment counts.
  const parts = key.split(/[[\].]+/).filter(Boolean);
  return parts.length > 1 && parts.some((p) => isVerdictKey(p));
}

function reject(path: string): never {
  throw new BadRequestError(
    'precomputed_verdict_rejected',
    `"${path.slice(0, 100)}" looks like a precomputed verdict or score; results are computed by the server only.`,
  );
}

/**
 * Throws on the first verdict-like key. `allow` lists top-level keys this route legitimately takes. Walks with an
 * explicit stack (depth-first, in key order), so a deeply nested body cannot overflow the call stack.
 */
export function assertNoVerdict(value: unknown, allow: readonly string[] = []): void {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const children: { v: unknown; path: string }[] = [];
    if (Array.isArray(v)) v.forEach((item, i) => children.push({ v: item, path: `${path}[${i}]` }));
    else {
      for (const [k, child] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        if (!(path === '' && allow.includes(k)) && isVerdictKey(k)) reject(p);
        children.push({ v: child, path: p });
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}

export function assertNoVerdictName(name: string): void {
  if (isVerdictKey(name)) reject(name);
}
