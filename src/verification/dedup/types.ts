// 1:N face search over enrolled (approved) persons.
import type { Queryable } from '../../db/index.js';

/**
 * Stored descriptor length. Shorter descriptors (other models) are zero-padded to it, which leaves cosine
 * similarities unchanged and lets one sketch and template format serve every model.
 */
export const EMBEDDING_DIM = 1024;

/** The descriptor of every template enrolled before templates named theirs (migration 20261203_dedup_0001). */
export const LEGACY_DESCRIPTOR = 'human-faceres+flip';

export interface Enrollment {
  personId: string;
  caseId: string | null;
  /** L2-normalised face descriptor (Float32Array or number[] from the engine pool). */
  embedding: ArrayLike<number>;
}

export interface DedupMatch {
  personId: string;
  caseId: string | null;
  /** Cosine similarity to the query. */
  similarity: number;
}

/** One descriptor's enrolled faces: templates of other descriptors are not comparable and never searched. */
export interface DedupIndex {
  readonly kind: 'pgvector' | 'sketch';
  readonly descriptor: string;
  /** Store an approved person's embedding inside the caller's transaction. */
  enroll(trx: Queryable, e: Enrollment): Promise<void>;
  /** The k most similar enrolled embeddings, most similar first. */
  search(embedding: ArrayLike<number>, k: number): Promise<DedupMatch[]>;
  /** Delete every embedding of the person (on person deletion). */
  remove(personId: string, trx?: Queryable): Promise<void>;
  /** Drops these rows from this process's in-memory index (after the transaction that deleted them committed). */
  forget(ids: readonly number[]): Promise<void>;
  /** Whether this process's in-memory index holds the row, after catching up (tests and audits of an erasure). */
  holds(id: number): Promise<boolean>;
}

export class DedupInputError extends Error {}

/** The embedding as a stored descriptor: finite, at most EMBEDDING_DIM long, zero-padded to it. */
export function checkEmbedding(e: ArrayLike<number>): Float32Array {
  if (e.length === 0 || e.length > EMBEDDING_DIM) throw new DedupInputError(`embedding must have 1 to ${EMBEDDING_DIM} dimensions, got ${e.length}`);
  const v = new Float32Array(EMBEDDING_DIM);
  for (let i = 0; i < e.length; i++) v[i] = e[i]!;
  if (!v.every(Number.isFinite)) throw new DedupInputError('embedding contains non-finite values');
  return v;
}
