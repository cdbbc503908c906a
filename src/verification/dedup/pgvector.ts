// DedupIndex on pgvector: the database does the HNSW search, so every process sees every enrollment at once.
import type { Knex } from 'knex';
import type { Queryable } from '../../db/index.js';
import { deleteByPerson, insertEmbedding, nearestVector } from './store.js';
import { checkEmbedding, type DedupIndex, type DedupMatch, type Enrollment } from './types.js';

export class PgvectorDedupIndex implements DedupIndex {
  readonly kind = 'pgvector' as const;
  constructor(private readonly db: Knex) {}

  async enroll(trx: Queryable, e: Enrollment): Promise<void> {
    await insertEmbedding(trx, 'vector', { personId: e.personId, caseId: e.caseId, embedding: checkEmbedding(e.embedding) });
  }

  async search(embedding: ArrayLike<number>, k: number): Promise<DedupMatch[]> {
    return nearestVector(this.db, checkEmbedding(embedding), Math.max(1, Math.floor(k)));
  }

  async remove(personId: string, trx?: Queryable): Promise<void> {
    await deleteByPerson(trx ?? this.db, personId);
  }
}
