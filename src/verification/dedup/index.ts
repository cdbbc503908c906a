// Opens the DedupIndex, and turns search results into the dedup check.
import type { Database, Queryable } from '../../db/index.js';
import type { CheckResult } from '../engine/types.js';
import { SketchDedupIndex, type SketchIndexOptions } from './sketch-index.js';
import { templateBox } from './templates.js';
import { insertTemplate } from './store.js';
import { checkEmbedding, type DedupIndex, type DedupMatch, type Enrollment } from './types.js';

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
 * Stores a face for a descriptor whose index this process has not opened (opening reads outside `trx`, which the
 * embedded database's single connection cannot do mid-transaction). The sketch is left for the loader to store.
 */
export async function enrollUnindexed(trx: Queryable, key: Buffer, descriptor: string, e: Enrollment): Promise<void> {
  const template = templateBox(key).seal(e.personId, checkEmbedding(e.embedding));
  await insertTemplate(trx, { personId: e.personId, caseId: e.caseId, descriptor, template, sketch: null });
}

/**
 * "Is this face already enrolled for a different person?" Matches of the same person (re-verification) are ignored.
 * `threshold` is the descriptor's face.match review threshold: a score that 1:1 would send to review or approve as
 * "the same person" must raise "possibly the same person" in 1:N too. Other persons' ids never go into the
 * result: the check is returned to tenants. `candidates` counts the other persons among the nearest neighbours
 * at or above the threshold, for a reviewer's eye.
 */
export function dedupCheck(matches: DedupMatch[], personId: string, threshold: number): CheckResult {
  const others = matches.filter((m) => m.personId !== personId);
  const top = others[0]?.similarity ?? null;
  const candidates = new Set(others.filter((m) => m.similarity >= threshold).map((m) => m.personId)).size;
  const score = top === null ? null : Math.round(top * 1000) / 1000;
  const details = { candidates };
  if (top !== null && top >= threshold) {
    return {
      name: 'face.dedup',
      passed: false,
      score,
      threshold,
      code: 'possible_duplicate',
      reason: `The selfie matches another verified person as closely as a face match that would not be rejected (similarity ${score} ≥ ${threshold}); a reviewer should compare them.`,
      details,
    };
  }
  return { name: 'face.dedup', passed: true, score, threshold, reason: 'No other verified person matches the selfie.', details };
}
