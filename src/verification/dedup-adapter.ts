// The case layer's view of 1:N face dedup: the DedupIndex for this database, opened on first use.
import type { Database, Queryable } from '../db/index.js';
import { openDedupIndex, type DedupIndex, type DedupMatch } from './dedup/index.js';
import { deleteByPerson } from './dedup/store.js';

export interface FaceDedup {
  search(embedding: ArrayLike<number>, k: number): Promise<DedupMatch[]>;
  enroll(trx: Queryable, e: { personId: string; caseId: string; embedding: ArrayLike<number> }): Promise<void>;
  /** Opens the index now (reads and opens every enrolled face's sealed sketch). */
  load(): Promise<void>;
  /**
   * Deletes the person's face templates inside `trx` (an erasure) without opening the index; returns the row ids
   * to `forget` once `trx` has committed.
   */
  erase(trx: Queryable, personId: string): Promise<number[]>;
  /** Drops deleted rows from this process's index, if it is open (other processes confirm hits against the table). */
  forget(ids: readonly number[]): Promise<void>;
  /** Whether this process's index holds any of these rows (false while it is not open). */
  holdsAny(ids: readonly number[]): Promise<boolean>;
}

/** `key` seals face templates at rest: the document encryption key. */
export function createFaceDedup(db: Database, key: Buffer): FaceDedup {
  let opening: Promise<DedupIndex> | undefined;
  const index = () => {
    opening ??= openDedupIndex(db, key);
    opening.catch(() => (opening = undefined));
    return opening;
  };
  const opened = async () => (opening ? await opening.catch(() => undefined) : undefined);
  return {
    search: async (embedding, k) => (await index()).search(embedding, k),
    enroll: async (trx, e) => (await index()).enroll(trx, e),
    load: async () => void (await index()),
    erase: (trx, personId) => deleteByPerson(trx, personId),
    forget: async (ids) => (await opened())?.forget(ids),
    async holdsAny(ids) {
      const idx = await opened();
      if (!idx) return false;
      for (const id of ids) if (await idx.holds(id)) return true;
      return false;
    },
  };
}
