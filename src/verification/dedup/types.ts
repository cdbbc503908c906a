// 1:N face search over enrolled (approved) persons.
import type { Queryable } from '../../db/index.js';

/** faceres descriptor length; every enrolled and searched embedding has it. */
export const EMBEDDING_DIM = 1024;

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

export interface DedupIndex {
  readonly kind: 'pgvector' | 'sketch';
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

export function checkEmbedding(e: ArrayLike<number>): Float32Array {
  if (e.length !== EMBEDDING_DIM) throw new DedupInputError(`embedding must have ${EMBEDDING_DIM} dimensions, got ${e.length}`);
  const v = Float32Array.from(e);
  if (!v.every(Number.isFinite)) throw new DedupInputError('embedding contains non-finite values');
  return v;
}
