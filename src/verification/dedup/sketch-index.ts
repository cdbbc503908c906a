// DedupIndex for Postgres without pgvector: face_embeddings holds each descriptor (real[]) and its 1024-bit sketch
// (sketch.ts); each server process keeps every sketch in memory (sketch-set.ts, 128 bytes per face), finds the
// nearest ones by an exact Hamming scan, and re-ranks them by exact cosine on the descriptors read back from the
// table. An approximate graph (HNSW) missed most re-enrolled faces at scale; an exact scan cannot miss a face for
// being hard to navigate to, so recall does not decay with N (bench/RESULTS.md, Notes).
//
// Several processes can share one database, so before every search the index catches up on rows other processes
// enrolled (ids above its high-water mark), and hits are confirmed against the table so rows deleted elsewhere
// never come back.
import type { Knex } from 'knex';
import type { Queryable } from '../../db/index.js';
import { cosine, meanOf, MIN_ROWS_FOR_MEAN } from './centering.js';
import { sketchOf } from './sketch.js';
import { SketchSet } from './sketch-set.js';
import { deleteByPerson, embeddingColumnType, facesById, fillSketches, firstEmbeddings, hasRows, insertEmbedding, readMean, sketchesAfter, storeMean } from './store.js';
import { checkEmbedding, type DedupIndex, type DedupMatch, type Enrollment } from './types.js';

const BATCH = 20_000;
/** Rows without a stored sketch are sketched from their descriptors, read this many at a time (4 KB each). */
const EMBEDDING_BATCH = 1000;
/**
 * Ids are taken at insert but become visible at commit, so a lower id can appear after a higher one was seen.
 * Missing ids below the high-water mark are re-checked until this old (longer than any enrollment transaction;
 * rolled-back inserts leave permanent gaps).
 */
const GAP_TTL_MS = 10 * 60_000;
/**
 * Nearest sketches re-ranked by exact cosine. The sketch only shortlists; 64 rows are one cheap read back from
 * Postgres and hold a face at the candidate similarity well inside the shortlist at 1M (bench/RESULTS.md, Notes).
 */
export const RERANK = 64;

export interface SketchIndexOptions {
  /** Enrolled rows before the centring mean is fixed (centering.ts; tests lower it). */
  minRowsForMean?: number;
  rerank?: number;
  now?: () => number;
}

export class SketchDedupIndex implements DedupIndex {
  readonly kind = 'sketch' as const;
  private readonly set = new SketchSet();
  private highWater = 0;
  private readonly gaps = new Map<number, number>(); // id → first noticed (ms)
  private catching: Promise<void> = Promise.resolve();
  /** The stored centring mean; undefined until fixed (sketches of raw descriptors, kept in memory only). */
  private mean: Float32Array | undefined;
  private readonly minRowsForMean: number;
  private readonly rerank: number;
  private readonly now: () => number;

  private constructor(
    private readonly db: Knex,
    private readonly storage: 'vector' | 'real[]',
    opts: SketchIndexOptions,
  ) {
    this.minRowsForMean = opts.minRowsForMean ?? MIN_ROWS_FOR_MEAN;
    this.rerank = opts.rerank ?? RERANK;
    this.now = opts.now ?? Date.now;
  }

  /** Loads every enrolled row's sketch. Works on either column type (a vector column is cast to real[]). */
  static async open(db: Knex, opts: SketchIndexOptions = {}): Promise<SketchDedupIndex> {
    const idx = new SketchDedupIndex(db, await embeddingColumnType(db), opts);
    await idx.catchUp();
    return idx;
  }

  get size(): number {
    return this.set.size;
  }

  /** Memory held by the in-process sketches. */
  get bytes(): number {
    return this.set.bytes;
  }

