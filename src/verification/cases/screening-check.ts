// Verification's view of a screening result: the sanctions/PEP check the decision model combines. Lives here, not
// in screening/, so screening knows nothing of verification's check vocabulary.
import type { ScreeningResult } from '../../screening/index.js';
import type { CheckResult } from '../engine/types.js';
import { thresholds } from '../thresholds.js';

const t = thresholds.screening;

const isSanction = (topic: string) => topic.startsWith('sanction') || topic === 'crime.terror';
const isPep = (topic: string) => topic === 'role.pep' || topic === 'role.rca';

/**
 * The decision engine's view: failed when screening could not run (code screening_unavailable) or found a hit
 * (sanctions_match when any hit is a sanctions/terror listing, else pep_match when every hit is a PEP or close
 * associate, else watchlist_match: crime, debarment, …). score = best hit score, where higher means a STRONGER match.
 */
export function screeningCheck(result: ScreeningResult): CheckResult {
  const name = 'screening.sanctions_pep';
  const lists = result.lists.map((l) => ({ name: l.name, version: l.version, imported_at: l.imported_at }));
  if (!result.performed) {
    return {
      name,
      passed: false,
      score: null,
      threshold: t.hitThreshold,
      reason: result.reason ?? 'Screening was not performed.',
      code: 'screening_unavailable',
      details: { lists },
    };
  }
  if (result.clear) {
    return {
      name,
      passed: true,
      score: 0,
      threshold: t.hitThreshold,
      reason: `No match at or above ${t.hitThreshold} in ${result.lists.length} list(s).`,
      details: { lists, hits: 0 },
    };
  }
  const sanctioned = result.hits.some((h) => h.topics.some(isSanction));
  const pepOnly = result.hits.every((h) => h.topics.some(isPep));
  const code = sanctioned ? 'sanctions_match' : pepOnly ? 'pep_match' : 'watchlist_match';
  const top = result.hits[0]!;
  return {
    name,
    passed: false,
    score: top.score,
    threshold: t.hitThreshold,
    reason: `${result.hits.length} possible match(es); best "${top.matched_name}" on ${top.list} (${top.reasons.join(', ')}).`,
    code,
    details: {
      lists,
      hits: result.hits.map((h) => ({
        list: h.list,
        source_id: h.source_id,
        matched_name: h.matched_name,
        score: h.score,
        birth_date: h.birth_date,
        nationality: h.nationality,
        topics: h.topics,
      })),
    },
  };
}
