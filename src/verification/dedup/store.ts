// face_embeddings and face_dedup_mean queries, per descriptor (the model that made the template). A face is stored sealed in `template` (templates.ts) and its search
// sketch sealed in `sketch` (null until some process knows the centring mean); `embedding` (vector(1024) with
// pgvector, real[] without) only holds rows of releases before 0070 until the index seals them.
import type { Queryable } from '../../db/index.js';

const TABLE = 'face_embeddings';
const MEAN_TABLE = 'face_dedup_mean';

export async function insertTemplate(q: Queryable, row: { personId: string; caseId: string | null; descriptor: string; template: Buffer; sketch: Buffer | null }): Promise<number> {
  const [inserted] = await q(TABLE)
    .insert({ person_id: row.personId, case_id: row.caseId, descriptor: row.descriptor, template: row.template, sketch: row.sketch })
    .returning<{ id: number }[]>('id');
  return Number(inserted!.id);
}

export async function deleteByPerson(q: Queryable, personId: string): Promise<number[]> {
  const rows = await q(TABLE).where({ person_id: personId }).delete().returning<{ id: number }[]>('id');
  return rows.map((r) => Number(r.id));
}

/** How many face templates are stored for the person (their export, erasure audits). */
export async function countByPerson(q: Queryable, personId: string): Promise<number> {
  const row = await q(TABLE).where({ person_id: personId }).count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export interface SealedFace {
  id: number;
  personId: string;
  caseId: string | null;
  template: Uint8Array;
}

const sealedColumns = ['id', 'person_id', 'case_id', 'template'] as const;
type SealedRow = { id: number | string; person_id: string; case_id: string | null; template: Uint8Array };
const toSealed = (r: SealedRow): SealedFace => ({ id: Number(r.id), personId: r.person_id, caseId: r.case_id, template: r.template });

/**
 * A row as the sketch index loads it: its sealed sketch, or (when that is absent or not wanted) its sealed template;
 * neither for a row of another descriptor (the index skips it).
 */
export type SketchRow = { id: number; personId: string } & (
  | { sketch: Uint8Array; template: null }
  | { sketch: null; template: Uint8Array }
  | { sketch: null; template: null }
);

/**
 * Rows with id > after (or the listed ids), in id order, at most `limit`; rows of other descriptors come without
 * sketch or template. The sealed template (about 4 KB) is read only for the descriptor's rows without a stored
 * sketch, or for all of them when `templates` is set; otherwise a row is about 200 bytes. The descriptor is not in
 * the WHERE clause: its equality estimate steers the planner (before ANALYZE, as after a bulk load) from the
 * ordered primary-key scan to a bitmap scan and sort of every row above `after`, for every batch.
 */
export async function sketchesAfter(q: Queryable, descriptor: string, after: number, limit: number, alsoIds: number[], templates: boolean): Promise<SketchRow[]> {
  const rows = await q(TABLE)
    .select<Array<{ id: number | string; person_id: string; sketch: Uint8Array | null; template: Uint8Array | null }>>(
      'id',
      'person_id',
      templates ? q.raw('null::bytea as sketch') : q.raw('case when descriptor = ? then sketch end as sketch', [descriptor]),
      q.raw(`case when descriptor = ?${templates ? '' : ' and sketch is null'} then template end as template`, [descriptor]),
    )
    .whereNotNull('template')
    .andWhere((w) => void w.where('id', '>', after).orWhereIn('id', alsoIds))
    .orderBy('id')
    .limit(limit);
  return rows.map((r) => ({ id: Number(r.id), personId: r.person_id, ...(r.sketch ? { sketch: r.sketch, template: null } : { sketch: null, template: r.template }) }));
}

/** Stores sealed sketches of rows that have none (another process may have stored its own meanwhile: both are valid). */
export async function storeSketches(q: Queryable, rows: Array<{ id: number; sketch: Buffer }>): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(() => '(?::bigint, ?::bytea)').join(', ');
  await q.raw(
    `update ${TABLE} as f set sketch = v.sketch from (values ${values}) as v(id, sketch) where f.id = v.id and f.sketch is null`,
    rows.flatMap((r) => [r.id, r.sketch]),
  );
}

/** The rows with these ids that still exist (rows deleted elsewhere drop out). */
export async function templatesById(q: Queryable, ids: number[]): Promise<Map<number, SealedFace>> {
  if (ids.length === 0) return new Map();
  const rows = await q(TABLE).select<SealedRow[]>(...sealedColumns).whereIn('id', ids).whereNotNull('template');
  return new Map(rows.map((r) => [Number(r.id), toSealed(r)]));
}

/** The descriptor's sealed templates of the `n` lowest ids: the rows its centring mean is computed from. */
export async function firstTemplates(q: Queryable, descriptor: string, n: number): Promise<SealedFace[]> {
  const rows = await q(TABLE).select<SealedRow[]>(...sealedColumns).where({ descriptor }).whereNotNull('template').orderBy('id').limit(n);
  return rows.map(toSealed);
}

/** Whether at least `n` rows of the descriptor are enrolled (without counting them all). */
export async function hasRows(q: Queryable, descriptor: string, n: number): Promise<boolean> {
  return (await q(TABLE).select('id').where({ descriptor }).whereNotNull('template').orderBy('id').offset(n - 1).limit(1)).length > 0;
}

/** Rows written before templates were sealed (0070): their plain descriptors, at most `limit`. */
export async function plainRows(q: Queryable, limit: number): Promise<Array<{ id: number; personId: string; embedding: Float32Array }>> {
  const rows = await q(TABLE)
    .select<Array<{ id: number | string; person_id: string; e: Uint8Array }>>('id', 'person_id', q.raw('array_send(embedding::real[]) as e'))
    .whereNull('template')
    .whereNotNull('embedding')
    .orderBy('id')
    .limit(limit);
  return rows.map((r) => ({ id: Number(r.id), personId: r.person_id, embedding: decodeFloat4Array(r.e) }));
}

/** Replaces plain descriptors by their sealed templates. */
export async function sealRows(q: Queryable, rows: Array<{ id: number; template: Buffer }>): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(() => '(?::bigint, ?::bytea)').join(', ');
  await q.raw(`update ${TABLE} as f set template = v.template, embedding = null from (values ${values}) as v(id, template) where f.id = v.id`, rows.flatMap((r) => [r.id, r.template]));
}

/** The descriptor's centring mean every process sketches with, once some process has fixed it. */
export async function readMean(q: Queryable, descriptor: string): Promise<Float32Array | undefined> {
  const row = await q(MEAN_TABLE).select<{ m: Uint8Array }[]>(q.raw('array_send(mean) as m')).where({ descriptor }).first();
  return row ? decodeFloat4Array(row.m) : undefined;
}

/** Fixes the mean unless another process already did (then theirs stays: read it back with readMean). */
export async function storeMean(q: Queryable, descriptor: string, mean: Float32Array, fromRows: number): Promise<void> {
  await q(MEAN_TABLE)
    .insert({ descriptor, mean: Array.from(mean), from_rows: fromRows })
    .onConflict('descriptor')
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
