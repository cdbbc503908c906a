// face_embeddings queries. The embedding column is vector(1024) with pgvector, real[] without.
import type { Knex } from 'knex';
import type { Queryable } from '../../db/index.js';

const TABLE = 'face_embeddings';

export interface EmbeddingRow {
  id: number;
  person_id: string;
  case_id: string | null;
  embedding: number[];
}

const vectorLiteral = (v: ArrayLike<number>) => `[${Array.from(v).join(',')}]`;

/** Which storage the migration created, read from the catalogue (pgvector may be installed after migrating). */
export async function embeddingColumnType(db: Knex): Promise<'vector' | 'real[]'> {
  const r = await db.raw(
    `select udt_name from information_schema.columns where table_name = ? and column_name = 'embedding' and table_schema = current_schema()`,
    [TABLE],
  );
  const udt = (r.rows as { udt_name: string }[])[0]?.udt_name;
  if (!udt) throw new Error('face_embeddings table is missing: run the migrations');
  return udt === 'vector' ? 'vector' : 'real[]';
}

export async function insertEmbedding(
  q: Queryable,
  storage: 'vector' | 'real[]',
  row: { personId: string; caseId: string | null; embedding: Float32Array },
): Promise<number> {
  const embedding = storage === 'vector' ? q.raw('?::vector', [vectorLiteral(row.embedding)]) : Array.from(row.embedding);
  const [inserted] = await q(TABLE)
    .insert({ person_id: row.personId, case_id: row.caseId, embedding })
    .returning<{ id: number }[]>('id');
  return Number(inserted!.id);
}

export async function deleteByPerson(q: Queryable, personId: string): Promise<number[]> {
  const rows = await q(TABLE).where({ person_id: personId }).delete().returning<{ id: number }[]>('id');
  return rows.map((r) => Number(r.id));
}

/** Rows with id > after (or the listed ids), in id order, at most `limit`; embeddings as real[] either way. */
export async function rowsAfter(q: Queryable, after: number, limit: number, alsoIds: number[] = []): Promise<EmbeddingRow[]> {
  const rows = await q(TABLE)
    .select('id', 'person_id', 'case_id', q.raw('embedding::real[] as embedding'))
    .where('id', '>', after)
    .orWhereIn('id', alsoIds)
    .orderBy('id')
    .limit(limit);
  return rows.map((r: EmbeddingRow) => ({ ...r, id: Number(r.id) }));
}

/** Which of these ids still exist, with their owners and raw descriptors (rows deleted elsewhere drop out). */
export async function ownersOf(
  q: Queryable,
  ids: number[],
): Promise<Map<number, { personId: string; caseId: string | null; embedding: number[] }>> {
  if (ids.length === 0) return new Map();
  const rows = await q(TABLE).select('id', 'person_id', 'case_id', q.raw('embedding::real[] as embedding')).whereIn('id', ids);
  return new Map(rows.map((r: EmbeddingRow) => [Number(r.id), { personId: r.person_id, caseId: r.case_id, embedding: r.embedding }]));
}

/**
 * pgvector k-NN through the HNSW index (cosine distance `<=>`). Face descriptors of different people sit at
 * similar distances, which HNSW navigates poorly with pgvector's default ef_search 40 (63% recall@1 at 10k on
 * bench/dedup.ts), so this search widens it.
 */
export const PGVECTOR_EF_SEARCH = 400;

export async function nearestVector(db: Knex, embedding: Float32Array, k: number) {
  const lit = vectorLiteral(embedding);
  const r = await db.transaction(async (trx): Promise<{ rows: unknown[] }> => {
    await trx.raw(`set local hnsw.ef_search = ${PGVECTOR_EF_SEARCH}`);
    return trx.raw(
      `select person_id, case_id, 1 - (embedding <=> ?::vector) as similarity from ${TABLE} order by embedding <=> ?::vector limit ?`,
      [lit, lit, k],
    );
  });
  return (r.rows as { person_id: string; case_id: string | null; similarity: number | string }[]).map((row) => ({
    personId: row.person_id,
    caseId: row.case_id,
    similarity: Number(row.similarity),
  }));
}