  async enroll(trx: Queryable, e: Enrollment): Promise<void> {
    // Only the row is written here: the transaction may still roll back. search() picks it up once committed.
    // Without a fixed mean the sketch is left null and computed by whichever process loads the row later.
    const embedding = checkEmbedding(e.embedding);
    const sketch = this.mean ? sketchOf(embedding, this.mean) : null;
    await insertEmbedding(trx, this.storage, { personId: e.personId, caseId: e.caseId, embedding, sketch });
  }

  async search(embedding: ArrayLike<number>, k: number): Promise<DedupMatch[]> {
    const query = checkEmbedding(embedding);
    const want = Math.max(1, Math.floor(k));
    await this.catchUp();
    const ids = this.set.nearest(sketchOf(query, this.mean), Math.max(want, this.rerank));
    if (ids.length === 0) return [];
    const faces = await facesById(this.db, ids);
    const out: DedupMatch[] = [];
    for (const id of ids) {
      const face = faces.get(id);
      if (face) out.push({ personId: face.personId, caseId: face.caseId, similarity: cosine(query, face.embedding) });
      else this.set.remove(id); // deleted by another process
    }
    return out.sort((a, b) => b.similarity - a.similarity).slice(0, want);
  }

  async remove(personId: string, trx?: Queryable): Promise<void> {
    const ids = await deleteByPerson(trx ?? this.db, personId);
    // If trx rolls back the rows stay in the table; the next catch-up cannot see them again (ids below the
    // high-water mark), so removal from this process's set waits for the delete to be final: callers pass no
    // trx, or call remove again after commit. Search results are confirmed against the table either way.
    if (!trx) for (const id of ids) this.set.remove(id);
  }

  /** Serialised: concurrent searches share one catch-up. */
  private catchUp(): Promise<void> {
    const run = this.catching.then(() => this.load());
    this.catching = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    if (!this.mean) {
      let mean = await readMean(this.db);
      if (!mean && (await hasRows(this.db, this.minRowsForMean))) {
        // The first process to get here fixes the mean; the others (and later starts) read the same row.
        await storeMean(this.db, meanOf(await firstEmbeddings(this.db, this.minRowsForMean)), this.minRowsForMean);
        mean = await readMean(this.db);
      }
      if (mean) this.adopt(mean);
    }
    await this.loadNewRows();
  }

  /** Switches to the stored mean: every sketch held so far is of a raw descriptor, so reload from the start. */
  private adopt(mean: Float32Array): void {
    this.mean = mean;
    this.set.clear();
    this.highWater = 0;
    this.gaps.clear();
  }

  private async loadNewRows(): Promise<void> {
    const now = this.now();
    for (const [id, since] of this.gaps) if (now - since > GAP_TTL_MS) this.gaps.delete(id);
    let gapIds = [...this.gaps.keys()];
    for (;;) {
      const rows = await sketchesAfter(this.db, this.highWater, BATCH, gapIds);
      gapIds = [];
      if (rows.length === 0) return;
      const missing = rows.filter((r) => !r.sketch || !this.mean).map((r) => r.id);
      const computed = new Map<number, Uint8Array>();
      for (let i = 0; i < missing.length; i += EMBEDDING_BATCH) {
        const faces = await facesById(this.db, missing.slice(i, i + EMBEDDING_BATCH));
        const fill = [...faces].map(([id, face]) => ({ id, sketch: sketchOf(face.embedding, this.mean) }));
        for (const { id, sketch } of fill) computed.set(id, sketch);
        if (this.mean) await fillSketches(this.db, fill);
      }
      for (const r of rows) {
        const sketch = this.mean && r.sketch ? r.sketch : computed.get(r.id); // undefined: deleted meanwhile
        if (sketch) this.set.add(r.id, sketch);
        this.gaps.delete(r.id);
      }
      let expected = this.highWater + 1;
      for (const r of rows) {
        if (r.id <= this.highWater) continue;
        for (; expected < r.id; expected++) this.gaps.set(expected, now);
        expected = r.id + 1;
      }
      this.highWater = Math.max(this.highWater, rows.at(-1)!.id);
      if (rows.length < BATCH) return;
    }
  }
}
