// The case layer's view of 1:N face dedup: one DedupIndex per face descriptor for this database, each opened on
// first use. Templates of different descriptors are not comparable, so a search only sees its own descriptor's.
import type { Database, Queryable } from '../db/index.js';
import { LEGACY_DESCRIPTOR } from './dedup/types.js';
import { enrollUnindexed, openDedupIndex, type DedupIndex, type DedupMatch } from './dedup/index.js';
import { deleteByPerson } from './dedup/store.js';

export interface FaceDedup {
  /** The descriptor's enrolled faces nearest to `embedding`. */
  search(descriptor: string, embedding: ArrayLike<number>, k: number): Promise<DedupMatch[]>;
  enroll(trx: Queryable, e: { personId: string; caseId: string; descriptor: string; embedding: ArrayLike<number> }): Promise<void>;
  /** Opens the engine's descriptor's index now (reads and opens every enrolled face's sealed sketch). */
  load(): Promise<void>;
  /**
   * Deletes the person's face templates inside `trx` (an erasure) without opening the index; returns the row ids
   * to `forget` once `trx` has committed.
   */
  erase(trx: Queryable, personId: string): Promise<number[]>;
  /** Drops deleted rows from this process's open indexes (other processes confirm hits against the table). */
  forget(ids: readonly number[]): Promise<void>;
  /** Whether one of this process's open indexes holds any of these rows (false while none is open). */
  holdsAny(ids: readonly number[]): Promise<boolean>;
}

/** `key` seals face templates at rest: the document encryption key. `engineDescriptor`: the one `load` opens. */
export function createFaceDedup(db: Database, key: Buffer, engineDescriptor = LEGACY_DESCRIPTOR): FaceDedup {
  const opening = new Map<string, Promise<DedupIndex>>();
  const open = new Map<string, DedupIndex>();
  const index = (descriptor: string) => {
    let p = opening.get(descriptor);
    if (!p) {
      p = openDedupIndex(db, key, { descriptor });
      opening.set(descriptor, p);
      p.then((idx) => open.set(descriptor, idx), () => opening.delete(descriptor));
    }
    return p;
  };
  const opened = async () => (await Promise.all([...opening.values()].map((p) => p.catch(() => undefined)))).filter((i) => i !== undefined);
  return {
    search: async (descriptor, embedding, k) => (await index(descriptor)).search(embedding, k),
    // Enrolment runs inside the approval's transaction: it never opens an index (that reads outside `trx`).
    enroll: (trx, { descriptor, ...e }) => open.get(descriptor)?.enroll(trx, e) ?? enrollUnindexed(trx, key, descriptor, e),
    load: async () => void (await index(engineDescriptor)),
    erase: (trx, personId) => deleteByPerson(trx, personId),
    forget: async (ids) => void (await Promise.all((await opened()).map((idx) => idx.forget(ids)))),
    async holdsAny(ids) {
      for (const idx of await opened()) for (const id of ids) if (await idx.holds(id)) return true;
      return false;
    },
  };
}
