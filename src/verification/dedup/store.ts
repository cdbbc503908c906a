// face_embeddings and face_dedup_mean queries. The embedding column is vector(1024) with pgvector, real[] without;
// sketch (bytea) is used by the in-process index only.
import type { Knex } from 'knex';
import type { Queryable } from '../../db/index.js';

const TABLE = 'face_embeddings';
const MEAN_TABLE = 'face_dedup_mean';

const vectorLiteral = (v: ArrayLike<number>) => `[${Array.from(v).join(',')}]`;

/** Which storage the migration created, read from the catalogue (pgvector may be installed after migrating). */
export async function embeddingColumnType(db: Knex): Promise<'vector' | 'real[]'> {
  const r = await db.raw<{ rows: { udt_name: string }[] }>(
    `select udt_name from information_schema.columns where table_name = ? and column_name = 'embedding' and table_schema = current_schema()`,
    [TABLE],
  );
  const udt = r.rows[0]?.udt_name;
  if (!udt) throw new Error('face_embeddings table is missing: run the migrations');
  return udt === 'vector' ? 'vector' : 'real[]';
}

export async function insertEmbedding(
  q: Queryable,
  storage: 'vector' | 'real[]',
  row: { personId: string; caseId: string | null; embedding: Float32Array; sketch?: Uint8Array | null },
): Promise<number> {
  const embedding = storage === 'vector' ? q.raw('?::vector', [vectorLiteral(row.embedding)]) : Array.from(row.embedding);
  const sketch = row.sketch ? Buffer.from(row.sketch.buffer, row.sketch.byteOffset, row.sketch.byteLength) : null;
  const [inserted] = await q(TABLE)
    .insert({ person_id: row.personId, case_id: row.caseId, embedding, sketch })
    .returning<{ id: number }[]>('id');
  return Number(inserted!.id);
}

export async function deleteByPerson(q: Queryable, personId: string): Promise<number[]> {
  const rows = await q(TABLE).where({ person_id: personId }).delete().returning<{ id: number }[]>('id');
  return rows.map((r) => Number(r.id));
}

/** Rows with id > after (or the listed ids), in id order, at most `limit`: ids and stored sketches only. */
export async function sketchesAfter(q: Queryable, after: number, limit: number, alsoIds: number[] = []): Promise<Array<{ id: number; sketch: Uint8Array | null }>> {
  const rows = await q(TABLE)
    .select<Array<{ id: number | string; sketch: Uint8Array | null }>>('id', 'sketch')
    .where('id', '>', after)
    .orWhereIn('id', alsoIds)
    .orderBy('id')
    .limit(limit);
  return rows.map((r) => ({ id: Number(r.id), sketch: r.sketch }));
}

export interface StoredFace {
  personId: string;
  caseId: string | null;
  embedding: Float32Array;
}

/**
 * The rows with these ids that still exist (rows deleted elsewhere drop out). Embeddings travel in Postgres'
 * binary array format (array_send), far cheaper to parse than the text form (docs/measurements.md).
 */
export async function facesById(q: Queryable, ids: number[]): Promise<Map<number, StoredFace>> {
  if (ids.length === 0) return new Map();
  const rows = await q(TABLE)
    .select<Array<{ id: number | string; person_id: string; case_id: string | null; e: Uint8Array }>>('id', 'person_id', 'case_id', q.raw('array_send(embedding::real[]) as e'))
    .whereIn('id', ids);
  return new Map(rows.map((r) => [Number(r.id), { personId: r.person_id, caseId: r.case_id, embedding: decodeFloat4Array(r.e) }]));
}

/** The embeddings of the `n` lowest ids: the rows the centring mean is computed from. */
export async function firstEmbeddings(q: Queryable, n: number): Promise<Float32Array[]> {
  const rows = await q(TABLE).select<Array<{ e: Uint8Array }>>(q.raw('array_send(embedding::real[]) as e')).orderBy('id').limit(n);
  return rows.map((r) => decodeFloat4Array(r.e));
}

/** Whether at least `n` rows are enrolled (without counting them all). */
export async function hasRows(q: Queryable, n: number): Promise<boolean> {
  return (await q(TABLE).select('id').orderBy('id').offset(n - 1).limit(1)).length > 0;
}

/** Stores sketches computed on load for rows enrolled without one (before a mean was fixed, or before 0050). */
export async function fillSketches(q: Queryable, rows: Array<{ id: number; sketch: Uint8Array }>): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(() => '(?::bigint, ?::bytea)').join(', ');
  const bindings = rows.flatMap((r) => [r.id, Buffer.from(r.sketch.buffer, r.sketch.byteOffset, r.sketch.byteLength)]);
  await q.raw(`update ${TABLE} as f set sketch = v.sketch from (values ${values}) as v(id, sketch) where f.id = v.id and f.sketch is null`, bindings);
}

/** The centring mean every process sketches with, once some process has fixed it. */
export async function readMean(q: Queryable): Promise<Float32Array | undefined> {
  const row = await q(MEAN_TABLE).select<{ m: Uint8Array }[]>(q.raw('array_send(mean) as m')).where({ id: 1 }).first();
  return row ? decodeFloat4Array(row.m) : undefined;
}

/** Fixes the mean unless another process already did (then theirs stays: read it back with readMean). */
export async function storeMean(q: Queryable, mean: Float32Array, fromRows: number): Promise<void> {
  await q(MEAN_TABLE)
    .insert({ id: 1, mean: Array.from(mean), from_rows: fromRows })
    .onConflict('id')
    .ignore();
}

/** Postgres binary array (array_send of a one-dimensional real[] without nulls) → Float32Array. */
export function decodeFloat4Array(bytes: Uint8Array): Float32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ndim = v.getInt32(0);
  const n = ndim === 0 ? 0 : v.getInt32(12);
  if (ndim > 1 || v.getInt32(4) !== 0 || bytes.byteLength !== 12 + 8 * ndim + 8 * n) throw new Error('unexpected binary real[] layout');
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = v.getFloat32(20 + 8 * i + 4);
  return out;
}

/**
 * pgvector k-NN through the HNSW index (cosine distance `<=>`). Face descriptors of different people sit at
 * similar distances, which HNSW navigates poorly with pgvector's default ef_search 40 (recall well short of
 * exact: docs/measurements.md), so this search widens it.
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
