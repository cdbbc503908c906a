// DedupIndex for Postgres without pgvector: embeddings live in face_embeddings (real[]) and each server process
// keeps an in-process usearch HNSW index over them. Several processes can share one database, so before every
// search the index catches up on rows other processes enrolled (ids above its high-water mark), and hits are
// confirmed against the table so rows deleted elsewhere never come back.
import type { Knex } from 'knex';
import { Index, MetricKind, type ScalarKind } from 'usearch';
import type { Queryable } from '../../db/index.js';
import { deleteByPerson, embeddingColumnType, insertEmbedding, ownersOf, rowsAfter } from './store.js';
import { center, cosine, meanOf } from './centering.js';
import { checkEmbedding, EMBEDDING_DIM, type DedupIndex, type DedupMatch, type Enrollment } from './types.js';

const BATCH = 5000;
/**
 * Ids are taken at insert but become visible at commit, so a lower id can appear after a higher one was seen.
 * Missing ids below the high-water mark are re-checked until this old (longer than any enrollment transaction;
 * rolled-back inserts leave permanent gaps).
 */
const GAP_TTL_MS = 10 * 60_000;

export interface UsearchOptions {
  /** Storage per dimension. f16 halves memory versus f32 with no measurable recall loss on our bench. */
  quantization?: 'f32' | 'f16' | 'i8';
  connectivity?: number;
  now?: () => number;
}

export function newHnsw(opts: Pick<UsearchOptions, 'quantization' | 'connectivity'> = {}) {
  return new Index({
    dimensions: EMBEDDING_DIM,
    metric: MetricKind.Cos,
    quantization: (opts.quantization ?? 'f16') as ScalarKind,
    connectivity: opts.connectivity ?? 16,
    expansion_add: 128,
    // Face descriptors of different people sit at similar distances (cosine ≈ 0.3–0.5), which makes HNSW graphs
    // hard to navigate: on the bench's face-like vectors expansion_search 64 found the re-enrolled face 86% of the
    // time, 512 found it 100% of the time for about 1 ms per query at 5k (bench/dedup.ts).
    expansion_search: 512,
    multi: false,
  });
}

export class UsearchDedupIndex implements DedupIndex {
  readonly kind = 'usearch' as const;
  private readonly index: Index;
  private highWater = 0;
  private readonly gaps = new Map<number, number>(); // id → first noticed (ms)
  private catching: Promise<void> = Promise.resolve();
  /** Mean descriptor, fixed when the index is first built (see centering.ts); undefined = raw descriptors. */
  private mean: Float32Array | undefined;
  private built = false;
  private readonly now: () => number;

  private constructor(
    private readonly db: Knex,
    private readonly storage: 'vector' | 'real[]',
    opts: UsearchOptions,
  ) {
    this.index = newHnsw(opts);
    this.now = opts.now ?? Date.now;
  }

  /** Builds the index from every enrolled row. Works on either column type (a vector column is cast to real[]). */
  static async open(db: Knex, opts: UsearchOptions = {}): Promise<UsearchDedupIndex> {
    const idx = new UsearchDedupIndex(db, await embeddingColumnType(db), opts);
    await idx.catchUp();
    return idx;
  }

  get size(): number {
    return this.index.size();
  }

  async enroll(trx: Queryable, e: Enrollment): Promise<void> {
    // Only the row is written here: the transaction may still roll back. search() picks it up once committed.
    await insertEmbedding(trx, this.storage, { personId: e.personId, caseId: e.caseId, embedding: checkEmbedding(e.embedding) });
  }

  async search(embedding: ArrayLike<number>, k: number): Promise<DedupMatch[]> {
    const query = checkEmbedding(embedding);
    const want = Math.max(1, Math.floor(k));
    await this.catchUp();
    if (this.index.size() === 0) return [];
    // Over-fetch: some hits may belong to rows deleted by another process, and the order in centred space is
    // refined with the raw similarity the thresholds are calibrated on.
    const hits = this.index.search(center(query, this.mean), Math.min(this.index.size(), want + 8), 1);
    const ids = Array.from(hits.keys, Number);
    const owners = await ownersOf(this.db, ids);
    const stale = ids.filter((id) => !owners.has(id));
    if (stale.length) this.index.remove(stale.map(BigInt));
    const out: DedupMatch[] = [];
    for (const id of ids) {
      const owner = owners.get(id);
      if (owner) out.push({ personId: owner.personId, caseId: owner.caseId, similarity: cosine(query, owner.embedding) });
    }
    return out.sort((a, b) => b.similarity - a.similarity).slice(0, want);
  }

  async remove(personId: string, trx?: Queryable): Promise<void> {
    const ids = await deleteByPerson(trx ?? this.db, personId);
    // If trx rolls back the rows stay in the table; the next catch-up cannot see them again (ids below the
    // high-water mark), so removal from this process's index waits for the delete to be final: callers pass no
    // trx, or call remove again after commit. Search results are confirmed against the table either way.
    if (ids.length && !trx) this.index.remove(ids.map(BigInt));
  }

  /** Serialised: concurrent searches share one catch-up. */
  private catchUp(): Promise<void> {
    const run = this.catching.then(() => this.load());
    this.catching = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    const now = this.now();
    for (const [id, since] of this.gaps) if (now - since > GAP_TTL_MS) this.gaps.delete(id);
    let gapIds = [...this.gaps.keys()];
    for (;;) {
      const rows = await rowsAfter(this.db, this.highWater, BATCH, gapIds);
      gapIds = [];
      if (rows.length === 0) return;
      if (!this.built) {
        this.mean = meanOf(rows.map((r) => r.embedding));
        this.built = true;
      }
      const fresh = rows.filter((r) => !this.index.contains(BigInt(r.id)));
      if (fresh.length) {
        this.index.add(
          BigUint64Array.from(fresh.map((r) => BigInt(r.id))),
          fresh.map((r) => center(r.embedding, this.mean)),
          1,
        );
      }
      for (const r of rows) this.gaps.delete(r.id);
      let expected = this.highWater + 1;
      for (const r of rows) {
        if (r.id <= this.highWater) continue;
        for (; expected < r.id; expected++) this.gaps.set(expected, now);
        expected = r.id + 1;
      }
      this.highWater = Math.max(this.highWater, ...rows.map((r) => r.id));
      if (rows.length < BATCH) return;
    }
  }
}
