// Opens the DedupIndex, and turns search results into the dedup check.
import type { Database } from '../../db/index.js';
import type { CheckResult } from '../engine/types.js';
import { thresholds } from '../thresholds.js';
import { SketchDedupIndex, type SketchIndexOptions } from './sketch-index.js';
import { templateBox } from './templates.js';
import type { DedupIndex, DedupMatch } from './types.js';

export { EMBEDDING_DIM, DedupInputError, type DedupIndex, type DedupMatch, type Enrollment } from './types.js';
export { SketchDedupIndex } from './sketch-index.js';
export { templateBox, type TemplateBox } from './templates.js';

/**
 * The in-process sketch index over sealed templates, on every database (pgvector cannot search sealed data).
 * `key` seals the templates: the document encryption key (crypto/keys.ts caseKeys).
 */
export function openDedupIndex(db: Database, key: Buffer, opts: SketchIndexOptions = {}): Promise<DedupIndex> {
  return SketchDedupIndex.open(db.knex, templateBox(key), opts);
}

/**
 * "Is this face already enrolled for a different person?" Matches of the same person (re-verification) are ignored.
 * Other persons' ids never go into the result: the check is returned to tenants. `candidates` counts the other
 * persons among the nearest neighbours that reach `dedup.candidate`, for a reviewer's eye.
 */
export function dedupCheck(matches: DedupMatch[], personId: string): CheckResult {
  const { strongMatch, candidate } = thresholds.dedup;
  const others = matches.filter((m) => m.personId !== personId);
  const top = others[0]?.similarity ?? null;
  const candidates = others.filter((m) => m.similarity >= candidate).length;
  const score = top === null ? null : Math.round(top * 1000) / 1000;
  const details = { candidates, candidate_threshold: candidate };
  if (top !== null && top >= strongMatch) {
    return {
      name: 'face.dedup',
      passed: false,
      score,
      threshold: strongMatch,
      code: 'possible_duplicate',
      reason: `The selfie strongly matches another verified person (similarity ${score} ≥ ${strongMatch}).`,
      details,
    };
  }
  return {
    name: 'face.dedup',
    passed: true,
    score,
    threshold: strongMatch,
    reason:
      candidates > 0
        ? `No strong match to another verified person; ${candidates} weaker candidate(s) ≥ ${candidate} for review.`
        : 'No strong match to another verified person.',
    details,
  };
}
