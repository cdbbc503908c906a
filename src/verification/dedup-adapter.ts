// The case layer's view of 1:N face dedup: the DedupIndex for this database, opened on first use.
import type { Database, Queryable } from '../db/index.js';
import { openDedupIndex, type DedupIndex, type DedupMatch } from './dedup/index.js';

export interface FaceDedup {
  search(embedding: ArrayLike<number>, k: number): Promise<DedupMatch[]>;
  enroll(trx: Queryable, e: { personId: string; caseId: string; embedding: ArrayLike<number> }): Promise<void>;
  /** Opens the index now (reads and opens every enrolled face's sealed sketch). */
  load(): Promise<void>;
}

/** `key` seals face templates at rest: the document encryption key. */
export function createFaceDedup(db: Database, key: Buffer): FaceDedup {
  let opening: Promise<DedupIndex> | undefined;
  const index = () => {
    opening ??= openDedupIndex(db, key);
    opening.catch(() => (opening = undefined));
    return opening;
  };
  return {
    search: async (embedding, k) => (await index()).search(embedding, k),
    enroll: async (trx, e) => (await index()).enroll(trx, e),
    load: async () => void (await index()),
  };
}
